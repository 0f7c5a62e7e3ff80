"""Every send path over the wire against the lab: v1 simple/raw/templated/bulk, v2 simple/raw/template/bulk;
what lands in the lab mailbox (the API it came through, the raw MIME, the parts, the attachments)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook import mailbox

if TYPE_CHECKING:
    from sesbook.target import Target

pytestmark = pytest.mark.lab

SENDER = "shop@example.com"
TO = "ann@example.net"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


@pytest.fixture
def t(sender: Target) -> Target:
    """A lab with example.com and example.net verified and the clock held still (1 send per second)."""
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    sesbook.put_template(sender, "order", subject="Order {{order.id}} for {{name}}",
                         text="Hi {{name}}, {{count}} items:{{#each items}} {{this}}{{/each}}.",
                         html="<p>Hi {{name}}</p>")
    return sender


def _tick(t: Target) -> None:
    t.lab.advance_clock(1)  # type: ignore[union-attr]  # the sandbox allows one recipient per second


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_simple_send_lands_with_its_api_and_built_mime(t: Target, api: str) -> None:
    result = sesbook.send_email(t, source=SENDER, to=TO, subject="Hello", text="Plain words", html="<b>Bold</b>",
                                reply_to="help@example.com", api=api)
    assert result.api == api and not result.planned
    assert len(result.message_id or "") == 60 and result.message_id.endswith("-000000")  # type: ignore[union-attr]
    [got] = mailbox.messages(t, id=result.message_id)
    record = t.lab.request("GET", f"/_aws/ses?id={result.message_id}")["messages"][0]  # type: ignore[union-attr]
    assert record["Api"] == api and got.api == api
    assert got.subject == "Hello" and got.text == "Plain words" and got.html == "<b>Bold</b>"
    assert "multipart/alternative" in (got.raw or "") and f"<{result.message_id}@email.amazonses.com>" in got.raw
    assert got.attachments == ()


@pytest.mark.parametrize(("api", "code"), [("v1", "ConfigurationSetDoesNotExist"), ("v2", "NotFoundException")])
def test_a_configuration_set_that_does_not_exist_is_refused(t: Target, api: str, code: str) -> None:
    with pytest.raises(sesbook.AwsError) as refused:
        sesbook.send_email(t, source=SENDER, to=TO, subject="s", text="t", configuration_set="no-such-set", api=api)
    assert refused.value.code == code and "<no-such-set> does not exist" in refused.value.message
    assert not mailbox.messages(t)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_raw_headers_name_the_configuration_set_and_tags_and_are_taken_out(t: Target, api: str) -> None:
    t.sesv2.create_configuration_set(ConfigurationSetName="from-header")
    message = sesbook.build_message(source=SENDER, to=TO, subject="s", text="t",
                                    headers={"X-SES-CONFIGURATION-SET": "from-header",
                                             "X-SES-MESSAGE-TAGS": "campaign=spring, team=web"})
    sent = sesbook.send_raw(t, message, api=api)
    [got] = mailbox.messages(t, id=sent.message_id)
    assert "X-SES-" not in (got.raw or "") and "Subject: s" in (got.raw or "")
    message.replace_header("X-SES-CONFIGURATION-SET", "missing-set")
    _tick(t)
    with pytest.raises(sesbook.AwsError, match="<missing-set> does not exist"):
        sesbook.send_raw(t, message, api=api)


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_raw_send_with_attachment_inline_image_and_headers(t: Target, api: str) -> None:
    message = sesbook.build_message(
        source=f"Shop <{SENDER}>", to=[TO], subject="Your invoice", text="See attached.",
        html='<p>Logo: <img src="cid:logo"></p>', reply_to="billing@example.com",
        attachments=[sesbook.Attachment("invoice.pdf", b"%PDF-1.4 " + b"x" * 500, "application/pdf")],
        inline_images=[sesbook.InlineImage("logo", PNG, "image/png", filename="logo.png")],
        headers={"X-Campaign": "invoices"})
    result = sesbook.send_raw(t, message, configuration_set=None, tags={"kind": "invoice"}, api=api)
    [got] = mailbox.messages(t, id=result.message_id)
    assert got.api == api and got.subject == "Your invoice" and got.text.strip() == "See attached."
    assert "X-Campaign: invoices" in got.raw and "Reply-To: billing@example.com" in got.raw
    assert {(a.filename, a.content_type, a.size) for a in got.attachments} == {
        ("invoice.pdf", "application/pdf", 509), ("logo.png", "image/png", len(PNG))}


def test_raw_bcc_goes_to_the_envelope_not_a_header(t: Target) -> None:
    message = sesbook.build_message(source=SENDER, to=TO, subject="s", text="t")
    result = sesbook.send_raw(t, message, bcc=["boss@example.net"])
    [got] = mailbox.messages(t, id=result.message_id)
    assert got.bcc == ("boss@example.net",) and "boss@" not in (got.raw or "")
    assert result.to == (TO, "boss@example.net")


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_templated_send_is_rendered_in_the_mailbox(t: Target, api: str) -> None:
    data = {"name": "Ann", "count": 2, "items": ["tea", "cups"], "order": {"id": 42}}
    result = sesbook.send_templated(t, source=SENDER, to=TO, template="order", data=data, api=api)
    [got] = mailbox.messages(t, id=result.message_id)
    assert got.api == api
    assert got.subject == "Order 42 for Ann"
    assert got.text.strip() == "Hi Ann, 2 items: tea cups."
    assert got.html.strip() == "<p>Hi Ann</p>"
    assert "Subject: Order 42 for Ann" in got.raw


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_bulk_templated_renders_each_destination_over_the_default(t: Target, api: str) -> None:
    results = sesbook.send_bulk_templated(
        t, source=SENDER, template="order", api=api,
        default_data={"name": "friend", "count": 0, "items": [], "order": {"id": 1}},
        destinations=[{"to": "ann@example.net", "data": {"name": "Ann"}},
                      {"to": "bob@example.net", "data": {"name": "Bob", "count": 1, "items": ["pen"]}}])
    assert [r.to for r in results] == [("ann@example.net",), ("bob@example.net",)]
    assert len({r.message_id for r in results}) == 2
    by_id = {m.id: m for m in mailbox.messages(t)}
    assert by_id[results[0].message_id].text.strip() == "Hi Ann, 0 items:."
    assert by_id[results[1].message_id].subject == "Order 1 for Bob"
    assert by_id[results[1].message_id].text.strip() == "Hi Bob, 1 items: pen."
    assert {m.api for m in by_id.values()} == {api}


def test_v2_send_bulk_email_over_boto3_answers_per_entry(t: Target) -> None:
    answer = t.sesv2.send_bulk_email(
        FromEmailAddress=SENDER, DefaultContent={"Template": {"TemplateName": "order", "TemplateData": '{"name": "x",'
                                                              ' "count": 1, "order": {"id": 7}}'}},
        BulkEmailEntries=[{"Destination": {"ToAddresses": [TO]}}])
    [entry] = answer["BulkEmailEntryResults"]
    assert entry["Status"] == "SUCCESS" and entry["MessageId"].endswith("-000000")
    assert mailbox.messages(t, id=entry["MessageId"])[0].subject == "Order 7 for x"


def test_v2_raw_over_boto3_is_counted_from_its_headers(t: Target) -> None:
    raw = f"From: {SENDER}\r\nTo: {TO}\r\nSubject: raw\r\n\r\nbody\r\n".encode()
    answer = t.sesv2.send_email(Content={"Raw": {"Data": raw}})
    [got] = mailbox.messages(t, id=answer["MessageId"])
    assert got.api == "v2" and got.raw.replace("\r\n", "\n") == base64.b64decode(
        base64.b64encode(raw)).decode().replace("\r\n", "\n")


def test_sandbox_refusal_is_an_aws_error_with_the_code(t: Target) -> None:
    with pytest.raises(sesbook.AwsError) as caught:
        sesbook.send_email(t, source=SENDER, to="stranger@example.org", subject="s", text="t")
    assert caught.value.code == "MessageRejected"


def test_plan_only_target_records_the_send_and_sends_nothing(t: Target) -> None:
    with t.dry_run() as plan:
        result = sesbook.send_email(t, source=SENDER, to=TO, subject="s", text="t")
        raw = sesbook.send_raw(t, sesbook.build_message(source=SENDER, to=TO, subject="s", text="t"), api="v1")
    assert result.planned and result.message_id is None and raw.planned
    assert [c.operation for c in plan] == ["SendEmail", "SendRawEmail"]
    assert mailbox.messages(t) == ()


def test_a_send_over_the_rate_waits_and_goes_through(sender: sesbook.Target) -> None:
    """In the sandbox (1 message a second) two sends in a row both go out: the second waits for the rate."""
    first = sesbook.send_email(sender, source="ann@example.com", to="bob@example.net", subject="1", text="one")
    second = sesbook.send_email(sender, source="ann@example.com", to="bob@example.net", subject="2", text="two")
    assert first.message_id != second.message_id
    assert [m.subject for m in sesbook.mailbox_messages(sender, to="bob@example.net")][-2:] == ["1", "2"]


def test_the_daily_quota_is_not_waited_for() -> None:
    from sesbook.sending.send import _rate_refusal

    quota = sesbook.AwsError("ses.SendEmail", "Throttling", "Daily message quota exceeded.")
    rate = sesbook.AwsError("ses.SendEmail", "Throttling", "Maximum sending rate exceeded.")
    assert not _rate_refusal(quota) and _rate_refusal(rate)


def test_pause_for_rate_lets_the_next_raw_smtp_send_through(sender: sesbook.Target) -> None:
    assert sender.lab is not None
    sender.lab.freeze_clock()
    try:
        sesbook.send_email(sender, source="ann@example.com", to="bob@example.net", subject="1", text="one")
        assert sesbook.pause_for_rate(sender) == 1.0  # the sandbox's rate: 1 a second
        with sesbook.sending.send.unpaced():
            sesbook.send_email(sender, source="ann@example.com", to="bob@example.net", subject="2", text="two")
    finally:
        sender.lab.unfreeze_clock()


# -- the configuration set and message tags reach the published events ----------------------------------------
def _events_queue(t: Target, config_set: str) -> str:
    """``config_set`` publishing its Send and Delivery events to SNS, the topic delivering to an SQS queue."""
    topic = t.sns.create_topic(Name=f"{config_set}-events")["TopicArn"]
    url = t.sqs.create_queue(QueueName=f"{config_set}-events")["QueueUrl"]
    arn = t.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    t.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    t.sesv2.create_configuration_set(ConfigurationSetName=config_set)
    t.sesv2.create_configuration_set_event_destination(
        ConfigurationSetName=config_set, EventDestinationName="to-sns",
        EventDestination={"Enabled": True, "MatchingEventTypes": ["SEND", "DELIVERY"],
                          "SnsDestination": {"TopicArn": topic}})
    return url


def _events(t: Target, url: str) -> list[dict[str, Any]]:
    """Every SES event in the queue: the JSON string in each SNS envelope's ``Message``, parsed."""
    found = []
    while got := t.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages") or []:
        for m in got:
            found.append(json.loads(json.loads(m["Body"])["Message"]))
            t.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


SIM_TO = "success@simulator.amazonses.com"


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("how", ["send_email", "send_raw", "send_raw headers"])
def test_the_configuration_set_and_tags_reach_the_events(t: Target, api: str, how: str) -> None:
    url = _events_queue(t, "tracked")
    tags = {"campaign": "spring", "kind": "receipt"}
    if how == "send_email":
        sent = sesbook.send_email(t, source=SENDER, to=SIM_TO, subject="s", text="t", configuration_set="tracked",
                                  tags=tags, api=api)
    elif how == "send_raw":
        message = sesbook.build_message(source=SENDER, to=SIM_TO, subject="s", text="t")
        sent = sesbook.send_raw(t, message, configuration_set="tracked", tags=tags, api=api)
    else:  # SES's own headers, as an SMTP client would write them; SES takes them out of the message
        message = sesbook.build_message(source=SENDER, to=SIM_TO, subject="s", text="t", headers={
            "X-SES-CONFIGURATION-SET": "tracked", "X-SES-MESSAGE-TAGS": "campaign=spring, kind=receipt"})
        sent = sesbook.send_raw(t, message, api=api)
    events = _events(t, url)
    assert sorted(e["eventType"] for e in events) == ["Delivery", "Send"]
    for event in events:
        mail = event["mail"]
        assert mail["messageId"] == sent.message_id
        assert mail["tags"]["campaign"] == ["spring"] and mail["tags"]["kind"] == ["receipt"]
        assert mail["tags"]["ses:configuration-set"] == ["tracked"]
        assert mail["tags"]["ses:from-domain"] == ["example.com"]
        assert not any(h["name"].lower().startswith("x-ses-") for h in mail["headers"])


def test_a_tag_given_as_a_parameter_wins_over_the_header(t: Target) -> None:
    url = _events_queue(t, "tracked")
    message = sesbook.build_message(source=SENDER, to=SIM_TO, subject="s", text="t",
                                    headers={"X-SES-MESSAGE-TAGS": "campaign=header, source=header"})
    sesbook.send_raw(t, message, configuration_set="tracked", tags={"campaign": "parameter"})
    tags = _events(t, url)[0]["mail"]["tags"]
    assert tags["campaign"] == ["parameter"] and tags["source"] == ["header"]
