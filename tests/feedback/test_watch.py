"""sesbook.watch_feedback over the wire: it waits for what SES publishes, shows it, and leaves it for drain."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook.errors import NoMessageError, ValidationError

from helpers import SIM
from helpers import send_after_two_seconds as send


def test_watch_sees_every_message_in_arrival_order_and_leaves_them_for_drain(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com", configuration_set="watched", event_types=["BOUNCE", "DELIVERY"])
    ids = {local: send(t, f"{local}@{SIM}", ConfigurationSetName="watched")
           for local in ("success", "bounce", "ooto", "complaint", "suppressionlist")}
    # 7 notifications (ooto and complaint: a delivery first) and 6 events (no Complaint event was asked for)
    watch = sesbook.watch_feedback(t, wiring.queue_url, expect=13, timeout=5, progress=False)
    assert watch.complete and len(watch.items) == 13 and not watch.planned
    seen = [(f.kind, f.shape, f.addresses[0]) for f in watch.feedback]
    assert seen[:2] == [("Delivery", "notification", f"success@{SIM}"), ("Delivery", "event", f"success@{SIM}")]
    assert len(set(w.message_id for w in watch.items)) == 13  # more than ten, none twice
    bounce = watch.find("Bounce", f"bounce@{SIM}", shape="notification")
    assert bounce.feedback is not None and bounce.feedback.message_id == ids["bounce"]
    assert bounce.feedback.bounce_subtype == "General"
    assert watch.find("Bounce", f"suppressionlist@{SIM}").feedback.bounce_subtype == "Suppressed"  # type: ignore[union-attr]
    raw = bounce.raw(limit=40)
    envelope = json.loads(raw)
    assert envelope["Type"] == "Notification" and envelope["Message"].endswith("characters)")
    assert "Bounce" in repr(watch) and "13 of 13 expected" in repr(watch) and "<table" in watch._repr_html_()
    with pytest.raises(NoMessageError, match="Complaint about success"):
        watch.find("Complaint", f"success@{SIM}")
    # the watch only looked: drain finds all 13
    report = sesbook.drain(t, wiring.queue_url)
    assert report.received == 13 and f"bounce@{SIM}" in report.suppressed


def test_watch_stops_at_the_timeout_and_says_so(t: sesbook.Target) -> None:
    wiring = sesbook.wire_feedback(t, "example.com")
    send(t, f"bounce@{SIM}")
    watch = sesbook.watch_feedback(t, wiring.queue_url, expect=3, timeout=0, progress=False)
    assert not watch.complete and len(watch.items) == 1 and "(timed out)" in repr(watch)
    t.sqs.send_message(QueueUrl=wiring.queue_url, MessageBody="not json")
    again = sesbook.watch_feedback(t, wiring.queue_url, expect=2, timeout=0, progress=False)
    assert [w.feedback is None for w in again.items] == [False, True]
    assert again.items[1].raw() == "not json" and "unparseable" in repr(again)


def test_watch_of_given_sends_skips_other_feedback_and_leaves_it_in_the_queue(t: sesbook.Target) -> None:
    """A queue that already holds feedback about other mail (earlier runs, other notebooks' sends from the
    identity): watching for given message ids counts only theirs, and leaves the rest for drain."""
    wiring = sesbook.wire_feedback(t, "example.com")
    for _ in range(12):  # more than one receive's worth of someone else's feedback, ahead of ours
        send(t, f"success@{SIM}")
    ours = send(t, f"bounce@{SIM}")
    watch = sesbook.watch_feedback(t, wiring.queue_url, expect=1, timeout=5, message_ids=[ours], progress=False)
    assert watch.complete and [(f.kind, f.message_id) for f in watch.feedback] == [("Bounce", ours)]
    stale = sesbook.watch_feedback(t, wiring.queue_url, expect=1, timeout=0, message_ids={"no-such-id"},
                                   progress=False)
    assert stale.items == () and not stale.complete
    assert sesbook.drain(t, wiring.queue_url).received == 13  # nothing was taken away
    with pytest.raises(ValidationError, match="message_ids"):
        sesbook.watch_feedback(t, wiring.queue_url, expect=1, message_ids=[])


def test_watch_refuses_bad_input_and_plans_nothing_against_aws(t: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="expect"):
        sesbook.watch_feedback(t, "https://queue", expect=0)
    with pytest.raises(ValidationError, match="timeout"):
        sesbook.watch_feedback(t, "https://queue", expect=1, timeout=-1)
    with pytest.raises(ValidationError, match="queue_url"):
        sesbook.watch_feedback(t, "", expect=1)
    target = sesbook.connect("aws", region="us-east-1", apply=False)
    watch = sesbook.watch_feedback(target, "(planned) ses-feedback", expect=5)
    assert watch.planned and watch.items == () and "planned" in repr(watch) and len(target.plan) == 0
