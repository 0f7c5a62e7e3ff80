"""The plumbing around received mail over the wire: the inbound MX, the bucket, reading S3 back, SNS -> SQS."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

import dns.resolver
import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.inbox import (
    ensure_bucket,
    inbound_queue,
    publish_inbound_mx,
    received_notifications,
    stored_messages,
)
from sesbook.receiving.model import Rule, S3Action, SNSAction
from sesbook.receiving.policies import grant_rule_access
from sesbook.receiving.rules import ensure_rule_set

from helpers import let_ses_write

if TYPE_CHECKING:
    import sesbook
    from sesbook.lab import LabInfo

    from .conftest import WireLog


def _send(info: LabInfo, to: str, subject: str, source: str = "127.0.0.2") -> None:
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "alice@sender.test", to, subject
    message.set_content("Hello.\n")
    with smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=30) as client:
        assert client.send_message(message) == {}


def test_publish_inbound_mx_is_served_and_idempotent(sender: sesbook.Target, lab_info: LabInfo) -> None:
    first = publish_inbound_mx(sender, "example.com")
    assert first.changed
    resolver = dns.resolver.Resolver(configure=False)
    host, _, port = lab_info.dns.rpartition(":")
    resolver.nameservers, resolver.port = [host], int(port)
    answer = resolver.resolve("example.com", "MX")
    assert [str(r) for r in answer] == ["10 inbound-smtp.us-east-1.amazonaws.com."]
    assert not publish_inbound_mx(sender, "example.com").changed


def test_publish_inbound_mx_refuses_a_region_that_does_not_receive(target: sesbook.Target) -> None:
    import sesbook as sb

    other = sb.connect("lab", region="us-west-1")
    with pytest.raises(ValidationError) as caught:
        publish_inbound_mx(other, "example.com")
    assert caught.value.field == "region"


def test_bucket_store_and_read_back(sender: sesbook.Target, lab_info: LabInfo) -> None:
    assert ensure_bucket(sender, "inbound-mail") is True
    assert ensure_bucket(sender, "inbound-mail") is False
    assert len(stored_messages(sender, "no-such-bucket-here")) == 0
    rule = Rule("EmailToS3", ["aaa@example.com"], [S3Action("inbound-mail", "aaa_emails/")])
    grant_rule_access(sender, "main", rule)
    ensure_rule_set(sender, "main", [rule])
    _send(lab_info, "aaa@example.com", "first")
    _send(lab_info, "aaa@example.com", "second")
    stored = stored_messages(sender, "inbound-mail", "aaa_emails/")
    assert sorted(m.subject for m in stored) == ["first", "second"]
    one = next(m for m in stored if m.subject == "first")
    assert one.key == "aaa_emails/" + one.message_id and len(one.message_id) == 40
    assert one.sender == "alice@sender.test" and one.to == "aaa@example.com"
    assert {"Return-Path", "Received", "X-SES-Spam-Verdict", "Authentication-Results"} <= set(one.ses_headers)
    assert one.text == "Hello.\n" and one.header("X-SES-Virus-Verdict") == "GRAY"
    assert [m.subject for m in stored_messages(sender, "inbound-mail", "aaa_emails/", subject="second")] == ["second"]
    assert "s3://inbound-mail/aaa_emails/: 2 message(s)" in repr(stored)
    assert "<table" in stored._repr_html_()


def test_queue_on_topic_gets_received_notifications(sender: sesbook.Target, lab_info: LabInfo) -> None:
    queue = inbound_queue(sender, "inbound-mail")
    again = inbound_queue(sender, "inbound-mail")
    assert again == queue and not queue.planned
    assert len(sender.sns.list_subscriptions_by_topic(TopicArn=queue.topic_arn)["Subscriptions"]) == 1
    rule = Rule("notify", ["aaa@example.com"], [SNSAction(queue.topic_arn)])
    grant_rule_access(sender, "main", rule)
    ensure_rule_set(sender, "main", [rule])
    _send(lab_info, "aaa@example.com", "tell me")
    [note] = received_notifications(sender, queue.queue_url)
    assert (note.notification_type, note.action, note.subject) == ("Received", "SNS", "tell me")
    assert note.source == "alice@sender.test" and note.recipients == ("aaa@example.com",)
    assert note.verdicts["spam"] == "GRAY" and note.content is not None and note.content.endswith("Hello.\r\n")
    assert received_notifications(sender, queue.queue_url) == ()  # read once, then deleted
    with pytest.raises(ValidationError):
        inbound_queue(sender, "has a space")
    with pytest.raises(ValidationError):
        received_notifications(sender, queue.queue_url, limit=0)


def test_plan_only_changes_nothing(planning_aws: tuple[sesbook.Target, WireLog]) -> None:
    target, wire = planning_aws
    assert ensure_bucket(target, "planned-bucket") is True
    queue = inbound_queue(target, "planned-queue")
    assert queue.planned and queue.queue_url == "(planned) planned-queue"
    assert queue.queue_arn.endswith(":planned-queue")
    assert received_notifications(target, queue.queue_url) == ()
    assert len(stored_messages(target, "planned-bucket")) == 0
    assert wire.mutating == []
    ops = [c.operation for c in target.plan]
    assert ops[:4] == ["CreateBucket", "CreateTopic", "CreateQueue", "Subscribe"]


def test_inbound_endpoint_and_a_played_sender(sender: sesbook.Target, lab_info: LabInfo) -> None:
    from sesbook.mailbox import inbound_log
    from sesbook.receiving.inbox import inbound_endpoint

    endpoint = inbound_endpoint(sender)
    assert f"{endpoint.host}:{endpoint.port}" == lab_info.inbound_smtp and endpoint.is_lab
    assert endpoint.source_address("127.0.0.3") == ("127.0.0.3", 0)
    with pytest.raises(ValidationError):
        endpoint.source_address("192.0.2.1")
    ensure_bucket(sender, "inbound-mail")
    let_ses_write(sender, "inbound-mail")
    rule = Rule("EmailToS3", ["aaa@example.com"], [S3Action("inbound-mail", "aaa_emails/")])
    ensure_rule_set(sender, "main", [rule])
    _send(lab_info, "aaa@example.com", "played", source="127.0.0.3")
    [seen] = inbound_log(sender, subject="played")
    assert seen.inbound is not None and seen.inbound["peer"] == "127.0.0.3"
    log = inbound_log(sender)
    assert "EmailToS3: S3 ok" in repr(log) and "250 Ok" in repr(log) and "<table" in log._repr_html_()
    assert len(inbound_log(sender, to="nobody@example.com")) == 0


def test_inbound_endpoint_on_aws(planning_aws: tuple[sesbook.Target, WireLog]) -> None:
    from sesbook.receiving.inbox import inbound_endpoint

    target, _ = planning_aws
    endpoint = inbound_endpoint(target)
    assert (endpoint.host, endpoint.port, endpoint.is_lab) == ("inbound-smtp.us-east-1.amazonaws.com", 25, False)
    assert endpoint.source_address("127.0.0.3") is None


def test_the_lab_inbound_server_serves_the_lab_region_only(target: sesbook.Target) -> None:
    import sesbook as sb
    from sesbook.receiving.inbox import inbound_endpoint

    with pytest.raises(ValidationError, match="receives for its own region, us-east-1, only") as caught:
        inbound_endpoint(sb.connect("lab", region="eu-west-1"))
    assert caught.value.field == "region"
