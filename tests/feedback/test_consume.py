"""sesbook.feedback: wire_feedback (idempotent, plan-safe), drain with a policy (idempotent, dead-letters what it
cannot read), the suppression list helpers — against the lab, and planned against aws."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook.errors import ValidationError
from sesbook.feedback.consume import FeedbackLedger

from helpers import SIM
from helpers import send_after_two_seconds as send


def test_wire_feedback_is_idempotent_and_lets_only_its_topic_in(t: sesbook.Target) -> None:
    first = sesbook.wire_feedback(t, "example.com", configuration_set="tracked")
    second = sesbook.wire_feedback(t, "example.com", configuration_set="tracked")
    assert first == second and not first.planned
    subs = t.sns.list_subscriptions_by_topic(TopicArn=first.topic_arn)["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == [first.queue_arn]
    attrs = t.sqs.get_queue_attributes(QueueUrl=first.queue_url, AttributeNames=["All"])["Attributes"]
    [statement] = json.loads(attrs["Policy"])["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": first.topic_arn}}
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"].endswith(":ses-feedback-dlq")
    notif = t.ses.get_identity_notification_attributes(Identities=["example.com"])["NotificationAttributes"]
    assert notif["example.com"]["BounceTopic"] == first.topic_arn
    assert notif["example.com"]["HeadersInBounceNotificationsEnabled"] is True
    dests = t.sesv2.get_configuration_set_event_destinations(ConfigurationSetName="tracked")["EventDestinations"]
    assert [d["Name"] for d in dests] == ["ses-feedback-sns"]
    assert "Topic" in repr(first) or "topic" in repr(first)


def test_wire_feedback_refuses_bad_input_before_any_call(t: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="identity"):
        sesbook.wire_feedback(t)
    with pytest.raises(ValidationError, match="name"):
        sesbook.wire_feedback(t, "example.com", name="bad name!")
    with pytest.raises(ValidationError, match="event_types"):
        sesbook.wire_feedback(t, configuration_set="x", event_types=["BOUNCES"])


def test_wire_feedback_planned_against_aws_changes_nothing_and_says_what_it_would_make() -> None:
    target = sesbook.connect("aws", region="us-east-1", apply=False)
    target.__dict__["account_id"] = "111122223333"  # no STS call in a test
    wiring = sesbook.wire_feedback(target, "example.com", configuration_set="tracked")
    assert wiring.planned and wiring.topic_arn == "arn:aws:sns:us-east-1:111122223333:ses-feedback"
    operations = [call.operation for call in target.plan.calls]
    assert "CreateTopic" in operations and "SetIdentityNotificationTopic" in operations
    assert "CreateConfigurationSetEventDestination" in operations


def test_drain_applies_the_policy_and_a_second_run_changes_nothing(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com")
    for local in ("bounce", "complaint", "ooto", "success"):
        send(t, f"{local}@{SIM}")
    ledger = FeedbackLedger()
    policy = sesbook.FeedbackPolicy(soft_bounce_limit=2)
    report = sesbook.drain(t, wiring.queue_url, policy, dead_letter_queue_url=wiring.dead_letter_queue_url,
                           ledger=ledger)
    actions = sorted((a.feedback.kind, a.feedback.addresses[0], a.action) for a in report.applied)
    assert actions == [
        ("Bounce", f"bounce@{SIM}", "suppressed"), ("Bounce", f"ooto@{SIM}", "retry"),
        ("Complaint", f"complaint@{SIM}", "suppressed"), ("Delivery", f"complaint@{SIM}", "recorded"),
        ("Delivery", f"ooto@{SIM}", "recorded"), ("Delivery", f"success@{SIM}", "recorded"),
    ]
    listed = sesbook.suppression_list(t)
    assert f"bounce@{SIM}" in listed and f"complaint@{SIM}" in listed and f"ooto@{SIM}" not in listed
    # the same notifications again (redelivered): nothing changes
    for applied in report.applied:
        t.sqs.send_message(QueueUrl=wiring.queue_url, MessageBody=json.dumps(applied.feedback.payload))
    again = sesbook.drain(t, wiring.queue_url, policy, ledger=ledger)
    assert {a.action for a in again.applied} == {"duplicate"} and again.suppressed == ()
    assert ledger.soft_bounces == {f"ooto@{SIM}": 1}
    # a second soft bounce reaches the limit
    send(t, f"ooto@{SIM}")
    third = sesbook.drain(t, wiring.queue_url, policy, ledger=ledger)
    assert f"ooto@{SIM}" in third.suppressed
    # suppressed: the next send bounces OnAccountSuppressionList, which the consumer leaves alone
    send(t, f"bounce@{SIM}")
    fourth = sesbook.drain(t, wiring.queue_url, policy, ledger=ledger)
    assert [(a.feedback.bounce_subtype, a.action) for a in fourth.applied] == [
        ("OnAccountSuppressionList", "already suppressed")]
    assert sesbook.unsuppress(t, f"bounce@{SIM}") is True and sesbook.unsuppress(t, f"bounce@{SIM}") is False


def test_unparseable_messages_go_to_the_dead_letter_queue_and_are_reported(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com")
    t.sqs.send_message(QueueUrl=wiring.queue_url, MessageBody="this is not json")
    t.sqs.send_message(QueueUrl=wiring.queue_url, MessageBody=json.dumps({"eventType": "Nope", "mail": {}}))
    report = sesbook.drain(t, wiring.queue_url, dead_letter_queue_url=wiring.dead_letter_queue_url)
    assert len(report.dead_lettered) == 2 and report.applied == ()
    kept = t.sqs.receive_message(QueueUrl=wiring.dead_letter_queue_url, MaxNumberOfMessages=10)["Messages"]
    assert "this is not json" in {m["Body"] for m in kept}
    assert "dead-lettered" in repr(report)


def test_without_a_dead_letter_queue_unparseable_messages_stay_in_the_queue(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com")
    t.sqs.send_message(QueueUrl=wiring.queue_url, MessageBody="[]")
    report = sesbook.drain(t, wiring.queue_url)
    assert len(report.dead_lettered) == 1
    attrs = t.sqs.get_queue_attributes(QueueUrl=wiring.queue_url, AttributeNames=["All"])["Attributes"]
    assert int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 1


def test_the_ledger_survives_in_a_file(tmp_path: object, t: sesbook.Target) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "ledger.json"
    wiring = sesbook.wire_feedback(t, "example.com")
    send(t, f"ooto@{SIM}")
    sesbook.drain(t, wiring.queue_url, ledger=FeedbackLedger.load(path))
    assert FeedbackLedger.load(path).soft_bounces == {f"ooto@{SIM}": 1}


def test_feedback_template_holds_the_same_resources() -> None:
    template = sesbook.feedback_template(configuration_set="tracked", event_types=["BOUNCE", "RENDERING_FAILURE"])
    kinds = {r["Type"] for r in template["Resources"].values()}
    assert kinds == {"AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::SNS::Subscription",
                     "AWS::SES::ConfigurationSet", "AWS::SES::ConfigurationSetEventDestination"}
    dest = template["Resources"]["EventDestination"]["Properties"]["EventDestination"]
    assert dest["MatchingEventTypes"] == ["bounce", "renderingFailure"]


def test_one_bounce_reported_as_a_notification_and_as_an_event_is_applied_once(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com", configuration_set="both", event_types=["BOUNCE", "DELIVERY"])
    send(t, f"ooto@{SIM}", ConfigurationSetName="both")
    ledger = FeedbackLedger()
    report = sesbook.drain(t, wiring.queue_url, sesbook.FeedbackPolicy(soft_bounce_limit=2), ledger=ledger)
    actions = sorted((a.feedback.kind, a.feedback.shape, a.action) for a in report.applied)
    assert actions == [("Bounce", "event", "duplicate"), ("Bounce", "notification", "retry"),
                       ("Delivery", "event", "duplicate"), ("Delivery", "notification", "recorded")]
    assert ledger.soft_bounces == {f"ooto@{SIM}": 1}  # one soft bounce, not two
