"""Sending through SES's SMTP interface with the standard library's ``smtplib``: STARTTLS, AUTH, one message.

The endpoint is ``email-smtp.REGION.amazonaws.com`` on port 587 for AWS (SES Developer Guide, "Connecting
to an Amazon SES SMTP endpoint", https://docs.aws.amazon.com/ses/latest/dg/smtp-connect.html, checked 2026:
ports 25, 587 and 2587 take STARTTLS, 465 and 2465 TLS from the start), and the lab's SMTP interface
(its ``"smtp"`` address) for the lab. :func:`send_smtp` always upgrades with STARTTLS before AUTH, as SES
requires, and checks the server's certificate (the lab's own for the lab, :func:`smtp_tls_context`).

Before it connects (and before it plans), :func:`send_smtp` refuses what SES's SMTP interface would refuse,
with the checks :func:`~sesbook.send_raw` uses (:mod:`sesbook.sending.validate`): the envelope's addresses
(an internationalised domain sent as A-labels), at most 50 recipients, 40 MB after base64, no attachment
SES refuses. Each is a :class:`~sesbook.errors.ValidationError`; nothing is sent or counted.

SES's replies become :class:`~sesbook.errors.SmtpError` (``reply_code``, ``reply_text``, ``code``, a hint),
as listed in "SMTP response codes returned by Amazon SES" (Developer Guide, checked 2026)::

    535 Authentication Credentials Invalid   AuthenticationFailed   wrong key id, password or region
    530 Authentication required              AuthenticationRequired  MAIL before AUTH (or STARTTLS first)
    554 Message rejected: ...                MessageRejected         e.g. an unverified address in the sandbox
    554 Access denied: ...                   AccessDenied            the IAM user may not send as that identity
    454 Throttling failure: ...              Throttling              the sending rate or the daily quota
    451 / 421 ...                            ServiceUnavailable      SES (or the lab) could not process it now

Plan-only: SMTP does not pass the botocore plan gate (it is not a boto3 call), so :func:`send_smtp` checks
``target.planning`` itself; on a target that only plans it records ``smtp.SendRawEmail`` in ``target.plan``
(endpoint, user name, sender, recipients, subject, size; never the password) and opens no connection.

IAM permissions for the aws target: the SMTP user needs ``ses:SendRawEmail`` on the sending identity
(:func:`sesbook.send_policy`); the notebook's own credentials need none for this step.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook.errors import LabError, SmtpError, TargetError, ValidationError
from sesbook.plan import PlannedCall
from sesbook.sending.validate import check_address, check_addresses, check_raw, check_recipient_count
from sesbook.smtp import SmtpCredentials

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: The port sesbook uses on AWS: STARTTLS, and not blocked on EC2 as port 25 is by default.
AWS_SMTP_PORT = 587
AWS_SMTP_HOST = "email-smtp.{region}.amazonaws.com"

_HINTS = {
    "AuthenticationFailed": (
        "The SMTP password is not the secret access key: derive it with "
        "sesbook.smtp_credentials(access_key_id, secret_access_key, region) for this target's region (a password "
        "works in one region only). Check that the key is active and belongs to an IAM user."
    ),
    "AuthenticationRequired": "Log in (AUTH) after STARTTLS before MAIL FROM; send_smtp does both in that order.",
    "MessageRejected": (
        "SES refused this message: in the sandbox the sender and every recipient must be verified identities "
        "(or mailbox simulator addresses); outside it, the sender must be. Verify them, or leave the sandbox."
    ),
    "AccessDenied": (
        "The IAM user behind these SMTP credentials may not send as this identity: give it ses:SendRawEmail on "
        "the identity's ARN (sesbook.send_policy, sesbook.ensure_smtp_user), and check any ses:FromAddress "
        "condition matches the sender."
    ),
    "Throttling": (
        "Sent faster than the account's maximum send rate, or the daily quota is used up. This is temporary: "
        "wait and retry with growing pauses (SES suggests up to 10 minutes), or pace the sends."
    ),
    "ServiceUnavailable": "SES could not process the message just now; retry after a pause.",
    "Refused": "Read SES's words above; correct the message or the envelope before sending it again.",
}


@dataclass(frozen=True)
class SmtpEndpoint:
    """Where a target's SMTP interface listens."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_endpoint(target: Target) -> SmtpEndpoint:
    """The SMTP interface of ``target``: the lab's announced ``"smtp"`` address, or
    ``email-smtp.REGION.amazonaws.com:587`` for AWS."""
    if target.lab is not None:
        if not target.lab.smtp:
            raise LabError(
                f"the lab at {target.lab.aws_endpoint} announces no SMTP interface: it was started by an older "
                "sesbook. Stop it and start it again (`python -m sesbook lab`)."
            )
        host, _, port = target.lab.smtp.rpartition(":")
        return SmtpEndpoint(host.strip("[]"), int(port))
    return SmtpEndpoint(AWS_SMTP_HOST.format(region=target.region), AWS_SMTP_PORT)


_LAB_CERTIFICATES: dict[str, str] = {}


def smtp_tls_context(target: Target) -> ssl.SSLContext:
    """An SSL context for STARTTLS to ``target``'s SMTP interface: the system's trusted roots for AWS; for the
    lab, one that trusts the lab's own loopback certificate (host names still checked)."""
    if target.lab is None:
        return ssl.create_default_context()
    endpoint = target.lab.aws_endpoint
    if endpoint not in _LAB_CERTIFICATES:
        _LAB_CERTIFICATES[endpoint] = str(target.lab.request("GET", "/_sesbook/tls")["certificate"])
    context = ssl.create_default_context(cadata=_LAB_CERTIFICATES[endpoint])
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass(frozen=True)
class SmtpSend:
    """One message sent through the SMTP interface: accepted (SES's message id), or planned (not sent)."""

    endpoint: str
    username: str
    from_addr: str
    to: tuple[str, ...]
    subject: str | None
    size: int
    accepted: bool | None  # None: planned, not sent
    message_id: str | None = None
    reply: str | None = None  # SES's last reply, e.g. "250 Ok 0100..."

    @property
    def planned(self) -> bool:
        return self.accepted is None

    def _rows(self) -> list[tuple[str, object]]:
        outcome = "planned, not sent (apply=False)" if self.planned else f"accepted: {self.message_id}"
        return [("endpoint", self.endpoint), ("user name", self.username), ("from", self.from_addr),
                ("to", ", ".join(self.to)), ("subject", self.subject or ""), ("size", f"{self.size} bytes"),
                ("outcome", outcome), ("reply", self.reply or "")]

    def _repr_html_(self) -> str:
        return _html.table(["", "SMTP send"], self._rows(), caption="send_smtp")


def _raw_and_addresses(message: Message | str | bytes, from_addr: str | None,
                       to_addrs: Sequence[str] | None) -> tuple[bytes, str, tuple[str, ...], str | None]:
    import email
    import email.policy

    if isinstance(message, Message):
        parsed = message
        if "Bcc" in parsed:  # the envelope carries Bcc recipients; the header must not travel
            parsed = email.message_from_bytes(message.as_bytes(policy=email.policy.SMTP), policy=email.policy.SMTP)
            bcc = parsed.get_all("Bcc", [])
            del parsed["Bcc"]
        else:
            bcc = []
        raw = parsed.as_bytes(policy=email.policy.SMTP)
    elif isinstance(message, str | bytes):
        raw = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
        bcc = parsed.get_all("Bcc", [])
    else:
        raise ValidationError("message", type(message).__name__, "must be an email.message.EmailMessage, str or bytes.",
                              hint="Build one with email.message.EmailMessage (or the sesbook MIME builder).")
    sender = from_addr or parseaddr(str(parsed.get("From", "")))[1]
    if not sender or "@" not in sender:
        raise ValidationError("from_addr", from_addr, "no sender: give from_addr or a From header with an address.")
    if to_addrs is None:
        headers = [str(v) for k in ("To", "Cc") for v in parsed.get_all(k, [])] + [str(v) for v in bcc]
        recipients = tuple(a for _, a in getaddresses(headers) if a)
    elif isinstance(to_addrs, str):
        recipients = (to_addrs,)
    else:
        recipients = tuple(to_addrs)
    if not recipients or not all(isinstance(a, str) and "@" in a for a in recipients):
        raise ValidationError("to_addrs", to_addrs, "needs at least one recipient address.",
                              hint="Give to_addrs, or To/Cc headers in the message.")
    # What SES's SMTP interface would refuse, refused here before connecting (the same rules as send_raw):
    # the envelope's addresses (domains as A-labels), at most 50 recipients, 40 MB, no refused attachment.
    sender = _bare(check_address(sender, field="from_addr"))
    recipients = tuple(_bare(a) for a in check_addresses(recipients, field="to_addrs"))
    check_recipient_count(recipients, field="to_addrs")
    check_raw(raw, parsed, recipients=len(recipients), api="smtp")
    subject = parsed.get("Subject")
    return raw, sender, recipients, str(subject) if subject is not None else None


def _bare(address: str) -> str:
    """The address of ``"Name <a@b>"`` (an SMTP envelope carries no display name)."""
    return parseaddr(address)[1] or address


def _error(code: int, text: bytes | str, endpoint: SmtpEndpoint) -> SmtpError:
    words = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text)
    words = " ".join(words.split())
    if code == 535:
        kind = "AuthenticationFailed"
    elif code == 530:
        kind = "AuthenticationRequired"
    elif code == 454 and "throttl" in words.lower():
        kind = "Throttling"
    elif code in (421, 451):
        kind = "ServiceUnavailable"
    elif code == 554 and words.startswith("Access denied"):
        kind = "AccessDenied"
    elif code == 554 and words.startswith("Message rejected"):
        kind = "MessageRejected"
    else:
        kind = "Refused"
    return SmtpError(code, words, code=kind, endpoint=str(endpoint), hint=_HINTS[kind])


def send_smtp(
    target: Target,
    message: Message | str | bytes,
    credentials: SmtpCredentials,
    *,
    from_addr: str | None = None,
    to_addrs: Sequence[str] | None = None,
    timeout: float = 30.0,
) -> SmtpSend:
    """Send one message through ``target``'s SMTP interface: connect, STARTTLS, AUTH, MAIL/RCPT/DATA.

    ``from_addr`` and ``to_addrs`` are the envelope (default: the From header; To, Cc and Bcc; a Bcc header is
    not sent on). Returns an :class:`SmtpSend` with SES's message id; raises :class:`~sesbook.errors.SmtpError`
    with SES's reply and what to do (table in the module docstring), :class:`~sesbook.errors.TargetError` when
    the endpoint cannot be reached. On a target that only plans, records the send and sends nothing.
    """
    if not isinstance(credentials, SmtpCredentials):
        raise ValidationError("credentials", type(credentials).__name__, "must be SmtpCredentials.",
                              hint="Make them with sesbook.smtp_credentials(access_key_id, secret_access_key, region).")
    if credentials.region != target.region:
        raise ValidationError(
            "credentials", credentials, f"were derived for {credentials.region}, but the target is in {target.region}.",
            hint="An SMTP password works in one region only: derive it again for the target's region.",
        )
    raw, sender, recipients, subject = _raw_and_addresses(message, from_addr, to_addrs)
    endpoint = smtp_endpoint(target)
    if target.planning:
        call = PlannedCall("smtp", "SendRawEmail", {
            "Endpoint": str(endpoint), "Username": credentials.username, "From": sender, "To": list(recipients),
            "Subject": subject, "Size": len(raw)})
        target.plan.add(call)
        log.info("planned, not sent: %s", call)
        return SmtpSend(str(endpoint), credentials.username, sender, recipients, subject, len(raw), accepted=None)
    reply = _converse(target, endpoint, credentials, raw, sender, recipients, timeout)
    words = reply.split()  # "250 Ok MESSAGE-ID"
    message_id = words[2] if len(words) > 2 and words[:2] == ["250", "Ok"] else None
    log.info("smtp: sent through %s: %s", endpoint, reply)
    return SmtpSend(str(endpoint), credentials.username, sender, recipients, subject, len(raw), accepted=True,
                    message_id=message_id, reply=reply)


def _converse(target: Target, endpoint: SmtpEndpoint, credentials: SmtpCredentials, raw: bytes, sender: str,
              recipients: tuple[str, ...], timeout: float) -> str:
    """The SMTP conversation; returns SES's final reply (``250 Ok MESSAGE-ID``)."""
    context = smtp_tls_context(target)
    try:
        with smtplib.SMTP(endpoint.host, endpoint.port, timeout=timeout) as client:
            client.ehlo()
            client.starttls(context=context)
            client.ehlo()
            try:
                client.login(credentials.username, credentials.password)
            except smtplib.SMTPAuthenticationError as exc:
                raise _error(exc.smtp_code, exc.smtp_error, endpoint) from None  # the exception holds no secret
            code, text = client.mail(sender)
            if code != 250:
                raise _error(code, text, endpoint)
            for recipient in recipients:
                code, text = client.rcpt(recipient)
                if code not in (250, 251):
                    raise _error(code, text, endpoint)
            code, text = client.data(raw)
            if code != 250:
                raise _error(code, text, endpoint)
            return f"{code} {text.decode('utf-8', errors='replace')}"
    except smtplib.SMTPResponseException as exc:
        raise _error(exc.smtp_code, exc.smtp_error, endpoint) from exc
    except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError is an OSError
        where = ("the lab's SMTP interface (is the lab still running?)" if target.lab is not None
                 else "SES's SMTP endpoint")
        raise TargetError(
            f"cannot talk to {where} at {endpoint}: {exc}. On AWS, check that outbound port {endpoint.port} is open "
            "(EC2 blocks port 25 by default; 587 is used here)."
        ) from exc
