"""The lab's inbound SMTP server over the wire: smtplib -> inbound server -> receipt rules -> moto S3/SNS/SQS."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import pytest

from sesbook.lab.smtp.tls import client_context

from helpers import let_ses_invoke, let_ses_write

if TYPE_CHECKING:
    from collections.abc import Iterator

    import sesbook
    from sesbook.lab import LabInfo


# -- helpers -----------------------------------------------------------------------------------------------
def smtp(info: LabInfo, source: str = "127.0.0.2") -> smtplib.SMTP:
    """An SMTP client connected to the lab's inbound server from ``source`` (a loopback address)."""
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    client = smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=30)
    client.ehlo("mail.sender.test")
    return client


def rule_set(target: sesbook.Target, *rules: dict[str, Any]) -> None:
    """Make rule set ``rs`` with ``rules`` in the order given, and make it the active one."""
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    after = None
    for rule in rules:
        kwargs = {"After": after} if after else {}
        target.ses.create_receipt_rule(RuleSetName="rs", Rule={"Enabled": True, **rule}, **kwargs)
        after = rule["Name"]
    target.ses.set_active_receipt_rule_set(RuleSetName="rs")


def s3_rule(name: str, prefix: str, recipients: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"Name": name, "Actions": [{"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": prefix}}]}
    if recipients:
        rule["Recipients"] = recipients
    rule.update(extra)
    return rule


def objects(target: sesbook.Target, prefix: str = "") -> dict[str, bytes]:
    found = target.s3.list_objects_v2(Bucket="inbox", Prefix=prefix).get("Contents", [])
    return {o["Key"]: target.s3.get_object(Bucket="inbox", Key=o["Key"])["Body"].read() for o in found}


def inbound_records(info: LabInfo) -> list[dict[str, Any]]:
    return [m for m in info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"]


def simple(subject: str = "hello", sender: str = "alice@sender.test", to: str = "aaa@example.com") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content("Hello from the test.\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


@pytest.fixture
def receiving(sender: sesbook.Target) -> Iterator[sesbook.Target]:
    """example.com verified, bucket ``inbox`` made; each test adds its own rule set."""
    sender.s3.create_bucket(Bucket="inbox")
    let_ses_write(sender, "inbox")
    yield sender


# -- S3, recipients, filters ------------------------------------------------------------------------------------
LONG_BODY_LINE = "L" * 982 + " — end"  # 990 bytes in UTF-8: under SMTP's 998, over any 78-column habit
EIGHT_BIT = "Grüße aus Zürich — 受信テスト: raw UTF-8 bytes, no transfer encoding"


def real_mime() -> bytes:
    """A multipart message with an attachment, non-ASCII headers (encoded and raw UTF-8), a 1500-char header
    line, and an 8-bit part (``Content-Transfer-Encoding: 8bit``, raw UTF-8) with a 990-byte body line."""
    message = EmailMessage()
    message["From"] = "Zoë Ämmälä <zoe@sender.test>"
    message["To"] = "aaa@example.com"
    message["Subject"] = "Grüße — 受信テスト"
    message.set_content("Plain part.\n")
    message.add_alternative("<p>HTML part, ünïcödé.</p>\n", subtype="html")
    message.add_attachment(bytes(range(256)) * 20, maintype="application", subtype="octet-stream",
                           filename="data.bin")
    message.add_attachment(f"{EIGHT_BIT}\n{LONG_BODY_LINE}\nlast line\n", subtype="plain", cte="8bit",
                           disposition="inline")
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    assert EIGHT_BIT.encode() in raw and b"\r\n" + LONG_BODY_LINE.encode() + b"\r\n" in raw
    long_line = b"X-Long-Header: " + b"y" * 1500 + b"\r\n"
    raw_utf8 = "X-Raw-UTF8: naïve café\r\n".encode()
    return long_line + raw_utf8 + raw


def test_smtp_to_s3_exactly_once_byte_for_byte(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("aaa", "aaa_emails/", ["aaa@example.com"]))
    raw = real_mime()
    assert len(LONG_BODY_LINE.encode()) == 990
    with smtp(lab_info) as client:
        assert client.has_extn("8bitmime")
        refused = client.sendmail("zoe@sender.test", ["aaa@example.com"], raw, mail_options=["BODY=8BITMIME"])
    assert refused == {}
    stored = objects(receiving)
    assert len(stored) == 1
    key, body = next(iter(stored.items()))
    assert key.startswith("aaa_emails/") and len(key) == len("aaa_emails/") + 40
    head, sep, rest = body.partition(b"X-Long-Header: ")
    assert sep and rest == raw[len(b"X-Long-Header: "):]  # the message as received, after SES's headers
    assert EIGHT_BIT.encode() in body and b"\r\n" + LONG_BODY_LINE.encode() + b"\r\n" in body
    added = head.decode()
    for name in ("Return-Path: <zoe@sender.test>", "Received: from mail.sender.test", "X-SES-Spam-Verdict: GRAY",
                 "X-SES-Virus-Verdict: GRAY", "Authentication-Results: amazonses.com;", "X-SES-RECEIPT: "):
        assert name in added
    assert f"with SMTP id {key.removeprefix('aaa_emails/')}" in added
    [record] = inbound_records(lab_info)
    assert record["Inbound"]["rules"][0]["rule"] == "aaa"
    assert record["Inbound"]["rules"][0]["actions"][0]["ok"] is True
    assert record["Inbound"]["reply"].startswith("250 Ok ")


def test_unknown_recipient_refused_at_rcpt(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    with smtp(lab_info) as client:  # no active rule set yet
        client.mail("alice@sender.test")
        assert client.rcpt("aaa@example.com")[0] == 550
    rule_set(receiving, s3_rule("aaa", "aaa_emails/", ["aaa@example.com"]))
    with smtp(lab_info) as client:
        client.mail("alice@sender.test")
        code, text = client.rcpt("bbb@example.com")
        assert (code, text) == (550, b"5.1.1 Requested action not taken: mailbox unavailable")
        assert client.rcpt("aaa@unverified.test")[0] == 550
        assert client.rcpt("AAA@Example.com")[0] == 250  # case does not matter
    assert objects(receiving) == {}


def test_ip_filters_block_and_allow(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("all", "all/", ["example.com"]))
    for name, policy, cidr in (("block-all", "Block", "0.0.0.0/0"), ("trusted", "Allow", "127.0.0.2/32")):
        receiving.ses.create_receipt_filter(Filter={"Name": name, "IpFilter": {"Policy": policy, "Cidr": cidr}})
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtp(lab_info, source="127.0.0.3")
    assert refused.value.smtp_code == 554
    with smtp(lab_info, source="127.0.0.2") as client:  # allow wins over block
        assert client.sendmail("alice@sender.test", ["aaa@example.com"], simple()) == {}
    assert len(objects(receiving, "all/")) == 1
    assert inbound_records(lab_info)[0]["Inbound"]["peer"] == "127.0.0.2"


def test_tls_require_refuses_plain_sessions(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("secure", "secure/", ["aaa@example.com"], TlsPolicy="Require"))
    with smtp(lab_info) as client:
        assert client.has_extn("starttls")
        client.mail("alice@sender.test")
        code, text = client.rcpt("aaa@example.com")
        assert (code, text) == (530, b"5.7.0 Must issue a STARTTLS command first")
    with smtp(lab_info) as client:
        client.starttls(context=client_context())
        client.ehlo("mail.sender.test")
        assert client.sendmail("alice@sender.test", ["aaa@example.com"], simple()) == {}
    assert len(objects(receiving, "secure/")) == 1
    assert inbound_records(lab_info)[0]["Inbound"]["tls"] is True


def test_size_limit_advertised_and_enforced(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("aaa", "aaa/", ["aaa@example.com"]))
    with smtp(lab_info) as client:
        assert int(client.esmtp_features["size"]) == 40 * 1024 * 1024
        code, _ = client.mail("alice@sender.test", [f"SIZE={40 * 1024 * 1024 + 1}"])
        assert code == 552


def test_over_40_mb_without_size_declared_gets_552_and_nothing_is_stored(receiving: sesbook.Target,
                                                                         lab_info: LabInfo) -> None:
    """No ``SIZE=`` on MAIL FROM (smtplib's ``sendmail`` would add one): the server counts the bytes of DATA."""
    rule_set(receiving, s3_rule("aaa", "aaa/", ["aaa@example.com"]))
    line = b"y" * 998 + b"\r\n"
    big = simple(subject="huge").replace(b"Hello from the test.\r\n", line * (40 * 1024 * 1024 // len(line) + 16))
    assert len(big) > 40 * 1024 * 1024
    with smtp(lab_info) as client:
        assert client.mail("alice@sender.test")[0] == 250  # no SIZE= parameter
        assert client.rcpt("aaa@example.com")[0] == 250
        code, _ = client.data(big)
        assert code == 552
        assert client.noop()[0] == 250  # the session goes on
    assert objects(receiving) == {}
    assert inbound_records(lab_info) == []


def test_a_block_filter_for_one_address_refuses_only_it(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("all", "all/", ["example.com"]))
    receiving.ses.create_receipt_filter(Filter={"Name": "no-3", "IpFilter": {"Policy": "Block",
                                                                             "Cidr": "127.0.0.3/32"}})
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtp(lab_info, source="127.0.0.3")
    assert (refused.value.smtp_code, refused.value.smtp_error) == (554, b"5.7.1 Access denied")
    for source in ("127.0.0.2", "127.0.0.4", "127.0.1.3"):
        with smtp(lab_info, source=source) as client:
            assert client.sendmail("alice@sender.test", ["aaa@example.com"], simple()) == {}
    assert len(objects(receiving, "all/")) == 3
    assert [r["Inbound"]["peer"] for r in inbound_records(lab_info)] == ["127.0.0.2", "127.0.0.4", "127.0.1.3"]


def test_an_allow_filter_alone_refuses_no_one(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, s3_rule("all", "all/", ["example.com"]))
    receiving.ses.create_receipt_filter(Filter={"Name": "only-2", "IpFilter": {"Policy": "Allow",
                                                                               "Cidr": "127.0.0.2/32"}})
    for source in ("127.0.0.2", "127.0.0.3"):
        with smtp(lab_info, source=source) as client:
            assert client.sendmail("alice@sender.test", ["aaa@example.com"], simple()) == {}
    assert len(objects(receiving, "all/")) == 2


def test_ip_filters_apply_to_ses_own_delivery(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    """Filters are account-wide and SES's sending servers connect like anyone's: the lab's SES delivers from
    127.0.0.1, so a filter blocking it keeps SES's own mail out too (engine.deliver_sent), and an Allow for it
    lets that mail in again."""
    rule_set(receiving, s3_rule("all", "all/", ["example.com"]))
    receiving.ses.create_receipt_filter(Filter={"Name": "no-1", "IpFilter": {"Policy": "Block",
                                                                             "Cidr": "127.0.0.1/32"}})

    def send(subject: str) -> None:
        receiving.ses.send_email(Source="news@example.net", Destination={"ToAddresses": ["aaa@example.com"]},
                                 Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "Hi"}}})
        lab_info.advance_clock(2)  # the sandbox's rate: one message a second

    send("blocked")
    assert objects(receiving, "all/") == {}
    assert inbound_records(lab_info) == []
    with smtp(lab_info, source="127.0.0.2") as client:  # other senders still come in
        assert client.sendmail("alice@sender.test", ["aaa@example.com"], simple()) == {}
    receiving.ses.create_receipt_filter(Filter={"Name": "ses", "IpFilter": {"Policy": "Allow",
                                                                            "Cidr": "127.0.0.1/32"}})
    send("allowed")
    stored = list(objects(receiving, "all/").values())
    assert len(stored) == 2 and any(b"Subject: allowed" in b for b in stored)
    assert not any(b"Subject: blocked" in b for b in stored)


# -- rules and actions ---------------------------------------------------------------------------------------
def test_rule_order_and_stop(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving,
             s3_rule("first", "first/", ["example.com"]),
             {"Name": "stopper", "Recipients": ["stop@example.com"],
              "Actions": [{"AddHeaderAction": {"HeaderName": "X-Stopped", "HeaderValue": "yes"}},
                          {"StopAction": {"Scope": "RuleSet"}}]},
             s3_rule("last", "last/", ["example.com"]))
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], simple(to="aaa@example.com"))
        client.sendmail("alice@sender.test", ["stop@example.com"], simple(to="stop@example.com"))
    assert len(objects(receiving, "first/")) == 2
    assert len(objects(receiving, "last/")) == 1  # only the message that did not hit the Stop
    first, second = inbound_records(lab_info)
    assert [r["rule"] for r in first["Inbound"]["rules"]] == ["first", "last"]
    assert [r["rule"] for r in second["Inbound"]["rules"]] == ["first", "stopper"]
    assert second["Inbound"]["rules"][1]["stopped"] == "rule set"


def _feedback(info: LabInfo) -> list[dict[str, Any]]:
    return [m for m in info.request("GET", "/_aws/ses?feedback=1")["messages"] if m.get("Api") == "feedback"]


def test_bounce_action_accepts_then_mails_a_dsn(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    """SES takes the message (250) and the Bounce action mails a DSN to the envelope sender; the SNS action
    of another rule for another recipient of the same message runs once, and a retry is never needed."""
    import email
    import email.policy

    topic, queue = _queue_on_topic(receiving, "bounced")
    rule_set(receiving,
             {"Name": "bounce", "Recipients": ["gone@example.com"], "Actions": [{"BounceAction": {
                 "SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "Mailbox does not exist",
                 "Sender": "mailer-daemon@example.com", "TopicArn": topic}}]},
             {"Name": "notify", "Recipients": ["sns@example.com"],
              "Actions": [{"SNSAction": {"TopicArn": topic}}]})
    with smtp(lab_info) as client:
        client.mail("alice@sender.test")
        assert client.rcpt("gone@example.com")[0] == 250
        assert client.rcpt("sns@example.com")[0] == 250
        code, text = client.data(simple(subject="to be bounced", to="gone@example.com"))
    assert code == 250 and text.startswith(b"Ok ")
    notes = _notifications(receiving, queue)
    assert sorted(n["receipt"]["action"]["type"] for n in notes) == ["Bounce", "SNS"]  # each once
    [record] = inbound_records(lab_info)
    assert record["Inbound"]["reply"].startswith("250 Ok ")
    assert record["Inbound"]["rules"][0]["actions"][0]["ok"] is True
    assert [m for m in lab_info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "bounce-action"] == []
    [dsn] = _feedback(lab_info)
    assert (dsn["Kind"], dsn["Source"], dsn["Destination"]["ToAddresses"]) == (
        "bounce-action", "mailer-daemon@example.com", ["alice@sender.test"])
    assert dsn["Feedback"] == {"MessageId": record["Id"], "Recipients": ["gone@example.com"]}
    parsed = email.message_from_string(dsn["RawData"], policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    text_part, status, headers = parsed.iter_parts()
    assert "Mailbox does not exist" in text_part.get_content()
    assert status.get_content_type() == "message/delivery-status"
    per_message, per_recipient = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; inbound-smtp.us-east-1.amazonaws.com"
    assert per_recipient["Final-Recipient"] == "rfc822; gone@example.com"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert per_recipient["Diagnostic-Code"] == "smtp; 550 5.1.1 Mailbox does not exist"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Subject: to be bounced" in headers.get_payload()
    [read] = [m for m in sesbook_messages(lab_info) if m.kind == "bounce-action"]
    assert read.is_feedback and read.about == record["Id"]


def sesbook_messages(info: LabInfo) -> tuple[Any, ...]:
    from sesbook.mailbox import messages

    return messages(info, include_feedback=True)


def test_bounce_action_null_reverse_path_gets_no_dsn(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, {"Name": "bounce", "Recipients": ["gone@example.com"], "Actions": [{"BounceAction": {
        "SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "Mailbox does not exist",
        "Sender": "mailer-daemon@example.com"}}]})
    with smtp(lab_info) as client:
        assert client.sendmail("<>", ["gone@example.com"], simple(to="gone@example.com")) == {}
    [record] = inbound_records(lab_info)
    assert "null reverse-path" in record["Inbound"]["rules"][0]["actions"][0]["detail"]
    assert _feedback(lab_info) == []


def test_bounce_message_to_a_lab_domain_arrives_through_the_inbound_path(receiving: sesbook.Target,
                                                                          lab_info: LabInfo) -> None:
    """The sender's domain is one the lab receives for: the DSN reaches its rules, with MAIL FROM:<>, and a
    Bounce rule there does not answer it (no loop)."""
    rule_set(receiving,
             {"Name": "bounce", "Recipients": ["gone@example.com"], "Actions": [{"BounceAction": {
                 "SmtpReplyCode": "550", "StatusCode": "5.1.1", "Message": "Mailbox does not exist",
                 "Sender": "mailer-daemon@example.com"}}]},
             s3_rule("back", "back/", ["alice@example.com"]),
             {"Name": "bounce-back", "Recipients": ["alice@example.com"], "Actions": [{"BounceAction": {
                 "SmtpReplyCode": "550", "Message": "no", "Sender": "mailer-daemon@example.com"}}]})
    with smtp(lab_info) as client:
        assert client.sendmail("alice@example.com", ["gone@example.com"], simple(to="gone@example.com")) == {}
    [stored] = objects(receiving, "back/").values()
    assert b"Return-Path: <>" in stored and b"multipart/report" in stored
    first, second = inbound_records(lab_info)
    assert second["Inbound"]["via"] == "ses" and second["Source"] == ""
    assert "null reverse-path" in second["Inbound"]["rules"][1]["actions"][0]["detail"]
    assert len(_feedback(lab_info)) == 1


def test_add_header_seen_by_later_actions(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    rule_set(receiving, {"Name": "tag", "Recipients": ["aaa@example.com"], "Actions": [
        {"AddHeaderAction": {"HeaderName": "X-Team", "HeaderValue": "support"}},
        {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "tagged/"}}]})
    raw = simple()
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], raw)
    [body] = objects(receiving, "tagged/").values()
    assert body.startswith(b"X-Team: support\r\nReturn-Path: <alice@sender.test>\r\n")
    assert body.endswith(raw)


def _queue_on_topic(target: sesbook.Target, name: str) -> tuple[str, str]:
    topic = target.sns.create_topic(Name=name)["TopicArn"]
    queue = target.sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = target.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    target.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return topic, queue


def _notifications(target: sesbook.Target, queue: str) -> list[dict[str, Any]]:
    found = target.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    envelopes = [json.loads(m["Body"]) for m in found]
    assert all(isinstance(e["Message"], str) for e in envelopes)  # SNS carries the notification as a JSON string
    return [json.loads(e["Message"]) for e in envelopes]


def test_sns_notification_with_content_and_the_150_kb_limit(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    topic, queue = _queue_on_topic(receiving, "inbound")
    rule_set(receiving,
             {"Name": "notify", "Recipients": ["aaa@example.com"],
              "Actions": [{"SNSAction": {"TopicArn": topic, "Encoding": "UTF-8"}}]},
             {"Name": "notify64", "Recipients": ["b64@example.com"],
              "Actions": [{"SNSAction": {"TopicArn": topic, "Encoding": "Base64"}}]})
    raw = simple()
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], raw)
    [note] = _notifications(receiving, queue)
    assert note["notificationType"] == "Received"
    assert note["receipt"]["action"] == {"type": "SNS", "topicArn": topic, "encoding": "UTF8"}
    assert note["receipt"]["recipients"] == ["aaa@example.com"]
    assert note["receipt"]["spamVerdict"] == {"status": "GRAY"}
    assert note["mail"]["source"] == "alice@sender.test"
    assert note["mail"]["commonHeaders"]["subject"] == "hello"
    assert note["content"].endswith(raw.decode())
    assert note["content"].startswith("Return-Path: <alice@sender.test>")

    import base64
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["b64@example.com"], raw)
    [note64] = _notifications(receiving, queue)
    assert base64.b64decode(note64["content"]).endswith(raw)

    big = simple(subject="big").replace(b"Hello from the test.", b"z" * 76 + (b"\r\n" + b"z" * 76) * 2100)
    assert len(big) > 150 * 1024
    with smtp(lab_info) as client, pytest.raises(smtplib.SMTPDataError) as bounced:
        client.sendmail("alice@sender.test", ["aaa@example.com"], big)
    assert bounced.value.smtp_code == 552
    assert _notifications(receiving, queue) == []
    last = inbound_records(lab_info)[-1]
    assert last["Inbound"]["rules"][0]["actions"] == []  # refused before any action ran
    assert last["Inbound"]["rules"][0]["refused"].startswith("Message too large for the SNS action")


HANDLER = '''
ALLOWED = {"friend@sender.test"}

def handler(event, context):
    mail = event["Records"][0]["ses"]["mail"]
    assert event["Records"][0]["eventSource"] == "aws:ses"
    if mail["source"] in ALLOWED:
        return {"disposition": "CONTINUE"}
    return {"disposition": "STOP_RULE_SET"}
'''


def _function(target: sesbook.Target, code: str = HANDLER, handler: str = "gate.handler",
              filename: str = "gate.py") -> str:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(filename, code)
    role = target.iam.create_role(RoleName=filename.removesuffix(".py"), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    made = target.lambda_.create_function(FunctionName=filename.removesuffix(".py"), Runtime="python3.11", Role=role,
                                          Handler=handler, Code={"ZipFile": buffer.getvalue()}, Timeout=10)
    let_ses_invoke(target, str(made["FunctionArn"]))
    return str(made["FunctionArn"])


def test_lambda_request_response_stop_rule_set(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    arn = _function(receiving)
    rule_set(receiving,
             {"Name": "gate", "Recipients": ["example.com"], "Actions": [
                 {"LambdaAction": {"FunctionArn": arn, "InvocationType": "RequestResponse"}}]},
             s3_rule("keep", "kept/", ["example.com"]))
    with smtp(lab_info) as client:
        client.sendmail("stranger@sender.test", ["aaa@example.com"], simple(sender="stranger@sender.test"))
        client.sendmail("friend@sender.test", ["aaa@example.com"], simple(sender="friend@sender.test"))
    kept = objects(receiving, "kept/")
    assert len(kept) == 1 and b"From: friend@sender.test" in next(iter(kept.values()))
    stranger, friend = inbound_records(lab_info)
    assert "answered STOP_RULE_SET" in stranger["Inbound"]["rules"][0]["actions"][0]["detail"]
    assert stranger["Inbound"]["rules"][0]["stopped"] == "rule set"
    assert [r["rule"] for r in friend["Inbound"]["rules"]] == ["gate", "keep"]


def test_mailbox_reader_and_cli_show_what_each_rule_did(receiving: sesbook.Target, lab_info: LabInfo,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from sesbook import cli
    from sesbook.mailbox import messages

    receiving.s3.create_bucket(Bucket="gone")
    let_ses_write(receiving, "gone")
    rule_set(receiving, {"Name": "aaa", "Recipients": ["aaa@example.com"], "Actions": [
        {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "aaa_emails/"}},
        {"S3Action": {"BucketName": "gone"}}]})
    receiving.s3.delete_bucket(Bucket="gone")  # the second action will fail: recorded, the message still taken
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], simple())
    [received] = [m for m in messages(lab_info) if m.kind == "inbound"]
    assert received.rule_summary == "aaa: S3 ok, S3 failed"
    assert received.verdicts == {"spam": "GRAY", "virus": "GRAY", "spf": "GRAY", "dkim": "GRAY", "dmarc": "GRAY"}
    assert received.subject == "hello" and received.to == ("aaa@example.com",)
    assert received.inbound is not None and received.inbound["reply"].startswith("250 Ok ")
    assert cli.main(["lab", "mail"]) == 0
    out = capsys.readouterr().out
    assert "received by the lab's inbound server" in out and "aaa: S3 ok, S3 failed" in out


def test_s3_and_stop_actions_notify_their_topics(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    topic, queue = _queue_on_topic(receiving, "receipts")
    rule_set(receiving, {"Name": "store", "Recipients": ["aaa@example.com"], "Actions": [
        {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "n/", "TopicArn": topic}},
        {"StopAction": {"Scope": "RuleSet", "TopicArn": topic}}]})
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], simple())
    s3_note, stop_note = _notifications(receiving, queue)
    [key] = objects(receiving, "n/")
    assert s3_note["receipt"]["action"] == {"type": "S3", "topicArn": topic, "bucketName": "inbox",
                                            "objectKeyPrefix": "n/", "objectKey": key}
    assert "content" not in s3_note  # only the SNS action carries the message
    assert stop_note["receipt"]["action"] == {"type": "Stop", "topicArn": topic}


EVENT_HANDLER = '''
import boto3

def handler(event, context):
    mail = event["Records"][0]["ses"]["mail"]
    boto3.client("s3").put_object(Bucket="inbox", Key="seen-by-lambda/" + mail["messageId"], Body=b"ok")
'''


def test_lambda_event_invocation_runs_the_handler(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    arn = _function(receiving, EVENT_HANDLER, "event.handler", "event.py")
    rule_set(receiving, {"Name": "event", "Recipients": ["aaa@example.com"], "Actions": [
        {"LambdaAction": {"FunctionArn": arn, "InvocationType": "Event"}}]})
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], simple())
    [record] = inbound_records(lab_info)
    assert list(objects(receiving, "seen-by-lambda/")) == [f"seen-by-lambda/{record['Id']}"]


STOP_RULE_HANDLER = '''
def handler(event, context):
    return {"disposition": "STOP_RULE"}
'''


def test_lambda_stop_rule_ends_its_own_rule_only(receiving: sesbook.Target, lab_info: LabInfo) -> None:
    """STOP_RULE skips the rest of the function's own rule; the following rules still run (SES's Lambda
    action: CONTINUE / STOP_RULE / STOP_RULE_SET)."""
    arn = _function(receiving, STOP_RULE_HANDLER, "stopper.handler", "stopper.py")
    rule_set(receiving,
             {"Name": "first", "Recipients": ["example.com"], "Actions": [
                 {"LambdaAction": {"FunctionArn": arn, "InvocationType": "RequestResponse"}},
                 {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "skipped/"}}]},
             s3_rule("second", "kept/", ["example.com"]))
    with smtp(lab_info) as client:
        client.sendmail("alice@sender.test", ["aaa@example.com"], simple())
    assert objects(receiving, "skipped/") == {}
    assert len(objects(receiving, "kept/")) == 1
    [record] = inbound_records(lab_info)
    assert [r["rule"] for r in record["Inbound"]["rules"]] == ["first", "second"]
    assert record["Inbound"]["rules"][0]["stopped"] == "rule"
