"""Leaving the sandbox: the production access request (本番アクセスのリクエスト) and its review.

- :func:`request_production_access` -> :class:`AccessRequest` (SESv2 ``PutAccountDetails``; planned, not
  sent, on an aws target without ``apply=True``); :func:`validate_access_request` checks it as SES does.
- :func:`wait_for_review` -> :class:`~sesbook.account.status.AccountStatus` once the review has an answer.
- :func:`set_lab_review`: the lab only; how the lab answers the next request (e.g. ``DENIED``).

IAM permissions for the aws target: ``ses:GetAccount``, ``ses:PutAccountDetails``.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook._progress import ProgressLine
from sesbook._validate import check_timing
from sesbook.account.status import account_status
from sesbook.errors import NotAppliedError, ValidationError, WaitTimeoutError
from sesbook.facts import EMAIL_RE, URL_RE
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.account.status import AccountStatus
    from sesbook.target import Target

log = logging.getLogger("sesbook")

MAIL_TYPES = ("MARKETING", "TRANSACTIONAL")
CONTACT_LANGUAGES = ("EN", "JA")


@dataclass(frozen=True)
class AccessRequest:
    """The outcome of :func:`request_production_access`: ``planned`` (not sent), or the review it started."""

    planned: bool
    sent: bool
    review_status: str | None
    case_id: str | None
    details: dict[str, Any]
    note: str

    def __repr__(self) -> str:
        state = "planned, not sent" if self.planned else (self.review_status or "unknown")
        case = f", case {self.case_id}" if self.case_id else ""
        return f"AccessRequest({state}{case}): {self.note}"

    def _repr_html_(self) -> str:
        state = "planned, not sent (apply=False)" if self.planned else self.review_status
        rows: list[tuple[str, Any]] = [("review", state), ("case id", self.case_id), ("note", self.note)]
        rows += [(k, v) for k, v in self.details.items()]
        return _html.table(["item", "value"], rows, caption="production access request")


def validate_access_request(
    *,
    mail_type: str,
    website_url: str,
    use_case: str,
    contact_language: str = "EN",
    additional_contacts: Sequence[str] = (),
) -> dict[str, Any]:
    """Check a production access request as SES does and return the PutAccountDetails parameters.

    Raises :class:`ValidationError` naming the field, the value and the rule broken.
    """
    kind = mail_type.upper() if isinstance(mail_type, str) else mail_type
    if kind not in MAIL_TYPES:
        raise ValidationError("mail_type", mail_type, "must be MARKETING or TRANSACTIONAL.",
                              hint="TRANSACTIONAL is mail a user asked for (receipts, resets); MARKETING is promotion.")
    if not isinstance(website_url, str) or len(website_url) > 1000 or not URL_RE.match(website_url):
        raise ValidationError("website_url", website_url, "must be an http:// or https:// URL of at most 1000 "
                              "characters.", hint="Give the site the mail belongs to, e.g. 'https://example.com'.")
    if not isinstance(use_case, str) or not use_case.strip() or len(use_case) > 5000:
        raise ValidationError("use_case", use_case, "must be 1 to 5000 characters describing what you send.",
                              hint="Say who receives the mail, how they sign up, and how you handle bounces "
                              "and complaints: reviewers look for that.")
    language = contact_language.upper() if isinstance(contact_language, str) else contact_language
    if language not in CONTACT_LANGUAGES:
        raise ValidationError("contact_language", contact_language, "must be EN or JA.")
    contacts = list(additional_contacts or ())
    if isinstance(additional_contacts, str) or len(contacts) > 4:
        raise ValidationError("additional_contacts", additional_contacts, "must be a list of at most 4 addresses.",
                              hint="Pass a list or tuple such as ('ops@example.com',).")
    for address in contacts:
        if not isinstance(address, str) or not 6 <= len(address) <= 254 or not EMAIL_RE.match(address):
            raise ValidationError("additional_contacts", address,
                                  "each must be an email address of 6 to 254 characters.")
    params: dict[str, Any] = {
        "MailType": kind, "WebsiteURL": website_url, "ContactLanguage": language,
        "UseCaseDescription": use_case, "ProductionAccessEnabled": True,
    }
    if contacts:
        params["AdditionalContactEmailAddresses"] = contacts
    return params


def request_production_access(
    target: Target,
    *,
    mail_type: str,
    website_url: str,
    use_case: str,
    contact_language: str = "EN",
    additional_contacts: Sequence[str] = (),
) -> AccessRequest:
    """File the request to leave the sandbox (本番アクセスのリクエスト) with SESv2 ``PutAccountDetails``.

    Input is checked first (:class:`ValidationError`). Against aws without ``apply=True`` the call is
    only planned (``target.plan``). When the account is already in production, or a review is pending,
    nothing is sent and the result says so (so a notebook can run again).
    """
    params = validate_access_request(
        mail_type=mail_type, website_url=website_url, use_case=use_case,
        contact_language=contact_language, additional_contacts=additional_contacts,
    )
    shown = {k: v for k, v in params.items() if k != "ProductionAccessEnabled"}
    status = account_status(target)
    if status.production:
        return AccessRequest(False, False, status.review_status or "GRANTED", status.case_id, shown,
                             "the account already has production access; nothing was sent.")
    if status.review_status == "PENDING":
        return AccessRequest(False, False, "PENDING", status.case_id, shown,
                             "a request is already under review; nothing was sent. Wait with wait_for_review().")
    with aws_errors("sesv2", hint="Fix the field SES names and file the request again."):
        answer = target.sesv2.put_account_details(**params)
    if was_planned(answer):
        return AccessRequest(True, False, None, None, shown, "planned: run with apply=True to file it.")
    after = account_status(target)
    log.info("production access requested: %s (case %s)", after.review_status, after.case_id)
    return AccessRequest(False, True, after.review_status, after.case_id, shown,
                         "filed; AWS reviews it (usually within a day). Follow it with wait_for_review().")


def wait_for_review(
    target: Target, *, timeout: float = 3600.0, interval: float = 60.0, progress: bool = True
) -> AccountStatus:
    """Wait until the production access review is no longer ``PENDING`` and return the account status.

    In the lab the review finishes on the lab's clock, so this function moves the lab clock forward by
    ``interval`` seconds per poll (through ``target.lab.advance_clock``; only ever for the lab) and
    ``timeout`` counts lab seconds: it returns at once in real time. Against AWS it sleeps ``interval``
    real seconds between reads. Returns on GRANTED, DENIED or FAILED (check ``review_status``);
    raises :class:`WaitTimeoutError` when still pending after ``timeout``, and :class:`NotAppliedError`
    when no request was filed (e.g. it was only planned).
    """
    check_timing(timeout=timeout, interval=interval, waiting=True)
    status = account_status(target)
    if status.review_status is None and not status.production:
        raise NotAppliedError(
            "no production access request has been filed on this account"
            + (" (the request was only planned: run with apply=True)" if target.planning else "")
            + ". File one with request_production_access()."
        )
    waited = 0.0
    bar = ProgressLine(f"review: {status.review_status}", enabled=progress)
    try:
        while status.review_status == "PENDING":
            if waited >= timeout:
                raise WaitTimeoutError("the production access review", timeout, last_state="PENDING")
            step = min(interval, timeout - waited) or interval
            if target.lab is not None:
                target.lab.advance_clock(step)
            else:
                time.sleep(step)
            waited += step
            status = account_status(target)
            bar.update(f"review: {status.review_status} after {waited:.0f} of {timeout:.0f} s")
    finally:
        bar.close()
    return status


def set_lab_review(
    target: Target,
    *,
    outcome: str | None = None,
    delay_seconds: float | None = None,
    granted_max_24_hour_send: float | None = None,
    granted_max_send_rate: float | None = None,
) -> dict[str, Any]:
    """Lab only: how the lab answers production access requests.

    ``outcome`` (``GRANTED`` | ``DENIED`` | ``FAILED``) applies to the next request only; ``delay_seconds``
    is the review time on the lab clock (default 60); the granted quotas default to 50,000 and 14/s.
    """
    if target.lab is None:
        raise ValidationError("target", target.name, "set_lab_review only works with the lab.",
                              hint="AWS decides real reviews; use connect('lab') to practise.")
    if outcome is not None and outcome not in ("GRANTED", "DENIED", "FAILED"):
        raise ValidationError("outcome", outcome, "must be GRANTED, DENIED or FAILED.")
    for name, value, least in (("delay_seconds", delay_seconds, 0.0),
                               ("granted_max_24_hour_send", granted_max_24_hour_send, None),
                               ("granted_max_send_rate", granted_max_send_rate, None)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or \
                value < (least if least is not None else 0) or (least is None and value <= 0):
            raise ValidationError(name, value, "must be a finite number" + (", 0 or more." if least is not None
                                                                           else ", more than 0."),
                                  hint="Leave it out to keep the lab's current setting.")
    body = {"region": target.region, "outcome": outcome, "delay_seconds": delay_seconds,
            "granted_max_24_hour_send": granted_max_24_hour_send, "granted_max_send_rate": granted_max_send_rate}
    return dict(target.lab.request("POST", "/_sesbook/account/review", body))
