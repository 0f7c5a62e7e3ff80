"""sesbook.feedback.parse against every documented SES example (tests/fixtures/ses-docs) and variants of them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import sesbook
from sesbook.errors import FeedbackParseError
from sesbook.feedback.parse import parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ses-docs"
FILES = sorted(FIXTURES.glob("*.json"))
EXPECTED = {  # file -> (kind, shape, recipients, bounce type/subtype or complaint type)
    "event_bounce.json": ("Bounce", "event", ("recipient@example.com",), "Permanent/General"),
    "event_click.json": ("Click", "event", ("recipient@example.com",), None),
    "event_complaint.json": ("Complaint", "event", ("recipient@example.com",), "abuse"),
    "event_delivery.json": ("Delivery", "event", ("recipient@example.com",), None),
    "event_delivery_delay.json": ("DeliveryDelay", "event", ("recipient@example.com",), None),
    "event_open.json": ("Open", "event", ("recipient@example.com",), None),
    "event_reject.json": ("Reject", "event", ("sender@example.com",), None),
    "event_rendering_failure.json": ("Rendering Failure", "event", ("recipient@example.com",), None),
    "event_send.json": ("Send", "event", ("recipient@example.com",), None),
    "event_subscription.json": ("Subscription", "event", ("recipient@example.com",), None),
    "notification_bounce_dsn.json": ("Bounce", "notification", ("jane@example.com",), "Permanent/General"),
    "notification_complaint_feedback.json": ("Complaint", "notification", ("richard@example.com",), "abuse"),
    "notification_delivery.json": ("Delivery", "notification", ("jane@example.com",), None),
}


def _detail(fb: sesbook.Feedback) -> str | None:
    if fb.bounce_type:
        return f"{fb.bounce_type}/{fb.bounce_subtype}"
    return fb.complaint_type


def test_every_fixture_file_is_listed() -> None:
    assert {f.name for f in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_documented_example_parses(path: Path) -> None:
    payload = json.loads(path.read_text())
    fb = parse(payload)
    kind, shape, recipients, detail = EXPECTED[path.name]
    assert (fb.kind, fb.shape, fb.addresses, _detail(fb)) == (kind, shape, recipients, detail)
    assert fb.message_id == payload["mail"]["messageId"]
    assert fb.timestamp is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_envelope_with_string_or_object_message_raw_and_sqs_shapes_all_read_the_same(path: Path) -> None:
    payload = json.loads(path.read_text())
    envelope = {"Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                "Message": json.dumps(payload)}
    object_envelope = {**envelope, "Message": payload}
    forms = [payload, json.dumps(payload), json.dumps(payload).encode(), envelope, json.dumps(envelope),
             object_envelope, {"MessageId": "q-1", "Body": json.dumps(envelope)}, {"Body": json.dumps(payload)}]
    parsed = [parse(form) for form in forms]
    assert {(p.kind, p.message_id, p.addresses) for p in parsed} == {(parsed[0].kind, parsed[0].message_id,
                                                                       parsed[0].addresses)}
    assert parse(envelope).sns_message_id == "sns-1" and parse(envelope).topic_arn.endswith(":t")
    assert {p.key for p in parsed} == {parse(payload).key}  # what it is about, however it came


def test_variants_from_the_schema() -> None:
    base = json.loads((FIXTURES / "notification_bounce_dsn.json").read_text())
    soft = copy.deepcopy(base)
    soft["bounce"].update(bounceType="Transient", bounceSubType="MailboxFull")
    fb = parse(soft)
    assert fb.soft_bounce and not fb.hard_bounce and fb.bounce_subtype == "MailboxFull"
    many = copy.deepcopy(base)
    many["bounce"]["bouncedRecipients"].append({"emailAddress": "mary@example.com", "status": "5.1.1"})
    assert parse(many).addresses == ("jane@example.com", "mary@example.com")
    bare = copy.deepcopy(base)
    del bare["mail"]["headers"], bare["mail"]["commonHeaders"]  # headers not asked for
    assert parse(bare).headers == () and parse(bare).subject is None
    assert parse(base).hard_bounce and parse(base).recipients[0].diagnostic_code.startswith("smtp; 550")
    complaint = json.loads((FIXTURES / "notification_complaint_feedback.json").read_text())
    del complaint["complaint"]["complaintFeedbackType"]  # optional in SES's schema
    assert parse(complaint).complaint_type is None and parse(complaint).kind == "Complaint"


@pytest.mark.parametrize("bad, reason", [
    ("not json", "not JSON"),
    ("[1, 2]", "JSON object"),
    ({"hello": "world"}, "neither notificationType nor eventType"),
    ({"notificationType": "Bounced", "mail": {"messageId": "x"}}, "unknown notificationType"),
    ({"eventType": "Bounce", "mail": {}}, "no mail.messageId"),
    ({"notificationType": "Bounce", "mail": {"messageId": "x"}}, "no bounce object"),
    ({"Type": "Notification", "Message": "{oops"}, "Message is not JSON"),
])
def test_what_is_not_ses_feedback_is_refused_with_the_reason(bad: object, reason: str) -> None:
    with pytest.raises(FeedbackParseError, match=reason):
        parse(bad)


def test_feedback_shows_as_a_table() -> None:
    fb = parse(json.loads((FIXTURES / "notification_bounce_dsn.json").read_text()))
    assert "Permanent/General" in repr(fb) and "<table " in fb._repr_html_()
    assert sesbook.parse_feedback is parse


def test_a_subscription_event_says_which_list_and_the_new_preferences() -> None:
    fb = parse(json.loads((FIXTURES / "event_subscription.json").read_text()))
    assert (fb.contact_list, fb.unsubscribe_all) == ("ContactListName", True)
    assert fb.topic_preferences == (("ExampleTopicName", "OptOut"),)
    assert "unsubscribed from all" in repr(fb)
    other = parse(json.loads((FIXTURES / "event_bounce.json").read_text()))
    assert (other.contact_list, other.unsubscribe_all, other.topic_preferences) == (None, None, ())
