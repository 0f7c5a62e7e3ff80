"""explain_receipt / explain_message / rule_set_diagram against rule sets made over boto3 in the lab."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.diagram import draw_rule_set, rule_set_diagram
from sesbook.receiving.explain import explain_message, explain_receipt

from helpers import let_ses_invoke, let_ses_write

if TYPE_CHECKING:
    import sesbook


@pytest.fixture
def inbound(sender: sesbook.Target, function_arn: str) -> sesbook.Target:
    """example.com verified; rule set 'main' made with raw boto3 calls, as a learner or another tool would."""
    ses = sender.ses
    sender.s3.create_bucket(Bucket="inbound-mail")
    let_ses_write(sender, "inbound-mail")
    let_ses_invoke(sender, function_arn)
    ses.create_receipt_rule_set(RuleSetName="main")
    rules = [
        {"Name": "EmailToS3", "Enabled": True, "Recipients": ["aaa@example.com"],
         "Actions": [{"S3Action": {"BucketName": "inbound-mail", "ObjectKeyPrefix": "aaa_emails/"}}]},
        {"Name": "Screen", "Enabled": True, "Recipients": ["example.com"],
         "Actions": [{"LambdaAction": {"FunctionArn": function_arn, "InvocationType": "RequestResponse"}}]},
        {"Name": "Refuse", "Enabled": True, "Recipients": [".example.com"], "TlsPolicy": "Require",
         "Actions": [{"BounceAction": {"SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "No such user",
                                       "Sender": "postmaster@example.com"}},
                     {"StopAction": {"Scope": "RuleSet"}},
                     {"AddHeaderAction": {"HeaderName": "X-Never", "HeaderValue": "1"}}]},
        {"Name": "Off", "Enabled": False, "Recipients": ["off@example.com"],
         "Actions": [{"AddHeaderAction": {"HeaderName": "X-Off", "HeaderValue": "1"}}]},
        {"Name": "CatchAll", "Enabled": True,
         "Actions": [{"AddHeaderAction": {"HeaderName": "X-Seen", "HeaderValue": "yes"}}]},
    ]
    after = None
    for rule in rules:
        ses.create_receipt_rule(RuleSetName="main", Rule=rule, **({"After": after} if after else {}))
        after = rule["Name"]
    ses.set_active_receipt_rule_set(RuleSetName="main")
    return sender


def test_rules_and_actions_in_order(inbound: sesbook.Target) -> None:
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["aaa@example.com"])
    assert result.accepted and result.rule_set == "main"
    assert result.rules == ("EmailToS3", "Screen", "CatchAll")
    assert [s.kind for s in result.steps] == ["S3Action", "LambdaAction", "AddHeaderAction"]
    assert "s3://inbound-mail/aaa_emails/<message id>" in result.steps[0].what
    assert result.steps[1].note.startswith("may stop")
    text = repr(result)
    assert "no IP address filter covers it" in text and text.rstrip().endswith("action(s)")
    assert "<table " in result._repr_html_()


def test_stop_skips_later_actions_and_rules(inbound: sesbook.Target) -> None:
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["x@sub.example.com"], tls=True)
    assert result.rules == ("Refuse",)
    kinds = [(s.kind, s.note) for s in result.steps]
    assert kinds[0] == ("BounceAction", "accepted (250), then SES mails the sender a bounce message (DSN)")
    assert kinds[1] == ("StopAction", "stops here")
    assert kinds[2] == ("AddHeaderAction", "skipped: after a Stop")


def test_tls_require_refuses_a_plain_session(inbound: sesbook.Target) -> None:
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["x@sub.example.com"], tls=False)
    assert not result.accepted and result.refused_for_tls
    assert "requires TLS" in result.verdict()


def test_unknown_recipient_refused_at_rcpt(inbound: sesbook.Target) -> None:
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["who@example.org", "aaa@example.com"])
    assert result.refused == ("who@example.org",) and result.accepted
    only = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["who@example.org"])
    assert not only.accepted and "RCPT TO" in only.verdict()


def test_disabled_rule_is_skipped(inbound: sesbook.Target) -> None:
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["off@example.com"])
    assert "Off" not in result.rules and result.rules == ("Screen", "CatchAll")


def test_block_filter_decides_first(inbound: sesbook.Target) -> None:
    inbound.ses.create_receipt_filter(Filter={"Name": "block-all", "IpFilter": {"Policy": "Block",
                                                                                 "Cidr": "0.0.0.0/0"}})
    inbound.ses.create_receipt_filter(Filter={"Name": "allow-2", "IpFilter": {"Policy": "Allow",
                                                                               "Cidr": "127.0.0.2"}})
    refused = explain_receipt(inbound, sender_ip="127.0.0.3", recipients=["aaa@example.com"])
    assert not refused.accepted and refused.filter.filter_name == "block-all" and not refused.steps
    assert refused.verdict().startswith("refused at connection")
    allowed = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["aaa@example.com"])
    assert allowed.accepted and allowed.filter.filter_name == "allow-2"


def test_no_active_rule_set(sender: sesbook.Target) -> None:
    result = explain_receipt(sender, sender_ip="127.0.0.2", recipients=["aaa@example.com"])
    assert not result.accepted and "no rule set is active" in result.verdict()


def test_named_inactive_set_is_noted(inbound: sesbook.Target) -> None:
    inbound.ses.create_receipt_rule_set(RuleSetName="spare")
    result = explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["aaa@example.com"], rule_set="spare")
    assert not result.accepted and "not the active one" in result.notes[0]
    with pytest.raises(ValidationError, match="does not exist"):
        explain_receipt(inbound, sender_ip="127.0.0.2", recipients=["aaa@example.com"], rule_set="nope")


@pytest.mark.parametrize("kwargs, field", [
    ({"sender_ip": "not-an-ip", "recipients": ["aaa@example.com"]}, "sender_ip"),
    ({"sender_ip": "127.0.0.2", "recipients": "aaa@example.com"}, "recipients"),
    ({"sender_ip": "127.0.0.2", "recipients": []}, "recipients"),
    ({"sender_ip": "127.0.0.2", "recipients": ["nobody"]}, "recipients[0]"),
])
def test_inputs_checked(target: sesbook.Target, kwargs: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError) as caught:
        explain_receipt(target, **kwargs)
    assert caught.value.field == field


def test_explain_message_reads_the_headers(inbound: sesbook.Target) -> None:
    message = EmailMessage()
    message["From"] = "Someone <someone@example.net>"
    message["To"] = "AAA <aaa@example.com>"
    message["Cc"] = "who@example.org"
    message["Subject"] = "こんにちは"
    message.set_content("hello")
    result = explain_message(inbound, message.as_bytes(), "127.0.0.2")
    assert result.recipients == ("aaa@example.com", "who@example.org") and result.refused == ("who@example.org",)
    envelope = explain_message(inbound, message.as_bytes(), "127.0.0.2", recipients=["x@sub.example.com"])
    assert envelope.rules == ("Refuse",) and envelope.size == len(message.as_bytes())
    with pytest.raises(ValidationError, match="bytes"):
        explain_message(inbound, message.as_string(), "127.0.0.2")  # type: ignore[arg-type]


def test_sns_limit_noted_for_a_big_message(sender: sesbook.Target) -> None:
    topic = sender.sns.create_topic(Name="inbound")["TopicArn"]
    sender.ses.create_receipt_rule_set(RuleSetName="main")
    sender.ses.create_receipt_rule(RuleSetName="main", Rule={
        "Name": "ToSns", "Enabled": True, "Actions": [{"SNSAction": {"TopicArn": topic, "Encoding": "UTF-8"}}]})
    sender.ses.set_active_receipt_rule_set(RuleSetName="main")
    big = explain_receipt(sender, sender_ip="127.0.0.2", recipients=["a@example.com"], size=200 * 1024)
    assert "over SNS's 150 KB" in big.steps[0].note
    small = explain_receipt(sender, sender_ip="127.0.0.2", recipients=["a@example.com"], size=1024)
    assert small.steps[0].note == ""


def test_plan_only_target_can_explain(planning_aws: tuple[sesbook.Target, object], inbound: sesbook.Target) -> None:
    aws, wire = planning_aws
    result = explain_receipt(aws, sender_ip="127.0.0.2", recipients=["aaa@example.com"])
    assert result.rules == ("EmailToS3", "Screen", "CatchAll")
    assert wire.mutating == [] and len(aws.plan) == 0  # type: ignore[attr-defined]


def test_diagram_of_the_active_set(inbound: sesbook.Target) -> None:
    picture = rule_set_diagram(inbound)
    svg = picture._repr_svg_()
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for text in ("Rule set main (active)", "1. EmailToS3", "5. CatchAll", "inbound-mail/aaa_emails/", "Bounce",
                 "screen (RequestResponse)", "every verified domain"):
        assert text in svg
    assert svg.count('opacity="0.45"') == 1  # the disabled rule
    assert rule_set_diagram(inbound).svg == svg  # same data, same picture
    import xml.dom.minidom

    xml.dom.minidom.parseString(svg)  # well-formed


def test_diagram_needs_a_set(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="no rule set is active"):
        rule_set_diagram(target)
    assert "no rules" in draw_rule_set("empty", [], active=False)
