"""List management over the wire: contact lists as SES answers them, ListManagementOptions on v2 SendEmail
(List-Unsubscribe headers, the footer placeholder, unsubscribed contacts bounced), and the unsubscribe link
that publishes a Subscription event (SNS -> SQS, compared with the Developer Guide's example)."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sesbook

pytestmark = pytest.mark.lab

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "ses-docs" / "event_subscription.json"
TOPICS = [
    {"TopicName": "weekly", "DisplayName": "Weekly news", "Description": "d", "DefaultSubscriptionStatus": "OPT_IN"},
    {"TopicName": "offers", "DisplayName": "Offers", "Description": "d", "DefaultSubscriptionStatus": "OPT_OUT"},
]


@pytest.fixture
def t(sender: sesbook.Target) -> sesbook.Target:
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    sender.sesv2.create_contact_list(ContactListName="news", Topics=TOPICS)
    return sender


def send(t: sesbook.Target, to: list[str], topic: str | None = "weekly", **extra: Any) -> str:
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    options = {"ContactListName": "news", **({"TopicName": topic} if topic else {})}
    return str(t.sesv2.send_email(
        FromEmailAddress="shop@example.com", Destination={"ToAddresses": to}, ListManagementOptions=options,
        Content={"Simple": {"Subject": {"Data": "News"}, "Body": {
            "Text": {"Data": "Hi. Leave: {{amazonSESUnsubscribeUrl}} or {{amazonSESUnsubscribeUrl}} "
                             "{{amazonSESUnsubscribeUrl}}"},
            "Html": {"Data": '<p><a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a></p>'}}}},
        **extra)["MessageId"])


def kept(t: sesbook.Target, message_id: str) -> dict[str, Any]:
    return t.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"][0]  # type: ignore[union-attr,no-any-return]


def unsubscribe_url(record: dict[str, Any]) -> str:
    mail = email.message_from_string(record["RawData"], policy=email.policy.default)
    return str(mail["List-Unsubscribe"]).strip("<>")


def contact(t: sesbook.Target, address: str) -> dict[str, Any]:
    return t.sesv2.get_contact(ContactListName="news", EmailAddress=address)  # type: ignore[no-any-return]


def subscription_queue(t: sesbook.Target) -> str:
    topic = t.sns.create_topic(Name="subs")["TopicArn"]
    url = t.sqs.create_queue(QueueName="subs")["QueueUrl"]
    arn = t.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    t.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    t.sesv2.create_configuration_set(ConfigurationSetName="lists")
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName="lists", EventDestinationName="subs",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SUBSCRIPTION"],
                          "SnsDestination": {"TopicArn": topic}})
    return str(url)


def events(t: sesbook.Target, url: str) -> list[dict[str, Any]]:
    got = t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []
    return [json.loads(json.loads(m["Body"])["Message"]) for m in got]


def same_shape(ours: Any, theirs: Any, where: str = "") -> None:
    """Every key of SES's example is in ours with a value of the same JSON type, recursively (the example's
    own message tags are data, not shape: only SES's ``ses:*`` tags are required)."""
    assert type(ours) is type(theirs), f"{where}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(theirs, dict):
        for key, value in theirs.items():
            if where == ".mail.tags" and not key.startswith("ses:"):
                continue
            assert key in ours, f"{where}.{key} missing"
            same_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(theirs, list) and theirs and ours:
        same_shape(ours[0], theirs[0], f"{where}[0]")


# -- contact lists -------------------------------------------------------------------------------------------
def test_contact_lists_answer_as_ses(t: sesbook.Target) -> None:
    with pytest.raises(ClientError, match="LimitExceededException"):
        t.sesv2.create_contact_list(ContactListName="second")
    with pytest.raises(ClientError, match="AlreadyExistsException"):
        t.sesv2.create_contact_list(ContactListName="news")
    t.sesv2.create_contact(ContactListName="news", EmailAddress="ann@example.net",
                           TopicPreferences=[{"TopicName": "offers", "SubscriptionStatus": "OPT_IN"}])
    with pytest.raises(ClientError, match="AlreadyExistsException"):
        t.sesv2.create_contact(ContactListName="news", EmailAddress="ann@example.net")
    found = contact(t, "ann@example.net")
    assert found["TopicPreferences"] == [{"TopicName": "offers", "SubscriptionStatus": "OPT_IN"}]
    assert found["TopicDefaultPreferences"] == [{"TopicName": "weekly", "SubscriptionStatus": "OPT_IN"}]
    t.sesv2.create_contact(ContactListName="news", EmailAddress="bob@example.net", UnsubscribeAll=True)
    listed = t.sesv2.list_contacts(ContactListName="news", Filter={
        "FilteredStatus": "OPT_IN", "TopicFilter": {"TopicName": "weekly", "UseDefaultIfPreferenceUnavailable": True}})
    assert sorted(c["EmailAddress"] for c in listed["Contacts"]) == ["ann@example.net", "bob@example.net"]
    listed = t.sesv2.list_contacts(ContactListName="news", Filter={"FilteredStatus": "OPT_OUT"})
    assert [c["EmailAddress"] for c in listed["Contacts"]] == ["bob@example.net"]
    t.sesv2.update_contact(ContactListName="news", EmailAddress="bob@example.net", UnsubscribeAll=False)
    assert contact(t, "bob@example.net")["UnsubscribeAll"] is False
    t.sesv2.delete_contact(ContactListName="news", EmailAddress="bob@example.net")
    with pytest.raises(ClientError, match="NotFoundException"):
        contact(t, "bob@example.net")
    t.sesv2.delete_contact_list(ContactListName="news")
    assert t.sesv2.list_contact_lists()["ContactLists"] == []


# -- sending with ListManagementOptions ------------------------------------------------------------------------
def test_a_single_recipient_message_gets_the_unsubscribe_headers_and_footer(t: sesbook.Target) -> None:
    message_id = send(t, ["ann@example.net"])
    record = kept(t, message_id)
    mail = email.message_from_string(record["RawData"], policy=email.policy.default)
    url = unsubscribe_url(record)
    assert url.startswith(t.lab.aws_endpoint + "/_sesbook/unsubscribe/")  # type: ignore[union-attr]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert record["Body"]["text_part"].count(url) == 2 and "{{amazonSESUnsubscribeUrl}}" in record["Body"]["text_part"]
    assert f'href="{url}"' in record["Body"]["html_part"]
    assert contact(t, "ann@example.net")["UnsubscribeAll"] is False  # added to the list by the send


def test_a_raw_message_names_its_list_in_ses_header(t: sesbook.Target) -> None:
    """Raw and SMTP messages carry the options as ``X-SES-LIST-MANAGEMENT-OPTIONS: LIST; topic=TOPIC``."""
    message = sesbook.build_message(source="shop@example.com", to="ann@example.net", subject="News", text="Hi.",
                                    headers={"X-SES-LIST-MANAGEMENT-OPTIONS": "news; topic=weekly"})
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    sent = sesbook.send_raw(t, message)
    record = kept(t, str(sent.message_id))
    assert "X-SES-LIST-MANAGEMENT-OPTIONS" not in record["RawData"]
    assert unsubscribe_url(record).startswith(t.lab.aws_endpoint + "/_sesbook/unsubscribe/")  # type: ignore[union-attr]
    message.replace_header("X-SES-LIST-MANAGEMENT-OPTIONS", "news; topic=no-such-topic")
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    with pytest.raises(sesbook.AwsError, match="BadRequestException"):
        sesbook.send_raw(t, message)


def test_several_recipients_get_no_unsubscribe_link(t: sesbook.Target) -> None:
    message_id = send(t, ["ann@example.net", "bob@example.net"])
    assert "List-Unsubscribe" not in kept(t, message_id)["RawData"]
    assert {c["EmailAddress"] for c in t.sesv2.list_contacts(ContactListName="news")["Contacts"]} == {
        "ann@example.net", "bob@example.net"}


def test_a_missing_list_or_topic_refuses_the_send(t: sesbook.Target) -> None:
    with pytest.raises(ClientError, match="NotFoundException"):
        t.sesv2.send_email(FromEmailAddress="shop@example.com", Destination={"ToAddresses": ["ann@example.net"]},
                           ListManagementOptions={"ContactListName": "nope"},
                           Content={"Simple": {"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}}})
    with pytest.raises(ClientError, match="BadRequestException"):
        send(t, ["ann@example.net"], topic="nope")


def test_unsubscribed_contacts_are_bounced_not_counted_not_listed(t: sesbook.Target) -> None:
    t.sesv2.create_contact(ContactListName="news", EmailAddress="gone@example.net", UnsubscribeAll=True)
    t.sesv2.create_contact(ContactListName="news", EmailAddress="weekly-out@example.net",
                           TopicPreferences=[{"TopicName": "weekly", "SubscriptionStatus": "OPT_OUT"}])
    topic = t.sns.create_topic(Name="fb")["TopicArn"]
    url = t.sqs.create_queue(QueueName="fb")["QueueUrl"]
    arn = t.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    t.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    t.ses.set_identity_notification_topic(Identity="example.com", NotificationType="Bounce", SnsTopic=topic)
    send(t, ["gone@example.net"])
    send(t, ["weekly-out@example.net"])
    send(t, ["weekly-out@example.net"], topic="offers")  # opted out of offers by the topic's default
    delivered = send(t, ["weekly-out@example.net"], topic=None)  # only UnsubscribeAll stops a send without a topic
    assert [m["Id"] for m in t.lab.request("GET", "/_aws/ses")["messages"]] == [delivered]  # type: ignore[union-attr]
    bounces = [json.loads(m["Body"]) for m in t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert [(b["bounce"]["bounceType"], b["bounce"]["bouncedRecipients"][0]["emailAddress"]) for b in bounces] == [
        ("Permanent", "gone@example.net"), ("Permanent", "weekly-out@example.net"),
        ("Permanent", "weekly-out@example.net")]
    assert t.sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"] == []
    assert t.lab.request("GET", "/_sesbook/reputation")["bounces"] == 0  # type: ignore[union-attr]


# -- the unsubscribe link and the Subscription event --------------------------------------------------------------
def test_one_click_unsubscribe_opts_out_of_the_topic_and_publishes_a_subscription_event(t: sesbook.Target) -> None:
    queue = subscription_queue(t)
    message_id = send(t, ["ann@example.net"], ConfigurationSetName="lists", EmailTags=[{"Name": "k", "Value": "v"}])
    url = unsubscribe_url(kept(t, message_id))
    request = urllib.request.Request(url, data=b"List-Unsubscribe=One-Click", method="POST",  # noqa: S310 - lab URL
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the lab's loopback URL
        assert answer.status == 200 and "unsubscribed from the topic weekly" in answer.read().decode()
    found = contact(t, "ann@example.net")
    assert found["TopicPreferences"] == [{"TopicName": "weekly", "SubscriptionStatus": "OPT_OUT"}]
    assert found["UnsubscribeAll"] is False
    [event] = events(t, queue)
    expected = json.loads(FIXTURE.read_text())
    same_shape(event, expected)
    assert set(event["subscription"]) == set(expected["subscription"])
    assert event["eventType"] == "Subscription" and event["mail"]["messageId"] == message_id
    assert event["mail"]["tags"]["k"] == ["v"] and event["mail"]["tags"]["ses:configuration-set"] == ["lists"]
    sub = event["subscription"]
    assert (sub["contactList"], sub["source"]) == ("news", "UnsubscribeHeader")
    assert sub["oldTopicPreferences"] == {"unsubscribeAll": False, "topicSubscriptionStatus": [
        {"topicName": "weekly", "subscriptionStatus": "OptIn"},
        {"topicName": "offers", "subscriptionStatus": "OptOut"}]}
    assert sub["newTopicPreferences"]["topicSubscriptionStatus"][0] == {"topicName": "weekly",
                                                                       "subscriptionStatus": "OptOut"}
    parsed = sesbook.parse_feedback(event)
    assert parsed.kind == "Subscription" and parsed.contact_list == "news"
    assert parsed.topic_preferences == (("weekly", "OptOut"), ("offers", "OptOut"))
    # the next send for that topic is bounced
    again = send(t, ["ann@example.net"], ConfigurationSetName="lists")
    assert t.lab.request("GET", f"/_aws/ses?id={again}")["messages"] == []  # type: ignore[union-attr]


def test_a_link_without_topic_unsubscribes_from_everything_by_get(t: sesbook.Target) -> None:
    queue = subscription_queue(t)
    url = unsubscribe_url(kept(t, send(t, ["ann@example.net"], topic=None, ConfigurationSetName="lists")))
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the lab's loopback URL
        assert answer.status == 200
    assert contact(t, "ann@example.net")["UnsubscribeAll"] is True
    [event] = events(t, queue)
    assert event["subscription"]["newTopicPreferences"]["unsubscribeAll"] is True
    assert sesbook.parse_feedback(event).unsubscribe_all is True
    with pytest.raises(sesbook.LabError, match="HTTP 404"):
        t.lab.request("GET", "/_sesbook/unsubscribe/bm90LWEtdG9rZW4")  # type: ignore[union-attr]


def test_follow_unsubscribe_does_what_a_mail_client_does(t: sesbook.Target) -> None:
    send(t, ["ann@example.net"])
    message = sesbook.last_message(t, to="ann@example.net")
    assert sesbook.unsubscribe_link(message) == unsubscribe_url(kept(t, message.id))
    page = sesbook.follow_unsubscribe(t, message)
    assert "unsubscribed" in page
    assert contact(t, "ann@example.net")["TopicPreferences"] == [{"TopicName": "weekly",
                                                                   "SubscriptionStatus": "OPT_OUT"}]
    plain = sesbook.last_message(t)  # a message without the header
    t.lab.advance_clock(2)  # type: ignore[union-attr]
    t.ses.send_email(Source="shop@example.com", Destination={"ToAddresses": ["bob@example.net"]},
                     Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}})
    plain = sesbook.last_message(t, to="bob@example.net")
    assert sesbook.unsubscribe_link(plain) is None
    with pytest.raises(sesbook.NoMessageError):
        sesbook.follow_unsubscribe(t, plain)
