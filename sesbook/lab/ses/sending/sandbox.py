"""The sandbox's sending rules and the account's quotas: one decision per message, counted when accepted.

The send pipeline (:mod:`.pipeline`) calls :func:`authorize_send` once per message, whatever API or SMTP
brought it, and :func:`release` if a later stage fails before the message is accepted. The account state
counted into lives in :mod:`sesbook.lab.ses.account.state`.

Rules (SES Developer Guide, "sandbox", "sending quotas", "quota errors"), counted per recipient:

1. sending paused -> ``SendRefused("paused")`` (v1 ``AccountSendingPausedException``, v2 ``SendingPausedException``):
   by the account's owner (``UpdateAccountSendingEnabled``), or by SES for the account's reputation
   (``EnforcementStatus`` ``SHUTDOWN``, :mod:`sesbook.lab.ses.metrics.state`), answered with the exceptions'
   documented descriptions (SES API Reference, "Common errors" of SendEmail; SESv2 API Reference, SendEmail);
2. the sender, and in the sandbox every recipient, must be covered by a verified identity (moto's
   ``_is_verified_address``, replaced by :func:`~sesbook.lab.ses.identities.state.verified_for_sending`: the
   address exactly as verified, letter case included, or its ``+label`` form, or its domain or a parent
   domain in any case) or, for recipients, a mailbox simulator address ->
   ``SendRefused("unverified")``, ``MessageRejected`` "Email address is not verified. The following
   identities failed the check in region US-EAST-1: ...";
3. the daily quota: a send is accepted while fewer than ``Max24HourSend`` recipients were sent to in
   the last 24 hours (rolling window; simulator recipients do not count) -> ``SendRefused("quota")``,
   "Daily message quota exceeded.";
4. the rate: a token bucket of ``MaxSendRate`` recipients per second; a send is accepted while at least
   one whole token is left, and then takes one per recipient (SES lets a 5-recipient message through at
   1/s and refuses the next 5 seconds) -> ``SendRefused("rate")``, "Maximum sending rate exceeded.".

The wire codes per API are in :mod:`sesbook.lab.ses.errors` (``CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from sesbook.facts import is_simulator
from sesbook.lab import clock
from sesbook.lab.ses.account.state import account, account_lock, sent_last_24_hours
from sesbook.lab.ses.errors import SendRefused

#: What SES answers while it has paused the account (the exceptions' descriptions in the v1 and v2 API references).
PAUSED_BY_SES = {
    "v1": "Email sending is disabled for your entire Amazon SES account.",
    "v2": "The message can't be sent because the account's ability to send email is currently paused.",
}
PAUSED_BY_SES["smtp"] = PAUSED_BY_SES["v1"]


@dataclass(frozen=True)
class SendTicket:
    """What :func:`authorize_send` counted, so :func:`release` can give it back if the send fails."""

    at: float
    counted: int
    rate_tokens: int


def authorize_send(backend: Any, source: str | None, recipients: list[str]) -> SendTicket:
    """Apply the account's rules to one send and count it; raise :class:`SendRefused` if a rule says no.

    The one place every send passes (the pipeline's sandbox stage).
    Call :func:`release` with the ticket if the send then fails for another reason.
    """
    region = backend.region_name.upper()
    with account_lock:
        acct = account(backend)
        if acct.enforcement_status == "SHUTDOWN":
            raise SendRefused("paused", PAUSED_BY_SES["v1"], per_api=PAUSED_BY_SES)
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
