"""The SES account in the lab: sandbox, sending quotas, sending on/off and the production access request.

moto 5.2.5 has none of it (see ../shared/research/moto-ses.md): no ``GetAccount``, a fixed 200/1 quota
that never decays, no sandbox. This module adds, per account and region (state on moto's SES v1 backend,
so the lab's reset clears it):

- SESv2 ``GetAccount``, ``PutAccountDetails``, ``PutAccountSendingAttributes``; SES v1
  ``GetAccountSendingEnabled`` and ``UpdateAccountSendingEnabled``; v1 ``GetSendQuota`` from the same
  numbers as ``GetAccount``.
- The account state the sending rules read and count into (:mod:`sesbook.lab.ext_sandbox` holds the
  rules themselves and wraps every send path).
- The production access review on the lab clock: ``PENDING`` until ``delay_seconds`` have passed, then the
  configured outcome (``GRANTED`` by default; the ``/_sesbook/account/review`` endpoint can make the next
  review ``DENIED``).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult

from sesbook.lab import ACCOUNT_ID, clock, runtime, seeding
from sesbook.lab.extensions import state, v1_action, v2_action, wrap

SES_BACKEND = "moto.ses.models.SESBackend"
SANDBOX_MAX_24_HOUR_SEND = 200.0
SANDBOX_MAX_SEND_RATE = 1.0
DAY_SECONDS = 24 * 3600
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$", re.IGNORECASE)
account_lock = threading.RLock()


# -- errors ---------------------------------------------------------------------------------------------
class BadRequestException(ServiceException):
    code = "BadRequestException"


class ConflictException(ServiceException):
    code = "ConflictException"


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
        _settle_review(acct)
        return acct


def _settle_review(acct: Account) -> None:
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


@wrap(SES_BACKEND, "get_send_quota")
def _get_send_quota(original: Any, self: Any) -> Any:
    """moto's SESQuota object, with the account's numbers instead of moto's fixed 200/1."""
    quota = original(self)
    numbers = send_quota(self)
    quota.max24_hour_send = numbers["Max24HourSend"]
    quota.max_send_rate = numbers["MaxSendRate"]
    quota.sent_last24_hours = numbers["SentLast24Hours"]
    return quota


# -- account API (v1) ---------------------------------------------------------------------------------------
@v1_action("get_account_sending_enabled")
def get_account_sending_enabled(self: Any) -> ActionResult:
    return ActionResult({"Enabled": account(self.backend).sending_enabled})


@v1_action("update_account_sending_enabled")
def update_account_sending_enabled(self: Any) -> ActionResult:
    enabled = self._get_param("Enabled")
    account(self.backend).sending_enabled = str(enabled).lower() == "true" or enabled is True
    return EmptyResult()


# -- account API (v2) ---------------------------------------------------------------------------------------
#: Extra GetAccount fields other extensions add (e.g. SuppressionAttributes): fn(ses_backend) -> dict.
ACCOUNT_FIELDS: list[Any] = []


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


def _v2_params(response: Any) -> dict[str, Any]:
    body = response.body
    if isinstance(body, bytes):
        body = body.decode()
    return dict(json.loads(body)) if body else {}


@v2_action("get_account")
def get_account(self: Any) -> str:
    return json.dumps(get_account_document(self.sesv2_backend.core_backend))


@v2_action("put_account_sending_attributes")
def put_account_sending_attributes(self: Any) -> str:
    params = _v2_params(self)
    account(self.sesv2_backend.core_backend).sending_enabled = bool(params.get("SendingEnabled", False))
    return "{}"


def validate_account_details(params: dict[str, Any]) -> list[str]:
    """What SES would refuse in a PutAccountDetails request, one sentence per problem."""
    problems: list[str] = []
    mail_type = params.get("MailType")
    if mail_type not in ("MARKETING", "TRANSACTIONAL"):
        problems.append(f"MailType {mail_type!r} is not valid: use MARKETING or TRANSACTIONAL.")
    url = params.get("WebsiteURL")
    if not isinstance(url, str) or not url:
        problems.append("WebsiteURL is required: give the URL of the website the mail is about.")
    elif len(url) > 1000 or not _URL_RE.match(url):
        problems.append(f"WebsiteURL {url!r} is not valid: give an http(s) URL of at most 1000 characters.")
    language = params.get("ContactLanguage")
    if language is not None and language not in ("EN", "JA"):
        problems.append(f"ContactLanguage {language!r} is not valid: use EN or JA.")
    use_case = params.get("UseCaseDescription")
    if use_case is not None and (not isinstance(use_case, str) or len(use_case) > 5000):
        problems.append("UseCaseDescription must be text of at most 5000 characters.")
    contacts = params.get("AdditionalContactEmailAddresses")
    if contacts is not None:
        if not isinstance(contacts, list) or not 1 <= len(contacts) <= 4:
            count = len(contacts) if isinstance(contacts, list) else contacts
            problems.append(f"AdditionalContactEmailAddresses has {count} items: give 1 to 4 addresses.")
        else:
            for address in contacts:
                if not isinstance(address, str) or not 6 <= len(address) <= 254 or not _EMAIL_RE.match(address):
                    problems.append(
                        f"AdditionalContactEmailAddresses item {address!r} is not valid: each must be an "
                        "email address of 6 to 254 characters."
                    )
    return problems


@v2_action("put_account_details")
def put_account_details(self: Any) -> str:
    params = _v2_params(self)
    problems = validate_account_details(params)
    if problems:
        raise BadRequestException(" ".join(problems))
    backend = self.sesv2_backend.core_backend
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
            _settle_review(acct)
    return "{}"


# -- lab control -------------------------------------------------------------------------------------------
def _backend_for(region: str) -> Any:
    from moto.ses.models import ses_backends

    return ses_backends[ACCOUNT_ID][region]


@runtime.route("/_sesbook/account/review")
def _review_settings(request: Any) -> tuple[int, Any]:
    """GET: how the lab answers production access requests; POST: change it.

    Body (all optional): ``region``, ``outcome`` (``GRANTED`` | ``DENIED`` | ``FAILED``: the next review
    only), ``delay_seconds``, ``granted_max_24_hour_send``, ``granted_max_send_rate``.
    """
    body = json.loads(request.get_data() or b"{}") if request.method == "POST" else dict(request.args)
    region = body.get("region") or runtime.current().region
    with account_lock:
        settings = account(_backend_for(region)).settings
        if request.method == "POST":
            outcome = body.get("outcome")
            if outcome is not None:
                if outcome not in ("GRANTED", "DENIED", "FAILED"):
                    raise ValueError(f"outcome {outcome!r}: use GRANTED, DENIED or FAILED")
                settings.next_outcome = outcome
            for key in ("delay_seconds", "granted_max_24_hour_send", "granted_max_send_rate"):
                if body.get(key) is not None:
                    value = float(body[key])
                    if value < 0 or (key != "delay_seconds" and value <= 0):
                        raise ValueError(f"{key} must be a positive number, got {value!r}")
                    setattr(settings, key, value)
        return 200, {"region": region, **settings.__dict__}
