"""TLS for the lab's SMTP servers: one self-signed certificate for ``127.0.0.1`` / ``localhost``, made once per
process with ``cryptography`` (an EC P-256 key: fast to make, accepted by every client's TLS stack).

:func:`server_context` is what the servers offer with STARTTLS; :func:`client_context` is a client context that
trusts exactly this certificate (tests and notebooks verify the lab's server instead of turning checks off).
"""

from __future__ import annotations

import datetime
import functools
import ssl
import tempfile
from pathlib import Path

__all__ = ["client_context", "server_context"]


@functools.cache
def _certificate() -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM), made on first use."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sesbook lab")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def server_context() -> ssl.SSLContext:
    """A server-side context holding the lab's certificate (the key never leaves this process)."""
    cert, key = _certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:  # ssl loads chains from files only
        cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
        cert_file.write_bytes(cert)
        key_file.write_bytes(key)
        key_file.chmod(0o600)
        context.load_cert_chain(cert_file, key_file)
    return context


def client_context() -> ssl.SSLContext:
    """A client context that trusts the lab's certificate (and checks the host name: use 127.0.0.1 or localhost)."""
    context = ssl.create_default_context(cadata=_certificate()[0].decode())
    return context
