"""Clean-up over the wire: the suite's set-up functions make their resources in the lab, then
``inventory`` lists them, ``clean_up`` removes them, and what the test made itself (not the suite) survives."""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING

import pytest

import sesbook
from sesbook.cleanup.names import SuiteNames, txt_text

from helpers import let_ses_invoke, let_ses_write, put_in_zone

if TYPE_CHECKING:
    from sesbook.lab import LabInfo

DOMAIN = "example.com"


def _function(target: sesbook.Target, name: str) -> str:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("gate.py", "def handler(event, context):\n    return {'disposition': 'CONTINUE'}\n")
    role = target.iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    made = target.lambda_.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler="gate.handler",
                                          Code={"ZipFile": package.getvalue()})
    let_ses_invoke(target, name)
    return str(made["FunctionArn"])


def suite_setup(target: sesbook.Target) -> None:
    """What notebooks 01-06 set up, with the package's own functions."""
    verification = sesbook.verify_domain(target, DOMAIN, method="v2")
    sesbook.publish_records(target, DOMAIN, verification.records)
    sesbook.verify_email(target, "you@example.net")
    signing = sesbook.byodkim(target, f"news.{DOMAIN}", selector="sesbook1")
    sesbook.publish_records(target, DOMAIN, signing.records)
    sesbook.set_mail_from(target, DOMAIN, f"mail.{DOMAIN}", behavior_on_mx_failure="USE_DEFAULT_VALUE")
    sesbook.apply_to_route53(target, sesbook.records_for(target, DOMAIN, mail_from="mail", receive=True))
    sesbook.put_template(target, "sesbook-welcome", subject="Hi {{name}}", text="Hello {{name}}")
    policy = sesbook.send_policy([sesbook.identity_arn(target, DOMAIN)])
    sesbook.ensure_smtp_user(target, "sesbook-smtp", policy)
    wiring = sesbook.wire_feedback(target, DOMAIN, configuration_set="sesbook-feedback")
    target.s3.create_bucket(Bucket="sesbook-inbound")
    let_ses_write(target, "sesbook-inbound")
    target.s3.put_object(Bucket="sesbook-inbound", Key="aaa_emails/one", Body=b"mail")
    arn = _function(target, "sesbook-allow-list")
    rules = [sesbook.ReceiptRule("sesbook-aaa", recipients=(f"aaa@{DOMAIN}",),
                          actions=(sesbook.S3Action("sesbook-inbound", "aaa_emails/"),
                                   sesbook.SNSAction(wiring.topic_arn))),
             sesbook.ReceiptRule("sesbook-gate", recipients=(DOMAIN,),
                          actions=(sesbook.LambdaAction(arn, "RequestResponse"),))]
    for rule in rules:
        sesbook.grant_rule_access(target, "sesbook-inbound", rule)
    sesbook.ensure_rule_set(target, "sesbook-inbound", rules)
    sesbook.allow_only(target, ["127.0.0.1"])
    sesbook.suppress(target, "bounce@simulator.amazonses.com")
    sesbook.suppress(target, f"gone@{DOMAIN}", "COMPLAINT")
    sesbook.create_reputation_alarms(target, actions=[wiring.topic_arn])


def unrelated_setup(target: sesbook.Target) -> None:
    """Resources the suite did not make, some of them next to (or inside) the suite's own."""
    target.s3.create_bucket(Bucket="keep-me")
    let_ses_write(target, "keep-me")
    target.s3.put_object(Bucket="keep-me", Key="data", Body=b"precious")
    target.sns.create_topic(Name="other-topic")
    target.iam.create_role(RoleName="their-role", AssumeRolePolicyDocument="{}")
    target.sqs.create_queue(QueueName="other-queue")
    target.ses.verify_domain_identity(Domain="other.example.org")
    target.ses.create_receipt_rule_set(RuleSetName="their-rules")
    target.ses.create_receipt_filter(Filter={"Name": "office", "IpFilter": {"Policy": "Allow", "Cidr": "192.0.2.0/24"}})
    target.sesv2.create_email_template(TemplateName="their-template", TemplateContent={"Subject": "s", "Text": "t"})
    target.sesv2.put_suppressed_destination(EmailAddress="stranger@elsewhere.test", Reason="BOUNCE")
    put_in_zone(target, DOMAIN, f"www.{DOMAIN}", "A", ["192.0.2.10"])
    put_in_zone(target, DOMAIN, DOMAIN, "TXT", ["v=spf1 include:amazonses.com -all", "site-verification=abc"])
    put_in_zone(target, DOMAIN, f"other._domainkey.{DOMAIN}", "CNAME", ["other.dkim.example.net"])


def _zone_values(target: sesbook.Target) -> dict[tuple[str, str], list[str]]:
    zone = target.route53.list_hosted_zones_by_name(DNSName=DOMAIN)["HostedZones"][0]["Id"]
    rrsets = target.route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    return {(r["Name"].rstrip("."), r["Type"]): [txt_text(v["Value"]) for v in r.get("ResourceRecords", [])]
            for r in rrsets}


def test_clean_up_removes_what_the_suite_made_and_nothing_else(sender: sesbook.Target) -> None:
    target = sender  # example.com and example.net verified the way ensure_verified_sender does
    suite_setup(target)
    unrelated_setup(target)

    before = sesbook.inventory(target)
    counts = before.counts()
    assert counts["receipt rule set"] == 1 and counts["IP filter"] == 2 and counts["Lambda function"] == 1
    assert counts["IAM role"] == 1
    assert counts["S3 bucket"] == 1 and counts["configuration set"] == 1 and counts["SNS topic"] == 1
    assert counts["SQS queue"] == 2 and counts["SNS subscription"] == 1 and counts["template"] == 1
    assert counts["suppressed address"] == 2 and counts["IAM user"] == 1 and counts["CloudWatch alarm"] == 4
    assert set(before.names("identity")) == {DOMAIN, f"news.{DOMAIN}", "you@example.net"}
    assert "keep-me" not in before.names() and "other-topic" not in before.names()
    records = set(before.names("DNS record"))
    assert {f"_amazonses.{DOMAIN} TXT", f"mail.{DOMAIN} MX", f"mail.{DOMAIN} TXT", f"{DOMAIN} MX",
            f"{DOMAIN} TXT", f"_dmarc.{DOMAIN} TXT", f"sesbook1._domainkey.news.{DOMAIN} TXT"} <= records
    assert sum(1 for r in records if r.endswith("CNAME")) == 3 and f"www.{DOMAIN} A" not in records
    # the zone holds records the suite did not publish: kept, with the reason
    assert before.kept and before.kept[0][0] == "hosted zone"

    result = sesbook.clean_up(target)
    assert not result.planned
    assert result.outcome("S3 bucket", "sesbook-inbound") == "removed"
    assert result.outcome("IAM user", "sesbook-smtp") == "removed"
    assert result.outcome("hosted zone", DOMAIN) == "kept"
    assert "removed" in repr(result) and "<table" in result._repr_html_()

    after = sesbook.inventory(target)
    assert after.empty, after
    # what the test made survives, untouched
    assert target.s3.get_object(Bucket="keep-me", Key="data")["Body"].read() == b"precious"
    assert [t["TopicArn"].rsplit(":", 1)[-1] for t in target.sns.list_topics()["Topics"]] == ["other-topic"]
    assert [u.rsplit("/", 1)[-1] for u in target.sqs.list_queues()["QueueUrls"]] == ["other-queue"]
    assert [r["RoleName"] for r in target.iam.list_roles()["Roles"]] == ["their-role"]
    assert set(target.ses.list_identities()["Identities"]) == {"other.example.org", "example.net"}
    assert [s["Name"] for s in target.ses.list_receipt_rule_sets()["RuleSets"]] == ["their-rules"]
    assert [f["Name"] for f in target.ses.list_receipt_filters()["Filters"]] == ["office"]
    assert [t["TemplateName"] for t in target.sesv2.list_email_templates()["TemplatesMetadata"]] == ["their-template"]
    assert sesbook.suppression_list(target).addresses == ("stranger@elsewhere.test",)
    assert target.ses.describe_active_receipt_rule_set().get("Metadata") is None
    zone = _zone_values(target)
    assert zone[(f"www.{DOMAIN}", "A")] == ["192.0.2.10"]
    assert zone[(DOMAIN, "TXT")] == ["site-verification=abc"]
    assert zone[(f"other._domainkey.{DOMAIN}", "CNAME")] == ["other.dkim.example.net"]
    assert {t for _, t in zone} == {"A", "TXT", "CNAME", "NS", "SOA"} and (f"mail.{DOMAIN}", "MX") not in zone

    again = sesbook.clean_up(target)
    assert set(again.counts()) <= {"absent", "kept"}, again
    assert again.outcome("identity", DOMAIN) == "absent"


def test_a_zone_sesbook_made_goes_when_only_its_records_were_in_it(target: sesbook.Target) -> None:
    sesbook.ensure_verified_sender(target, domain=DOMAIN)
    before = sesbook.inventory(target)
    assert before.names() == [f"_amazonses.{DOMAIN} TXT", DOMAIN, DOMAIN]
    assert [r.kind for r in before] == ["DNS record", "identity", "hosted zone"]
    sesbook.clean_up(target)
    assert sesbook.inventory(target).empty
    assert target.route53.list_hosted_zones_by_name(DNSName=DOMAIN)["HostedZones"] == []


def test_an_smtp_user_without_the_suites_tag_is_kept(target: sesbook.Target) -> None:
    target.iam.create_user(UserName="sesbook-smtp")
    target.iam.create_access_key(UserName="sesbook-smtp")
    found = sesbook.inventory(target)
    assert found.empty
    assert found.kept == (("IAM user", "sesbook-smtp", "no tag purpose=ses-smtp: not made by the suite"),)
    result = sesbook.clean_up(target)
    assert result.outcome("IAM user", "sesbook-smtp") == "kept"
    assert target.iam.get_user(UserName="sesbook-smtp")["User"]["UserName"] == "sesbook-smtp"


def test_the_names_the_notebooks_used_are_taken(target: sesbook.Target) -> None:
    names = SuiteNames(domain="Example.ORG", addresses=("ann@example.org",), templates=("promo",),
                       feedback_names=("bounces",), rule_sets=("inbound",))
    sesbook.put_template(target, "promo", subject="s", text="t")
    sesbook.put_template(target, "not-ours", subject="s", text="t")
    target.sns.create_topic(Name="bounces")
    target.ses.create_receipt_rule_set(RuleSetName="inbound")
    assert sorted(sesbook.inventory(target, names).names()) == ["bounces", "inbound", "promo"]
    sesbook.clean_up(target, names)
    assert [t["TemplateName"] for t in target.sesv2.list_email_templates()["TemplatesMetadata"]] == ["not-ours"]


@pytest.mark.parametrize(("field", "value"), [("templates", ["bad name"]), ("prefix", "s"), ("domain", "not a domain")])
def test_names_are_checked(field: str, value: object) -> None:
    with pytest.raises(sesbook.ValidationError) as caught:
        SuiteNames(**{field: value})
    assert caught.value.field == field


def test_on_aws_without_apply_it_only_plans(sender: sesbook.Target, lab_info: LabInfo,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    suite_setup(sender)
    monkeypatch.setenv("AWS_ENDPOINT_URL", lab_info.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    aws = sesbook.connect("aws", region="us-east-1")
    before = sesbook.inventory(aws)
    result = sesbook.clean_up(aws)
    assert result.planned and set(result.counts()) <= {"planned", "kept"}
    assert "plan only" in repr(result)
    calls = {f"{c.service}.{c.operation}" for c in aws.plan}
    assert {"ses.SetActiveReceiptRuleSet", "ses.DeleteReceiptRuleSet", "s3.DeleteObjects", "s3.DeleteBucket",
            "iam.DeleteAccessKey", "iam.DeleteUserPolicy", "iam.DeleteUser", "ses.DeleteIdentity",
            "route53.ChangeResourceRecordSets", "sns.DeleteTopic", "sqs.DeleteQueue"} <= calls
    # nothing was removed
    assert sesbook.inventory(sender).names() == before.names()
