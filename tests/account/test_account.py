"""sesbook.account, sesbook.sending.probe and the stop-gap verified sender, against the lab and a planned aws."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import sesbook
from sesbook.errors import NotAppliedError, ValidationError, WaitTimeoutError

SENDER = "sender@example.com"
REQUEST = {"mail_type": "TRANSACTIONAL", "website_url": "https://example.com", "use_case": "Order receipts."}


@pytest.fixture
def t(target: sesbook.Target) -> sesbook.Target:
    """A lab with a verified sender and a frozen clock: rate tests depend only on advance_clock."""
    sesbook.ensure_verified_sender(target, domain="example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    return target


# -- status and the table ---------------------------------------------------------------------------------------
def test_status_in_the_sandbox(t: sesbook.Target) -> None:
    status = sesbook.account_status(t)
    assert (status.access_level, status.max_24_hour_send, status.max_send_rate) == ("sandbox", 200, 1)
    assert status.sending_enabled and status.enforcement_status == "HEALTHY"
    assert status.review_status is None
    assert "アクセスレベル" in status._repr_html_() and "<table " in status._repr_html_()


def test_usage_follows_sends(t: sesbook.Target) -> None:
    sesbook.try_send(t, source=SENDER, to=["a@example.com", "b@example.com"])
    status = sesbook.account_status(t)
    assert status.sent_last_24_hours == 2 and status.usage_percent == pytest.approx(1.0)
    assert status.remaining_24_hours == 198


def test_compare_table_puts_live_numbers_beside_the_notes(t: sesbook.Target) -> None:
    table = sesbook.account_status(t).compare_table()
    rows = {row[0]: row for row in table.rows()}
    assert rows["送信対象 (recipients)"][3] == "verified identities and the simulator only"
    assert rows["24時間あたりの送信可能メール数 (Sending Quota)"][1:] == (
        "200 messages", "raised when access is granted", "200 (sent 0)")
    assert rows["アクセスレベル (access level)"][3] == "✅ sandbox"
    assert "サンドボックス" in table._repr_html_()


# -- try_send ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"to": "ok@example.com\r\nBcc: victim@example.net"}, "to"),
    ({"to": ["fine@example.com", "x" * 65 + "@example.com"]}, "to"),
    ({"to": []}, "to"),
    ({"source": "sender@example.com\n"}, "source"),
    ({"subject": "hi\r\nBcc: victim@example.net"}, "subject"),
])
def test_try_send_checks_every_address_before_sending(t, kwargs, field):
    args = {"source": "sender@example.com", "to": "success@simulator.amazonses.com", **kwargs}
    with pytest.raises(ValidationError) as info:
        sesbook.try_send(t, **args)
    assert info.value.field == field
    assert sesbook.account_status(t).sent_last_24_hours == 0  # nothing went out


def test_try_send_explains_the_sandbox_refusal(t: sesbook.Target) -> None:
    attempt = sesbook.try_send(t, source=SENDER, to="someone@elsewhere.example.net")
    assert attempt.accepted is False and attempt.code == "MessageRejected"
    assert "failed the check in region US-EAST-1: someone@elsewhere.example.net" in (attempt.message or "")
    assert "verified identity" in attempt.explanation


def test_try_send_reports_throttling_and_acceptance(t: sesbook.Target) -> None:
    first = sesbook.try_send(t, source=SENDER, to="success@simulator.amazonses.com")
    second = sesbook.try_send(t, source=SENDER, to="success@simulator.amazonses.com")
    assert first.accepted is True and first.message_id
    assert (second.accepted, second.code, second.message) == (
        False, "TooManyRequestsException", "Maximum sending rate exceeded.")
    assert str(second).startswith("refused: to success@simulator.amazonses.com: TooManyRequestsException")


def test_try_burst_holds_the_lab_clock_for_exactly_one_second(t: sesbook.Target) -> None:
    assert t.lab is not None
    t.lab.unfreeze_clock()  # the fixture may have frozen it; the burst must freeze and release it itself
    attempts = sesbook.try_burst(t, source=SENDER, to="success@simulator.amazonses.com", count=3)
    assert [a.accepted for a in attempts] == [True, False, False]
    assert {a.code for a in attempts[1:]} == {"TooManyRequestsException"}
    assert t.lab.clock()["frozen"] is False, "the burst left the lab clock frozen"
    t.lab.advance_clock(1)
    assert sesbook.try_send(t, source=SENDER, to="success@simulator.amazonses.com").accepted is True
    with pytest.raises(sesbook.ValidationError, match="count"):
        sesbook.try_burst(t, source=SENDER, to="success@simulator.amazonses.com", count=0)


@pytest.mark.parametrize(("kwargs", "field"), [({"to": []}, "to"), ({"to": "nobody"}, "to"),
                                               ({"source": "nobody"}, "source")])
def test_try_send_validates_first(t: sesbook.Target, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        sesbook.try_send(t, **{"source": SENDER, "to": "a@example.com", **kwargs})
    assert info.value.field == field


def test_paused_sending(t: sesbook.Target) -> None:
    assert sesbook.set_sending_enabled(t, False).sending_enabled is False  # type: ignore[union-attr]
    attempt = sesbook.try_send(t, source=SENDER, to="a@example.com")
    assert attempt.code == "SendingPausedException" and "set_sending_enabled" in attempt.explanation
    check = sesbook.check_account(t, production=False)
    assert not check.ok and "paused" in check.problems[0]
    assert sesbook.set_sending_enabled(t, True).sending_enabled is True  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        sesbook.set_sending_enabled(t, "yes")  # type: ignore[arg-type]


# -- the request ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"mail_type": "newsletter"}, "mail_type", "must be MARKETING or TRANSACTIONAL."),
    ({"website_url": "example.com"}, "website_url", "must be an http:// or https:// URL"),
    ({"website_url": "https://example.com/" + "a" * 1000}, "website_url", "at most 1000 characters"),
    ({"use_case": "  "}, "use_case", "must be 1 to 5000 characters"),
    ({"use_case": "x" * 5001}, "use_case", "must be 1 to 5000 characters"),
    ({"contact_language": "FR"}, "contact_language", "must be EN or JA."),
    ({"additional_contacts": ["a@example.com"] * 5}, "additional_contacts", "at most 4 addresses"),
    ({"additional_contacts": "ops@example.com"}, "additional_contacts", "must be a list"),
    ({"additional_contacts": ["a@b.c"]}, "additional_contacts", "6 to 254 characters"),
    ({"additional_contacts": ["x" * 250 + "@example.com"]}, "additional_contacts", "6 to 254 characters"),
])
def test_request_is_validated_before_any_call(t: sesbook.Target, change: dict[str, Any], field: str,
                                              rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        sesbook.request_production_access(t, **{**REQUEST, **change})
    assert info.value.field == field and rule in info.value.rule
    assert sesbook.account_status(t).review_status is None  # nothing was sent


def test_request_granted_in_the_lab(t: sesbook.Target) -> None:
    request = sesbook.request_production_access(t, **REQUEST, contact_language="ja",
                                                additional_contacts=("ops@example.com",))
    assert (request.sent, request.planned, request.review_status) == (True, False, "PENDING")
    assert request.details["ContactLanguage"] == "JA"
    again = sesbook.request_production_access(t, **REQUEST)
    assert (again.sent, again.review_status, again.case_id) == (False, "PENDING", request.case_id)
    status = sesbook.wait_for_review(t, interval=15, progress=False)
    assert (status.review_status, status.production) == ("GRANTED", True)
    assert (status.max_24_hour_send, status.max_send_rate) == (50000, 14)
    assert sesbook.try_send(t, source=SENDER, to="someone@elsewhere.example.net").accepted is True
    assert sesbook.check_account(t).ok
    assert sesbook.request_production_access(t, **REQUEST).sent is False  # already in production


def test_request_denied_in_the_lab(t: sesbook.Target) -> None:
    settings = sesbook.set_lab_review(t, outcome="DENIED", delay_seconds=30)
    assert settings["next_outcome"] == "DENIED"
    sesbook.request_production_access(t, **REQUEST)
    status = sesbook.wait_for_review(t, interval=10, progress=False)
    assert (status.review_status, status.production) == ("DENIED", False)
    check = sesbook.check_account(t)
    assert not check.ok and "still in the sandbox (review: DENIED)" in check.problems[0]


def test_wait_for_review_times_out_on_the_lab_clock(t: sesbook.Target) -> None:
    sesbook.set_lab_review(t, delay_seconds=1000)
    sesbook.request_production_access(t, **REQUEST)
    with pytest.raises(WaitTimeoutError, match="production access review after 100 s; last state: PENDING"):
        sesbook.wait_for_review(t, timeout=100, interval=50, progress=False)


def test_wait_for_review_without_a_request(t: sesbook.Target) -> None:
    with pytest.raises(NotAppliedError, match="request_production_access"):
        sesbook.wait_for_review(t, progress=False)


def test_set_lab_review_checks_its_input(t: sesbook.Target) -> None:
    with pytest.raises(ValidationError):
        sesbook.set_lab_review(t, outcome="MAYBE")


# -- aws, planned: nothing that changes anything is sent --------------------------------------------------------
SANDBOX_ACCOUNT = {"ProductionAccessEnabled": False, "SendingEnabled": True, "EnforcementStatus": "HEALTHY",
                   "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0}}


@pytest.fixture
def planned_aws() -> tuple[sesbook.Target, list[str]]:
    """An aws target with apply=False whose HTTP layer answers GetAccount and records every request sent."""
    aws = sesbook.connect("aws", region="us-east-1")
    sent: list[str] = []

    def before_send(request: Any, **_: Any) -> AWSResponse:
        sent.append(f"{request.method} {request.url}")
        assert request.url.endswith("/v2/email/account"), f"unexpected request: {request.url}"
        raw = type("Raw", (), {"stream": lambda self, **k: iter([json.dumps(SANDBOX_ACCOUNT).encode()])})()
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, raw)

    aws.sesv2.meta.events.register("before-send.sesv2", before_send)
    return aws, sent


def test_status_and_request_on_planned_aws(planned_aws: tuple[sesbook.Target, list[str]]) -> None:
    aws, sent = planned_aws
    status = sesbook.account_status(aws)
    assert (status.target, status.access_level, status.sent_last_24_hours) == ("aws", "sandbox", 3)
    request = sesbook.request_production_access(aws, **REQUEST)
    assert request.planned and not request.sent
    assert [c.operation for c in aws.plan] == ["PutAccountDetails"]
    assert aws.plan.calls[0].params["ProductionAccessEnabled"] is True
    assert sesbook.set_sending_enabled(aws, False) is None
    assert sesbook.try_send(aws, source=SENDER, to="a@example.com").accepted is None
    assert [c.operation for c in aws.plan] == ["PutAccountDetails", "PutAccountSendingAttributes", "SendEmail"]
    assert all(line.startswith("GET ") for line in sent) and len(sent) == 2  # only the two GetAccount reads
    with pytest.raises(NotAppliedError, match="only planned"):
        sesbook.wait_for_review(aws, progress=False)
    with pytest.raises(ValidationError, match="only works with the lab"):
        sesbook.set_lab_review(aws, outcome="DENIED")


# -- the verified sender --------------------------------------------------------------------------------
def test_ensure_verified_sender_publishes_the_txt_and_is_idempotent(target: sesbook.Target) -> None:
    first = sesbook.ensure_verified_sender(target, domain="Example.ORG.")
    assert (first.domain, first.address, first.status, first.txt_published) == (
        "example.org", "sender@example.org", "Success", True)
    answer = target.resolver.resolve("_amazonses.example.org", "TXT")
    attrs = target.ses.get_identity_verification_attributes(Identities=["example.org"])["VerificationAttributes"]
    assert [r.strings[0].decode() for r in answer] == [attrs["example.org"]["VerificationToken"]]
    assert attrs["example.org"]["VerificationStatus"] == "Success"
    second = sesbook.ensure_verified_sender(target, domain="example.org")
    assert second.txt_published is False and second.status == "Success"
    with pytest.raises(ValidationError):
        sesbook.ensure_verified_sender(target, domain="not a domain")


def test_wait_for_review_shows_lab_seconds_waited(t: sesbook.Target, capsys: pytest.CaptureFixture[str]) -> None:
    sesbook.request_production_access(t, **REQUEST)
    assert sesbook.wait_for_review(t, interval=30, progress=True).review_status == "GRANTED"
    assert capsys.readouterr().err == "review: GRANTED after 60 of 3600 s\n", "one clean line, lab seconds"
