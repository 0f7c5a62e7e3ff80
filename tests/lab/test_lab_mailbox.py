"""The lab mailbox, lab side: what the send pipeline delivers, and the LocalStack-shaped endpoint."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.lab

RAW = (
    "From: Shop <shop@example.com>\r\nTo: Ann <ann@example.net>\r\nCc: cc@example.net\r\nSubject: Your order\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n"
    "\r\n<p>html words</p>\r\n--b--\r\n"
)


def test_v1_send_email_lands_with_text_and_html_parts(sender, lab_info):
    sent = sender.ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": ["ann@example.net"], "CcAddresses": ["cc@example.net"],
                     "BccAddresses": ["audit@example.net"]},
        Message={"Subject": {"Data": "Hello"},
                 "Body": {"Text": {"Data": "plain"}, "Html": {"Data": "<b>html</b>"}}})
    box = lab_info.request("GET", "/_aws/ses")["messages"]
    assert len(box) == 1
    got = box[0]
    assert got["Id"] == sent["MessageId"] and got["Region"] == "us-east-1" and got["Source"] == "shop@example.com"
    assert got["Destination"] == {"ToAddresses": ["ann@example.net"], "CcAddresses": ["cc@example.net"],
                                  "BccAddresses": ["audit@example.net"]}
    assert got["Subject"] == "Hello" and got["Body"] == {"text_part": "plain", "html_part": "<b>html</b>"}
    assert got["Timestamp"]


def test_raw_and_v2_and_templated_sends_land_too(sender, lab_info):
    sender.lab.advance_clock(1)  # one message per second in the sandbox
    raw = sender.ses.send_raw_email(RawMessage={"Data": RAW.encode()}, Destinations=["hidden@example.net"])
    sender.lab.advance_clock(1)
    v2 = sender.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": ["v2@example.net"]},
                                 Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "v2 body"}}}})
    sender.ses.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{n}}", "TextPart": "x"})
    sender.lab.advance_clock(1)
    tpl = sender.ses.send_templated_email(Source="shop@example.com", Destination={"ToAddresses": ["t@example.net"]},
                                          Template="t", TemplateData='{"n": "Ann"}')
    box = {m["Id"]: m for m in lab_info.request("GET", "/_aws/ses")["messages"]}
    got = box[raw["MessageId"]]
    assert got["Subject"] == "Your order" and got["RawData"] == RAW
    assert got["Destination"] == {"ToAddresses": ["ann@example.net"], "CcAddresses": ["cc@example.net"],
                                  "BccAddresses": ["hidden@example.net"]}
    assert got["Body"]["text_part"].strip() == "plain words" and "html words" in got["Body"]["html_part"]
    assert box[v2["MessageId"]]["Body"] == {"text_part": "v2 body", "html_part": None}
    assert box[tpl["MessageId"]]["Template"] == "t" and box[tpl["MessageId"]]["TemplateData"] == '{"n": "Ann"}'


def test_a_refused_send_does_not_land(target, lab_info):
    with pytest.raises(Exception, match="MessageRejected"):
        target.ses.send_email(Source="nobody@unverified.example", Destination={"ToAddresses": ["a@example.net"]},
                              Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    assert lab_info.request("GET", "/_aws/ses") == {"messages": []}


def _send(target, to, subject):
    target.lab.advance_clock(1)  # the sandbox allows one message per second
    return target.ses.send_email(Source="shop@example.com", Destination={"ToAddresses": [to]},
                                 Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "b"}}})["MessageId"]


def test_endpoint_filters_and_deletes(sender, lab_info):
    first = _send(sender, "ann@example.net", "one")
    _send(sender, "bob@example.net", "two")
    sender.ses.verify_email_identity(EmailAddress="carl@example.net")  # from no-reply-aws@amazon.com
    subjects = [m["Subject"] for m in lab_info.request("GET", "/_aws/ses?email=shop@example.com")["messages"]]
    assert subjects == ["one", "two"]
    assert [m["Subject"] for m in lab_info.request("GET", f"/_aws/ses?id={first}")["messages"]] == ["one"]
    assert [m["Subject"] for m in lab_info.request("GET", "/_aws/ses?to=Bob@Example.net")["messages"]] == ["two"]
    assert len(lab_info.request("GET", "/_aws/ses?email=no-reply-aws@amazon.com")["messages"]) == 1
    assert lab_info.request("DELETE", f"/_aws/ses?id={first}") is None
    assert len(lab_info.request("GET", "/_aws/ses")["messages"]) == 2
    lab_info.request("DELETE", "/_aws/ses")
    assert lab_info.request("GET", "/_aws/ses") == {"messages": []}


def test_lab_reset_empties_the_mailbox(sender, lab, lab_info):
    _send(sender, "ann@example.net", "one")
    lab.reset()
    assert lab_info.request("GET", "/_aws/ses") == {"messages": []}


def test_mail_to_the_simulator_reaches_no_mailbox(sender, lab_info):
    sender.lab.freeze_clock()  # two sends below: keep them apart by exactly one lab second
    sender.ses.send_email(
        Source="shop@example.com", Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    assert lab_info.request("GET", "/_aws/ses")["messages"] == []
    sender.lab.advance_clock(2)
    sender.ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": ["bounce+x@simulator.amazonses.com", "ann@example.net"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    box = lab_info.request("GET", "/_aws/ses")["messages"]
    assert [m["Destination"]["ToAddresses"] for m in box] == [["ann@example.net"]]


@pytest.fixture
def small_mailbox():
    from sesbook.lab import mailbox

    before = mailbox.limits()
    yield mailbox
    mailbox.configure(max_messages=before.max_messages, max_bytes=before.max_bytes)


def test_mailbox_keeps_the_newest_within_its_message_limit(sender, lab_info, small_mailbox, caplog):
    small_mailbox.configure(max_messages=3)
    with caplog.at_level(logging.INFO, logger="sesbook"):
        ids = [_send(sender, "ann@example.net", f"number {i}") for i in range(5)]
    kept = lab_info.request("GET", "/_aws/ses")["messages"]
    assert [m["Id"] for m in kept] == ids[2:]
    drops = [r.getMessage() for r in caplog.records if "dropped the oldest message" in r.getMessage()]
    assert len(drops) == 2 and ids[0] in drops[0] and "--mailbox-limit" in drops[0]


def test_mailbox_keeps_the_newest_within_its_byte_limit(sender, lab_info, small_mailbox):
    small_mailbox.configure(max_bytes=2500)
    ids = [_send(sender, "ann@example.net", "x" * 1000) for i in range(4)]
    assert [m["Id"] for m in lab_info.request("GET", "/_aws/ses")["messages"]] == ids[-2:]


def test_mailbox_limits_from_the_environment_are_validated():
    from sesbook.errors import ValidationError
    from sesbook.lab import mailbox

    assert mailbox.limits_from_env({"SESBOOK_LAB_MAILBOX_LIMIT": "7"}).max_messages == 7
    assert mailbox.limits_from_env({}) == mailbox.Limits(1000, 200 * 1024 * 1024)
    for bad in ("0", "-1", "ten", "1e3"):
        with pytest.raises(ValidationError):
            mailbox.limits_from_env({"SESBOOK_LAB_MAILBOX_LIMIT": bad})
