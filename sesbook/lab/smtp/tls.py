"""TLS for the lab's SMTP servers: one self-signed certificate for loopback, made once per process.

A lab runs one per process, so the certificate lives as long as the lab does. It is an ECDSA P-256 key
(fast to make) with ``127.0.0.1``, ``::1`` and ``localhost`` as subject alternative names, valid for a
year from the moment it is made. :func:`server_context` is what a server offers on STARTTLS;
:func:`client_context` is a client context that trusts exactly this certificate and still checks the
host name, so a test's ``smtplib.SMTP(...).starttls(context=client_context())`` verifies as a real client would.
"""

from __future__ import annotations

import ipaddress
import ssl
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

_lock = threading.Lock()
_made: _Pair | None = None
_dir: tempfile.TemporaryDirectory[str] | None = None

#: Names the certificate is valid for.
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class _Pair:
    cert_pem: bytes
    cert_file: Path
    key_file: Path


def _make() -> _Pair:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    global _dir
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sesbook lab (loopback)")])
    now = datetime.now(UTC)
    alt = [x509.DNSName(n) for n in DNS_NAMES] + [x509.IPAddress(ipaddress.ip_address(a)) for a in IP_ADDRESSES]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    _dir = tempfile.TemporaryDirectory(prefix="sesbook-lab-tls-")  # removed when the process ends
    cert_file, key_file = Path(_dir.name) / "cert.pem", Path(_dir.name) / "key.pem"
    cert_file.write_bytes(cert_pem)
    key_file.touch(mode=0o600)
    key_file.write_bytes(key_pem)
    return _Pair(cert_pem, cert_file, key_file)


def _pair() -> _Pair:
    global _made
    with _lock:
        if _made is None:
            _made = _make()
        return _made


def certificate_pem() -> bytes:
    """The lab's certificate (PEM), for a client that wants to trust it some other way."""
    return _pair().cert_pem


def server_context() -> ssl.SSLContext:
    """A server-side context holding the lab's certificate and key (TLS 1.2 or later)."""
    pair = _pair()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pair.cert_file, pair.key_file)
    return context


def client_context() -> ssl.SSLContext:
    """A client context that trusts the lab's certificate (and checks the host name: use 127.0.0.1)."""
    context = ssl.create_default_context(cadata=certificate_pem().decode("ascii"))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
