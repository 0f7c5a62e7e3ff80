"""The lab's SMTP interface: the ``email-smtp.REGION.amazonaws.com`` stand-in, on a loopback port.

An aiosmtpd server that behaves as SES's SMTP interface does where a client notices (SES Developer Guide,
"Using the Amazon SES SMTP interface to send email" and "SMTP response codes returned by Amazon SES",
https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-smtp.html; "Errors related to the sending quotas",
https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html; checked 2026):

- STARTTLS is offered (the certificate of :mod:`.tls`); every command but EHLO/HELO/NOOP/RSET/QUIT/STARTTLS
  before it gets ``530 Must issue a STARTTLS command first``, AUTH included;
- AUTH PLAIN and LOGIN, with SMTP credentials derived from an active access key of a lab IAM user for this
  server's region (:mod:`.submission_auth`); anything else gets ``535 Authentication Credentials Invalid`` at
  once;
- MAIL, RCPT and DATA before AUTH get ``530 Authentication required`` (aiosmtpd adds the enhanced code 5.7.0);
- at most 50 recipients per message (Developer Guide, "Service quotas in Amazon SES", checked 2026): the
  51st ``RCPT TO`` of a transaction gets ``554 Transaction failed: Recipient count exceeds 50.`` (SES's
  words, as an SES SMTP client reported them in thewca/worldcubeassociation.org#9467; at which command SES
  says it is not documented: the lab says it at the RCPT that goes over, where RFC 5321 section 4.5.3.1.8
  has a server refuse recipients past its limit). The first 50 stay accepted: a client that goes on to DATA
  (``smtplib``'s ``sendmail`` does, returning the refused address) sends to those 50;
- the message goes to the **same send pipeline** as ``SendRawEmail``
  (:func:`sesbook.lab.ses.sending.pipeline.submit`, ``api="smtp"``), MAIL FROM as the source and RCPT TO as
  the envelope recipients, so the sandbox, the quotas, the 40 MB limit and delivery apply unchanged;
- the answer is SES's: ``250 Ok MESSAGE-ID`` on success; see :data:`REPLIES` for the refusals.

One server stands for the lab's region (``Lab(region=...)``, announced as ``"region"``): credentials derived
for another region are refused with 535, as SES's endpoint in one region refuses another region's password.

Replies whose exact words are confirmed in the Developer Guide or an AWS Knowledge Center article: 235, 250
Ok, 451 Temporary service failure, 454 Throttling failure (both sentences), 530 Authentication required,
535 Authentication Credentials Invalid, 554 Message rejected, 554 Access denied. Not confirmed (SES's
wording was not found; the lab's own words): the paused-account reply and ``554 Transaction failed`` for a
message that is too big or has a MAIL FROM domain that is not set up, and the sentence after
``554 Message rejected:`` for an attachment of a refused type.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Any

from sesbook.errors import LabError
from sesbook.facts import MAX_RECIPIENTS
from sesbook.lab.smtp import tls

if TYPE_CHECKING:
    from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

log = logging.getLogger("sesbook")


def _not_login_data_noise(record: logging.LogRecord) -> bool:
    """aiosmtpd 1.4 sets its deprecated ``Session.login_data`` itself on every successful AUTH and logs a
    WARNING about it each time (on its ``mail.log`` logger): noise, not news, for a lab user."""
    return "Session.login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_not_login_data_noise)

#: The largest DATA the server reads: above SES's 40 MB limit, so the pipeline (not the socket) refuses
#: a message that is a little too big, with SES's words; far above it the connection's read stops with 552.
DATA_SIZE_LIMIT = 48 * 1024 * 1024
#: How long an idle connection stays open (SES closes idle connections too; aiosmtpd answers 421).
IDLE_TIMEOUT = 300

#: SES's SMTP replies for the pipeline's refusals, by the ``kind`` of :class:`~sesbook.lab.ses.errors.SendRefused`
#: (or the wire error's code).
REPLIES = {
    "unverified": "554 Message rejected: {message}",
    "MessageRejected": "554 Message rejected: {message}",
    "rate": "454 Throttling failure: Maximum sending rate exceeded.",
    "quota": "454 Throttling failure: Daily message quota exceeded.",
    "paused": "554 Sending paused for this account: {message}",
}
#: The 51st RCPT of one transaction (SES's words; see the module docstring).
TOO_MANY_RECIPIENTS = f"554 Transaction failed: Recipient count exceeds {MAX_RECIPIENTS}."
#: Any other refusal of the pipeline (size, recipients, MAIL FROM domain): the lab's words (not confirmed).
OTHER_REFUSAL = "554 Transaction failed: {message}"
#: The lab itself failed (a bug, not a rule): SES's answer for its own failures.
LAB_FAILURE = "451 Temporary service failure"
AUTH_INVALID = "535 Authentication Credentials Invalid"


def reply_for(error: Exception) -> str:
    """The SMTP reply SES gives for a pipeline refusal (a moto/lab wire error with ``code`` and ``message``)."""
    kind = getattr(error, "kind", None) or getattr(error, "code", None)
    message = " ".join(str(getattr(error, "message", "") or error).split())  # one line, whatever it held
    template = REPLIES.get(str(kind), OTHER_REFUSAL)
    return template.format(message=message)


class _Handler:
    """aiosmtpd's handler: authenticate (through :meth:`authenticator`), then hand DATA to the pipeline."""

    def __init__(self, region: str) -> None:
        self.region = region

    def authenticator(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        from sesbook.lab.smtp.submission_auth import authenticate

        if isinstance(auth_data, LoginPassword):
            user = authenticate(auth_data.login, auth_data.password, self.region)
            if user is not None:
                log.info("lab smtp: AUTH %s as %s (%s)", mechanism, user.user_name, user.access_key_id)
                return AuthResult(success=True, auth_data=user)
        log.info("lab smtp: AUTH %s refused", mechanism)
        return AuthResult(success=False, handled=False, message=AUTH_INVALID)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        """Accept a recipient, up to SES's 50 per message; the next one is refused (the others stay)."""
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            log.info("lab smtp: refused recipient %d: %s", len(envelope.rcpt_tos) + 1, TOO_MANY_RECIPIENTS)
            return TOO_MANY_RECIPIENTS
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        try:
            return self._submit(session, envelope)
        except Exception:  # the lab failed, not a rule: say so as SES does, and keep the trace in the log
            log.exception("lab smtp: the submission failed inside the lab")
            return LAB_FAILURE

    def _submit(self, session: Session, envelope: Envelope) -> str:
        from moto.core.exceptions import ServiceException

        from sesbook.lab.ses._wire import ses_backend_for
        from sesbook.lab.ses.sending.message import from_raw
        from sesbook.lab.ses.sending.pipeline import submit
        from sesbook.lab.smtp.submission_auth import authorize

        backend = ses_backend_for(self.region)
        content = envelope.original_content or b""
        raw = content.decode("utf-8", errors="replace")
        sender = envelope.mail_from or ""
        user = session.auth_data
        if user is None:  # aiosmtpd refuses DATA before AUTH already; never send as nobody
            return "530 Authentication required"
        denied = authorize(user, backend, sender)
        if denied is not None:
            return f"554 {denied}"
        message = from_raw(raw, source=sender or None, envelope=list(envelope.rcpt_tos), api="smtp")
        try:
            message_id = submit(backend, message)
        except ServiceException as refused:
            reply = reply_for(refused)
            log.info("lab smtp: refused: %s", reply)
            return reply
        return f"250 Ok {message_id}"


class SubmissionServer:
    """The SMTP interface on ``host`` (loopback) and a free port, in its own thread and event loop."""

    def __init__(self, *, region: str, host: str = "127.0.0.1") -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise LabError(f"the lab's SMTP interface listens on loopback only, not {host!r}.")
        self.region = region
        self.host = host
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``HOST:PORT``, as the lab announces it (``"smtp"``)."""
        return f"{self.host}:{self.port}"

    def _protocol(self) -> SMTP:
        from aiosmtpd.smtp import SMTP

        from sesbook.lab import ledger

        ledger.record_smtp("submission")
        handler = _Handler(self.region)
        return SMTP(
            handler, hostname=f"email-smtp.{self.region}.amazonaws.com", ident="SimpleEmailService (sesbook lab)",
            tls_context=tls.server_context(), require_starttls=True, auth_required=True, auth_require_tls=True,
            authenticator=handler.authenticator, data_size_limit=DATA_SIZE_LIMIT, timeout=IDLE_TIMEOUT,
            loop=self._loop,
        )

    def start(self) -> int:
        """Listen on a free port and return it."""
        # The loop runs in its own thread from the start: the caller may already run an event loop (a Jupyter
        # kernel does), and a second loop cannot be driven from a thread that runs one.
        loop = asyncio.new_event_loop()
        self._loop = loop
        tls.server_context()  # make the certificate now, not in the first client's handshake
        self._thread = threading.Thread(target=loop.run_forever, name="sesbook-lab-smtp", daemon=True)
        self._thread.start()

        async def _listen() -> asyncio.Server:
            return await loop.create_server(self._protocol, self.host, 0)

        try:
            self._server = asyncio.run_coroutine_threadsafe(_listen(), loop).result(timeout=10)
        except (OSError, TimeoutError) as exc:
            self.stop()
            raise LabError(f"the lab's SMTP interface could not listen on {self.host}: {exc}") from exc
        self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("lab smtp: listening on %s", self.address)
        return self.port

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None:
            return
        if server is not None:
            server.close()

            async def _closed() -> None:
                await server.wait_closed()

            try:
                asyncio.run_coroutine_threadsafe(_closed(), loop).result(timeout=5)
            except (TimeoutError, RuntimeError):
                log.debug("lab smtp: the server did not close in time")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        loop.close()
        self._loop = self._server = self._thread = None
