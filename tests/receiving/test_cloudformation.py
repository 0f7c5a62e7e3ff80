"""CloudFormation export: the shape (After chaining, DependsOn the bucket policy) and cfn-lint's verdict."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import yaml

from sesbook.errors import ValidationError
from sesbook.receiving.cloudformation import export_cloudformation, template_for
from sesbook.receiving.filters import ReceiptFilter, allow_only
from sesbook.receiving.model import AddHeaderAction, BounceAction, Rule, RuleSet, S3Action, SNSAction, StopAction
from sesbook.receiving.policies import apply_bucket_policy, bucket_policy
from sesbook.receiving.rules import ensure_rule_set

if TYPE_CHECKING:
    import sesbook

TOPIC = "arn:aws:sns:us-east-1:123456789012:inbound"


def _rule_set() -> RuleSet:
    return RuleSet("MyReceiptRuleSet", (
        Rule("EmailToS3", recipients=["aaa@example.com"], scan_enabled=True,
             actions=[S3Action("inbound-mail", "aaa_emails/")]),
        Rule("Notify", recipients=["example.com"], actions=[AddHeaderAction("X-Seen", "yes"), SNSAction(TOPIC)]),
        Rule("Refuse", recipients=[".example.com"], tls_policy="Require",
             actions=[BounceAction("550", "Unauthorized sender", "ses@example.com"), StopAction()]),
    ))


def _lint(text: str) -> list[str]:
    from cfnlint.api import lint

    return [str(m) for m in lint(text, regions=["us-east-1"])]


def _template() -> dict:  # type: ignore[type-arg]
    policy = bucket_policy("inbound-mail", account="123456789012", region="us-east-1",
                           rule_set="MyReceiptRuleSet", rule="EmailToS3", prefix="aaa_emails/")
    return template_for(_rule_set(), filters=[ReceiptFilter("block-all", "0.0.0.0/0"),
                                              ReceiptFilter("allow-one", "192.0.2.1", "Allow")],
                        bucket_policies={"inbound-mail": policy}).template


def test_template_shape() -> None:
    resources = _template()["Resources"]
    types = [r["Type"] for r in resources.values()]
    assert types == ["AWS::S3::BucketPolicy", "AWS::SES::ReceiptFilter", "AWS::SES::ReceiptFilter",
                     "AWS::SES::ReceiptRuleSet", "AWS::SES::ReceiptRule", "AWS::SES::ReceiptRule",
                     "AWS::SES::ReceiptRule"]
    assert "After" not in resources["RuleEmailToS3"]["Properties"]
    assert resources["RuleNotify"]["Properties"]["After"] == {"Ref": "RuleEmailToS3"}
    assert resources["RuleRefuse"]["Properties"]["After"] == {"Ref": "RuleNotify"}
    assert resources["RuleEmailToS3"]["DependsOn"] == ["BucketPolicyInboundMail"]
    assert resources["RuleEmailToS3"]["Properties"]["RuleSetName"] == {"Ref": "RuleSetMyReceiptRuleSet"}
    assert resources["FilterAllowOne"]["Properties"]["Filter"] == {
        "Name": "allow-one", "IpFilter": {"Policy": "Allow", "Cidr": "192.0.2.1"}}


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_cfn_lint_accepts_the_template(form: str) -> None:
    rule_set = _rule_set()
    policy = bucket_policy("inbound-mail", account="123456789012", region="us-east-1",
                           rule_set=rule_set.name, rule="EmailToS3", prefix="aaa_emails/")
    made = template_for(rule_set, filters=[ReceiptFilter("block-all", "0.0.0.0/0")],
                        bucket_policies={"inbound-mail": policy})
    text = made.to_json() if form == "json" else made.to_yaml()
    assert _lint(text) == []
    assert (json.loads(text) if form == "json" else yaml.safe_load(text)) == made.template


def test_cfn_lint_catches_a_broken_template() -> None:
    broken = _template()
    broken["Resources"]["RuleNotify"]["Properties"]["Rule"]["TlsPolicy"] = "Sometimes"
    assert _lint(json.dumps(broken))


def test_template_for_needs_a_rule_set() -> None:
    with pytest.raises(ValidationError):
        template_for("main")  # type: ignore[arg-type]


def test_export_from_the_lab(target: sesbook.Target) -> None:
    target.s3.create_bucket(Bucket="inbound-mail")
    rules = [Rule("EmailToS3", recipients=["aaa@example.com"], actions=[S3Action("inbound-mail", "aaa_emails/")]),
             Rule("Tag", actions=[AddHeaderAction("X-Seen", "yes"), StopAction()])]
    apply_bucket_policy(target, "inbound-mail", rule_set="main", rule="EmailToS3", prefix="aaa_emails/")
    ensure_rule_set(target, "main", rules)
    allow_only(target, ["127.0.0.2"])
    made = export_cloudformation(target)
    resources = made.resources
    assert resources["RuleTag"]["Properties"]["After"] == {"Ref": "RuleEmailToS3"}
    assert resources["BucketPolicyInboundMail"]["Properties"]["PolicyDocument"]["Statement"][0]["Condition"]
    assert sum(r["Type"] == "AWS::SES::ReceiptFilter" for r in resources.values()) == 2
    assert _lint(made.to_yaml()) == []
    assert "AWS::SES::ReceiptRule" in made._repr_html_()


def test_export_without_an_active_set(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="no rule set is active"):
        export_cloudformation(target)
    with pytest.raises(ValidationError, match="does not exist"):
        export_cloudformation(target, "nope")
