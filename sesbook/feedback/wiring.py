"""Wire SES feedback to a queue in one call, idempotently: run it again and nothing changes.

:func:`wire_feedback` makes (or finds) an SNS topic, an SQS queue with a dead-letter queue, a queue policy
that lets only that topic send (``aws:SourceArn`` equal to the topic's ARN), the subscription, and then
either or both of:

- the identity's notification topics (Bounce, Complaint, Delivery) with the original headers included;
- a configuration set with an SNS event destination for the chosen event types.

Against AWS with ``apply=False`` every change is recorded in the target's plan and the names and ARNs are
computed, not read, so the result still says what would exist. :func:`feedback_template` gives the same
resources as a CloudFormation template (identity notification topics have no CloudFormation resource:
use a configuration set there, or call SetIdentityNotificationTopic after the stack).

IAM permissions for the aws target: ``sns:CreateTopic``, ``sns:Subscribe``, ``sns:ListSubscriptionsByTopic``,
``sqs:CreateQueue``, ``sqs:GetQueueUrl``, ``sqs:GetQueueAttributes``, ``sqs:SetQueueAttributes``,
``ses:SetIdentityNotificationTopic``, ``ses:SetIdentityHeadersInNotificationsEnabled``,
``ses:CreateConfigurationSet``, ``ses:CreateConfigurationSetEventDestination``,
``ses:UpdateConfigurationSetEventDestination``, ``ses:GetConfigurationSetEventDestinations``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from sesbook.target import Target

NOTIFICATION_TYPES = ("Bounce", "Complaint", "Delivery")
EVENT_TYPES = ("SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE",
               "DELIVERY_DELAY", "SUBSCRIPTION")
_V1_NAMES = {"SEND": "send", "REJECT": "reject", "BOUNCE": "bounce", "COMPLAINT": "complaint", "DELIVERY": "delivery",
             "OPEN": "open", "CLICK": "click", "RENDERING_FAILURE": "renderingFailure",
             "DELIVERY_DELAY": "deliveryDelay", "SUBSCRIPTION": "subscription"}
DEFAULT_EVENTS = ("SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "RENDERING_FAILURE", "DELIVERY_DELAY")


@dataclass(frozen=True)
class FeedbackWiring:
    """What :func:`wire_feedback` made or found (``planned``: recorded in the plan, not made)."""

    topic_arn: str
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    identity: str | None
    notification_types: tuple[str, ...]
    configuration_set: str | None
    event_types: tuple[str, ...]
    raw_delivery: bool
    planned: bool

    def rows(self) -> list[tuple[str, Any]]:
        return [("topic", self.topic_arn), ("queue", self.queue_url), ("dead-letter queue", self.dead_letter_queue_url),
                ("identity", self.identity), ("notifications", ", ".join(self.notification_types) or None),
                ("configuration set", self.configuration_set), ("events", ", ".join(self.event_types) or None),
                ("raw delivery", self.raw_delivery), ("planned only", self.planned)]

    def __repr__(self) -> str:
        return _html.text_table(["what", "value"], self.rows())

    def _repr_html_(self) -> str:
        return _html.table(["what", "value"], self.rows(), caption="feedback wiring")


def queue_policy(queue_arn: str, topic_arn: str) -> dict[str, Any]:
    """The SQS policy that lets only ``topic_arn`` send to the queue."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "only-the-ses-feedback-topic", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }]}


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or len(name) > 70 or not all(c.isalnum() or c in "-_" for c in name):
        raise ValidationError("name", name, "use 1-70 letters, digits, hyphens or underscores",
                              hint="It names the topic and the queue (NAME-dlq for the dead-letter queue).")


def wire_feedback(target: Target, identity: str | None = None, *, name: str = "ses-feedback",
                  notification_types: tuple[str, ...] | list[str] = NOTIFICATION_TYPES,
                  configuration_set: str | None = None,
                  event_types: tuple[str, ...] | list[str] = DEFAULT_EVENTS, include_headers: bool = True,
                  raw_delivery: bool = False, max_receive_count: int = 5) -> FeedbackWiring:
    """Wire SES feedback for ``identity`` and/or ``configuration_set`` to an SQS queue (see the module docstring)."""
    _check_name(name)
    if identity is None and configuration_set is None:
        raise ValidationError("identity", identity, "give an identity, a configuration set, or both",
                              hint="e.g. wire_feedback(target, 'example.com')")
    for kind in notification_types:
        if kind not in NOTIFICATION_TYPES:
            raise ValidationError("notification_types", kind, f"use {', '.join(NOTIFICATION_TYPES)}")
    for kind in event_types:
        if kind not in EVENT_TYPES:
            raise ValidationError("event_types", kind, f"use {', '.join(EVENT_TYPES)}")
    account, region = target.account_id, target.region
    topic_arn = f"arn:aws:sns:{region}:{account}:{name}"
    queue_arn, dlq_arn = f"arn:aws:sqs:{region}:{account}:{name}", f"arn:aws:sqs:{region}:{account}:{name}-dlq"
    with aws_errors("sns"):
        made = target.sns.create_topic(Name=name)
        topic_arn = made.get("TopicArn") or topic_arn
    with aws_errors("sqs"):
        dlq_url = target.sqs.create_queue(QueueName=f"{name}-dlq").get("QueueUrl") or f"(planned) {name}-dlq"
        queue_url = target.sqs.create_queue(QueueName=name).get("QueueUrl") or f"(planned) {name}"
        if not target.planning:
            queue_arn, dlq_arn = _queue_arn(target, queue_url), _queue_arn(target, dlq_url)
        target.sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
            "Policy": json.dumps(queue_policy(queue_arn, topic_arn)),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}),
        })
    with aws_errors("sns"):
        existing = [] if target.planning else \
            target.sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        found = [s for s in existing if s.get("Endpoint") == queue_arn and s.get("Protocol") == "sqs"]
        if found:
            target.sns.set_subscription_attributes(
                SubscriptionArn=found[0]["SubscriptionArn"], AttributeName="RawMessageDelivery",
                AttributeValue=str(raw_delivery).lower())
        else:
            target.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                 Attributes={"RawMessageDelivery": str(raw_delivery).lower()})
    if identity is not None:
        with aws_errors("ses"):
            for kind in notification_types:
                target.ses.set_identity_notification_topic(Identity=identity, NotificationType=kind, SnsTopic=topic_arn)
                target.ses.set_identity_headers_in_notifications_enabled(Identity=identity, NotificationType=kind,
                                                                        Enabled=include_headers)
    if configuration_set is not None:
        _wire_set(target, configuration_set, f"{name}-sns", topic_arn, list(event_types))
    return FeedbackWiring(topic_arn, queue_url, queue_arn, dlq_url, identity,
                          tuple(notification_types) if identity else (), configuration_set,
                          tuple(event_types) if configuration_set else (), raw_delivery, target.planning)


def _queue_arn(target: Target, url: str) -> str:
    attrs = target.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return str(attrs["QueueArn"])


def _wire_set(target: Target, set_name: str, dest_name: str, topic_arn: str, events: list[str]) -> None:
    destination = {"Enabled": True, "MatchingEventTypes": events, "SnsDestination": {"TopicArn": topic_arn}}
    with aws_errors("sesv2"):
        try:
            target.sesv2.create_configuration_set(ConfigurationSetName=set_name)
        except target.sesv2.exceptions.AlreadyExistsException:
            pass
        try:
            names = [] if target.planning else [
                d["Name"] for d in target.sesv2.get_configuration_set_event_destinations(
                    ConfigurationSetName=set_name)["EventDestinations"]]
        except target.sesv2.exceptions.NotFoundException:
            names = []
        if dest_name in names:
            target.sesv2.update_configuration_set_event_destination(
                ConfigurationSetName=set_name, EventDestinationName=dest_name, EventDestination=destination)
        else:
            target.sesv2.create_configuration_set_event_destination(
                ConfigurationSetName=set_name, EventDestinationName=dest_name, EventDestination=destination)


def feedback_template(*, name: str = "ses-feedback", configuration_set: str | None = None,
                      event_types: tuple[str, ...] | list[str] = DEFAULT_EVENTS) -> dict[str, Any]:
    """The same topic, queues, policy, subscription (and configuration set) as a CloudFormation template."""
    _check_name(name)
    resources: dict[str, Any] = {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}},
        "DeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{name}-dlq"}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name, "RedrivePolicy": {
            "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}, "maxReceiveCount": 5}}},
        "QueuePolicy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}}}]}}},
        "Subscription": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
    }
    if configuration_set:
        resources["ConfigurationSet"] = {"Type": "AWS::SES::ConfigurationSet",
                                         "Properties": {"Name": configuration_set}}
        resources["EventDestination"] = {"Type": "AWS::SES::ConfigurationSetEventDestination", "Properties": {
            "ConfigurationSetName": {"Ref": "ConfigurationSet"}, "EventDestination": {
                "Name": f"{name}-sns", "Enabled": True, "MatchingEventTypes": [_V1_NAMES[e] for e in event_types],
                "SnsDestination": {"TopicARN": {"Ref": "Topic"}}}}}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": "SES feedback to SQS (sesbook)",
            "Resources": resources,
            "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}, "TopicArn": {"Value": {"Ref": "Topic"}}}}


__all__ = ["FeedbackWiring", "feedback_template", "queue_policy", "wire_feedback"]
