"""The mailbox from the client side: the package reader and `lab mail` (lab side: tests/lab/test_lab_mailbox.py)."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook import cli, mailbox
from sesbook.errors import LabError, TargetError


def _send(target, to, subject):
    target.lab.advance_clock(1)  # the sandbox allows one message per second
    return target.ses.send_email(Source="shop@example.com", Destination={"ToAddresses": [to]},
                                 Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "b"}}})["MessageId"]


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
    from sesbook.lab import set_current

    monkeypatch.delenv("SESBOOK_LAB", raising=False)
    monkeypatch.setenv("SESBOOK_LAB_STATE", str(tmp_path / "none.json"))
    set_current(None)  # as in a fresh terminal
    try:
        assert cli.main(["lab", "mail"]) == 2
    finally:
        set_current(lab)
    assert "python -m sesbook lab" in capsys.readouterr().err


def test_lab_error_for_a_dead_lab(monkeypatch):
    from sesbook.lab import LabInfo

    dead = LabInfo(aws_endpoint="http://127.0.0.1:9", dns="127.0.0.1:9", region="us-east-1", account_id="1")
    with pytest.raises(LabError):
        mailbox.messages(dead)


def test_script_outcome_makes_an_ordinary_address_bounce_and_ses_lists_it(sender):
    assert sesbook.script_outcome(sender, "gone@example.net", "bounce") == {"gone@example.net": "bounce"}
    _send(sender, "gone@example.net", "to a mailbox that does not exist")
    assert "gone@example.net" in sesbook.suppression_list(sender)  # SES's own account-level suppression
    assert mailbox.messages(sender, to="gone@example.net") == ()  # not delivered
    assert sesbook.script_outcome(sender, "gone@example.net", None) == {}
    with pytest.raises(sesbook.ValidationError, match="outcome"):
        sesbook.script_outcome(sender, "gone@example.net", "explode")
    with pytest.raises(sesbook.ValidationError, match="address"):
        sesbook.script_outcome(sender, "gone", "bounce")
    with pytest.raises(TargetError, match="only the lab"):
        sesbook.script_outcome(sesbook.connect("aws", region="eu-west-1"), "gone@example.net", "bounce")
