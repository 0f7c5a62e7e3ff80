"""The sandbox's sending rules in the lab, on every send path moto has.

v1 SendEmail, SendRawEmail, SendTemplatedEmail and SendBulkTemplatedEmail are wrapped; v2 SendEmail
with Simple or Raw content delegates to the v1 backend, and Template content (which moto 5.2.5 lacks) is
sent through the v1 templated send, so each send passes :func:`authorize_send` exactly once. The lab's
future SMTP server calls :func:`authorize_send` itself and maps :class:`SendRefused` to SMTP replies
(``kind`` says which rule). The account state counted into lives in :mod:`sesbook.lab.ext_account`.

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
import warnings
from dataclasses import dataclass
from email import message_from_string
from email.utils import getaddresses, parseaddr
from typing import Any

from moto.core.exceptions import ServiceException

from sesbook.lab import clock
from sesbook.lab.ext_account import SES_BACKEND, account, account_lock, sent_last_24_hours
from sesbook.lab.extensions import wrap
from sesbook.lab.simulator import is_simulator

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
    with account_lock:
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
    with account_lock:
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
