"""Feedback over the wire: boto3 -> lab -> SNS -> SQS. The simulator, identity notification routing,
configuration set event destinations, raw delivery and the account suppression list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sesbook

pytestmark = pytest.mark.lab

SIM = "simulator.amazonses.com"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"


@pytest.fixture
def t(sender: sesbook.Target) -> sesbook.Target:
    """example.com/.net verified, the clock frozen (sends are spaced with advance_clock, the rate is 1/s)."""
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    return sender


def queue_for(t: sesbook.Target, name: str, *, raw: bool = False) -> tuple[str, str]:
    """A topic and an SQS queue subscribed to it: (topic ARN, queue URL)."""
    topic = t.sns.create_topic(Name=name)["TopicArn"]
    url = t.sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = t.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    t.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                    Attributes={"RawMessageDelivery": "true" if raw else "false"})
    return topic, url


def drain_raw(t: sesbook.Target, url: str) -> list[dict[str, Any]]:
    """Every body waiting in the queue (SNS envelopes unwrapped, checking ``Message`` is a string)."""
    out = []
    while True:
        got = t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
        if not got:
            return out
        for m in got:
            body = json.loads(m["Body"])
            if body.get("Type") == "Notification":
                assert isinstance(body["Message"], str)  # SES's payload is a JSON string in the envelope
                body = json.loads(body["Message"])
            out.append(body)
            t.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def send(t: sesbook.Target, to: str, *, source: str = "shop@example.com", **extra: Any) -> str:
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    return str(t.ses.send_email(Source=source, Destination={"ToAddresses": [to]},
                                Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "words"}}},
                                **extra)["MessageId"])


def identity_topics(t: sesbook.Target, identity: str, topic: str) -> None:
    for kind in ("Bounce", "Complaint", "Delivery"):
        t.ses.set_identity_notification_topic(Identity=identity, NotificationType=kind, SnsTopic=topic)


def summary(body: dict[str, Any]) -> tuple[str, str | None]:
    kind = body.get("notificationType") or body["eventType"]
    if kind == "Bounce":
        return kind, f"{body['bounce']['bounceType']}/{body['bounce']['bounceSubType']}"
    if kind == "Complaint":
        return kind, body["complaint"]["complaintFeedbackType"]
    return kind, None


# -- the mailbox simulator ------------------------------------------------------------------------------------
@pytest.mark.parametrize("local, expected", [
    ("success", [("Delivery", None)]),
    ("bounce", [("Bounce", "Permanent/General")]),
    ("bounce+label-1", [("Bounce", "Permanent/General")]),
    ("ooto", [("Delivery", None), ("Bounce", "Transient/General")]),
    ("complaint", [("Delivery", None), ("Complaint", "abuse")]),
    ("suppressionlist", [("Bounce", "Permanent/Suppressed")]),
    ("Bounce", [("Bounce", "Permanent/General")]),
])
def test_each_simulator_address_notifies_through_the_identity_topics(t: sesbook.Target, local: str,
                                                                     expected: list[Any]) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    address = f"{local}@{SIM}"
    message_id = send(t, address)
    bodies = drain_raw(t, url)
    assert [summary(b) for b in bodies] == expected
    for body in bodies:
        mail = body["mail"]
        assert mail["messageId"] == message_id and mail["destination"] == [address]
        assert mail["source"] == "shop@example.com"
        assert mail["sourceArn"].endswith(":identity/example.com") and mail["sendingAccountId"]
        assert mail["timestamp"].endswith("Z") and "headers" not in mail  # headers only when asked
    if expected[0][0] == "Bounce":
        bounce = bodies[-1]["bounce"]
        assert bounce["bouncedRecipients"][0]["emailAddress"] == address
        assert bounce["bouncedRecipients"][0]["diagnosticCode"] and bounce["reportingMTA"] and bounce["feedbackId"]
    # the simulator never touches the account's suppression list
    assert t.sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"] == []


@pytest.mark.parametrize("address", ["bounce@example.net", "my-bounce@example.net", "complaint.x@example.net",
                                     "success-story@example.net"])
def test_addresses_that_only_contain_a_simulator_word_are_ordinary(t: sesbook.Target, address: str) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    send(t, address)
    assert [summary(b) for b in drain_raw(t, url)] == [("Delivery", None)]
    box = t.lab.request("GET", "/_aws/ses")["messages"]  # type: ignore[union-attr]
    assert [m["Destination"]["ToAddresses"] for m in box] == [[address]]


def test_headers_are_included_when_the_identity_asks(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    t.ses.set_identity_headers_in_notifications_enabled(Identity="example.com", NotificationType="Bounce",
                                                       Enabled=True)
    message_id = send(t, f"bounce@{SIM}")
    [body] = drain_raw(t, url)
    names = [h["name"] for h in body["mail"]["headers"]]
    assert {"From", "To", "Subject"} <= set(names)
    assert body["mail"]["commonHeaders"]["subject"] == "Hello"
    assert body["mail"]["commonHeaders"]["messageId"] == message_id


def test_raw_sends_keep_their_own_headers(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    t.ses.set_identity_headers_in_notifications_enabled(Identity="example.com", NotificationType="Complaint",
                                                       Enabled=True)
    raw = (f"From: Shop <shop@example.com>\r\nTo: complaint@{SIM}\r\nSubject: Raw one\r\n"
           "Message-ID: <custom-1@example.com>\r\n\r\nbody\r\n")
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.ses.send_raw_email(RawMessage={"Data": raw})
    complaint = [b for b in drain_raw(t, url) if b["notificationType"] == "Complaint"][0]
    assert complaint["mail"]["commonHeaders"]["messageId"] == "custom-1@example.com"
    assert complaint["mail"]["commonHeaders"]["from"] == ["Shop <shop@example.com>"]
    assert complaint["complaint"]["complainedRecipients"] == [{"emailAddress": f"complaint@{SIM}"}]


# -- routing ------------------------------------------------------------------------------------------------------
def test_an_address_identity_settings_win_over_its_domain(t: sesbook.Target) -> None:
    domain_topic, domain_queue = queue_for(t, "domain-feedback")
    address_topic, address_queue = queue_for(t, "address-feedback")
    identity_topics(t, "example.com", domain_topic)
    t.ses.verify_email_identity(EmailAddress="shop@example.com")
    identity_topics(t, "shop@example.com", address_topic)
    shop_id = send(t, f"bounce@{SIM}", source="shop@example.com")
    other_id = send(t, f"bounce@{SIM}", source="other@example.com")
    assert [b["mail"]["messageId"] for b in drain_raw(t, address_queue)] == [shop_id]
    assert [b["mail"]["messageId"] for b in drain_raw(t, domain_queue)] == [other_id]
    # an address identity without topics still wins: its sends notify no one
    t.ses.verify_email_identity(EmailAddress="quiet@example.com")
    send(t, f"bounce@{SIM}", source="quiet@example.com")
    assert drain_raw(t, domain_queue) == [] and drain_raw(t, address_queue) == []


def test_raw_message_delivery_puts_the_bare_payload_in_sqs(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "raw-feedback", raw=True)
    identity_topics(t, "example.com", topic)
    message_id = send(t, f"bounce@{SIM}")
    got = t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(got[0]["Body"])
    assert body["notificationType"] == "Bounce" and body["mail"]["messageId"] == message_id
    assert sesbook.parse_feedback(got[0]).bounce_subtype == "General"


# -- identity notification settings ----------------------------------------------------------------------------
def test_get_identity_notification_attributes_tells_the_truth(t: sesbook.Target) -> None:
    topic, _ = queue_for(t, "feedback")
    assert t.ses.get_identity_notification_attributes(Identities=["example.com"])["NotificationAttributes"] == {
        "example.com": {"ForwardingEnabled": True, "HeadersInBounceNotificationsEnabled": False,
                        "HeadersInComplaintNotificationsEnabled": False,
                        "HeadersInDeliveryNotificationsEnabled": False}}
    with pytest.raises(ClientError, match="both a Bounce and a Complaint"):
        t.ses.set_identity_feedback_forwarding_enabled(Identity="example.com", ForwardingEnabled=False)
    identity_topics(t, "example.com", topic)
    t.ses.set_identity_feedback_forwarding_enabled(Identity="example.com", ForwardingEnabled=False)
    t.ses.set_identity_headers_in_notifications_enabled(Identity="example.com", NotificationType="Delivery",
                                                       Enabled=True)
    attrs = t.ses.get_identity_notification_attributes(Identities=["example.com", "nobody.example"])
    assert attrs["NotificationAttributes"] == {"example.com": {
        "BounceTopic": topic, "ComplaintTopic": topic, "DeliveryTopic": topic, "ForwardingEnabled": False,
        "HeadersInBounceNotificationsEnabled": False, "HeadersInComplaintNotificationsEnabled": False,
        "HeadersInDeliveryNotificationsEnabled": True}}
    with pytest.raises(ClientError, match="while email feedback forwarding is off"):
        t.ses.set_identity_notification_topic(Identity="example.com", NotificationType="Bounce")
    assert t.sesv2.get_email_identity(EmailIdentity="example.com")["FeedbackForwardingStatus"] is False
    t.sesv2.put_email_identity_feedback_attributes(EmailIdentity="example.com", EmailForwardingEnabled=True)
    t.ses.set_identity_notification_topic(Identity="example.com", NotificationType="Bounce")
    assert "BounceTopic" not in t.ses.get_identity_notification_attributes(
        Identities=["example.com"])["NotificationAttributes"]["example.com"]
    with pytest.raises(ClientError, match="does not exist"):
        t.ses.set_identity_notification_topic(Identity="example.com", NotificationType="Bounce",
                                              SnsTopic="arn:aws:sns:us-east-1:123456789012:missing")
    with pytest.raises(ClientError, match="does not exist"):
        t.ses.set_identity_notification_topic(Identity="unknown.example", NotificationType="Bounce", SnsTopic=topic)


# -- configuration sets ---------------------------------------------------------------------------------------------
def test_v1_event_destination_fires_sns_events_with_tags_and_can_be_updated_and_deleted(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "events")
    t.ses.create_configuration_set(ConfigurationSet={"Name": "tracked"})
    destination = {"Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["send", "bounce", "delivery"],
                   "SNSDestination": {"TopicARN": topic}}
    t.ses.create_configuration_set_event_destination(ConfigurationSetName="tracked", EventDestination=destination)
    with pytest.raises(ClientError, match="already exists"):
        t.ses.create_configuration_set_event_destination(ConfigurationSetName="tracked", EventDestination=destination)
    message_id = send(t, f"bounce@{SIM}", ConfigurationSetName="tracked", Tags=[{"Name": "campaign", "Value": "c1"}])
    bodies = drain_raw(t, url)
    assert [summary(b) for b in bodies] == [("Send", None), ("Bounce", "Permanent/General")]
    assert bodies[0]["send"] == {} and all(b["mail"]["messageId"] == message_id for b in bodies)
    tags = bodies[1]["mail"]["tags"]
    assert tags["campaign"] == ["c1"] and tags["ses:configuration-set"] == ["tracked"]
    assert bodies[1]["mail"]["headers"]  # events always carry the headers
    described = t.ses.describe_configuration_set(ConfigurationSetName="tracked",
                                                 ConfigurationSetAttributeNames=["eventDestinations"])
    assert described["EventDestinations"][0]["MatchingEventTypes"] == ["send", "bounce", "delivery"]
    t.ses.update_configuration_set_event_destination(ConfigurationSetName="tracked",
                                                     EventDestination={**destination, "Enabled": False})
    send(t, f"bounce@{SIM}", ConfigurationSetName="tracked")
    assert drain_raw(t, url) == []
    t.ses.delete_configuration_set_event_destination(ConfigurationSetName="tracked", EventDestinationName="to-sns")
    assert t.ses.describe_configuration_set(ConfigurationSetName="tracked", ConfigurationSetAttributeNames=[
        "eventDestinations"]).get("EventDestinations", []) == []


def test_v2_destinations_several_per_set_cloudwatch_metrics_and_the_identity_default_set(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "events")
    t.sesv2.create_configuration_set(ConfigurationSetName="v2set")
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="v2set", EventDestinationName="sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["COMPLAINT", "DELIVERY"],
                          "SnsDestination": {"TopicArn": topic}})
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="v2set", EventDestinationName="cw",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND", "COMPLAINT"], "CloudWatchDestination": {
            "DimensionConfigurations": [{"DimensionName": "campaign", "DimensionValueSource": "MESSAGE_TAG",
                                         "DefaultDimensionValue": "none"}]}})
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="v2set", EventDestinationName="bus",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND"],
                          "EventBridgeDestination": {"EventBusArn": BUS}})
    names = [d["Name"] for d in t.sesv2.get_configuration_set_event_destinations(
        ConfigurationSetName="v2set")["EventDestinations"]]
    assert names == ["sns", "cw", "bus"]
    t.sesv2.put_email_identity_configuration_set_attributes(EmailIdentity="example.com",
                                                            ConfigurationSetName="v2set")
    assert t.sesv2.get_email_identity(EmailIdentity="example.com")["ConfigurationSetName"] == "v2set"
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": [f"complaint@{SIM}"]},
                       Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
                       EmailTags=[{"Name": "campaign", "Value": "spring"}])  # no set named: the identity's default
    assert [summary(b) for b in drain_raw(t, url)] == [("Delivery", None), ("Complaint", "abuse")]
    metrics = t.cloudwatch.list_metrics(Namespace="AWS/SES")["Metrics"]
    assert sorted((m["MetricName"], m["Dimensions"][0]["Value"]) for m in metrics  # the destination's dimension
                  if m["Dimensions"] and m["Dimensions"][0]["Name"] == "campaign") == [
        ("Complaint", "spring"), ("Send", "spring")]
    with pytest.raises(ClientError) as missing:
        t.sesv2.delete_configuration_set_event_destination(ConfigurationSetName="v2set",
                                                           EventDestinationName="nope")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_a_message_with_a_virus_is_accepted_then_rejected(t: sesbook.Target) -> None:
    from sesbook.lab.ses.feedback.stages import EICAR

    topic, url = queue_for(t, "events")
    t.sesv2.create_configuration_set(ConfigurationSetName="scan")
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="scan", EventDestinationName="sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["REJECT", "SEND", "DELIVERY"],
                          "SnsDestination": {"TopicArn": topic}})
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.ses.send_email(Source="shop@example.com", Destination={"ToAddresses": ["ann@example.net"]},
                     Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": EICAR}}},
                     ConfigurationSetName="scan")
    bodies = drain_raw(t, url)
    # accepted (a Send event, as the Send metric counts it), then rejected; never delivered
    assert [summary(b) for b in bodies] == [("Send", None), ("Reject", None)]
    assert bodies[1]["reject"] == {"reason": "Bad content"}
    assert bodies[0]["mail"]["messageId"] == bodies[1]["mail"]["messageId"]
    assert t.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    metrics = sesbook.sending_metrics(t, hours=1)
    assert (metrics.total("Send"), metrics.total("Reject"), metrics.total("Delivery")) == (1, 1, 0)


def test_a_template_that_cannot_be_rendered_becomes_a_rendering_failure_event(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "events")
    t.sesv2.create_configuration_set(ConfigurationSetName="tmpl")
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="tmpl", EventDestinationName="sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND", "RENDERING_FAILURE", "DELIVERY"],
                          "SnsDestination": {"TopicArn": topic}})
    t.sesv2.create_email_template(TemplateName="Welcome", TemplateContent={"Subject": "Hi {{name}}", "Text": "x"})
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    answer = t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": ["ann@example.net"]},
                                Content={"Template": {"TemplateName": "Welcome", "TemplateData": "{}"}},
                                ConfigurationSetName="tmpl")  # accepted: SES renders after it accepted the send
    send, body = drain_raw(t, url)  # the Send event (the Send metric counts it too), then the failure
    assert (send["eventType"], send["mail"]["messageId"]) == ("Send", answer["MessageId"])
    assert body["eventType"] == "Rendering Failure"
    assert body["mail"]["messageId"] == answer["MessageId"]
    assert body["failure"] == {"errorMessage": "Attribute 'name' is not present in the rendering data.",
                               "templateName": "Welcome"}
    assert sesbook.parse_feedback(body).kind == "Rendering Failure"
    assert t.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]  # not delivered
    metrics = sesbook.sending_metrics(t, hours=1)
    assert (metrics.total("Send"), metrics.total("RenderingFailure"), metrics.total("Delivery")) == (1, 1, 0)


# -- the account suppression list ----------------------------------------------------------------------------------
def test_a_suppressed_address_is_accepted_then_bounces_on_the_account_list(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    assert t.sesv2.get_account()["SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    t.sesv2.put_suppressed_destination(EmailAddress="Ann@example.net", Reason="BOUNCE")
    got = t.sesv2.get_suppressed_destination(EmailAddress="ann@example.net")["SuppressedDestination"]
    assert (got["EmailAddress"], got["Reason"]) == ("Ann@example.net", "BOUNCE")
    message_id = send(t, "ann@example.net")  # accepted: SES answers with a message id
    [body] = drain_raw(t, url)
    assert summary(body) == ("Bounce", "Permanent/OnAccountSuppressionList")
    assert body["mail"]["messageId"] == message_id
    assert t.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    # listed for BOUNCE while the account suppresses only complaints: SES sends
    t.sesv2.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    send(t, "ann@example.net")
    assert [summary(b) for b in drain_raw(t, url)] == [("Delivery", None)]
    t.sesv2.put_account_suppression_attributes(SuppressedReasons=["BOUNCE", "COMPLAINT"])
    t.sesv2.delete_suppressed_destination(EmailAddress="ann@example.net")
    send(t, "ann@example.net")
    assert [summary(b) for b in drain_raw(t, url)] == [("Delivery", None)]
    with pytest.raises(ClientError) as missing:
        t.sesv2.get_suppressed_destination(EmailAddress="ann@example.net")
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_hard_bounces_and_complaints_of_real_addresses_are_added_per_the_reasons(t: sesbook.Target) -> None:
    lab = t.lab
    assert lab is not None
    for address, outcome in (("gone@example.net", "bounce"), ("angry@example.net", "complaint"),
                             ("full@example.net", "mailboxfull")):
        lab.request("POST", "/_sesbook/feedback/outcomes", {"address": address, "outcome": outcome})
        send(t, address)
    listed = t.sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"]
    assert sorted((s["EmailAddress"], s["Reason"]) for s in listed) == [
        ("angry@example.net", "COMPLAINT"), ("gone@example.net", "BOUNCE")]  # a soft bounce is not added
    only = t.sesv2.list_suppressed_destinations(Reasons=["COMPLAINT"])["SuppressedDestinationSummaries"]
    assert [s["EmailAddress"] for s in only] == ["angry@example.net"]
    entry = t.sesv2.get_suppressed_destination(EmailAddress="gone@example.net")["SuppressedDestination"]
    assert entry["Attributes"]["MessageId"] and entry["Attributes"]["FeedbackId"]
    # account reasons: complaints only; a configuration set can override them
    t.sesv2.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    assert t.sesv2.get_account()["SuppressionAttributes"]["SuppressedReasons"] == ["COMPLAINT"]
    lab.request("POST", "/_sesbook/feedback/outcomes", {"address": "gone2@example.net", "outcome": "bounce"})
    send(t, "gone2@example.net")
    t.sesv2.create_configuration_set(ConfigurationSetName="strict",
                                     SuppressionOptions={"SuppressedReasons": ["BOUNCE"]})
    lab.request("POST", "/_sesbook/feedback/outcomes", {"address": "gone3@example.net", "outcome": "bounce"})
    send(t, "gone3@example.net", ConfigurationSetName="strict")
    t.sesv2.put_configuration_set_suppression_options(ConfigurationSetName="strict", SuppressedReasons=[])
    lab.request("POST", "/_sesbook/feedback/outcomes", {"address": "angry2@example.net", "outcome": "complaint"})
    send(t, "angry2@example.net", ConfigurationSetName="strict")
    addresses = {s["EmailAddress"] for s in t.sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"]}
    assert "gone2@example.net" not in addresses and "gone3@example.net" in addresses
    assert "angry2@example.net" not in addresses
    with pytest.raises(ClientError):
        t.sesv2.put_account_suppression_attributes(SuppressedReasons=["SPAM"])


def test_each_message_of_a_bulk_send_is_reported_with_its_own_id(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "feedback")
    identity_topics(t, "example.com", topic)
    t.ses.create_template(Template={"TemplateName": "hi", "SubjectPart": "Hi", "TextPart": "Hello"})
    t.lab.advance_clock(5)  # type: ignore[union-attr]
    sent = t.ses.send_bulk_templated_email(
        Source="shop@example.com", Template="hi", DefaultTemplateData="{}",
        Destinations=[{"Destination": {"ToAddresses": [f"bounce@{SIM}"]}},
                      {"Destination": {"ToAddresses": [f"success@{SIM}"]}}])["Status"]
    ids = [s["MessageId"] for s in sent]
    got = {(summary(b)[0], b["mail"]["messageId"]) for b in drain_raw(t, url)}
    assert got == {("Bounce", ids[0]), ("Delivery", ids[1])}


def test_moto_substring_simulator_is_off_and_a_dict_published_to_sns_arrives_as_json(t: sesbook.Target) -> None:
    from moto.sns.models import sns_backends

    from sesbook.lab import ACCOUNT_ID, registry
    from sesbook.lab.ses._wire import SES_BACKEND

    assert registry.patched(SES_BACKEND, "__process_sns_feedback__")
    topic, url = queue_for(t, "plain")
    raw_topic, raw_url = queue_for(t, "raw", raw=True)
    for arn in (topic, raw_topic):  # what moto's own code published: a dict
        sns_backends[ACCOUNT_ID]["us-east-1"].publish({"notificationType": "Delivery"}, arn=arn)  # type: ignore[arg-type]
    [envelope] = t.sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(json.loads(envelope["Body"])["Message"]) == {"notificationType": "Delivery"}
    [raw] = t.sqs.receive_message(QueueUrl=raw_url)["Messages"]  # moto crashed here: dict.encode
    assert json.loads(raw["Body"]) == {"notificationType": "Delivery"}


def test_a_delayed_delivery_publishes_a_delivery_delay_event_then_the_delivery(t: sesbook.Target) -> None:
    topic, url = queue_for(t, "events")
    t.sesv2.create_configuration_set(ConfigurationSetName="slow")
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="slow", EventDestinationName="sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["DELIVERY_DELAY", "DELIVERY"],
                          "SnsDestination": {"TopicArn": topic}})
    t.lab.request("POST", "/_sesbook/feedback/outcomes",  # type: ignore[union-attr]
                  {"address": "late@example.net", "outcome": "delay"})
    send(t, "late@example.net", ConfigurationSetName="slow")
    bodies = drain_raw(t, url)
    assert [b["eventType"] for b in bodies] == ["DeliveryDelay", "Delivery"]
    delay = sesbook.parse_feedback(bodies[0])
    assert delay.addresses == ("late@example.net",) and delay.recipients[0].status == "4.4.1"


def _tracked_set(t: sesbook.Target, queue: str, types: list[str]) -> str:
    """Configuration set ``engaged`` with open and click tracking, publishing ``types`` to an SNS topic whose
    queue (named ``queue``) is returned."""
    topic, url = queue_for(t, queue)
    t.sesv2.create_configuration_set(ConfigurationSetName="engaged",
                                     TrackingOptions={"CustomRedirectDomain": "track.example.com"})
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="engaged", EventDestinationName="sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": types, "SnsDestination": {"TopicArn": topic}})
    return url


def test_opens_and_clicks_become_open_and_click_events(t: sesbook.Target) -> None:
    import urllib.request

    url = _tracked_set(t, "engagement", ["OPEN", "CLICK"])
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    html = '<html><body><a href="https://example.com/offer">offer</a></body></html>'
    sent = t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": ["ann@example.net"]},
                              ConfigurationSetName="engaged",
                              Content={"Simple": {"Subject": {"Data": "news"}, "Body": {"Html": {"Data": html}}}})
    kept = t.lab.request("GET", "/_aws/ses")["messages"][-1]["Body"]["html_part"]  # type: ignore[union-attr]
    pixel, click = kept.split('<img src="')[1].split('"')[0], kept.split('href="')[1].split('"')[0]
    for link in (pixel, click.replace("&amp;", "&")):
        request = urllib.request.Request(link, headers={"User-Agent": "test-reader/1.0"})
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - the loopback lab
            pass
    opened, clicked = drain_raw(t, url)
    assert (opened["eventType"], clicked["eventType"]) == ("Open", "Click")
    assert opened["mail"]["messageId"] == clicked["mail"]["messageId"] == sent["MessageId"]
    assert opened["mail"]["destination"] == ["ann@example.net"]
    assert opened["open"]["userAgent"] == "test-reader/1.0" and opened["open"]["ipAddress"] == "127.0.0.1"
    assert clicked["click"]["link"] == "https://example.com/offer" and clicked["click"]["linkTags"] == {}
    assert [sesbook.parse_feedback(e).kind for e in (opened, clicked)] == ["Open", "Click"]


def test_an_open_event_names_the_operation_and_tags_of_the_send(t: sesbook.Target) -> None:
    """An Open of raw mail says SendRawEmail in ``ses:operation`` and carries the send's own tags, as the
    Send event of the same message does."""
    import urllib.request

    url = _tracked_set(t, "engagement-raw", ["SEND", "OPEN"])
    raw = ("From: shop@example.com\r\nTo: ann@example.net\r\nSubject: news\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>hello</p></body></html>\r\n")
    sent = t.ses.send_raw_email(RawMessage={"Data": raw}, ConfigurationSetName="engaged",
                                Tags=[{"Name": "campaign", "Value": "winter"}])
    kept = t.lab.request("GET", "/_aws/ses")["messages"][-1]["RawData"]  # type: ignore[union-attr]
    pixel = kept.split('<img src="')[1].split('"')[0].replace("&amp;", "&")
    with urllib.request.urlopen(pixel, timeout=5):  # noqa: S310 - the loopback lab
        pass
    send, opened = drain_raw(t, url)
    assert (send["eventType"], opened["eventType"]) == ("Send", "Open")
    assert opened["mail"]["messageId"] == sent["MessageId"]
    for event in (send, opened):
        assert event["mail"]["tags"]["ses:operation"] == ["SendRawEmail"], event["eventType"]
        assert event["mail"]["tags"]["campaign"] == ["winter"], event["eventType"]
