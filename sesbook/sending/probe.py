"""One small test message, with SES's answer explained instead of raised (sandbox, quota, rate, paused).

:func:`try_sandbox_refusal` demonstrates the sandbox refusing an unverified recipient, and checks first
that SES *would* refuse: in an account already out of the sandbox (a second run), or to a verified
recipient, it sends nothing and says why, so a demonstration never mails a stranger.

IAM permissions for the aws target: ``ses:SendEmail``; for :func:`try_sandbox_refusal` also
``ses:GetAccount``, ``ses:GetEmailIdentity``, ``ses:GetIdentityVerificationAttributes``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.account.status import account_status
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import THROTTLING_CODES
from sesbook.identities._names import normalize_address
from sesbook.identities.status import identity_status
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: The mailbox simulator's domain: SES accepts mail to it in the sandbox too.
SIMULATOR_DOMAIN = "simulator.amazonses.com"

#: Error codes SES uses when a send breaks an account rule (v1 and v2 names).
PAUSED_CODES = ("AccountSendingPausedException", "SendingPausedException")


# -- a test send, explained ------------------------------------------------------------------------------------
_EXPLAIN = {
    "MessageRejected": "SES refused the message: in the sandbox every recipient (and always the sender) must be "
                       "a verified identity or a mailbox simulator address.",
    "Throttling": "Too fast or too many: the account's sending rate or 24-hour quota is used up. Wait and retry.",
    "TooManyRequestsException": "Too fast or too many: the account's sending rate or 24-hour quota is used up. "
                                "Wait and retry.",
    "AccountSendingPausedException": "Sending is paused for the whole account; resume it with "
                                     "set_sending_enabled(target, True).",
    "SendingPausedException": "Sending is paused for the whole account; resume it with "
                              "set_sending_enabled(target, True).",
}


@dataclass(frozen=True)
class SendAttempt:
    """One message tried with :func:`try_send`: accepted (with its id), refused (code, message), planned,
    or not sent at all because SES would have accepted a demonstrated refusal (``not_sent_because``)."""

    to: tuple[str, ...]
    accepted: bool | None
    message_id: str | None = None
    code: str | None = None
    message: str | None = None
    not_sent_because: str | None = None

    @property
    def sent(self) -> bool:
        """True when the message went to SES (accepted or refused); False when planned or held back."""
        return self.accepted is not None

    @property
    def explanation(self) -> str:
        if self.not_sent_because:
            return f"not sent: {self.not_sent_because}; nothing was sent."
        if self.accepted is None:
            return "planned, not sent (apply=False)."
        if self.accepted:
            return "SES accepted the message."
        return _EXPLAIN.get(self.code or "", "SES refused the message; see the code and message.")

    def __str__(self) -> str:
        to = ", ".join(self.to)
        if self.accepted:
            return f"accepted: to {to}"
        if self.not_sent_because:
            return f"not sent: to {to}: {self.not_sent_because}; nothing was sent."
        if self.accepted is None:
            return f"planned: to {to}"
        return f"refused: to {to}: {self.code}: {self.message}\n  -> {self.explanation}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        held = "not sent" if self.not_sent_because else "planned"
        result = "✅ accepted" if self.accepted else (held if self.accepted is None else "❌ refused")
        rows = [("to", ", ".join(self.to)), ("result", result), ("code", self.code), ("message", self.message),
                ("what it means", self.explanation)]
        return _html.table(["item", "value"], rows, caption="send attempt")


def try_send(
    target: Target, *, source: str, to: str | Sequence[str], subject: str = "sesbook test", text: str = "Hello."
) -> SendAttempt:
    """Send one small text message (SESv2 ``SendEmail``) and report SES's answer instead of raising.

    Refusals for account rules (sandbox, quota, rate, paused) come back as a :class:`SendAttempt` with
    ``accepted=False``; any other error is raised as :class:`AwsError`.
    Every address is checked first (:func:`sesbook.identities._names.normalize_address`: no line breaks,
    an ASCII local part of at most 64 characters, the domain in punycode).
    """
    if isinstance(to, str):
        to = (to,)
    if not isinstance(to, (list, tuple)) or not to:
        raise ValidationError("to", to, "must be one or more email addresses.",
                              hint="E.g. 'success@simulator.amazonses.com'.")
    recipients = tuple(normalize_address(r, field="to") for r in to)
    source = normalize_address(source, field="source")
    if not isinstance(subject, str) or "\r" in subject or "\n" in subject:
        raise ValidationError("subject", subject, "must be one line of text (a line break would start a new header).",
                              hint="Remove the CR/LF characters.")
    try:
        with aws_errors("sesv2"):
            answer = target.sesv2.send_email(
                FromEmailAddress=source,
                Destination={"ToAddresses": list(recipients)},
                Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
            )
    except AwsError as exc:
        if exc.code in _EXPLAIN or exc.code in THROTTLING_CODES:
            return SendAttempt(recipients, False, code=exc.code, message=exc.message)
        raise
    if was_planned(answer):
        return SendAttempt(recipients, None)
    return SendAttempt(recipients, True, message_id=answer.get("MessageId"))


def _would_be_accepted(target: Target, recipients: tuple[str, ...]) -> str | None:
    """Why SES would accept a message to ``recipients`` (so a refusal cannot be shown), or None."""
    if account_status(target).production:
        return "the account is out of the sandbox, SES would accept this"
    verified = []
    for address in recipients:
        domain = address.rpartition("@")[2]
        if address.lower().endswith("@" + SIMULATOR_DOMAIN):
            verified.append(address)
        elif identity_status(target, address).verified or identity_status(target, domain).verified:
            verified.append(address)
    if verified and len(verified) == len(recipients):
        return f"every recipient ({', '.join(verified)}) is verified or the mailbox simulator, SES would accept this"
    return None


def try_sandbox_refusal(
    target: Target, *, source: str, to: str | Sequence[str], subject: str = "sesbook test", text: str = "Hello."
) -> SendAttempt:
    """Show the sandbox refusing ``to``, an address nobody verified, but only when SES would refuse.

    Reads first (``GetAccount``, the recipients' identities): when the account is already in production
    (a second run in the same account) or every recipient is verified, SES would *deliver* the message,
    to a stranger's real mailbox; nothing is sent and the result says why (``sent`` is False,
    ``not_sent_because`` set). Otherwise this is :func:`try_send`, and SES answers ``MessageRejected``.
    """
    recipients = (to,) if isinstance(to, str) else tuple(to)
    if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
        raise ValidationError("to", to, "must be one or more email addresses.")
    reason = _would_be_accepted(target, recipients)
    if reason is not None:
        log.info("sandbox refusal not demonstrated: %s", reason)
        return SendAttempt(recipients, None, not_sent_because=reason)
    return try_send(target, source=source, to=recipients, subject=subject, text=text)


def try_burst(
    target: Target, *, source: str, to: str | Sequence[str], count: int = 2, subject: str = "sesbook test"
) -> tuple[SendAttempt, ...]:
    """Send ``count`` messages back to back, as fast as the client can, and report each answer.

    This shows the per-second sending rate at work. In the lab the clock is held still for the burst,
    so "within one second" is exact whatever the machine's load; against AWS the sends are simply
    made one after another.
    """
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 50:
        raise ValidationError("count", count, "must be a whole number from 1 to 50.")
    if target.lab is not None:
        target.lab.freeze_clock()
    try:
        return tuple(try_send(target, source=source, to=to, subject=subject) for _ in range(count))
    finally:
        if target.lab is not None:
            target.lab.unfreeze_clock()
