"""send_smtp over the wire to the lab's SMTP interface, SES's refusals as SmtpError, and the plan-only path."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook.target import Target

if TYPE_CHECKING:
    from sesbook.lab import LabInfo


def _message(to: str = "ann@example.com", sender: str = "news@example.com", *, bcc: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"News <{sender}>"
    msg["To"] = to
    if bcc:
        msg["Bcc"] = bcc
    msg["Subject"] = "Through SMTP"
    msg.set_content("Hello over SMTP.")
    return msg


def _smtp_user(target: sesbook.Target, *, from_addresses: list[str] | None = None,
               identity: str = "example.com") -> sesbook.SmtpUser:
    policy = sesbook.send_policy([sesbook.identity_arn(target, identity)], from_addresses=from_addresses)
    return sesbook.ensure_smtp_user(target, "smtp-sender", policy)


@pytest.fixture
def creds(sender: sesbook.Target) -> sesbook.SmtpCredentials:
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    return _smtp_user(sender).credentials()


def test_the_endpoint_is_the_labs_or_ses_regional_one(lab_info: LabInfo) -> None:
    lab = sesbook.connect("lab")
    assert str(sesbook.smtp_endpoint(lab)) == lab_info.smtp
    aws = sesbook.connect("aws", region="eu-west-1")
    endpoint = sesbook.smtp_endpoint(aws)
    assert (endpoint.host, endpoint.port) == ("email-smtp.eu-west-1.amazonaws.com", 587)


def test_send_smtp_lands_in_the_mailbox_as_an_smtp_message(sender: sesbook.Target,
                                                           creds: sesbook.SmtpCredentials) -> None:
    sent = sesbook.send_smtp(sender, _message(bcc="hidden@example.net"), creds)
    assert sent.accepted and not sent.planned and sent.reply.startswith("250 Ok ")  # type: ignore[union-attr]
    assert sent.to == ("ann@example.com", "hidden@example.net") and sent.from_addr == "news@example.com"
    box = sender.lab.request("GET", f"/_aws/ses?id={sent.message_id}")["messages"]  # type: ignore[union-attr]
    assert len(box) == 1 and box[0]["Api"] == "smtp"
    assert box[0]["Destination"]["BccAddresses"] == ["hidden@example.net"]
    assert "Bcc:" not in box[0]["RawData"]  # the envelope carries it; the header does not travel
    assert creds.password not in repr(sent) and creds.password not in sent._repr_html_()


def test_raw_text_and_an_explicit_envelope(sender: sesbook.Target, creds: sesbook.SmtpCredentials) -> None:
    raw = "From: news@example.com\r\nTo: ann@example.com\r\nSubject: raw\r\n\r\n.leading dot survives\r\n"
    sent = sesbook.send_smtp(sender, raw, creds, to_addrs=["bob@example.net"])
    box = sender.lab.request("GET", f"/_aws/ses?id={sent.message_id}")["messages"]  # type: ignore[union-attr]
    assert box[0]["Destination"]["BccAddresses"] == ["bob@example.net"]
    assert ".leading dot survives" in box[0]["RawData"]


def test_a_wrong_password_is_an_smtp_error_535_that_says_what_to_do(sender: sesbook.Target,
                                                                   creds: sesbook.SmtpCredentials) -> None:
    wrong = sesbook.smtp_credentials(creds.username, "not-the-secret", sender.region)
    with pytest.raises(sesbook.SmtpError) as refused:
        sesbook.send_smtp(sender, _message(), wrong)
    error = refused.value
    assert (error.reply_code, error.code, error.reply_text) == (
        535, "AuthenticationFailed", "Authentication Credentials Invalid")
    assert "smtp_credentials" in str(error) and not error.retryable
    assert wrong.password not in str(error) and creds.password not in str(error)


def test_the_sandbox_refusal_is_554_message_rejected(sender: sesbook.Target, creds: sesbook.SmtpCredentials) -> None:
    with pytest.raises(sesbook.SmtpError) as refused:
        sesbook.send_smtp(sender, _message("stranger@elsewhere.example.org"), creds)
    assert (refused.value.reply_code, refused.value.code) == (554, "MessageRejected")
    assert "stranger@elsewhere.example.org" in refused.value.reply_text
    assert "sandbox" in str(refused.value)


def test_throttling_is_454_and_retryable(sender: sesbook.Target, creds: sesbook.SmtpCredentials) -> None:
    sesbook.send_smtp(sender, _message(), creds)
    with pytest.raises(sesbook.SmtpError) as throttled:
        sesbook.send_smtp(sender, _message(), creds)
    assert (throttled.value.reply_code, throttled.value.code) == (454, "Throttling")
    assert throttled.value.reply_text == "Throttling failure: Maximum sending rate exceeded."
    assert throttled.value.retryable
    sender.lab.advance_clock(1)  # type: ignore[union-attr]
    assert sesbook.send_smtp(sender, _message(), creds).accepted


def test_the_send_policy_limits_the_from_address(sender: sesbook.Target) -> None:
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    creds = _smtp_user(sender, from_addresses=["news@example.com"]).credentials()
    assert sesbook.send_smtp(sender, _message(sender="news@example.com"), creds).accepted
    sender.lab.advance_clock(1)  # type: ignore[union-attr]
    with pytest.raises(sesbook.SmtpError) as denied:
        sesbook.send_smtp(sender, _message(sender="other@example.com"), creds)
    assert (denied.value.reply_code, denied.value.code) == (554, "AccessDenied")
    assert "ses:SendRawEmail" in denied.value.reply_text and "send_policy" in str(denied.value)


def test_credentials_for_another_region_are_refused_before_connecting(sender: sesbook.Target,
                                                                      creds: sesbook.SmtpCredentials) -> None:
    other = sesbook.smtp_credentials(creds.username, "x", "eu-west-1")
    with pytest.raises(sesbook.ValidationError, match="one region only"):
        sesbook.send_smtp(sender, _message(), other)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"message": 42}, "message"),
    ({"message": "Subject: no sender\r\n\r\nx"}, "from_addr"),
    ({"message": "From: a@example.com\r\n\r\nx"}, "to_addrs"),
])
def test_bad_messages_are_refused(sender: sesbook.Target, creds: sesbook.SmtpCredentials, kwargs: dict[str, Any],
                                  field: str) -> None:
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_smtp(sender, kwargs["message"], creds)
    assert refused.value.field == field


def test_plan_only_on_aws_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_connection(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("send_smtp opened an SMTP connection while only planning")

    monkeypatch.setattr(smtplib, "SMTP", no_connection)
    aws = sesbook.connect("aws", region="eu-central-1")
    creds = sesbook.smtp_credentials("AKIAIOSFODNN7EXAMPLE", "some+secret+key", "eu-central-1")
    sent = sesbook.send_smtp(aws, _message(), creds)
    assert sent.planned and sent.message_id is None and sent.endpoint == "email-smtp.eu-central-1.amazonaws.com:587"
    assert [f"{c.service}.{c.operation}" for c in aws.plan] == ["smtp.SendRawEmail"]
    shown = repr(aws.plan) + aws.plan.to_json() + aws.plan._repr_html_()
    assert "AKIAIOSFODNN7EXAMPLE" in shown and creds.password not in shown and "some+secret+key" not in shown


def test_a_dry_run_on_the_lab_sends_nothing(sender: sesbook.Target, creds: sesbook.SmtpCredentials) -> None:
    with sender.dry_run() as plan:
        sent = sesbook.send_smtp(sender, _message(), creds)
    assert sent.planned and len(plan) == 1
    assert sender.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]


def test_a_lab_without_smtp_says_so(lab_info: LabInfo) -> None:
    from dataclasses import replace

    old = Target("lab", region="us-east-1", profile=None, apply=True, lab=replace(lab_info, smtp=None))
    with pytest.raises(sesbook.LabError, match="no SMTP interface"):
        sesbook.smtp_endpoint(old)


def test_paused_sending_is_refused_with_554(sender: sesbook.Target, creds: sesbook.SmtpCredentials) -> None:
    sesbook.set_sending_enabled(sender, False)
    with pytest.raises(sesbook.SmtpError) as refused:
        sesbook.send_smtp(sender, _message(), creds)
    assert refused.value.reply_code == 554 and "paused" in refused.value.reply_text.lower()
    assert not refused.value.retryable


def test_a_lab_failure_is_451_and_retryable(sender: sesbook.Target, creds: sesbook.SmtpCredentials,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(backend: Any, message: Any) -> str:
        raise RuntimeError("a bug in the lab")

    monkeypatch.setattr("sesbook.lab.ses.sending.pipeline.submit", broken)
    with pytest.raises(sesbook.SmtpError) as failed:
        sesbook.send_smtp(sender, _message(), creds)
    assert (failed.value.reply_code, failed.value.code) == (451, "ServiceUnavailable") and failed.value.retryable


def test_an_unreachable_endpoint_is_a_target_error(lab_info: LabInfo) -> None:
    from dataclasses import replace

    closed = Target("lab", region="us-east-1", profile=None, apply=True, lab=replace(lab_info, smtp="127.0.0.1:1"))
    creds = sesbook.smtp_credentials("AKIAIOSFODNN7EXAMPLE", "some+secret+key", "us-east-1")
    with pytest.raises(sesbook.TargetError, match="is the lab still running"):
        sesbook.send_smtp(closed, _message(), creds, timeout=5)


# -- what SES's SMTP interface would refuse is refused before connecting ----------------------------------------
def _with_attachment(name: str) -> EmailMessage:
    msg = _message()
    msg.add_attachment(b"MZ", maintype="application", subtype="octet-stream", filename=name)
    return msg


def _nothing_sent_or_counted(target: sesbook.Target) -> None:
    assert target.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    assert target.ses.get_send_quota()["SentLast24Hours"] == 0


def test_a_refused_attachment_is_a_validation_error_before_connecting(sender: sesbook.Target,
                                                                      creds: sesbook.SmtpCredentials) -> None:
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_smtp(sender, _with_attachment("setup.EXE"), creds)
    error = refused.value
    assert (error.field, error.value) == ("attachments", "setup.EXE")
    assert ".exe" in str(error) and "Zip the file" in str(error)
    _nothing_sent_or_counted(sender)


def test_more_than_50_recipients_is_a_validation_error_before_connecting(sender: sesbook.Target,
                                                                         creds: sesbook.SmtpCredentials) -> None:
    everyone = [f"user{i}@example.net" for i in range(51)]
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_smtp(sender, _message(), creds, to_addrs=everyone)
    error = refused.value
    assert (error.field, error.value) == ("recipients", 51)
    assert "at most 50 recipients" in str(error) and "send_bulk" in str(error)
    _nothing_sent_or_counted(sender)


def test_more_than_40_mb_is_a_validation_error_before_connecting(sender: sesbook.Target,
                                                                creds: sesbook.SmtpCredentials) -> None:
    line = "x" * 998 + "\r\n"
    body = line * (40 * 1024 * 1024 // len(line) + 1)  # just over 40 MB (41943040 bytes)
    raw = f"From: news@example.com\r\nTo: ann@example.com\r\nSubject: big\r\n\r\n{body}"
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_smtp(sender, raw, creds)
    error = refused.value
    assert error.field == "message" and "40 MB" in str(error) and "smtp" in str(error)
    assert "Link to large files" in str(error)
    _nothing_sent_or_counted(sender)


def test_an_envelope_address_that_is_not_one_is_refused_before_connecting(sender: sesbook.Target,
                                                                          creds: sesbook.SmtpCredentials) -> None:
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_smtp(sender, _message(), creds, to_addrs=["ann@example..com"])
    assert refused.value.field == "to_addrs"
    _nothing_sent_or_counted(sender)


def test_the_envelope_carries_an_internationalised_domain_as_a_labels(sender: sesbook.Target,
                                                                      creds: sesbook.SmtpCredentials) -> None:
    with sender.dry_run() as plan:
        sent = sesbook.send_smtp(sender, _message(), creds, to_addrs=["jo@bücher.example"])
    assert sent.to == ("jo@xn--bcher-kva.example",) and list(plan)[0].params["To"] == ["jo@xn--bcher-kva.example"]


def test_send_bulk_through_smtp_gets_the_same_checks(sender: sesbook.Target, creds: sesbook.SmtpCredentials,
                                                     tmp_path: Any) -> None:
    too_big = {"key": "big", "to": "ann@example.com", "subject": "s", "text": "y" * (41 * 1024 * 1024)}
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_bulk(sender, [too_big], source="news@example.com", journal=tmp_path / "j.jsonl", api="smtp",
                          credentials=creds, progress=False)
    assert refused.value.field == "message" and "40 MB" in str(refused.value)
    _nothing_sent_or_counted(sender)
    last = [json.loads(line) for line in (tmp_path / "j.jsonl").read_text().splitlines()][-1]
    assert last == {"key": "big", "state": "invalid", "field": "message"}  # not "sending": a re-run sends it
