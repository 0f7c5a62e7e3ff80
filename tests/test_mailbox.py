"""The lab mailbox: what sends deliver, the LocalStack-shaped endpoint, the package reader and `lab mail`."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook import cli, mailbox
from sesbook.errors import LabError, TargetError
from sesbook.lab import extensions

from helpers import verify_domain_now

RAW = (
    "From: Shop <shop@example.com>\r\nTo: Ann <ann@example.net>\r\nCc: cc@example.net\r\nSubject: Your order\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n"
    "\r\n<p>html words</p>\r\n--b--\r\n"
)


@pytest.fixture
def sender(target):
    verify_domain_now(target, "example.com")
    verify_domain_now(target, "example.net")  # the sandbox: recipients must be verified too
    return target


def test_v1_send_email_lands_with_text_and_html_parts(sender, lab_info):
    assert extensions.patched("moto.ses.models.SESBackend", "send_email")
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


def test_package_reader(sender):
    mid = _send(sender, "ann@example.net", "one")
    _send(sender, "bob@example.net", "two")
    found = mailbox.messages(sender, to="ann@example.net")
    assert [(m.id, m.subject, m.to) for m in found] == [(mid, "one", ("ann@example.net",))]
    assert mailbox.last_message(sender).subject == "two"
    assert "one" in mailbox.messages(sender, id=mid)[0]._repr_html_()
    mailbox.clear(sender, id=mid)
    assert [m.subject for m in mailbox.messages(sender)] == ["two"]
    mailbox.clear(sender)
    with pytest.raises(mailbox.NoMessageError, match="no message to ann@example.net"):
        mailbox.last_message(sender, to="ann@example.net")


def test_follow_verification_link(target):
    sesbook.verify_email(target, "dora@example.net")
    page = mailbox.follow_verification_link(target, "dora@example.net")
    assert "Verified: dora@example.net" in page
    assert sesbook.identity_status(target, "dora@example.net").verified
    with pytest.raises(mailbox.NoMessageError):
        mailbox.follow_verification_link(target, "nobody@example.net")


def test_only_the_lab_has_a_mailbox():
    aws = sesbook.connect("aws", region="eu-west-1")
    with pytest.raises(TargetError, match="only the lab has a mailbox"):
        mailbox.messages(aws)


def test_cli_lab_mail_reads_the_announced_lab(sender, lab_info, capsys, monkeypatch):
    _send(sender, "ann@example.net", "one")
    _send(sender, "bob@example.net", "two")
    monkeypatch.setenv("SESBOOK_LAB", lab_info.to_json())
    assert cli.main(["lab", "mail", "--to", "bob@example.net"]) == 0
    out = capsys.readouterr().out
    assert "shop@example.com" in out and "two" in out and "one" not in out
    assert cli.main(["lab", "mail", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["subject"] for m in data["messages"]] == ["one", "two"]
    assert cli.main(["lab", "mail", "--to", "zed@example.net"]) == 0
    assert "empty for zed@example.net" in capsys.readouterr().out


def test_cli_lab_mail_without_a_lab_says_how_to_start_one(capsys, monkeypatch, tmp_path, lab):
    from sesbook.lab import _set_current

    monkeypatch.delenv("SESBOOK_LAB", raising=False)
    monkeypatch.setenv("SESBOOK_LAB_STATE", str(tmp_path / "none.json"))
    _set_current(None)  # as in a fresh terminal
    try:
        assert cli.main(["lab", "mail"]) == 2
    finally:
        _set_current(lab)
    assert "python -m sesbook lab" in capsys.readouterr().err


def test_lab_error_for_a_dead_lab(monkeypatch):
    from sesbook.lab import LabInfo

    dead = LabInfo(aws_endpoint="http://127.0.0.1:9", dns="127.0.0.1:9", region="us-east-1", account_id="1")
    with pytest.raises(LabError):
        mailbox.messages(dead)



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
