"""The SES account in the lab: its state and rules (the actions are in :mod:`.wire`).

moto 5.2.5 has none of it: no ``GetAccount``, a fixed 200/1 quota that never decays, no sandbox. Per
account and region (state on moto's SES v1 backend, so the lab's reset clears it) the lab keeps:

- sending on/off, sandbox or production, the quotas, and the sends counted into them (the sending rules
  themselves are in :mod:`sesbook.lab.ses.sending.sandbox`);
- the account details and the production access review on the lab clock: ``PENDING`` until
  ``delay_seconds`` have passed, then the configured outcome (``GRANTED`` by default; the
  ``/_sesbook/account/review`` endpoint can make the next review ``DENIED``).
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sesbook import facts
from sesbook.facts import (
    SES_CONTACT_EMAIL_LENGTH,
    SES_CONTACT_EMAIL_RE,
    SES_CONTACT_EMAILS_COUNT,
    SES_WEBSITE_URL_LENGTH,
    SES_WEBSITE_URL_RE,
)
from sesbook.lab import clock, seeding
from sesbook.lab.registry import ACCOUNT_FIELDS, state
from sesbook.lab.ses.errors import ConflictException

SANDBOX_MAX_24_HOUR_SEND = float(facts.SANDBOX_MAX_24_HOUR_SEND)  # a new account's quota (sesbook.facts)
SANDBOX_MAX_SEND_RATE = float(facts.SANDBOX_MAX_SEND_RATE)
DAY_SECONDS = 24 * 3600
account_lock = threading.RLock()


# -- state ----------------------------------------------------------------------------------------------
@dataclass
class ReviewSettings:
    """How the lab answers production access requests (set through ``/_sesbook/account/review``)."""

    delay_seconds: float = 60.0
    next_outcome: str = "GRANTED"  # used by the next request filed, then back to GRANTED
    granted_max_24_hour_send: float = 50000.0
    granted_max_send_rate: float = 14.0


@dataclass
class Account:
    sending_enabled: bool = True
    production: bool = False
    enforcement_status: str = "HEALTHY"
    max_24_hour_send: float = SANDBOX_MAX_24_HOUR_SEND
    max_send_rate: float = SANDBOX_MAX_SEND_RATE
    details: dict[str, Any] | None = None
    review: dict[str, Any] | None = None  # Status, CaseId, and the lab's due time and outcome
    sends: deque[tuple[float, int]] = field(default_factory=deque)  # (lab time, recipients counted)
    tokens: float = SANDBOX_MAX_SEND_RATE
    tokens_at: float = field(default_factory=clock.time_s)
    settings: ReviewSettings = field(default_factory=ReviewSettings)


def account(backend: Any) -> Account:
    """The account state of one moto SES backend (account and region), brought up to the lab clock."""
    with account_lock:
        acct: Account = state(backend, "account", Account)
        settle_review(acct)
        return acct


def settle_review(acct: Account) -> None:
    review = acct.review
    if not review or review["Status"] != "PENDING" or clock.time_s() < review["_due"]:
        return
    review["Status"] = review["_outcome"]
    if review["Status"] == "GRANTED":
        acct.production = True
        acct.max_24_hour_send = review["_max_24_hour_send"]
        acct.max_send_rate = review["_max_send_rate"]
        acct.tokens = acct.max_send_rate


def sent_last_24_hours(acct: Account, now: float | None = None) -> int:
    now = clock.time_s() if now is None else now
    while acct.sends and acct.sends[0][0] <= now - DAY_SECONDS:
        acct.sends.popleft()
    return sum(n for _, n in acct.sends)


def send_quota(backend: Any) -> dict[str, float]:
    """``SendQuota`` as GetAccount and GetSendQuota show it."""
    with account_lock:
        acct = account(backend)
        return {
            "Max24HourSend": float(acct.max_24_hour_send),
            "MaxSendRate": float(acct.max_send_rate),
            "SentLast24Hours": float(sent_last_24_hours(acct)),
        }


def get_account_document(backend: Any) -> dict[str, Any]:
    """The GetAccount answer for one SES backend."""
    with account_lock:
        acct = account(backend)
        doc: dict[str, Any] = {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": acct.enforcement_status,
            "ProductionAccessEnabled": acct.production,
            "SendQuota": send_quota(backend),
            "SendingEnabled": acct.sending_enabled,
        }
        if acct.details is not None:
            details = dict(acct.details)
            if acct.review is not None:
                details["ReviewDetails"] = {"Status": acct.review["Status"], "CaseId": acct.review["CaseId"]}
            doc["Details"] = details
    for extra in ACCOUNT_FIELDS:
        doc.update(extra(backend))
    return doc


def validate_account_details(params: dict[str, Any]) -> list[str]:
    """What SES would refuse in a PutAccountDetails request, one sentence per problem.

    Exactly the botocore SESv2 model's constraints (SESv2 API Reference, PutAccountDetails:
    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutAccountDetails.html), no stricter:
    ``MailType`` MARKETING|TRANSACTIONAL; ``WebsiteURL`` 1-1000 characters matching RFC 3986's generic
    pattern (so ``example.com``, without a scheme, is accepted); ``ContactLanguage`` EN|JA;
    ``UseCaseDescription`` at most 5000 characters; ``AdditionalContactEmailAddresses`` 1-4 items, each
    6-254 characters matching ``^(.+)@(.+)$``. (The client's own checks may advise more.)
    """
    problems: list[str] = []
    mail_type = params.get("MailType")
    if mail_type not in ("MARKETING", "TRANSACTIONAL"):
        problems.append(f"MailType {mail_type!r} is not valid: use MARKETING or TRANSACTIONAL.")
    url = params.get("WebsiteURL")
    low, high = SES_WEBSITE_URL_LENGTH
    if not isinstance(url, str) or not url:
        problems.append("WebsiteURL is required: give the URL of the website the mail is about.")
    elif not low <= len(url) <= high or not SES_WEBSITE_URL_RE.match(url):
        problems.append(f"WebsiteURL ({len(url)} characters) is not valid: give a URL of at most {high} characters.")
    language = params.get("ContactLanguage")
    if language is not None and language not in ("EN", "JA"):
        problems.append(f"ContactLanguage {language!r} is not valid: use EN or JA.")
    use_case = params.get("UseCaseDescription")
    if use_case is not None and (not isinstance(use_case, str) or len(use_case) > 5000):
        problems.append("UseCaseDescription must be text of at most 5000 characters.")
    contacts = params.get("AdditionalContactEmailAddresses")
    if contacts is not None:
        fewest, most = SES_CONTACT_EMAILS_COUNT
        shortest, longest = SES_CONTACT_EMAIL_LENGTH
        if not isinstance(contacts, list) or not fewest <= len(contacts) <= most:
            count = len(contacts) if isinstance(contacts, list) else contacts
            problems.append(f"AdditionalContactEmailAddresses has {count} items: give {fewest} to {most} addresses.")
        else:
            for address in contacts:
                if (not isinstance(address, str) or not shortest <= len(address) <= longest
                        or not SES_CONTACT_EMAIL_RE.match(address)):
                    problems.append(
                        f"AdditionalContactEmailAddresses item {address!r} is not valid: each must be an "
                        f"email address (name@domain) of {shortest} to {longest} characters."
                    )
    return problems


def update_details(backend: Any, params: dict[str, Any]) -> None:
    """PutAccountDetails, already validated: keep the details and, when asked, file a production access request."""
    with account_lock:
        acct = account(backend)
        if acct.review is not None and acct.review["Status"] == "PENDING":
            raise ConflictException(
                f"The production access request (case {acct.review['CaseId']}) is still under review; "
                "wait for its answer before changing the account details."
            )
        acct.details = {
            k: params[k]
            for k in ("MailType", "WebsiteURL", "ContactLanguage", "UseCaseDescription",
                      "AdditionalContactEmailAddresses")
            if k in params
        }
        acct.details.setdefault("ContactLanguage", "EN")
        if params.get("ProductionAccessEnabled") and not acct.production:
            settings = acct.settings
            acct.review = {
                "Status": "PENDING",
                "CaseId": seeding.token(10, "0123456789"),
                "_due": clock.time_s() + settings.delay_seconds,
                "_outcome": settings.next_outcome,
                "_max_24_hour_send": settings.granted_max_24_hour_send,
                "_max_send_rate": settings.granted_max_send_rate,
            }
            settings.next_outcome = "GRANTED"
            settle_review(acct)


def change_review_settings(settings: ReviewSettings, body: dict[str, Any]) -> None:
    """Apply a ``/_sesbook/account/review`` POST body (validated here: it enters from outside)."""
    outcome = body.get("outcome")
    if outcome is not None:
        if outcome not in ("GRANTED", "DENIED", "FAILED"):
            raise ValueError(f"outcome {outcome!r}: use GRANTED, DENIED or FAILED")
        settings.next_outcome = outcome
    for key in ("delay_seconds", "granted_max_24_hour_send", "granted_max_send_rate"):
        if body.get(key) is not None:
            raw = body[key]
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
                raise ValueError(f"{key} must be a JSON number (seconds for delay_seconds), got {json.dumps(raw)}")
            value = float(raw)
            if value < 0 or (key != "delay_seconds" and value <= 0):
                raise ValueError(f"{key} must be a positive number, got {value!r}")
            setattr(settings, key, value)
