"""Helpers shared by the tests: put record sets into the lab's Route 53 (which its DNS server answers
from) and make a domain a verified identity the way a user would. Import as ``from helpers import ...``
(``tests/`` is on pytest's ``pythonpath``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesbook.dns.records import to_rdata

if TYPE_CHECKING:
    from collections.abc import Iterator


def zone(target: Any, name: str) -> str:
    """Create a public hosted zone in the lab and return its id."""
    resp = target.route53.create_hosted_zone(Name=name, CallerReference=f"test-{name}")
    return str(resp["HostedZone"]["Id"].rsplit("/", 1)[-1])


def zone_id(target: Any, zone: str) -> str:
    """The id of the hosted zone named ``zone``, created when missing."""
    found = target.route53.list_hosted_zones_by_name(DNSName=zone)["HostedZones"]
    for hosted in found:
        if hosted["Name"].rstrip(".") == zone:
            return str(hosted["Id"])
    made = target.route53.create_hosted_zone(Name=zone, CallerReference=f"test-{zone}")
    return str(made["HostedZone"]["Id"])


def put(target: Any, zone_id: str, name: str, rtype: str, *values: str, ttl: int = 300) -> None:
    """UPSERT one record set in the zone ``zone_id``; values are readable (TXT unquoted, hosts without the dot)."""
    target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": ttl,
            "ResourceRecords": [{"Value": to_rdata(rtype, v)} for v in values]}}]})


def put_in_zone(target: Any, zone: str, name: str, rtype: str, values: list[str], *, action: str = "UPSERT") -> None:
    """Write one record set in the zone named ``zone`` (made when missing); TXT values are quoted here."""
    if rtype == "TXT":
        values = [json.dumps(v) if not v.startswith('"') else v for v in values]
    target.route53.change_resource_record_sets(
        HostedZoneId=zone_id(target, zone),
        ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": {
            "Name": name, "Type": rtype, "TTL": 300, "ResourceRecords": [{"Value": v} for v in values]}}]},
    )


def delete_in_zone(target: Any, zone: str, name: str, rtype: str, values: list[str]) -> None:
    put_in_zone(target, zone, name, rtype, values, action="DELETE")


def verify_domain_now(target: Any, domain: str) -> None:
    """Make ``domain`` a verified identity the way a user would: v1 token, TXT published."""
    token = target.ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    put_in_zone(target, domain, f"_amazonses.{domain}", "TXT", [token])
    status = target.ses.get_identity_verification_attributes(Identities=[domain])["VerificationAttributes"]
    assert status[domain]["VerificationStatus"] == "Success"


def freeze_at_quarter_hour(target: Any) -> None:
    """Freeze the lab clock and move it to just after the start of a 15-minute period, so that a test's sends
    (a second apart) fall in one GetSendStatistics period whatever the time the test runs."""
    from datetime import datetime

    target.lab.freeze_clock()
    now = datetime.fromisoformat(target.lab.request("GET", "/_sesbook/clock")["now"]).timestamp()
    target.lab.advance_clock(900 - now % 900 + 1)


#: The mailbox simulator's domain.
SIM = "simulator.amazonses.com"


def send_after_two_seconds(target: Any, to: str, **extra: Any) -> str:
    """One v1 SendEmail from shop@example.com to ``to``, two lab seconds after the last (the sandbox's rate);
    the message id."""
    target.lab.advance_clock(2)
    return str(target.ses.send_email(Source="shop@example.com", Destination={"ToAddresses": [to]},
                                     Message={"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "b"}}},
                                     **extra)["MessageId"])


@contextlib.contextmanager
def lab_process(state: Path) -> Iterator[dict[str, Any]]:
    """``python -m sesbook lab --seed 1`` in its own process, announced in the state file ``state``; yields its
    announcement (the JSON line) and stops it after."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "SESBOOK_LAB_STATE": str(state), "PYTHONPATH": str(root)}
    env.pop("SESBOOK_LAB", None)
    proc = subprocess.Popen([sys.executable, "-m", "sesbook", "lab", "--seed", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=root)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, "the lab did not start"
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def changed_notebooks(root: Path) -> list[str]:
    """Notebooks that differ from the last commit (a learner saved them from JupyterLab, say); [] without git."""
    import subprocess

    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", "notebooks"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line[3:] for line in out.splitlines() if line.endswith(".ipynb"))


def let_ses_write(target: Any, bucket: str) -> None:
    """A bucket policy that lets SES (any receipt rule of the account) put objects in ``bucket``: SES refuses a
    rule whose bucket it may not write to."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowSesPuts", "Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}]}
    target.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def let_ses_invoke(target: Any, function: str) -> None:
    """A resource policy that lets SES invoke ``function`` (name or ARN) for any receipt rule of the account."""
    target.lambda_.add_permission(FunctionName=function, StatementId="AllowSesInvoke", Action="lambda:InvokeFunction",
                                  Principal="ses.amazonaws.com", SourceAccount="123456789012")


def python_function(target: Any, name: str, module: str, source: str, *, role: str | None = None) -> str:
    """A Lambda function in the lab running ``source`` (saved as ``module``.py, handler ``module.handler``),
    with an execution role named ``role`` (default: NAME-role); returns its ARN."""
    import io
    import zipfile

    arn = target.iam.create_role(RoleName=role or f"{name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(f"{module}.py", source)
    made = target.lambda_.create_function(FunctionName=name, Runtime="python3.12", Role=arn,
                                          Handler=f"{module}.handler", Code={"ZipFile": package.getvalue()})
    return str(made["FunctionArn"])
