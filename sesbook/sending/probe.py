"""One small test message, with SES's answer explained instead of raised (sandbox, quota, rate, paused).

IAM permission for the aws target: ``ses:SendEmail``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.identities._names import normalize_address
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.target import Target

#: Error codes SES uses when a send breaks an account rule (v1 and v2 names).
THROTTLING_CODES = ("Throttling", "ThrottlingException", "TooManyRequestsException")
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
    """One message tried with :func:`try_send`: accepted (with its id), refused (code, message), or planned."""

    to: tuple[str, ...]
    accepted: bool | None
    message_id: str | None = None
    code: str | None = None
    message: str | None = None

    @property
    def explanation(self) -> str:
        if self.accepted is None:
            return "planned, not sent (apply=False)."
        if self.accepted:
            return "SES accepted the message."
        return _EXPLAIN.get(self.code or "", "SES refused the message; see the code and message.")

    def __str__(self) -> str:
        to = ", ".join(self.to)
        if self.accepted:
            return f"accepted: to {to}"
        if self.accepted is None:
            return f"planned: to {to}"
        return f"refused: to {to}: {self.code}: {self.message}\n  -> {self.explanation}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        result = "✅ accepted" if self.accepted else ("planned" if self.accepted is None else "❌ refused")
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
