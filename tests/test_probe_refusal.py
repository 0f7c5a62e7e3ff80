"""A demonstrated refusal sends nothing when SES would accept the message (item 6 of issue 8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sesbook
from sesbook import mailbox

from helpers import verify_domain_now

if TYPE_CHECKING:
    from sesbook.target import Target

SENDER = "sender@example.com"
OUTSIDE = "someone@example.net"


def _production(target: Target) -> None:
    sesbook.set_lab_review(target, outcome="GRANTED")
    sesbook.request_production_access(target, mail_type="TRANSACTIONAL", website_url="https://example.com",
                                      use_case="Receipts for users who sign up on the site.")
    assert sesbook.wait_for_review(target, interval=30, progress=False).production


def test_in_the_sandbox_the_refusal_is_real(target: Target) -> None:
    verify_domain_now(target, "example.com")
    attempt = sesbook.try_sandbox_refusal(target, source=SENDER, to=OUTSIDE)
    assert attempt.accepted is False and attempt.code == "MessageRejected"
    assert mailbox.messages(target) == ()


def test_in_production_nothing_is_sent_and_the_result_says_why(target: Target) -> None:
    verify_domain_now(target, "example.com")
    _production(target)
    mailbox.clear(target)
    attempt = sesbook.try_sandbox_refusal(target, source=SENDER, to=OUTSIDE)
    assert attempt.accepted is None and not attempt.sent
    assert "out of the sandbox" in attempt.explanation and "nothing was sent" in attempt.explanation
    assert "not sent" in repr(attempt)
    assert target.lab is not None and target.lab.request("GET", "/_aws/ses")["messages"] == []


def test_a_verified_recipient_is_not_used_for_a_refusal(target: Target) -> None:
    verify_domain_now(target, "example.com")
    verify_domain_now(target, "example.net")
    attempt = sesbook.try_sandbox_refusal(target, source=SENDER, to=OUTSIDE)
    assert not attempt.sent and "verified" in attempt.explanation
    assert mailbox.messages(target) == ()
