"""What counts as a secret in a call's parameters, and how it is hidden wherever a call is shown or logged.

Used by the plan (:mod:`sesbook.plan`) and by the error reports of :mod:`sesbook._aws`.
"""

from __future__ import annotations

import re
from typing import Any

#: Parameter names whose values are secrets, wherever they appear (``DomainSigningPrivateKey``,
#: ``SecretAccessKey``, ``Password``, ``SessionToken``...). Public tokens (``DkimTokens``) are not secrets.
SECRET_NAME = re.compile(
    r"private.?key|secret|passw(or)?d|passphrase|credential|(session|auth|access|refresh|bearer|id).?token|api.?key",
    re.IGNORECASE,
)
#: A value that is a PEM private key, whatever its parameter is called.
PEM_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
REDACTED = "<redacted>"


def redact(value: Any, *, name: str = "") -> Any:
    """A copy of ``value`` (parameters, nested dicts and lists) with every secret replaced by ``REDACTED``."""
    if name and SECRET_NAME.search(name) and value not in (None, "", b""):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, name=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return REDACTED if PEM_PRIVATE_KEY.search(bytes(value).decode("latin-1")) else value
    if isinstance(value, str) and PEM_PRIVATE_KEY.search(value):
        return REDACTED
    return value
