"""The lab's authoritative DNS server: UDP and TCP listeners on one loopback port, answering with
:func:`sesbook.lab.dns.zones.answer`. UDP answers larger than the client's buffer are truncated (TC) so
the client retries over TCP; an unreadable query is dropped; a failure to answer is SERVFAIL.
"""

from __future__ import annotations

import logging
import socketserver
import struct
import threading
from typing import TYPE_CHECKING

import dns.exception
import dns.flags
import dns.message
import dns.rcode

from sesbook.lab.dns.zones import answer

if TYPE_CHECKING:
    import socket

log = logging.getLogger("sesbook")


def _wire_answer(data: bytes, *, udp: bool) -> bytes | None:
    try:
        query = dns.message.from_wire(data)
    except dns.exception.DNSException as exc:
        log.debug("lab DNS: unreadable query: %s", exc)
        return None
    try:
        response = answer(query)
    except Exception:  # noqa: BLE001 - a server must answer SERVFAIL, not die, on its own bug
        log.exception("lab DNS: failed to answer %s", query.question)
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
    limit = 65535
    if udp:
        limit = max(512, query.payload) if query.edns >= 0 else 512
    try:
        return response.to_wire(max_size=limit)
    except dns.exception.TooBig:
        response.answer.clear()
        response.authority.clear()
        response.additional.clear()
        response.flags |= dns.flags.TC
        return response.to_wire()


class _UDPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        wire = _wire_answer(data, udp=True)
        if wire is not None:
            sock.sendto(wire, self.client_address)


class _TCPHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        conn.settimeout(10)
        try:
            while True:
                head = _recv_exact(conn, 2)
                if head is None:
                    return
                data = _recv_exact(conn, struct.unpack("!H", head)[0])
                if data is None:
                    return
                wire = _wire_answer(data, udp=False)
                if wire is None:
                    return
                conn.sendall(struct.pack("!H", len(wire)) + wire)
        except OSError:
            return


def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
    buf = b""
    while len(buf) < size:
        chunk = conn.recv(size - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class DnsServer:
    """UDP and TCP listeners on one loopback port, each in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._want_port = port
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []
        self.port = 0

    def start(self) -> None:
        for _attempt in range(20):
            udp = _UDPServer((self.host, self._want_port), _UDPHandler)
            port = udp.server_address[1]
            try:
                tcp = _TCPServer((self.host, port), _TCPHandler)
            except OSError:
                udp.server_close()
                if self._want_port:
                    raise
                continue
            self._servers = [udp, tcp]
            self.port = port
            break
        else:  # pragma: no cover - 20 collisions in a row
            raise OSError("no free port for both UDP and TCP")
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, name="sesbook-lab-dns", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []
