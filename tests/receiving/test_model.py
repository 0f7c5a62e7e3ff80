"""The receipt rule model: each SES limit and rule refused before any call, and the API shapes both ways."""

from __future__ import annotations

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.model import (
    AddHeaderAction,
    BounceAction,
    LambdaAction,
    Rule,
    RuleSet,
    S3Action,
    SNSAction,
    StopAction,
    rule_from_api,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:inbound"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:screen"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("name", ["EmailToS3", "a", "rule.v2", "in_bound-1", "x" * 64])
def test_good_rule_names(name: str) -> None:
    assert Rule(name).name == name


@pytest.mark.parametrize("name", ["", "-lead", "trail-", "has space", "ümlaut", "x" * 65, "slash/no", 7])
def test_bad_rule_names_name_the_field_and_value(name: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Rule(name)  # type: ignore[arg-type]
    assert caught.value.field == "name" and caught.value.value == name
    assert "letters, digits" in caught.value.rule


def test_bad_rule_set_name() -> None:
    with pytest.raises(ValidationError, match="rule set"):
        RuleSet("bad name")


def test_recipients_normalised_in_all_three_forms() -> None:
    rule = Rule("r", recipients=["aaa@Example.COM", "Bücher.example", ".Sub.Example.com"])
    assert rule.recipients == ("aaa@example.com", "xn--bcher-kva.example", ".sub.example.com")


@pytest.mark.parametrize("bad", ["not an address@", "@example.com", "..example.com", "localhost", "a@b@c.com", ""])
def test_bad_recipient_conditions_name_the_rule_and_index(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Rule("EmailToS3", recipients=["ok@example.com", bad])
    assert caught.value.field.startswith("rule 'EmailToS3': recipients[1]")


def test_recipients_as_one_string_refused() -> None:
    with pytest.raises(ValidationError, match="list"):
        Rule("r", recipients="aaa@example.com")  # type: ignore[arg-type]


def test_recipient_limit_is_100() -> None:
    Rule("r", recipients=[f"u{i}@example.com" for i in range(100)])
    with pytest.raises(ValidationError, match="at most 100") as caught:
        Rule("r", recipients=[f"u{i}@example.com" for i in range(101)])
    assert "rule 'r'" in caught.value.field


def test_duplicate_recipient_refused() -> None:
    with pytest.raises(ValidationError, match="twice"):
        Rule("r", recipients=["a@example.com", "A@EXAMPLE.com".lower()])


def test_action_limit_is_10() -> None:
    Rule("r", actions=[AddHeaderAction(f"X-H{i}", "v") for i in range(10)])
    with pytest.raises(ValidationError, match="at most 10"):
        Rule("r", actions=[AddHeaderAction(f"X-H{i}", "v") for i in range(11)])


def test_rule_limit_is_200_and_names_unique() -> None:
    RuleSet("s", tuple(Rule(f"r{i}") for i in range(200)))
    with pytest.raises(ValidationError, match="at most 200"):
        RuleSet("s", tuple(Rule(f"r{i}") for i in range(201)))
    with pytest.raises(ValidationError, match="twice"):
        RuleSet("s", (Rule("a"), Rule("a")))


def test_tls_policy_and_flags() -> None:
    with pytest.raises(ValidationError, match="Optional, Require"):
        Rule("r", tls_policy="required")
    with pytest.raises(ValidationError, match="True or False"):
        Rule("r", enabled="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Rule("r", actions=[{"S3Action": {"BucketName": "b"}}])  # type: ignore[list-item]


@pytest.mark.parametrize("make, field", [
    (lambda: S3Action("Bad_Bucket"), "S3Action.bucket"),
    (lambda: S3Action("ab"), "S3Action.bucket"),
    (lambda: S3Action("192.168.1.1"), "S3Action.bucket"),
    (lambda: S3Action("bucket", kms_key_arn="key-id"), "S3Action.kms_key_arn"),
    (lambda: S3Action("bucket", prefix="a\nb"), "S3Action.prefix"),
    (lambda: SNSAction("inbound"), "SNSAction.topic_arn"),
    (lambda: SNSAction(TOPIC, encoding="utf8"), "SNSAction.encoding"),
    (lambda: LambdaAction("screen"), "LambdaAction.function_arn"),
    (lambda: LambdaAction(FUNCTION, invocation_type="Sync"), "LambdaAction.invocation_type"),
    (lambda: BounceAction("250", "no", "postmaster@example.com"), "BounceAction.smtp_reply_code"),
    (lambda: BounceAction("550", "no", "postmaster@example.com", status_code="4.1.1"), "BounceAction.status_code"),
    (lambda: BounceAction("550", "", "postmaster@example.com"), "BounceAction.message"),
    (lambda: BounceAction("550", "no", "not-an-address"), "BounceAction.sender"),
    (lambda: AddHeaderAction("X_Under", "v"), "AddHeaderAction.name"),
    (lambda: AddHeaderAction("X" * 51, "v"), "AddHeaderAction.name"),
    (lambda: AddHeaderAction("X-Ok", "v" * 2048), "AddHeaderAction.value"),
    (lambda: AddHeaderAction("X-Ok", "a\r\nBcc: evil@example.org"), "AddHeaderAction.value"),
    (lambda: StopAction("Rule"), "StopAction.scope"),
    (lambda: StopAction(topic_arn="topic"), "StopAction.topic_arn"),
])
def test_each_action_rule(make: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make()  # type: ignore[operator]
    assert caught.value.field == field


def test_limits_at_the_edge_pass() -> None:
    AddHeaderAction("X" * 50, "v" * 2047)
    BounceAction(550, "Unauthorized sender", "postmaster@example.com", status_code="5.7.1")
    S3Action("my.bucket-1", "aaa_emails/", kms_key_arn="arn:aws:kms:us-east-1:123456789012:alias/aws/ses")


def _full_rule() -> Rule:
    return Rule(
        "EmailToS3", recipients=["aaa@example.com"], scan_enabled=True, tls_policy="Require",
        actions=[
            AddHeaderAction("X-Routed", "aaa"),
            S3Action("inbound-mail", "aaa_emails/", kms_key_arn=KMS, topic_arn=TOPIC),
            SNSAction(TOPIC, "Base64"),
            LambdaAction(FUNCTION, "RequestResponse"),
            BounceAction("550", "Mailbox unavailable", "postmaster@example.com", "5.1.1"),
            StopAction(topic_arn=TOPIC),
        ],
    )


def test_to_api_shape() -> None:
    api = _full_rule().to_api()
    assert api["Name"] == "EmailToS3" and api["Recipients"] == ["aaa@example.com"]
    assert api["TlsPolicy"] == "Require" and api["ScanEnabled"] is True and api["Enabled"] is True
    assert api["Actions"][1] == {"S3Action": {"BucketName": "inbound-mail", "ObjectKeyPrefix": "aaa_emails/",
                                              "KmsKeyArn": KMS, "TopicArn": TOPIC}}
    assert api["Actions"][4]["BounceAction"]["SmtpReplyCode"] == "550"
    assert api["Actions"][5] == {"StopAction": {"Scope": "RuleSet", "TopicArn": TOPIC}}
    assert "Recipients" not in Rule("all").to_api()


def test_from_api_round_trip() -> None:
    rule = _full_rule()
    assert rule_from_api(rule.to_api()) == rule


def test_from_api_refuses_unmodelled_actions() -> None:
    with pytest.raises(ValidationError, match="WorkMail"):
        rule_from_api({"Name": "r", "Actions": [{"WorkmailAction": {"OrganizationArn": "x"}}]})
