"""The SES account in the lab: sandbox, sending quotas, sending on/off and the production access request.

moto 5.2.5 has none of it (see ../shared/research/moto-ses.md): no ``GetAccount``, a fixed 200/1 quota
that never decays, no sandbox. This module adds, per account and region (state on moto's SES v1 backend,
so the lab's reset clears it):

- SESv2 ``GetAccount``, ``PutAccountDetails``, ``PutAccountSendingAttributes``; SES v1
  ``GetAccountSendingEnabled`` and ``UpdateAccountSendingEnabled``; v1 ``GetSendQuota`` from the same
  numbers as ``GetAccount``.
- Sending rules on every send path moto has (v1 SendEmail, SendRawEmail, SendTemplatedEmail,
  SendBulkTemplatedEmail; v2 SendEmail with Simple, Raw or Template content: v2 delegates to the v1
  backend, so each send passes :func:`authorize_send` exactly once). The lab's future SMTP server calls
  :func:`authorize_send` itself and maps :class:`SendRefused` to SMTP replies (``kind`` says which rule).
- The production access review on the lab clock: ``PENDING`` until ``delay_seconds`` have passed, then the
  configured outcome (``GRANTED`` by default; the ``/_sesbook/account/review`` endpoint can make the next
  review ``DENIED``).

Rules (SES Developer Guide, "sandbox", "sending quotas", "quota errors"), counted per recipient:

1. sending paused -> v1 ``AccountSendingPausedException``, v2 ``SendingPausedException``;
2. the sender, and in the sandbox every recipient, must be a verified identity (the address or its
   domain, as moto's ``_is_verified_address`` decides) or, for recipients, a mailbox simulator address ->
   ``MessageRejected`` "Email address is not verified. The following identities failed the check in
   region US-EAST-1: ...";
3. the daily quota: a send is accepted while fewer than ``Max24HourSend`` recipients were sent to in
   the last 24 hours (rolling window; simulator recipients do not count) -> "Daily message quota exceeded.";
4. the rate: a token bucket of ``MaxSendRate`` recipients per second; a send is accepted while at least
   one whole token is left, and then takes one per recipient (SES lets a 5-recipient message through at
   1/s and refuses the next 5 seconds) -> "Maximum sending rate exceeded.".

Codes for 3 and 4: SES v1 answers ``Throttling`` for both (the quota-errors page calls them throttling
errors; the wire code seen from the v1 API is ``Throttling``). SESv2 answers ``TooManyRequestsException``
(HTTP 429), the throttling error its SendEmail model declares. Only accepted sends count.
"""

from __future__ import annotations

import contextvars
import inspect
import json
import re
import threading
import warnings
from collections import deque
from dataclasses import dataclass, field
from email import message_from_string
from email.utils import getaddresses, parseaddr
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult

from sesbook.lab import ACCOUNT_ID, clock, runtime, seeding
from sesbook.lab.extensions import state, v1_action, v2_action, wrap
from sesbook.lab.simulator import is_simulator

SES_BACKEND = "moto.ses.models.SESBackend"
SANDBOX_MAX_24_HOUR_SEND = 200.0
SANDBOX_MAX_SEND_RATE = 1.0
DAY_SECONDS = 24 * 3600
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$", re.IGNORECASE)
_lock = threading.RLock()
# "Throttling" is a real SES v1 error code that botocore's model does not list; moto warns about it per send.
warnings.filterwarnings("ignore", message=r"Exception\(AccountError\) with code Throttling", category=UserWarning)
#: Which API the current request came in on ("v1" or "v2"): error codes differ.
_api: contextvars.ContextVar[str] = contextvars.ContextVar("sesbook_ses_api", default="v1")


# -- errors ---------------------------------------------------------------------------------------------
class SendRefused(Exception):
    """A send broke an account rule. ``kind``: ``paused`` | ``unverified`` | ``quota`` | ``rate``."""

    def __init__(self, kind: str, message: str, *, failed: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.message = message
        self.failed = failed
        super().__init__(message)


_CODES = {
    "v1": {"paused": "AccountSendingPausedException", "unverified": "MessageRejected",
           "quota": "Throttling", "rate": "Throttling"},
    "v2": {"paused": "SendingPausedException", "unverified": "MessageRejected",
           "quota": "TooManyRequestsException", "rate": "TooManyRequestsException"},
}


class AccountError(ServiceException):
    """An SES error with any code; defined here (not in moto.core) so moto serializes it for the calling API."""


def _service_error(refused: SendRefused) -> AccountError:
    return AccountError(_CODES[_api.get()][refused.kind], refused.message)


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
    with _lock:
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
    with _lock:
        acct = account(backend)
        return {
            "Max24HourSend": float(acct.max_24_hour_send),
            "MaxSendRate": float(acct.max_send_rate),
            "SentLast24Hours": float(sent_last_24_hours(acct)),
        }


# -- the sending rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SendTicket:
    """What :func:`authorize_send` counted, so :func:`release` can give it back if the send fails."""

    at: float
    counted: int
    rate_tokens: int


def authorize_send(backend: Any, source: str | None, recipients: list[str]) -> SendTicket:
    """Apply the account's rules to one send and count it; raise :class:`SendRefused` if a rule says no.

    The one place every send path passes (API wrappers here; the lab's SMTP server once it exists).
    Call :func:`release` with the ticket if the send then fails for another reason.
    """
    region = backend.region_name.upper()
    with _lock:
        acct = account(backend)
        if not acct.sending_enabled:
            raise SendRefused(
                "paused",
                f"Sending is paused for this account in region {region}. Resume it with "
                "UpdateAccountSendingEnabled (v1) or PutAccountSendingAttributes SendingEnabled=true (v2).",
            )
        addresses = [parseaddr(r)[1] or r for r in recipients]
        failed: list[str] = []
        sender = parseaddr(source)[1] if source else ""
        if sender and not backend._is_verified_address(sender):
            failed.append(sender)
        if not acct.production:
            failed += [a for a in addresses if not is_simulator(a) and not backend._is_verified_address(a)]
        if failed:
            unique = tuple(dict.fromkeys(failed))
            raise SendRefused(
                "unverified",
                "Email address is not verified. The following identities failed the check in region "
                f"{region}: {', '.join(unique)}",
                failed=unique,
            )
        now = clock.time_s()
        counted = sum(1 for a in addresses if not is_simulator(a))
        if counted and sent_last_24_hours(acct, now) >= acct.max_24_hour_send:
            raise SendRefused("quota", "Daily message quota exceeded.")
        acct.tokens = min(acct.max_send_rate, acct.tokens + (now - acct.tokens_at) * acct.max_send_rate)
        acct.tokens_at = now
        if acct.tokens < 1:
            raise SendRefused("rate", "Maximum sending rate exceeded.")
        acct.tokens -= len(addresses)
        if counted:
            acct.sends.append((now, counted))
        return SendTicket(now, counted, len(addresses))


def release(backend: Any, ticket: SendTicket) -> None:
    """Undo what :func:`authorize_send` counted (the send failed afterwards)."""
    with _lock:
        acct = account(backend)
        acct.tokens = min(acct.max_send_rate, acct.tokens + ticket.rate_tokens)
        if ticket.counted:
            try:
                acct.sends.remove((ticket.at, ticket.counted))
            except ValueError:
                pass


def _guarded(backend: Any, source: str | None, recipients: list[str], send: Any) -> Any:
    try:
        ticket = authorize_send(backend, source, recipients)
    except SendRefused as refused:
        backend.rejected_messages_count += 1
        raise _service_error(refused) from None
    try:
        return send()
    except Exception:
        release(backend, ticket)
        raise


def _bound(original: Any, self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    return dict(inspect.signature(original).bind(self, *args, **kwargs).arguments)


def _flatten(destinations: dict[str, list[str]] | None) -> list[str]:
    dest = destinations or {}
    return [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in dest.get(key, []) or []]


@wrap(SES_BACKEND, "send_email")
def _send_email(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    a = _bound(original, self, args, kwargs)
    return _guarded(self, a["source"], _flatten(a["destinations"]), lambda: original(self, *args, **kwargs))


@wrap(SES_BACKEND, "send_templated_email")
def _send_templated_email(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    a = _bound(original, self, args, kwargs)
    return _guarded(self, a["source"], _flatten(a["destinations"]), lambda: original(self, *args, **kwargs))


@wrap(SES_BACKEND, "send_bulk_templated_email")
def _send_bulk_templated_email(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    a = _bound(original, self, args, kwargs)
    recipients = [r for d in a["destinations"] or [] for r in _flatten(d.get("Destination"))]
    return _guarded(self, a["source"], recipients, lambda: original(self, *args, **kwargs))


@wrap(SES_BACKEND, "send_raw_email")
def _send_raw_email(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    a = _bound(original, self, args, kwargs)
    source, recipients = a["source"], list(a["destinations"] or [])
    if source is None or not recipients:
        message = message_from_string(a["raw_data"])
        if source is None:
            source = parseaddr(message["from"] or "")[1] or None
        if not recipients:
            headers = [message[h] for h in ("To", "Cc", "Bcc") if message[h]]
            recipients = [addr for _, addr in getaddresses(headers) if addr]
    return _guarded(self, source, recipients, lambda: original(self, *args, **kwargs))


@wrap(SES_BACKEND, "get_send_quota")
def _get_send_quota(original: Any, self: Any) -> Any:
    """moto's SESQuota object, with the account's numbers instead of moto's fixed 200/1."""
    quota = original(self)
    numbers = send_quota(self)
    quota.max24_hour_send = numbers["Max24HourSend"]
    quota.max_send_rate = numbers["MaxSendRate"]
    quota.sent_last24_hours = numbers["SentLast24Hours"]
    return quota


@wrap("moto.sesv2.responses.SESV2Response", "send_email")
def _v2_send_email(original: Any, self: Any) -> Any:
    """v2 SendEmail: mark the request as v2 (its error codes), and send Template content through the
    v1 backend's templated send (SES keeps one template store for both APIs; moto 5.2.5 has no v2 path)."""
    token = _api.set("v2")
    try:
        params = json.loads(self.body or "{}")
        template = (params.get("Content") or {}).get("Template")
        if template is None:
            return original(self)
        from moto.ses.exceptions import TemplateDoesNotExist

        name = template.get("TemplateName") or (template.get("TemplateArn") or "").rpartition("/")[2]
        try:
            message = self.sesv2_backend.core_backend.send_templated_email(
                params.get("FromEmailAddress"), name, template.get("TemplateData") or "{}",
                params.get("Destination") or {},
            )
        except TemplateDoesNotExist as exc:
            raise AccountError("NotFoundException", str(exc)) from None
        return json.dumps({"MessageId": message.id})
    finally:
        _api.reset(token)


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
    with _lock:
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
    with _lock:
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
    with _lock:
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
