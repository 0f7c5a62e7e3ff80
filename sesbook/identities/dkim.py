"""BYODKIM: sign with a DKIM key of your own instead of Easy DKIM's.

You make an RSA key (1024 to 2048 bits), publish its public half as TXT at ``SELECTOR._domainkey.DOMAIN``
(``v=DKIM1; k=rsa; p=...``) and give SES the private half with ``PutEmailIdentityDkimSigningAttributes``
(origin ``EXTERNAL``). SES verifies the domain once DNS shows the public key.

IAM: ``ses:CreateEmailIdentity``, ``ses:GetEmailIdentity``, ``ses:PutEmailIdentityDkimSigningAttributes``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sesbook._aws import aws_errors
from sesbook.dns import ses_records
from sesbook.dns.records import Record, records_table, records_text
from sesbook.errors import AwsError, ValidationError
from sesbook.identities._names import normalize_domain
from sesbook.identities.status import identity_status
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from sesbook.target import Target

_SELECTOR = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class DkimKey:
    """An RSA key for DKIM. ``private_pem`` is secret: it is not shown by ``repr``."""

    bits: int
    public_b64: str
    private_pem: str = field(repr=False)

    @property
    def private_b64(self) -> str:
        """The private key as SES takes it: the PEM body, base64 on one line, without BEGIN/END lines."""
        return "".join(line for line in self.private_pem.splitlines() if not line.startswith("-----"))

    def txt_value(self) -> str:
        return f"v=DKIM1; k=rsa; p={self.public_b64}"


def generate_dkim_key(bits: int = 2048) -> DkimKey:
    """A new RSA key of ``bits`` (1024 to 2048, as SES accepts) for BYODKIM."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(bits, int) or not 1024 <= bits <= 2048 or bits % 8:
        raise ValidationError("bits", bits, "must be a key size SES accepts: 1024 to 2048 bits (a multiple of 8).",
                              hint="Use 2048 unless your DNS host cannot store long TXT records.")
    return key_from_private(rsa.generate_private_key(public_exponent=65537, key_size=bits))


def key_from_private(key: object) -> DkimKey:
    """A :class:`DkimKey` from a ``cryptography`` RSA private key or its PEM text."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if isinstance(key, str | bytes):
        try:
            key = serialization.load_pem_private_key(key.encode() if isinstance(key, str) else key, password=None)
        except (ValueError, TypeError):
            raise ValidationError("key", "<PEM text>", "is not an unencrypted PEM private key.") from None
    if not isinstance(key, rsa.RSAPrivateKey) or not 1024 <= key.key_size <= 2048:
        raise ValidationError("key", type(key).__name__, "must be an RSA private key of 1024 to 2048 bits.")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return DkimKey(key.key_size, base64.b64encode(der).decode(), pem)


def byodkim_record(domain: str, selector: str, key: DkimKey) -> Record:
    """The TXT record carrying ``key``'s public half for ``selector``."""
    return ses_records.byodkim_record(domain, _selector(selector), key.public_b64)


def _selector(selector: str) -> str:
    text = selector.strip().lower() if isinstance(selector, str) else ""
    if not _SELECTOR.match(text):
        raise ValidationError("selector", selector, "must be 1-63 letters, digits or hyphens (one DNS label).",
                              hint="For example 'sesbook1'; a new selector lets you rotate keys.")
    return text


@dataclass(frozen=True)
class ByodkimSetup:
    """What :func:`byodkim` did: the key (private half hidden), the record to publish, the DKIM status.

    ``changed`` is False when the identity already signed with a key of its own under this selector and
    DKIM was ``SUCCESS``: nothing was sent, ``key`` is None (SES never hands a private key back) and
    ``record`` is the key DNS shows now, so publishing it again changes nothing. ``note`` says why.
    """

    domain: str
    selector: str
    key: DkimKey | None
    record: Record | None
    dkim_status: str
    planned: bool = False
    changed: bool = True
    note: str = ""

    @property
    def records(self) -> tuple[Record, ...]:
        return (self.record,) if self.record is not None else ()

    def _state(self) -> str:
        if self.planned:
            return "planned, not sent"
        if not self.changed:
            return f"DKIM {self.dkim_status}, unchanged: {self.note}"
        return f"DKIM {self.dkim_status}"

    def _key_text(self) -> str:
        return f"{self.key.bits}-bit key" if self.key is not None else "the key already in use"

    def __repr__(self) -> str:
        return (f"ByodkimSetup({self.domain}, selector {self.selector}, {self._key_text()}: {self._state()})\n"
                + records_text(self.records))

    def _repr_html_(self) -> str:
        return records_table(self.records, caption=f"BYODKIM for {self.domain} ({self._key_text()}): {self._state()}")


def _published_key(target: Target, name: str) -> Record | None:
    """The DKIM key TXT record DNS (the target's resolver) shows at ``name``, if exactly one is there."""
    import dns.exception

    try:
        answer = target.resolver.resolve(name, "TXT", raise_on_no_answer=False)
    except dns.exception.DNSException:
        return None
    values = [b"".join(rd.strings).decode(errors="replace") for rd in answer.rrset or []]
    keys = [v for v in values if "p=" in v.replace(" ", "")]
    if len(keys) != 1:
        return None
    return Record(name, "TXT", keys[0], purpose="BYODKIM public key; also verifies the domain", exclusive=True)


def _signing_already(target: Target, name: str, selector: str) -> Record | None:
    """The key record when ``name`` already signs with BYODKIM under ``selector`` and DKIM is SUCCESS."""
    status = identity_status(target, name)
    if not status.exists or status.dkim_origin != "EXTERNAL" or status.dkim != "SUCCESS":
        return None
    if status.dkim_tokens and selector not in status.dkim_tokens:  # SES names the selector it signs with
        return None
    return _published_key(target, f"{selector}._domainkey.{name}")


def byodkim(target: Target, domain: str, *, selector: str = "sesbook", key: DkimKey | None = None,
            bits: int = 2048) -> ByodkimSetup:
    """Give SES your own DKIM key for ``domain`` (creating the identity if needed) and return the TXT record.

    Re-runnable: without ``key``, when the identity already signs with a key of its own under ``selector``
    and its DKIM status is ``SUCCESS``, nothing changes (``changed=False``) and the record is the key DNS
    shows. Otherwise ``key`` defaults to a new key of ``bits``. Passing a ``key`` always gives it to SES:
    that is a rotation. Its record is ``exclusive``, so publishing it replaces the old key at the selector
    (a new ``selector`` lets both records live side by side while you switch).
    """
    name = normalize_domain(domain)
    chosen = _selector(selector)
    if key is None:
        current = _signing_already(target, name, chosen)
        if current is not None:
            return ByodkimSetup(name, chosen, None, current, "SUCCESS", changed=False,
                                note=f"{name} already signs with its own key under selector {chosen}; "
                                     "nothing was sent (pass key= to rotate)")
    key = key if key is not None else generate_dkim_key(bits)
    signing = {"DomainSigningSelector": chosen, "DomainSigningPrivateKey": key.private_b64}
    with aws_errors("sesv2"):
        try:
            target.sesv2.get_email_identity(EmailIdentity=name)
            exists = True
        except target.sesv2.exceptions.NotFoundException:
            exists = False
        if exists:
            got = target.sesv2.put_email_identity_dkim_signing_attributes(
                EmailIdentity=name, SigningAttributesOrigin="EXTERNAL", SigningAttributes=signing)
        else:
            got = target.sesv2.create_email_identity(EmailIdentity=name, DkimSigningAttributes=signing)
    planned = was_planned(got)
    status = "PLANNED"
    if not planned:
        try:
            with aws_errors("sesv2"):
                status = target.sesv2.get_email_identity(EmailIdentity=name)["DkimAttributes"].get("Status", "PENDING")
        except AwsError:
            status = "PENDING"
    return ByodkimSetup(name, chosen, key, byodkim_record(name, chosen, key), status, planned=planned)
