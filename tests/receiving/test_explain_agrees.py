"""explain() agrees with what the lab's inbound SMTP server really does on the same inputs.

Same sender address, same recipients, same TLS, same size: the dry run's reply (its code), its verdict
(accepted or refused) and the S3 prefixes its steps name must be what an smtplib delivery to the inbound
server produces. Both take their replies from :mod:`sesbook.receiving.matching`; these tests check that the
wiring around it (identities, TLS, size, the order of RCPT and DATA) agrees too. Skipped while the lab has no
inbound server.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest

from sesbook.lab.smtp.tls import client_context
from sesbook.receiving.explain import explain_receipt
from sesbook.receiving.filters import allow_only
from sesbook.receiving.model import Rule, S3Action, StopAction
from sesbook.receiving.rules import ensure_rule_set

from helpers import let_ses_invoke, let_ses_write, python_function

if TYPE_CHECKING:
    import sesbook
    from sesbook.lab import LabInfo

BUCKET = "agree-inbox"


def _message(recipients: list[str], size: int = 0) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "alice@sender.test", ", ".join(recipients), "agree"
    message.set_content("Hello.\n" + ("z" * 76 + "\n") * (size // 77))
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _reply(info: LabInfo, source: str, recipients: list[str], *, tls: bool = False, data: bytes | None = None) -> int:
    """Deliver one message over SMTP, one command at a time; the code the sender ends with (the connection's,
    the first refused RCPT's when no recipient is taken, else DATA's)."""
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    try:
        client = smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=30)
    except smtplib.SMTPConnectError as refused:
        return refused.smtp_code
    with client:
        client.ehlo("mail.sender.test")
        if tls:
            client.starttls(context=client_context())
            client.ehlo("mail.sender.test")
        client.mail("alice@sender.test")
        codes = [client.rcpt(r)[0] for r in recipients]
        if not any(c == 250 for c in codes):
            return next(c for c in codes if c != 250)
        return client.data(data if data is not None else _message(recipients))[0]


def _deliver(info: LabInfo, source: str, recipients: list[str]) -> bool:
    """Send one message from ``source``; True when the server accepted it (250 after DATA)."""
    return _reply(info, source, recipients) == 250


def _prefixes(target: sesbook.Target) -> set[str]:
    found = target.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"].split("/", 1)[0] + "/" for o in found}


@pytest.fixture
def live(sender: sesbook.Target, lab_info: LabInfo) -> sesbook.Target:
    if not lab_info.inbound_smtp:
        pytest.skip("the lab has no inbound SMTP server yet")
    sender.s3.create_bucket(Bucket=BUCKET)
    let_ses_write(sender, BUCKET)
    ensure_rule_set(sender, "agree", [
        Rule("First", recipients=["aaa@example.com"], actions=[S3Action(BUCKET, "first/")]),
        Rule("Stopper", recipients=["stop@example.com"], actions=[S3Action(BUCKET, "stopper/"), StopAction()]),
        Rule("All", actions=[S3Action(BUCKET, "all/")]),
    ])
    return sender


@pytest.mark.parametrize("source, recipients", [
    ("127.0.0.2", ["aaa@example.com"]),
    ("127.0.0.2", ["stop@example.com"]),
    ("127.0.0.2", ["other@example.com"]),
    ("127.0.0.2", ["who@example.org"]),
])
def test_explain_matches_delivery(live: sesbook.Target, lab_info: LabInfo, source: str,
                                  recipients: list[str]) -> None:
    explained = explain_receipt(live, sender_ip=source, recipients=recipients, tls=False)
    delivered = _deliver(lab_info, source, recipients)
    assert delivered == explained.accepted, repr(explained)
    expected = {s.what.split(f"s3://{BUCKET}/", 1)[1].split("<", 1)[0] for s in explained.steps
                if s.kind == "S3Action" and not s.note.startswith("skipped")}
    assert _prefixes(live) == expected, repr(explained)


def test_explain_matches_the_filter(live: sesbook.Target, lab_info: LabInfo) -> None:
    allow_only(live, ["127.0.0.2"])
    for source in ("127.0.0.2", "127.0.0.3"):
        explained = explain_receipt(live, sender_ip=source, recipients=["aaa@example.com"], tls=False)
        assert _deliver(lab_info, source, ["aaa@example.com"]) == explained.accepted, repr(explained)


STOPPER = "def handler(event, context):\n    return {'disposition': 'STOP_RULE_SET'}\n"


def _stopper(target: sesbook.Target) -> str:
    arn = python_function(target, "agree-stopper", "stopper", STOPPER, role="agree-role")
    let_ses_invoke(target, arn)
    return arn


@pytest.fixture
def actions(sender: sesbook.Target, lab_info: LabInfo) -> sesbook.Target:
    """A rule set with a Bounce, an SNS, a TLS-only, a Lambda and an unverified-domain rule (raw boto3)."""
    if not lab_info.inbound_smtp:
        pytest.skip("the lab has no inbound SMTP server yet")
    ses = sender.ses
    sender.s3.create_bucket(Bucket=BUCKET)
    let_ses_write(sender, BUCKET)
    topic = sender.sns.create_topic(Name="agree")["TopicArn"]
    arn = _stopper(sender)
    ses.create_receipt_rule_set(RuleSetName="acts")
    rules = [
        {"Name": "Gone", "Recipients": ["gone@example.com"], "Actions": [{"BounceAction": {
            "SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "Mailbox does not exist",
            "Sender": "mailer-daemon@example.com"}}]},
        {"Name": "Notify", "Recipients": ["sns@example.com"], "Actions": [{"SNSAction": {"TopicArn": topic}}]},
        {"Name": "Secure", "Recipients": ["secure@example.com"], "TlsPolicy": "Require",
         "Actions": [{"S3Action": {"BucketName": BUCKET, "ObjectKeyPrefix": "secure/"}}]},
        {"Name": "Gate", "Recipients": ["gated@example.com"], "Actions": [
            {"LambdaAction": {"FunctionArn": arn, "InvocationType": "RequestResponse"}}]},
        {"Name": "Elsewhere", "Recipients": ["unverified.org", "gated@example.com"],
         "Actions": [{"S3Action": {"BucketName": BUCKET, "ObjectKeyPrefix": "elsewhere/"}}]},
    ]
    after = None
    for rule in rules:
        ses.create_receipt_rule(RuleSetName="acts", Rule={"Enabled": True, **rule},
                                **({"After": after} if after else {}))
        after = rule["Name"]
    ses.set_active_receipt_rule_set(RuleSetName="acts")
    return sender


@pytest.mark.parametrize("recipients, tls, size, code", [
    (["gone@example.com"], False, 0, 250),  # Bounce: taken, then a bounce message is mailed
    (["gone@example.com", "sns@example.com"], False, 0, 250),
    (["sns@example.com"], False, 0, 250),
    (["sns@example.com"], False, 160 * 1024, 552),  # over the SNS action's 150 KB
    (["gone@example.com", "sns@example.com"], False, 160 * 1024, 552),
    (["gone@example.com"], False, 160 * 1024, 250),  # no SNS action: the size does not matter
    (["who@unverified.org"], False, 0, 550),  # a rule names the domain, but it is not verified
    (["who@unverified.org", "gone@example.com"], False, 0, 250),
    (["secure@example.com"], False, 0, 530),
    (["secure@example.com"], True, 0, 250),
    (["secure@example.com", "gone@example.com"], False, 0, 250),
    (["gated@example.com"], False, 0, 250),  # Lambda: whatever it answers, the sender gets 250
])
def test_explain_reply_matches_the_server(actions: sesbook.Target, lab_info: LabInfo, recipients: list[str],
                                          tls: bool, size: int, code: int) -> None:
    data = _message(recipients, size)
    explained = explain_receipt(actions, sender_ip="127.0.0.2", recipients=recipients, tls=tls, size=len(data))
    got = _reply(lab_info, "127.0.0.2", recipients, tls=tls, data=data)
    assert got == code, repr(explained)
    assert int(explained.reply[:3]) == code, repr(explained)
    assert explained.accepted == (code == 250)
    ran = _prefixes(actions) if actions.s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") else set()
    expected = {s.what.split(f"s3://{BUCKET}/", 1)[1].split("<", 1)[0] for s in explained.steps
                if s.kind == "S3Action" and not s.note.startswith("skipped")} if code == 250 else set()
    assert ran <= expected, repr(explained)  # a Lambda answering STOP_RULE_SET may leave later ones out
    if "gone@example.com" in recipients and code == 250:
        assert any(s.kind == "BounceAction" and "bounce message" in s.note for s in explained.steps)
        assert "bounce message" in explained.verdict()


def test_explain_message_takes_the_size_from_the_message(actions: sesbook.Target, lab_info: LabInfo) -> None:
    from sesbook.receiving.explain import explain_message

    data = _message(["sns@example.com"], 160 * 1024)
    explained = explain_message(actions, data, "127.0.0.2", tls=False)
    assert explained.data_refusal is not None and explained.data_refusal.startswith("552 5.3.4")
    assert _reply(lab_info, "127.0.0.2", ["sns@example.com"], data=data) == 552
    assert "refused after DATA" in explained.verdict()


def test_explain_matches_a_blocked_address(live: sesbook.Target, lab_info: LabInfo) -> None:
    live.ses.create_receipt_filter(Filter={"Name": "no-3", "IpFilter": {"Policy": "Block", "Cidr": "127.0.0.3/32"}})
    explained = explain_receipt(live, sender_ip="127.0.0.3", recipients=["aaa@example.com"], tls=False)
    assert _reply(lab_info, "127.0.0.3", ["aaa@example.com"]) == int(explained.reply[:3]) == 554
