"""The lab's identity state: tokens, keys and statuses worked out from the lab DNS (the actions: :mod:`.wire`).

moto marks every identity ``Success`` at once with constant tokens; the lab does what SES does:

- A domain gets a random verification token (v1, TXT at ``_amazonses.DOMAIN``) and three Easy DKIM
  tokens (CNAME ``TOKEN._domainkey.DOMAIN -> TOKEN.dkim.amazonses.com``), drawn from the lab's seeded
  source when the identity is created and the same through v1 and v2 calls.
- Status is worked out when someone reads it (or a send checks it): ``Pending`` until the lab's DNS
  answers with the TXT token, all three DKIM CNAMEs or the BYODKIM public key, then ``Success`` for good.
  After 72 hours on the lab clock without the records it is ``Failed``; verifying again restarts it.
- ``TOKEN.dkim.amazonses.com`` answers with a real RSA public key (:mod:`sesbook.lab.dkimkeys`).
- An email address gets a verification message in the lab mailbox with a link to
  ``/_sesbook/verify-email?token=...``; following it within 24 hours verifies the address.
- Custom MAIL FROM (v1 and v2): a subdomain of the identity only; ``Success`` once its only MX is
  ``10 feedback-smtp.REGION.amazonses.com`` (SES checks the MX; the SPF record is the sender's concern);
  with ``RejectMessage`` a send from the identity fails while the MAIL FROM domain is not ``Success``.
- ``SESBackend._is_verified_address`` (moto's source check, also used for the sandbox's recipients) counts
  only identities whose status is ``Success``; as in SES, an address identity is case-sensitive and covers
  its ``+label`` forms, and a verified domain covers its addresses and subdomains (:func:`identity_names_for`).
"""

from __future__ import annotations

import base64
import logging
import random
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from moto.ses.exceptions import InvalidParameterValue

from sesbook.lab import clock, seeding
from sesbook.lab.dns import dkimkeys
from sesbook.lab.registry import state, zone_provider
from sesbook.lab.ses._wire import all_ses_backends
from sesbook.lab.ses.errors import BadRequestException

log = logging.getLogger("sesbook")

PENDING_LIMIT_S = 72 * 3600
EMAIL_LINK_LIFETIME_S = 24 * 3600
DKIM_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
V2_STATUS = {"Pending": "PENDING", "Success": "SUCCESS", "Failed": "FAILED",
             "TemporaryFailure": "TEMPORARY_FAILURE", "NotStarted": "NOT_STARTED"}
V2_BEHAVIOR = {"UseDefaultValue": "USE_DEFAULT_VALUE", "RejectMessage": "REJECT_MESSAGE"}
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)", "eu-west-1": "Europe (Ireland)", "eu-west-2": "Europe (London)",
    "eu-central-1": "Europe (Frankfurt)", "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-3": "Asia Pacific (Osaka)", "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)", "ca-central-1": "Canada (Central)",
}
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
VERIFIER = "no-reply-aws@amazon.com"


@dataclass
class IdentityState:
    """What the lab knows about one identity beyond moto's record of it."""

    name: str
    is_domain: bool
    region: str
    created: float
    verification_token: str = ""
    dkim_tokens: list[str] = field(default_factory=list)
    key_salt: int = 0
    dkim_bits: int = 2048
    dkim_requested: bool = False  # Easy DKIM set up (v2 CreateEmailIdentity, v1 VerifyDomainDkim)
    dkim_origin: str = "AWS_SES"  # or EXTERNAL (BYODKIM)
    dkim_enabled: bool = True
    dkim_started: float = 0.0
    byo_selector: str | None = None
    byo_public: str | None = None
    verified_at: float | None = None
    dkim_verified_at: float | None = None
    email_token: str = ""
    messages_sent: int = 0
    mail_from: str | None = None
    mail_from_behavior: str = "UseDefaultValue"
    mail_from_set_at: float = 0.0
    mail_from_ok_at: float | None = None  # the last check that found the MX
    mail_from_lost_at: float | None = None  # the first check that missed it after a Success
    mail_from_failed: bool = False  # Failed is final until the MAIL FROM domain is set again
    last_checked: float | None = None

    @property
    def base_domain(self) -> str:
        return self.name if self.is_domain else self.name.rpartition("@")[2].lower()


def identities(backend: Any) -> dict[str, IdentityState]:
    return state(backend, "identities", dict)


def canonical_name(name: str) -> str:
    """An identity name as the lab keys it: addresses as given, domains lower-case without the final dot."""
    name = (name or "").strip()
    return name if "@" in name else name.lower().rstrip(".")


def valid_domain(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def check_identity_name(name: str, *, v2: bool) -> None:
    """Refuse a name SES would refuse (an ``InvalidParameterValue`` on v1, ``BadRequestException`` on v2)."""
    error = BadRequestException if v2 else InvalidParameterValue
    if "@" in name:
        local, _, domain = name.rpartition("@")
        if not local or not valid_domain(domain.lower()):
            raise error(f"Invalid email address <{name}>: use local-part@domain, e.g. sender@example.com.")
    elif not valid_domain(name):
        raise error(
            f"Invalid domain name <{name}>: use letters, digits and hyphens in dot-separated labels "
            "(IDNs in punycode, xn--...)."
        )


def identity_rng(name: str, purpose: str = "tokens") -> random.Random:
    """A random source for one identity: seeded labs derive it from the seed and the name, so an identity's
    tokens do not depend on what else the lab did before (and do not shift other seeded values)."""
    seed = seeding.current_seed()
    if seed is None:
        return random.Random(seeding.rng.getrandbits(128))
    return random.Random(f"sesbook-identity:{seed}:{name}:{purpose}")


def new_identity_state(backend: Any, name: str) -> IdentityState:
    """A fresh lab state for identity ``name``: its tokens drawn from :func:`identity_rng`."""
    rng = identity_rng(name)
    st = IdentityState(name=name, is_domain="@" not in name, region=backend.region_name, created=clock.time_s())
    if st.is_domain:
        st.verification_token = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()
        st.dkim_tokens = ["".join(rng.choice(DKIM_TOKEN_ALPHABET) for _ in range(32)) for _ in range(3)]
        st.key_salt = rng.getrandbits(64)
    else:
        st.email_token = f"{rng.getrandbits(128):032x}"
    return st


def find(backend: Any, name: str) -> IdentityState | None:
    """The lab state of identity ``name`` in one backend (made on demand for identities moto already has)."""
    name = canonical_name(name)
    found = identities(backend).get(name)
    if found is None and name in backend.email_identities:
        found = identities(backend)[name] = new_identity_state(backend, name)
    return found


# -- DNS -----------------------------------------------------------------------------------------------
def lookup(qname: str, rtype: str) -> list[Any]:
    """Ask the lab's DNS (its answering code, in-process) for ``rtype`` records at ``qname``."""
    import dns.message
    import dns.rdatatype

    from sesbook.lab.dns.zones import answer

    response = answer(dns.message.make_query(qname, rtype))
    wanted = dns.rdatatype.from_text(rtype)
    return [rd for rrset in response.answer if rrset.rdtype == wanted for rd in rrset]


def probe(qname: str, rtype: str) -> tuple[str | None, list[Any]]:
    """Records of ``rtype`` at ``qname`` and, when there are none, why, in SES's ``VerificationError`` words:
    ``HOST_NOT_FOUND`` (NXDOMAIN: the name does not exist) or ``TYPE_NOT_FOUND`` (the name exists, no such record)."""
    import dns.message
    import dns.rcode
    import dns.rdatatype

    from sesbook.lab.dns.zones import answer

    response = answer(dns.message.make_query(qname, rtype))
    wanted = dns.rdatatype.from_text(rtype)
    found = [rd for rrset in response.answer if rrset.rdtype == wanted for rd in rrset]
    if found:
        return None, found
    return ("HOST_NOT_FOUND" if response.rcode() == dns.rcode.NXDOMAIN else "TYPE_NOT_FOUND"), []


def verification_error(st: IdentityState) -> str | None:
    """Why a domain is not verified yet: SESv2 ``GetEmailIdentity`` ``VerificationInfo.ErrorType``.

    The botocore SESv2 model (shape ``VerificationInfo``, the text of the SESv2 API Reference,
    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html) defines:
    ``INVALID_VALUE`` "able to find the record, but the value contained within the record was invalid";
    ``TYPE_NOT_FOUND`` "The queried hostname exists but does not have the requested type of DNS record";
    ``HOST_NOT_FOUND`` "The queried hostname does not exist". The lab asks the records the identity is
    verified by: the Easy DKIM CNAMEs (first failing token), the BYODKIM selector TXT, or else
    ``_amazonses.DOMAIN`` TXT (v1's token).
    """
    if not st.is_domain:
        return None
    if st.dkim_origin == "EXTERNAL" and st.byo_selector:
        why, found = probe(f"{st.byo_selector}._domainkey.{st.name}", "TXT")
        ok = any(_dkim_tags(b"".join(rd.strings).decode(errors="replace")).get("p") == st.byo_public for rd in found)
        return why or (None if ok else "INVALID_VALUE")
    if st.dkim_requested:
        for token in st.dkim_tokens:
            why, found = probe(f"{token}._domainkey.{st.name}", "CNAME")
            if why:
                return why
            if [rd.target.to_text().lower() for rd in found] != [f"{token}.{dkimkeys.DKIM_ZONE}."]:
                return "INVALID_VALUE"
        return None
    why, found = probe(f"_amazonses.{st.name}", "TXT")
    values = [b"".join(rd.strings).decode(errors="replace") for rd in found]
    return why or (None if st.verification_token in values else "INVALID_VALUE")


def _txt_values(qname: str) -> list[str]:
    return [b"".join(rd.strings).decode(errors="replace") for rd in lookup(qname, "TXT")]


def _dkim_tags(text: str) -> dict[str, str]:
    tags = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip()] = re.sub(r"\s+", "", value)
    return tags


def easy_dkim_published(st: IdentityState) -> bool:
    for token in st.dkim_tokens:
        targets = [rd.target.to_text().lower() for rd in lookup(f"{token}._domainkey.{st.name}", "CNAME")]
        if targets != [f"{token}.{dkimkeys.DKIM_ZONE}."]:
            return False
    return bool(st.dkim_tokens)


def byodkim_published(st: IdentityState) -> bool:
    if not st.byo_selector or not st.byo_public:
        return False
    values = _txt_values(f"{st.byo_selector}._domainkey.{st.name}")
    return any(_dkim_tags(v).get("p") == st.byo_public for v in values)


def mail_from_mx_ok(st: IdentityState) -> bool:
    mx = lookup(st.mail_from or "", "MX")
    want = f"feedback-smtp.{st.region}.amazonses.com."
    return len(mx) == 1 and mx[0].preference == 10 and mx[0].exchange.to_text().lower() == want


# -- status ----------------------------------------------------------------------------------------------
def _dkim_active(st: IdentityState) -> bool:
    return st.dkim_origin == "EXTERNAL" or st.dkim_requested


def evaluate(backend: Any, st: IdentityState) -> None:
    """Bring the identity's statuses up to date with the lab DNS and the lab clock."""
    now = clock.time_s()
    st.last_checked = now
    if st.is_domain:
        if st.dkim_verified_at is None and _dkim_active(st):
            ok = byodkim_published(st) if st.dkim_origin == "EXTERNAL" else easy_dkim_published(st)
            if ok:
                st.dkim_verified_at = now
        if st.verified_at is None and (
            st.dkim_verified_at is not None or st.verification_token in _txt_values(f"_amazonses.{st.name}")
        ):
            st.verified_at = now
    _check_mail_from_mx(st, now)
    ident = backend.email_identities.get(st.name)
    if ident is not None:  # keep moto's own record (ListEmailIdentities) in step
        ident.verification_status = V2_STATUS[verification_status(st)]
        ident.verified_for_sending_status = verification_status(st) == "Success"
        ident.dkim_attributes = v2_dkim(st)


def verification_status(st: IdentityState) -> str:
    if st.verified_at is not None:
        return "Success"
    limit = EMAIL_LINK_LIFETIME_S if not st.is_domain else PENDING_LIMIT_S
    return "Failed" if clock.time_s() - st.created > limit else "Pending"


def dkim_status(st: IdentityState) -> str:
    if not st.is_domain or not _dkim_active(st):
        return "NotStarted"
    if st.dkim_verified_at is not None:
        return "Success"
    return "Failed" if clock.time_s() - st.dkim_started > PENDING_LIMIT_S else "Pending"


def _check_mail_from_mx(st: IdentityState, now: float) -> None:
    """One SES check of the MAIL FROM MX (see :func:`mail_from_status`); a ``Failed`` domain is not checked."""
    if not st.mail_from or st.mail_from_failed:
        return
    if mail_from_status(st) == "Failed":  # the 72 hours ran out before this check: SES has stopped looking
        st.mail_from_failed = True
    elif mail_from_mx_ok(st):
        st.mail_from_ok_at, st.mail_from_lost_at = now, None
    elif st.mail_from_ok_at is not None and st.mail_from_lost_at is None:
        st.mail_from_lost_at = now


def mail_from_status(st: IdentityState) -> str | None:
    """The custom MAIL FROM state, as SES Developer Guide "Using a custom MAIL FROM domain" → "MAIL FROM
    domain setup states" (https://docs.aws.amazon.com/ses/latest/dg/mail-from.html, checked 2026) gives it:

    - ``Pending``: SES looks for the MX for 72 hours, then the state is ``Failed``;
    - ``Success``: SES keeps checking; when the MX goes, ``TemporaryFailure``;
    - ``TemporaryFailure``: SES looks for 72 hours: ``Success`` if the MX is back, else ``Failed``;
    - ``Failed``: "Amazon SES no longer attempts to detect the required MX record": it stays ``Failed``,
      even when the MX appears, until the owner sets the MAIL FROM domain again
      (``SetIdentityMailFromDomain`` / ``PutEmailIdentityMailFromAttributes``), which restarts at ``Pending``.
    """
    if not st.mail_from:
        return None
    now = clock.time_s()
    if st.mail_from_failed:
        return "Failed"
    if st.mail_from_lost_at is not None:
        return "TemporaryFailure" if now - st.mail_from_lost_at <= PENDING_LIMIT_S else "Failed"
    if st.mail_from_ok_at is not None:
        return "Success"
    return "Pending" if now - st.mail_from_set_at <= PENDING_LIMIT_S else "Failed"


def v2_dkim(st: IdentityState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "SigningEnabled": bool(st.dkim_enabled and _dkim_active(st) and st.is_domain),
        "Status": V2_STATUS[dkim_status(st)],
        "SigningAttributesOrigin": st.dkim_origin,
    }
    if st.is_domain and st.dkim_origin == "EXTERNAL" and st.byo_selector:
        # The SESv2 model (``DkimAttributes.Tokens``): "If you configured DKIM authentication for the domain by
        # providing your own public-private key pair, then this object contains the selector for the public
        # key." The Developer Guide's BYODKIM example shows an empty list; the lab follows the model.
        out["Tokens"] = [st.byo_selector]
    if st.is_domain and st.dkim_origin == "AWS_SES" and st.dkim_requested:
        out["Tokens"] = list(st.dkim_tokens)
        out["NextSigningKeyLength"] = out["CurrentSigningKeyLength"] = f"RSA_{st.dkim_bits}_BIT"
        out["LastKeyGenerationTimestamp"] = st.dkim_started
    return out


def v2_mail_from(st: IdentityState) -> dict[str, Any]:
    out: dict[str, Any] = {"BehaviorOnMxFailure": V2_BEHAVIOR[st.mail_from_behavior]}
    if st.mail_from:
        out["MailFromDomain"] = st.mail_from
        out["MailFromDomainStatus"] = V2_STATUS[mail_from_status(st) or "Pending"]
    return out


@zone_provider
def dkim_zone() -> list[Any]:
    """``dkim.amazonses.com``: a public key for every Easy DKIM token the lab has issued."""
    tokens = {}
    for backend in all_ses_backends():
        for st in list(identities(backend).values()):
            if st.is_domain and st.dkim_requested:
                tokens.update({t: (st.key_salt, st.dkim_bits) for t in st.dkim_tokens})
    return [dkimkeys.zone(tokens)] if tokens else []


def dkim_private_key(domain: str, token: str) -> Any:
    """The private key the lab signs with for one of a domain's Easy DKIM tokens (for the lab's senders)."""
    for backend in all_ses_backends():
        st = identities(backend).get(canonical_name(domain))
        if st is not None and token in st.dkim_tokens:
            return dkimkeys.private_key(token, st.key_salt, st.dkim_bits)
    raise KeyError(f"no Easy DKIM token {token!r} for {domain!r} in the lab")


# -- who counts as verified ----------------------------------------------------------------------------------
def identity_names_for(address: str) -> list[str]:
    """The identities that could cover ``address``, most specific first.

    SES Developer Guide, "Creating and verifying identities"
    (https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html), checked 2026:

    - "Email addresses are case sensitive. If you verify sender@EXAMPLE.com, you can't send email from
      sender@example.com unless you verify sender@example.com as well." An address identity covers only the
      address spelled exactly so (local part and domain part), so the address comes first as given;
    - "if you already verified sender@example.com, you can use sender+myLabel@example.com": for
      ``local+label@host`` the base address ``local@host`` comes next (as given too; one way only: a
      verified ``x+tag@`` does not cover ``x@``);
    - "Domain names are case-insensitive" and a verified domain covers its addresses and subdomains at any
      depth: then the host and each parent domain, lower-cased.
    """
    local, at, host = address.rpartition("@")
    names = [address] if at else []
    if at and "+" in local:
        names.append(f"{local.partition('+')[0]}@{host}")
    labels = host.lower().rstrip(".").split(".")
    names += [".".join(labels[i:]) for i in range(len(labels) - 1)]
    return names


def covering_identities(backend: Any, source: str) -> list[IdentityState]:
    """The identities of ``backend`` that could cover ``source``, most specific first (see
    :func:`identity_names_for`): address identities matched exactly, domain identities in any case."""
    _, address = parseaddr(source)
    address = address or source
    found = []
    for name in identity_names_for(address):
        st = find(backend, name)  # addresses are keyed as given, domains lower-case (canonical_name)
        if st is not None:
            found.append(st)
    return found


def verified_for_sending(backend: Any, source: str) -> bool:
    """SES's check for a sender and, in the sandbox, for each recipient (the same rule: the sandbox asks
    for "verified email addresses and domains" and SES applies the identity matching above to both):
    ``source`` may be used when an identity covering it (:func:`identity_names_for`) is ``Success``."""
    for st in covering_identities(backend, source):
        if st.verified_at is None:  # only an unverified identity needs a DNS look (sends stay fast)
            evaluate(backend, st)
        if verification_status(st) == "Success":
            return True
    return False


def evaluated(backend: Any, names: list[str]) -> list[tuple[str, IdentityState]]:
    """``(name, state)`` for each name that is an identity, its statuses brought up to date."""
    out = []
    for name in names or []:
        st = find(backend, name)
        if st is not None:
            evaluate(backend, st)
            out.append((name, st))
    return out
