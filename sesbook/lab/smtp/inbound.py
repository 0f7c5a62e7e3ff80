"""The lab's inbound SMTP server: the stand-in for ``inbound-smtp.REGION.amazonaws.com``.

A real SMTP server (aiosmtpd) on a free loopback port, in its own thread with its own event loop. The
sender's IP address is the connecting address, so a test can play several senders by connecting from
127.0.0.2, 127.0.0.3 … (on Linux the whole 127.0.0.0/8 is loopback: ``smtplib.SMTP(...,
source_address=("127.0.0.3", 0))`` reaches a listener on 127.0.0.1 from 127.0.0.3).

It offers ``STARTTLS`` (the lab's self-signed certificate, :mod:`.tls`) and ``SIZE`` (40 MB), and leaves
every decision to :mod:`sesbook.lab.ses.receiving.engine`: IP filters at connection, recipients at
``RCPT TO``, the rule set's actions after ``DATA`` (run in a worker thread, so the server keeps answering
other clients meanwhile), and the answer only once every action has finished.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from sesbook.lab.ses.receiving import engine
from sesbook.lab.smtp.tls import server_context

log = logging.getLogger("sesbook")


def _peer_ip(session: Session) -> str:
    """The connecting address: the sender's IP as SES sees it."""
    peer: Any = session.peer
    return str(peer[0]) if isinstance(peer, tuple) else str(peer)


class _Handler:
    def __init__(self, region: str) -> None:
        self.region = region

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(
            None, lambda: engine.recipient_reply(self.region, address, tls=session.ssl is not None))
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        inbound = engine.Inbound(
            region=self.region, ip=_peer_ip(session), helo=str(session.host_name or ""),
            mail_from=str(envelope.mail_from or ""), recipients=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content or b""), tls=session.ssl is not None, via="smtp")
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(None, engine.receive, inbound)
        return outcome.reply


class _InboundSMTP(SMTP):
    """aiosmtpd's SMTP with SES's IP filters applied before the greeting."""

    line_length_limit = 65536  # RFC 5321 says 1000; real MIME from careless clients has longer lines

    def __init__(self, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._region = handler.region

    async def _handle_client(self) -> None:
        assert self.session is not None
        ip = _peer_ip(self.session)
        loop = asyncio.get_running_loop()
        verdict = await loop.run_in_executor(None, engine.connection_verdict, self._region, ip)
        if not verdict.allowed:
            log.info("lab inbound: refused %s", verdict.reason)
            await self.push(engine.BLOCKED_REPLY)
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class InboundServer:
    """The inbound SMTP server on ``host`` (a free port), for the lab's ``region``."""

    def __init__(self, region: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.region = region
        self.host = host
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._tls = server_context()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _factory(self) -> SMTP:
        from sesbook.lab import ledger

        ledger.record_smtp("inbound")
        return _InboundSMTP(_Handler(self.region), hostname=f"inbound-smtp.{self.region}.amazonaws.com",
                            ident="Amazon SES (sesbook lab)", tls_context=self._tls,
                            data_size_limit=engine.SIZE_LIMIT, enable_SMTPUTF8=True)

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(loop.create_server(self._factory, sock=self._sock))
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=serve, name="sesbook-lab-inbound-smtp", daemon=True)
        self._thread.start()
        ready.wait(timeout=10)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None
        self._loop = None
