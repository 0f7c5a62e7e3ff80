"""The sequence as an operator runs it: a plan-only run against a stand-in AWS endpoint changes nothing,
running every notebook twice in one account leaves the state of running it once, and the clean-up then
removes what the sequence made.

The plan-only runs take every notebook (``PLAN_ONLY``); the lab counts what reaches it on the server side
(``/_sesbook/requests``): reads only, no mutating request, no SMTP connection. Each notebook's plan must
name the calls it would make.

One lab, started as ``python -m sesbook lab`` in its own process with its own state file, serves the whole
module: first as "AWS" (``AWS_ENDPOINT_URL``, dummy credentials, ``SESBOOK_NAMESERVER`` at its DNS) for a
plan-only run on an empty account, then as the lab (``SESBOOK_LAB``) for two real runs of 00-07 (each
notebook also as one step of the sequence: 05 uses 04's receiving set-up), then as "AWS" again for a
plan-only run on an account that has everything, and last as the lab for the clean-up (99).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import papermill
import pytest

from helpers import lab_process as started_lab

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
#: The real runs: every notebook but the clean-up, in order.
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0[0-7]-*.ipynb"))
CLEAN_UP = ROOT / "notebooks" / "99-clean-up.ipynb"
#: The plan-only runs take every notebook there is: none may send a change or open an SMTP connection.
PLAN_ONLY = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
DUMMY = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def lab_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh lab in its own process; yields its announcement (the JSON line)."""
    with started_lab(tmp_path_factory.mktemp("lab") / "lab.json") as info:
        yield info


def _clients(info: dict[str, Any]) -> dict[str, Any]:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106
                            region_name="us-east-1")
    return {name: session.client(name, endpoint_url=info["aws_endpoint"]) for name in ("ses", "sesv2", "route53")}


def _lab_get(info: dict[str, Any], path: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(info["aws_endpoint"] + path, timeout=10) as resp:  # noqa: S310 - loopback lab
        return json.loads(resp.read())


def _lab_delete(info: dict[str, Any], path: str) -> None:
    import urllib.request

    request = urllib.request.Request(info["aws_endpoint"] + path, method="DELETE")
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - loopback lab
        pass


def assert_only_reads(info: dict[str, Any]) -> None:
    """Counted by the lab itself (``/_sesbook/requests``): reads reached it, no change and no SMTP connection."""
    seen = _lab_get(info, "/_sesbook/requests")
    assert seen["http"], "the plan-only run read the account"
    assert seen["mutating"] == {}, seen["mutating"]
    assert seen["smtp"] == {}, seen["smtp"]


def snapshot(info: dict[str, Any]) -> dict[str, Any]:
    """What a run could change: identities (statuses, tokens, DKIM, MAIL FROM), zones and records, the account."""
    c = _clients(info)
    identities: dict[str, Any] = {}
    for name in sorted(c["ses"].list_identities()["Identities"]):
        got = c["sesv2"].get_email_identity(EmailIdentity=name)
        got.pop("ResponseMetadata", None)
        attrs = c["ses"].get_identity_verification_attributes(Identities=[name])["VerificationAttributes"]
        identities[name] = {"v2": got, "v1": attrs.get(name)}
    zones: dict[str, Any] = {}
    for zone in c["route53"].list_hosted_zones()["HostedZones"]:
        rrsets = c["route53"].list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        zones[zone["Name"]] = sorted(
            (r["Name"], r["Type"], r.get("TTL"), sorted(v["Value"] for v in r.get("ResourceRecords", [])))
            for r in rrsets)
    account = c["sesv2"].get_account()
    account.pop("ResponseMetadata", None)
    return {"identities": identities, "zones": zones, "account": account}


def without_usage(state: dict[str, Any]) -> dict[str, Any]:
    """The state without what reading and sending move by design: the account's send counter and when SES
    last checked each identity's DNS. (When a DKIM key was made is kept: a re-run must not make new ones.)"""
    copy = json.loads(json.dumps(state, default=str))
    copy["account"].get("SendQuota", {}).pop("SentLast24Hours", None)
    for identity in copy["identities"].values():
        identity["v2"].get("VerificationInfo", {}).pop("LastCheckedTimestamp", None)
    return copy


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The leaf paths where two snapshots differ, with both values: a readable assertion message."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in differences(a.get(k), b.get(k), f"{path}/{k}")]
    return [] if a == b else [f"{path}: {a!r} -> {b!r}"]


def mail_by_recipient(info: dict[str, Any]) -> Counter[str]:
    messages = _lab_get(info, "/_aws/ses").get("messages", [])
    return Counter(to for m in messages for to in (m.get("Destination", {}).get("ToAddresses") or []))


def plan_only_run(info: dict[str, Any], runs: Path) -> subprocess.CompletedProcess[str]:
    """``python -m sesbook run --target aws`` (apply=False) with the lab standing in for AWS and its DNS."""
    env = {**os.environ, **DUMMY, "AWS_ENDPOINT_URL": info["aws_endpoint"], "SESBOOK_NAMESERVER": info["dns"],
           "PYTHONPATH": str(ROOT), "SESBOOK_LAB_STATE": str(runs / "no-lab.json")}
    env.pop("SESBOOK_LAB", None)
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "sesbook", "run", "--target", "aws", "--notebooks", str(ROOT / "notebooks"),
         "--runs", str(runs), "--no-progress", "--only", *[p.name[:2] for p in PLAN_ONLY]],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )


def lab_run(info: dict[str, Any], out: Path, monkeypatch: pytest.MonkeyPatch,
            notebooks: list[Path] = NOTEBOOKS) -> dict[str, str]:
    """Run ``notebooks`` in order against the lab, announced to the kernels through SESBOOK_LAB; each
    notebook's outputs as text, by file name."""
    monkeypatch.setenv("SESBOOK_LAB", json.dumps(info))
    out.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        papermill.execute_notebook(str(path), str(out / path.name), kernel_name="python3", cwd=str(path.parent),
                                   progress_bar=False, coalesce_streams=True)
    return _texts(out)


def _texts(folder: Path) -> dict[str, str]:
    """Every code cell's outputs of each executed notebook in ``folder``, as one text per notebook."""
    import nbformat

    return {path.name: "\n".join(json.dumps(c.get("outputs", []), ensure_ascii=False)
                                 for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
            for path in sorted(folder.glob("[0-9][0-9]-*.ipynb"))}


def _plans(folder: Path) -> dict[str, str]:
    import nbformat

    shown = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        last = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"][-1]
        assert last.source.strip() == "ses_target.plan", path.name
        shown[path.name] = "".join(o.get("data", {}).get("text/plain", "") for o in last.outputs)
    return shown


def test_plan_only_then_run_twice_then_plan_only_then_clean_up(
    lab_process: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = lab_process
    # 1. an operator's dry run on an account that has nothing yet: runs to the end, changes nothing
    empty = snapshot(info)
    _lab_delete(info, "/_sesbook/requests")
    dry = plan_only_run(info, tmp_path / "dry")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"{len(PLAN_ONLY)} ok, 0 failed" in dry.stdout
    assert_only_reads(info)
    assert snapshot(info) == empty, differences(empty, snapshot(info))
    assert mail_by_recipient(info) == Counter()
    dry_folder = next((tmp_path / "dry").iterdir())
    plans, shown = _plans(dry_folder), _texts(dry_folder)
    expected = {  # each notebook's plan names the calls it would make
        "01-verify-a-domain.ipynb": ("CreateEmailIdentity(EmailIdentity='example.com'",),
        "02-dns-records.ipynb": ("CreateHostedZone(Name='example.com'", "placeholder-dkim-1._domainkey.example.com"),
        "03-leave-the-sandbox.ipynb": ("PutAccountDetails",),
        "04-receive-mail.ipynb": ("CreateReceiptRuleSet", "CreateBucket", "PutBucketPolicy", "CreateFunction",
                                  "AddPermission", "CreateReceiptFilter", "ChangeResourceRecordSets"),
        "05-send-mail.ipynb": ("CreateBucket", "PutBucketPolicy", "CreateReceiptRuleSet", "CreateReceiptRule",
                               "SetActiveReceiptRuleSet", "CreateEmailTemplate"),
        "06-bounces-and-complaints.ipynb": ("CreateTopic(Name='sesbook-feedback')", "SetIdentityNotificationTopic",
                                            "CreateConfigurationSetEventDestination", "simulator.amazonses.com",
                                            "DeleteSuppressedDestination"),
        "07-monitoring.ipynb": ("PutMetricAlarm", "SendEmail", "CreateEmailTemplate"),
    }
    for name, calls in expected.items():
        for call in calls:
            assert call in plans[name], (name, call)
    assert "plan-only: the SMTP steps are skipped" in shown["04-receive-mail.ipynb"]
    assert "AWS::SES::ReceiptRule" in shown["04-receive-mail.ipynb"]
    assert "plan-only: nothing was sent, nothing to read" in shown["05-send-mail.ipynb"]
    assert "planned: the queue does not exist yet" in shown["06-bounces-and-complaints.ipynb"]
    assert "SendingPausedException" not in shown["07-monitoring.ipynb"]  # the lab-only steps were skipped

    # 2. every notebook twice in one account: the second run leaves the state of the first, sends no more
    first = lab_run(info, tmp_path / "first", monkeypatch)
    once, mail_once = snapshot(info), mail_by_recipient(info)
    assert once["identities"] and once["zones"]
    rules = _clients(info)["ses"].describe_active_receipt_rule_set()["Rules"]
    assert [r["Name"] for r in rules] == ["EmailToS3", "Gone", "SupportGate", "SupportStore"]  # 04's, 05 kept it
    assert "s3://sesbook-inbound-mail/aaa_emails/: " in first["05-send-mail.ipynb"]  # 05's mail, in 04's bucket
    second = lab_run(info, tmp_path / "second", monkeypatch)
    twice, mail_twice = snapshot(info), mail_by_recipient(info)
    assert without_usage(twice) == without_usage(once), differences(without_usage(once), without_usage(twice))
    assert _clients(info)["ses"].describe_active_receipt_rule_set()["Rules"] == rules
    dkim = twice["identities"]["news.example.com"]["v2"]["DkimAttributes"]
    assert dkim["Status"] == "SUCCESS"
    keys = [r for r in twice["zones"]["example.com."] if r[0] == "sesbook1._domainkey.news.example.com."]
    assert len(keys) == 1 and len(keys[0][3]) == 1, keys
    second_run = mail_twice - mail_once
    assert all(second_run[to] <= mail_once[to] for to in second_run), (second_run, mail_once)
    assert second_run["someone@example.net"] == 1, "only the send after production access, as in the first run"
    for name, texts in (("first", first), ("second", second)):
        assert set(texts) == {path.name for path in NOTEBOOKS}, name
        shown = _plans(tmp_path / name)  # 00 plans one call inside dry_run() on purpose
        assert shown.pop("00-the-lab-and-the-target.ipynb").startswith("Plan: 1 change(s) planned, not sent")
        assert set(shown.values()) == {"Plan: no changes"}, shown

    # 3. a dry run on the account that now has everything: still nothing changes
    monkeypatch.delenv("SESBOOK_LAB")
    _lab_delete(info, "/_sesbook/requests")
    dry = plan_only_run(info, tmp_path / "dry-again")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert_only_reads(info)
    assert without_usage(snapshot(info)) == without_usage(twice), differences(twice, snapshot(info))
    assert mail_by_recipient(info) == mail_twice

    # 4. the clean-up, for real: what the sequence made is gone
    lab_run(info, tmp_path / "clean", monkeypatch, [CLEAN_UP])
    after = snapshot(info)
    assert after["identities"] == {} and after["zones"] == {}, after
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106
                            region_name="us-east-1")
    aws = {name: session.client(name, endpoint_url=info["aws_endpoint"])
           for name in ("ses", "sesv2", "s3", "sns", "sqs", "lambda", "iam", "cloudwatch")}
    assert aws["ses"].list_receipt_rule_sets().get("RuleSets", []) == []
    assert aws["ses"].list_receipt_filters()["Filters"] == []
    assert aws["s3"].list_buckets()["Buckets"] == []
    assert aws["sns"].list_topics()["Topics"] == []
    assert not aws["sqs"].list_queues().get("QueueUrls")
    assert aws["lambda"].list_functions()["Functions"] == []
    assert [u["UserName"] for u in aws["iam"].list_users()["Users"]] == []
    assert aws["sesv2"].list_email_templates()["TemplatesMetadata"] == []
    assert aws["sesv2"].list_configuration_sets()["ConfigurationSets"] == []
    assert aws["cloudwatch"].describe_alarms()["MetricAlarms"] == []
