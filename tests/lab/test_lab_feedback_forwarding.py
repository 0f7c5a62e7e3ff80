"""Email feedback forwarding over the wire: boto3 -> lab -> the bounce / complaint mail SES sends to the sender
(real MIME, parsed back), the ooto@ auto reply, and the mailbox keeping that mail apart unless asked."""

from __future__ import annotations

import base64
import email
import email.policy
from typing import TYPE_CHECKING, Any

import pytest

import sesbook

if TYPE_CHECKING:
    from email.message import EmailMessage

pytestmark = pytest.mark.lab

SIM = "simulator.amazonses.com"


@pytest.fixture
def t(sender: sesbook.Target) -> sesbook.Target:
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    return sender


def send(t: sesbook.Target, to: str, *, source: str = "shop@example.com", **extra: Any) -> str:
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    return str(t.ses.send_email(Source=source, Destination={"ToAddresses": [to]},
                                Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "words"}}},
                                **extra)["MessageId"])


def feedback_mail(t: sesbook.Target, **query: str) -> list[dict[str, Any]]:
    path = "/_aws/ses?feedback=1" + "".join(f"&{k}={v}" for k, v in query.items())
    return [m for m in t.lab.request("GET", path)["messages"] if m.get("Api") == "feedback"]  # type: ignore[union-attr]


def parsed(record: dict[str, Any]) -> EmailMessage:
    return email.message_from_string(record["RawData"], policy=email.policy.default)  # type: ignore[return-value]


def test_a_bounce_is_mailed_back_as_a_dsn_to_the_sender(t: sesbook.Target) -> None:
    message_id = send(t, f"bounce@{SIM}")
    assert t.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]  # default listing unchanged
    [record] = feedback_mail(t)
    assert (record["Kind"], record["Source"], record["Destination"]["ToAddresses"]) == (
        "bounce", "MAILER-DAEMON@amazonses.com", ["shop@example.com"])
    assert record["Feedback"] == {"MessageId": message_id, "Recipients": [f"bounce@{SIM}"]}
    mail = parsed(record)
    assert mail.get_content_type() == "multipart/report" and mail.get_param("report-type") == "delivery-status"
    text, status, headers = mail.iter_parts()
    assert f"bounce@{SIM}" in text.get_content()  # type: ignore[attr-defined]
    assert status.get_content_type() == "message/delivery-status"
    per_message, per_recipient = status.get_payload()  # type: ignore[misc]
    assert per_message["Reporting-MTA"] and message_id in per_message["X-Original-Message-ID"]
    assert per_recipient["Final-Recipient"] == f"rfc822; bounce@{SIM}"
    assert (per_recipient["Action"], per_recipient["Status"]) == ("failed", "5.1.1")
    assert per_recipient["Diagnostic-Code"].startswith("smtp; 550 5.1.1")
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Subject: Hello" in headers.get_payload()  # type: ignore[operator]


def test_a_complaint_is_mailed_back_as_an_arf_report(t: sesbook.Target) -> None:
    send(t, f"complaint@{SIM}")
    [record] = feedback_mail(t)
    assert (record["Kind"], record["Source"]) == ("complaint", "complaints@email-abuse.amazonses.com")
    mail = parsed(record)
    assert mail.get_param("report-type") == "feedback-report"
    _, report, _ = mail.iter_parts()
    assert report.get_content_type() == "message/feedback-report"
    [fields] = report.get_payload()  # type: ignore[misc]  # the parser reads message/* parts as header blocks
    assert fields["Feedback-Type"] == "abuse" and fields["Original-Rcpt-To"] == f"complaint@{SIM}"
    assert fields["Version"] == "1"


def test_deliveries_and_delays_are_not_mailed_and_the_suppression_bounce_is(t: sesbook.Target) -> None:
    send(t, f"success@{SIM}")
    send(t, "bob@example.net")
    assert feedback_mail(t) == []
    send(t, f"suppressionlist@{SIM}")
    [record] = feedback_mail(t)
    per_recipient = parsed(record).get_payload()[1].get_payload()[1]  # type: ignore[index,union-attr]
    assert per_recipient["Diagnostic-Code"].startswith("Amazon SES:") and "Remote-MTA" not in per_recipient


def test_scripted_bounces_of_real_addresses_are_mailed_too(t: sesbook.Target) -> None:
    sesbook.script_outcome(t, "gone@example.net", "softbounce")
    send(t, "gone@example.net")
    [record] = feedback_mail(t)
    per_recipient = parsed(record).get_payload()[1].get_payload()[1]  # type: ignore[index,union-attr]
    assert (per_recipient["Action"], per_recipient["Status"]) == ("delayed", "4.0.0")
    assert record["Subject"] == "Delivery Status Notification (Delay)"


def test_no_mail_when_the_identity_does_not_forward(t: sesbook.Target) -> None:
    topic = t.sns.create_topic(Name="fb")["TopicArn"]
    for kind in ("Bounce", "Complaint"):
        t.ses.set_identity_notification_topic(Identity="example.com", NotificationType=kind, SnsTopic=topic)
    t.ses.set_identity_feedback_forwarding_enabled(Identity="example.com", ForwardingEnabled=False)
    send(t, f"bounce@{SIM}")
    send(t, f"complaint@{SIM}")
    assert feedback_mail(t) == []
    t.ses.set_identity_feedback_forwarding_enabled(Identity="example.com", ForwardingEnabled=True)
    send(t, f"bounce@{SIM}")
    assert [m["Kind"] for m in feedback_mail(t)] == ["bounce"]


def test_the_address_identity_setting_wins_over_its_domain(t: sesbook.Target) -> None:
    t.ses.verify_email_identity(EmailAddress="shop@example.com")
    topic = t.sns.create_topic(Name="fb")["TopicArn"]
    for kind in ("Bounce", "Complaint"):
        t.ses.set_identity_notification_topic(Identity="shop@example.com", NotificationType=kind, SnsTopic=topic)
    t.ses.set_identity_feedback_forwarding_enabled(Identity="shop@example.com", ForwardingEnabled=False)
    send(t, f"bounce@{SIM}")
    assert feedback_mail(t) == []
    send(t, f"bounce@{SIM}", source="news@example.com")  # the domain still forwards
    assert [m["Destination"]["ToAddresses"] for m in feedback_mail(t)] == [["news@example.com"]]


def test_feedback_goes_to_the_return_path_v1_and_v2_and_the_raw_header(t: sesbook.Target) -> None:
    send(t, f"bounce@{SIM}", ReturnPath="bounces@example.com")
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": [f"bounce@{SIM}"]},
                       FeedbackForwardingEmailAddress="v2-bounces@example.com",
                       Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "x"}}}})
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    raw = (f"From: shop@example.com\nTo: bounce@{SIM}\nReturn-Path: <raw-bounces@example.com>\nSubject: raw\n\nbody\n")
    t.ses.send_raw_email(RawMessage={"Data": raw.encode()})
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": [f"bounce@{SIM}"]},
                       Content={"Raw": {"Data": base64.b64encode(raw.replace("Return-Path", "X-Old").encode())}})
    assert [m["Destination"]["ToAddresses"][0] for m in feedback_mail(t)] == [
        "bounces@example.com", "v2-bounces@example.com", "raw-bounces@example.com", "shop@example.com"]


def test_ooto_replies_to_the_sender_and_touches_neither_reputation_nor_lists(t: sesbook.Target) -> None:
    topic = t.sns.create_topic(Name="fb")["TopicArn"]
    url = t.sqs.create_queue(QueueName="fb")["QueueUrl"]
    arn = t.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    t.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    for kind in ("Bounce", "Complaint", "Delivery"):
        t.ses.set_identity_notification_topic(Identity="example.com", NotificationType=kind, SnsTopic=topic)
    message_id = send(t, f"ooto+label@{SIM}")
    [record] = feedback_mail(t)
    assert (record["Kind"], record["Source"], record["Destination"]["ToAddresses"]) == (
        "auto-reply", f"ooto+label@{SIM}", ["shop@example.com"])
    mail = parsed(record)
    assert mail["Auto-Submitted"] == "auto-replied" and mail["Subject"] == "Automatic reply: Hello"
    assert message_id in mail["In-Reply-To"] and "out of the office" in mail.get_content()  # type: ignore[attr-defined]
    import json

    kinds = [json.loads(m["Body"])["notificationType"]
             for m in t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert sorted(kinds) == ["Bounce", "Delivery"]  # the Transient bounce is reported as before
    assert t.sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"] == []
    answer = t.lab.request("GET", "/_sesbook/reputation")  # type: ignore[union-attr]
    assert (answer["bounces"], answer["bounce_rate"]) == (0, 0.0)
    assert [p["Bounces"] for p in t.ses.get_send_statistics()["SendDataPoints"]] == [0]


def test_the_client_lists_feedback_mail_only_when_asked(t: sesbook.Target) -> None:
    send(t, "bob@example.net")
    send(t, f"bounce@{SIM}")
    assert [m.subject for m in sesbook.mailbox_messages(t)] == ["Hello"]
    assert sesbook.mailbox_messages(t, to="shop@example.com") == ()
    [mail] = sesbook.mailbox_messages(t, to="shop@example.com", include_feedback=True)
    assert mail.is_feedback and mail.kind == "bounce" and mail.api == "feedback" and mail.about
    assert sesbook.last_message(t, include_feedback=True).kind == "bounce"
    assert sesbook.last_message(t).subject == "Hello"
    with pytest.raises(sesbook.ValidationError):
        sesbook.mailbox_messages(t, include_feedback="yes")  # type: ignore[arg-type]


def test_the_route_refuses_a_feedback_value_that_is_not_yes_or_no(t: sesbook.Target) -> None:
    with pytest.raises(sesbook.LabError, match="HTTP 400"):
        t.lab.request("GET", "/_aws/ses?feedback=perhaps")  # type: ignore[union-attr]


def test_cli_lab_mail_shows_feedback_mail_with_the_flag(t: sesbook.Target, lab_info: Any, capsys: Any,
                                                         monkeypatch: Any) -> None:
    from sesbook import cli

    send(t, f"bounce@{SIM}")
    monkeypatch.setenv("SESBOOK_LAB", lab_info.to_json())
    assert cli.main(["lab", "mail"]) == 0
    assert "MAILER-DAEMON" not in capsys.readouterr().out
    assert cli.main(["lab", "mail", "--feedback", "--to", "shop@example.com"]) == 0
    out = capsys.readouterr().out
    assert "MAILER-DAEMON@amazonses.com" in out and "Delivery Status Notification (Failure)" in out


def test_a_v1_raw_send_forwards_to_its_source_over_the_from_header(t: sesbook.Target) -> None:
    raw = f"From: shop@example.com\nTo: bounce@{SIM}\nSubject: raw\n\nbody\n"
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.ses.send_raw_email(Source="news@example.com", RawMessage={"Data": raw.encode()})
    assert [m["Destination"]["ToAddresses"][0] for m in feedback_mail(t)] == ["news@example.com"]
