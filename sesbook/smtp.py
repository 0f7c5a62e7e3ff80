"""SMTP credentials for SES: the password SES's SMTP interface takes, derived from an IAM secret access key.

The SMTP user name is the IAM access key id; the SMTP password is not the secret access key but a value
derived from it and the region (SES Developer Guide, "Obtaining Amazon SES SMTP credentials",
https://docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html, the "convert an existing secret access key"
script; checked 2026)::

    k = HMAC-SHA256(b"AWS4" + secret, "11111111")      # a fixed date, as SigV4 takes a date
    k = HMAC-SHA256(k, region)                         # so a password works in one region only
    k = HMAC-SHA256(k, "ses")
    k = HMAC-SHA256(k, "aws4_request")
    k = HMAC-SHA256(k, "SendRawEmail")
    password = base64(0x04 || k)                       # 0x04: the version of this scheme

Keys made before 2019-01-10 could also use an older, region-free scheme (version byte 0x02: one HMAC-SHA256
of ``"SendRawEmail"`` with the secret itself). SES no longer documents it and sesbook does not derive it.

This module is pure (no AWS call, no I/O): the client derives credentials with it and the lab's SMTP
submission server (:mod:`sesbook.lab.smtp.submission`) checks them with the same function. The password is
a secret: :class:`SmtpCredentials` never shows it in ``repr``/``str``, and no error message holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field

from sesbook._redact import REDACTED
from sesbook.errors import ValidationError
from sesbook.facts import REGION_RE, SES_REGIONS, ses_regions_hint

#: The fixed parts of the derivation (the Developer Guide's script, checked 2026).
DATE = "11111111"
SERVICE = "ses"
TERMINAL = "aws4_request"
MESSAGE = "SendRawEmail"
VERSION = 0x04

#: An IAM access key id: upper-case letters and digits, 16 to 128 characters (IAM API Reference, AccessKey:
#: ``AccessKeyId`` length 16-128, pattern ``[\\w]+``; in practice 20 characters starting ``AKIA``).
ACCESS_KEY_ID_RE = re.compile(r"^[A-Z0-9]{16,128}$")
#: Temporary credentials (from STS) start with ``ASIA``; the SMTP interface has no place for their session
#: token, so SMTP credentials come from an IAM user's long-term key (``AKIA...``).
TEMPORARY_KEY_PREFIX = "ASIA"


@dataclass(frozen=True)
class SmtpCredentials:
    """A user name and password for SES's SMTP interface in one region. The password is never shown."""

    username: str
    password: str = field(repr=False)
    region: str

    def __repr__(self) -> str:
        return f"SmtpCredentials(username={self.username!r}, password={REDACTED!r}, region={self.region!r})"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from sesbook import _html

        return _html.table(["field", "value"], [("username", self.username), ("password", REDACTED),
                                                ("region", self.region)], caption="SMTP credentials")


def _check_region(region: object) -> str:
    if not isinstance(region, str) or not REGION_RE.match(region):
        raise ValidationError("region", region, "is not an AWS region name.", hint=ses_regions_hint())
    if region not in SES_REGIONS:
        raise ValidationError("region", region, "is not a region where SES runs, so it has no SMTP endpoint.",
                              hint=ses_regions_hint())
    return region


def _check_access_key_id(access_key_id: object) -> str:
    if not isinstance(access_key_id, str) or not ACCESS_KEY_ID_RE.match(access_key_id):
        raise ValidationError(
            "access_key_id", access_key_id, "is not an IAM access key id (16-128 upper-case letters and digits).",
            hint="Use the AccessKeyId of an IAM user's access key, such as 'AKIAIOSFODNN7EXAMPLE'.",
        )
    if access_key_id.startswith(TEMPORARY_KEY_PREFIX):
        raise ValidationError(
            "access_key_id", access_key_id, "is a temporary (STS) key; SES's SMTP interface takes no session token.",
            hint="Create an access key for an IAM user that may send (sesbook.ensure_smtp_user) and use that.",
        )
    return access_key_id


def _check_secret(secret_access_key: object) -> str:
    # the value is never put in the error: it is a secret even when it is malformed
    if not isinstance(secret_access_key, str) or not secret_access_key:
        raise ValidationError("secret_access_key", REDACTED, "must be a non-empty string.",
                              hint="Use the SecretAccessKey IAM returned when the access key was created.")
    if not secret_access_key.isascii() or any(c.isspace() or not c.isprintable() for c in secret_access_key):
        raise ValidationError("secret_access_key", REDACTED,
                              "holds spaces, line breaks or non-ASCII characters; a secret access key has none.",
                              hint="Copy the SecretAccessKey again, without surrounding white space.")
    return secret_access_key


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def smtp_password(secret_access_key: str, region: str) -> str:
    """The SMTP password for ``secret_access_key`` in ``region`` (version 4 scheme, see the module docstring)."""
    secret = _check_secret(secret_access_key)
    key = _sign(("AWS4" + secret).encode("utf-8"), DATE)
    for part in (_check_region(region), SERVICE, TERMINAL, MESSAGE):
        key = _sign(key, part)
    return base64.b64encode(bytes([VERSION]) + key).decode("ascii")


def smtp_credentials(access_key_id: str, secret_access_key: str, region: str) -> SmtpCredentials:
    """SMTP credentials for SES in ``region`` from an IAM user's access key.

    The user name is the access key id; the password is derived (see the module docstring). Inputs are
    checked first (:class:`~sesbook.errors.ValidationError`; the secret never appears in the message). The
    IAM user needs ``ses:SendRawEmail`` on the sending identity (see :func:`sesbook.send_policy`).
    """
    username = _check_access_key_id(access_key_id)
    _check_region(region)
    return SmtpCredentials(username=username, password=smtp_password(secret_access_key, region), region=region)


def password_matches(given: str | bytes, secret_access_key: str, region: str) -> bool:
    """True when ``given`` is the SMTP password for ``secret_access_key`` in ``region`` (constant-time compare)."""
    expected = smtp_password(secret_access_key, region).encode("ascii")
    offered = given.encode("utf-8", errors="replace") if isinstance(given, str) else bytes(given)
    return hmac.compare_digest(expected, offered)
