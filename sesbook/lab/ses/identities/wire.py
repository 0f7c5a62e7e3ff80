"""SES identity actions (v1 and v2) that verify through DNS, as SES does.

The rules are in :mod:`.state` and :mod:`.mailfrom`; this module puts them into moto:

- v1 actions replaced: ``VerifyDomainIdentity``, ``VerifyDomainDkim``, ``GetIdentityVerificationAttributes``,
  ``GetIdentityDkimAttributes``; added: ``SetIdentityDkimEnabled``.
- v2 actions replaced: ``CreateEmailIdentity`` (refuses an identity that exists, like SES),
  ``GetEmailIdentity``; added: ``PutEmailIdentityDkimSigningAttributes`` (BYODKIM),
  ``PutEmailIdentityDkimAttributes``.
- Custom MAIL FROM: v1 ``SetIdentityMailFromDomain`` / ``GetIdentityMailFromDomainAttributes`` replaced, v2
  ``PutEmailIdentityMailFromAttributes`` added (moto lacks it); ``GetEmailIdentity`` shows the same state.
- ``SESBackend`` methods wrapped: ``create_email_identity_v2`` (lab state, verification message),
  ``verify_email_identity`` / ``verify_email_address`` (send the message again), ``_is_verified_address``
  (only ``Success`` counts), ``delete_identity`` (moto only deleted identities it thought verified);
  ``SESV2Backend.list_email_identities`` (statuses up to date).
- ``GET /_sesbook/verify-email?token=...``: the link in the verification message.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from email.utils import parseaddr
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import InvalidParameterValue, NotFoundException

from sesbook.lab import clock, current, mailbox, seeding
from sesbook.lab.registry import route, v1_action, v2_action, wrap
from sesbook.lab.ses._wire import SES_BACKEND, SESV2_BACKEND, all_ses_backends, v2_body
from sesbook.lab.ses.errors import AlreadyExistsException, BadRequestException
from sesbook.lab.ses.identities.mailfrom import set_mail_from
from sesbook.lab.ses.identities.state import (
    EMAIL_LINK_LIFETIME_S,
    REGION_NAMES,
    V2_BEHAVIOR,
    V2_STATUS,
    VERIFIER,
    IdentityState,
    canonical_name,
    check_identity_name,
    dkim_status,
    evaluate,
    evaluated,
    find,
    identities,
    identity_rng,
    mail_from_status,
    new_identity_state,
    v2_dkim,
    v2_mail_from,
    verification_error,
    verification_status,
    verified_for_sending,
)

SES = SES_BACKEND


# -- creation ---------------------------------------------------------------------------------------------
@wrap(SES, "create_email_identity_v2")
def _create_identity(original: Any, self: Any, email_identity: str, tags: Any, dkim: Any, config_set: Any) -> Any:
    name = canonical_name(email_identity)
    ident = original(self, name, tags, None, config_set)  # DKIM is the lab's business, not moto's
    st = identities(self).get(name)
    if st is None:
        st = identities(self)[name] = new_identity_state(self, name)
        if not st.is_domain:
            send_verification_message(self, st)
    evaluate(self, st)
    return ident


def _reverify(original: Any, self: Any, address: str) -> None:
    _, bare = parseaddr(address)
    existed = bare in self.email_identities
    original(self, address)
    st = find(self, bare)
    if existed and st is not None and verification_status(st) != "Success":
        st.created = clock.time_s()  # a new request: a new 24-hour link
        send_verification_message(self, st)


@wrap(SES, "verify_email_identity")
def _verify_email_identity(original: Any, self: Any, address: str) -> None:
    _reverify(original, self, address)


@wrap(SES, "verify_email_address")
def _verify_email_address(original: Any, self: Any, address: str) -> None:
    _reverify(original, self, address)


def send_verification_message(backend: Any, st: IdentityState) -> dict[str, Any] | None:
    """Put SES's address verification request, with its link, in the lab mailbox."""
    lab = current()
    endpoint = lab.info.aws_endpoint if lab is not None and lab.info is not None else "http://localhost"
    link = f"{endpoint}/_sesbook/verify-email?token={st.email_token}"
    region = REGION_NAMES.get(st.region, st.region)
    text = (
        "Hello,\n\n"
        f"Someone asked Amazon SES (the sesbook lab) to let this address, {st.name}, be used as a sender or "
        f"recipient in region {region}.\n\n"
        f"If that was you, open this link to confirm the address:\n\n{link}\n\n"
        "The link works for 24 hours. If you did not ask for this, ignore this message: nothing changes "
        "until the link is opened.\n"
    )
    st.messages_sent += 1
    rng = identity_rng(st.name, f"message:{st.messages_sent}")  # not moto's source: later message ids stay put
    return mailbox.deliver({
        "Id": seeding.ses_message_id(rng), "Region": st.region, "Source": VERIFIER,
        "Destination": {"ToAddresses": [st.name], "CcAddresses": [], "BccAddresses": []},
        "Subject": f"Amazon Web Services \u2013 Email Address Verification Request in region {region}",
        "Body": {"text_part": text, "html_part": None},
    })


@route("/_sesbook/verify-email")
def _follow_link(request: Any) -> tuple[int, Any]:
    token = request.args.get("token", "")
    for backend in all_ses_backends():
        for st in list(identities(backend).values()):
            if st.is_domain or not token or st.email_token != token:
                continue
            if st.verified_at is None and clock.time_s() - st.created > EMAIL_LINK_LIFETIME_S:
                return 410, (
                    f"This link for {st.name} has expired (links work for 24 hours). "
                    "Ask SES to verify the address again to get a new one.\n"
                )
            if st.verified_at is None:
                st.verified_at = clock.time_s()
            evaluate(backend, st)
            return 200, f"Verified: {st.name} can now be used with Amazon SES in region {st.region}.\n"
    return 404, "No verification request has this link. Ask SES to verify the address again.\n"


# -- who counts as verified ----------------------------------------------------------------------------------
@wrap(SES, "_is_verified_address")
def _is_verified_address(original: Any, self: Any, source: str) -> bool:
    return verified_for_sending(self, source)


@wrap(SES, "delete_identity")
def _delete_identity(original: Any, self: Any, identity: str) -> None:
    name = canonical_name(identity)
    self.email_identities.pop(name, None)
    identities(self).pop(name, None)
    self.identity_mail_from_domains.pop(name, None)
    self.dkim_tokens.pop(name, None)


@wrap(SESV2_BACKEND, "list_email_identities")
def _list_v2(original: Any, self: Any, *args: Any, **kwargs: Any) -> Any:
    for name in list(self.core_backend.email_identities):
        st = find(self.core_backend, name)
        if st is not None:
            evaluate(self.core_backend, st)
    return original(self, *args, **kwargs)


# -- v1 ------------------------------------------------------------------------------------------------------
def _domain_param(value: Any) -> str:
    name = canonical_name(str(value or ""))
    check_identity_name(name, v2=False)
    if "@" in name:
        raise InvalidParameterValue(f"Invalid domain name <{name}>: this call takes a domain, not an address.")
    return name


def _restart_if_failed(st: IdentityState) -> None:
    if verification_status(st) == "Failed":
        st.created = clock.time_s()


@v1_action("verify_domain_identity")
def verify_domain_identity(self: Any) -> ActionResult:
    domain = _domain_param(self._get_param("Domain"))
    self.backend.verify_domain(domain)
    st = find(self.backend, domain)
    assert st is not None
    _restart_if_failed(st)
    return ActionResult({"VerificationToken": st.verification_token})


def _start_easy_dkim(st: IdentityState, bits: int | None = None) -> None:
    if st.dkim_origin != "AWS_SES" or not st.dkim_requested or dkim_status(st) == "Failed":
        st.dkim_requested, st.dkim_origin, st.dkim_verified_at = True, "AWS_SES", None
        st.dkim_started = clock.time_s()
    if bits:
        st.dkim_bits = bits


@v1_action("verify_domain_dkim")
def verify_domain_dkim(self: Any) -> ActionResult:
    domain = _domain_param(self._get_param("Domain"))
    self.backend.verify_domain(domain)
    st = find(self.backend, domain)
    assert st is not None
    _start_easy_dkim(st)
    return ActionResult({"DkimTokens": list(st.dkim_tokens)})


@v1_action("get_identity_verification_attributes")
def get_identity_verification_attributes(self: Any) -> ActionResult:
    result = {}
    for name, st in evaluated(self.backend, self._get_param("Identities", [])):
        entry = {"VerificationStatus": verification_status(st)}
        if st.is_domain:
            entry["VerificationToken"] = st.verification_token
        result[name] = entry
    return ActionResult({"VerificationAttributes": result})


@v1_action("get_identity_dkim_attributes")
def get_identity_dkim_attributes(self: Any) -> ActionResult:
    result = {}
    for name, st in evaluated(self.backend, self._get_param("Identities", [])):
        entry: dict[str, Any] = {
            "DkimEnabled": v2_dkim(st)["SigningEnabled"], "DkimVerificationStatus": dkim_status(st),
        }
        if st.is_domain and st.dkim_requested and st.dkim_origin == "AWS_SES":
            entry["DkimTokens"] = list(st.dkim_tokens)
        result[name] = entry
    return ActionResult({"DkimAttributes": result})


@v1_action("set_identity_dkim_enabled")
def set_identity_dkim_enabled(self: Any) -> ActionResult:
    st = find(self.backend, self._get_param("Identity") or "")
    if st is None:
        raise InvalidParameterValue(f"Identity <{self._get_param('Identity')}> does not exist.")
    st.dkim_enabled = str(self._get_param("DkimEnabled")).lower() == "true"
    return EmptyResult()


# -- v2 ------------------------------------------------------------------------------------------------------
def _v2_state(self: Any) -> tuple[Any, IdentityState]:
    name = canonical_name(self._get_param("EmailIdentity") or "")
    backend = self.sesv2_backend.core_backend
    st = find(backend, name)
    if st is None:
        raise NotFoundException(f"Email identity {name} does not exist.")
    return backend, st


_KEY_BITS = {"RSA_1024_BIT": 1024, "RSA_2048_BIT": 2048}


@v2_action("create_email_identity")
def create_email_identity(self: Any) -> str:
    params = v2_body(self)
    name = canonical_name(params.get("EmailIdentity") or "")
    check_identity_name(name, v2=True)
    backend = self.sesv2_backend.core_backend
    if name in backend.email_identities:
        raise AlreadyExistsException(f"Email identity {name} already exist.")
    signing = params.get("DkimSigningAttributes") or {}
    if signing and "@" in name:
        raise BadRequestException("DkimSigningAttributes apply to domain identities only.")
    selector: str | None = None
    public: str | None = None
    if signing.get("DomainSigningPrivateKey") or signing.get("DomainSigningSelector"):
        selector, public = _byodkim_args(signing)  # validate before creating anything
    ident = self.sesv2_backend.create_email_identity(name, params.get("Tags"), None, params.get("ConfigurationSetName"))
    st = find(backend, name)
    assert st is not None
    if st.is_domain:
        if selector:
            _use_byodkim(st, selector, public or "")
        else:
            _start_easy_dkim(st, _KEY_BITS.get(signing.get("NextSigningKeyLength", ""), 2048))
    evaluate(backend, st)
    return json.dumps({
        "IdentityType": ident.identity_type, "VerifiedForSendingStatus": verification_status(st) == "Success",
        "DkimAttributes": v2_dkim(st),
    })


@v2_action("get_email_identity")
def get_email_identity(self: Any) -> str:
    backend, st = _v2_state(self)
    ident = backend.email_identities[st.name]
    evaluate(backend, st)
    status = verification_status(st)
    info: dict[str, Any] = {"LastCheckedTimestamp": st.last_checked}
    if st.verified_at is not None:
        info["LastSuccessTimestamp"] = st.verified_at
    elif st.is_domain:
        info["ErrorType"] = verification_error(st) or "SERVICE_ERROR"  # a record present since the last check
    return json.dumps({
        "IdentityType": ident.identity_type, "FeedbackForwardingStatus": ident.feedback_forwarding_status,
        "VerifiedForSendingStatus": status == "Success", "DkimAttributes": v2_dkim(st),
        "MailFromAttributes": v2_mail_from(st), "Policies": ident.policies, "Tags": ident.tags or [],
        "ConfigurationSetName": ident.configuration_set_name, "VerificationStatus": V2_STATUS[status],
        "VerificationInfo": info,
    })


#: The botocore SESv2 model's patterns (shapes ``Selector`` and ``PrivateKey``), checked 2026 (botocore 1.44).
SELECTOR_RE = re.compile(r"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))$")
PRIVATE_KEY_RE = re.compile(r"^[a-zA-Z0-9+\/]+={0,2}$")


def _byodkim_args(attrs: dict[str, Any]) -> tuple[str, str]:
    """BYODKIM's ``DomainSigningSelector`` and ``DomainSigningPrivateKey``, checked as SES does.

    The SESv2 model (API Reference, ``DkimSigningAttributes``:
    https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_DkimSigningAttributes.html): the selector is
    1-63 letters, digits and inner hyphens (one DNS label, no dots); the private key is 1-20480 characters of
    base64 on one line, ``^[a-zA-Z0-9+/]+={0,2}$``, so a PEM file with its BEGIN/END lines or line breaks is
    refused; the key is RSA of 1024 to 2048 bits (Developer Guide, "Provide your own DKIM authentication token
    (BYODKIM)", https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html).
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sesbook.lab.dns.dkimkeys import public_key_b64

    selector = str(attrs.get("DomainSigningSelector") or "")
    if len(selector) > 63 or not SELECTOR_RE.match(selector):
        raise BadRequestException(
            f"Invalid DomainSigningSelector <{selector}>: use one DNS label of 1-63 letters, digits or hyphens "
            "(no dots, no hyphen at either end), e.g. sesbook1."
        )
    text = str(attrs.get("DomainSigningPrivateKey") or "")
    if not 1 <= len(text) <= 20480 or not PRIVATE_KEY_RE.match(text):
        raise BadRequestException(
            "DomainSigningPrivateKey must match ^[a-zA-Z0-9+/]+={0,2}$: the base64 body of the PEM file on one "
            "line, with the -----BEGIN/END----- lines and the line breaks stripped."
        )
    try:
        key = serialization.load_der_private_key(base64.b64decode(text, validate=True), password=None)
    except (ValueError, TypeError, binascii.Error):
        raise BadRequestException(
            "DomainSigningPrivateKey is not a base64-encoded RSA private key (PKCS#1 or PKCS#8 DER, i.e. a PEM "
            "file without its BEGIN/END lines)."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or not 1024 <= key.key_size <= 2048:
        size = getattr(key, "key_size", "?")
        raise BadRequestException(f"DomainSigningPrivateKey must be an RSA key of 1024 to 2048 bits (got {size} bits).")
    return selector, public_key_b64(key)


def _use_byodkim(st: IdentityState, selector: str, public: str) -> None:
    st.dkim_origin, st.byo_selector, st.byo_public = "EXTERNAL", selector, public
    st.dkim_verified_at, st.dkim_started = None, clock.time_s()


@v2_action("put_email_identity_dkim_signing_attributes")
def put_email_identity_dkim_signing_attributes(self: Any) -> str:
    backend, st = _v2_state(self)
    params = v2_body(self)
    if not st.is_domain:
        raise BadRequestException("DKIM signing attributes apply to domain identities only.")
    origin = params.get("SigningAttributesOrigin")
    attrs = params.get("SigningAttributes") or {}
    if origin == "EXTERNAL":
        _use_byodkim(st, *_byodkim_args(attrs))
    elif origin == "AWS_SES":
        _start_easy_dkim(st, _KEY_BITS.get(attrs.get("NextSigningKeyLength", ""), 0) or None)
    else:
        raise BadRequestException(f"SigningAttributesOrigin <{origin}>: the lab supports AWS_SES and EXTERNAL.")
    evaluate(backend, st)
    out: dict[str, Any] = {"DkimStatus": V2_STATUS[dkim_status(st)]}
    if st.dkim_origin == "AWS_SES":
        out["DkimTokens"] = list(st.dkim_tokens)
    return json.dumps(out)


@v2_action("put_email_identity_dkim_attributes")
def put_email_identity_dkim_attributes(self: Any) -> str:
    _, st = _v2_state(self)
    st.dkim_enabled = bool(v2_body(self).get("SigningEnabled", False))
    return "{}"


# -- custom MAIL FROM ------------------------------------------------------------------------------------------
@v1_action("set_identity_mail_from_domain")
def set_identity_mail_from_domain(self: Any) -> ActionResult:
    name = self._get_param("Identity") or ""
    st = find(self.backend, name)
    if st is None:
        raise InvalidParameterValue(f"Identity <{name}> does not exist. Verify it first.")
    behavior = self._get_param("BehaviorOnMXFailure") or "UseDefaultValue"
    set_mail_from(self.backend, st, self._get_param("MailFromDomain"), behavior, v2=False)
    return EmptyResult()


@v1_action("get_identity_mail_from_domain_attributes")
def get_identity_mail_from_domain_attributes(self: Any) -> ActionResult:
    result = {}
    for name, st in evaluated(self.backend, self._get_param("Identities", [])):
        entry = {"BehaviorOnMXFailure": st.mail_from_behavior}
        if st.mail_from:
            entry.update(MailFromDomain=st.mail_from, MailFromDomainStatus=mail_from_status(st) or "Pending")
        result[name] = entry
    return ActionResult({"MailFromDomainAttributes": result})


@v2_action("put_email_identity_mail_from_attributes")
def put_email_identity_mail_from_attributes(self: Any) -> str:
    backend, st = _v2_state(self)
    params = v2_body(self)
    from_v2 = {v2: v1 for v1, v2 in V2_BEHAVIOR.items()}
    raw = params.get("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE"
    if raw not in from_v2:  # the v1 spellings (RejectMessage) are not SESv2's
        raise BadRequestException(
            f"Invalid BehaviorOnMxFailure <{raw}>: use USE_DEFAULT_VALUE or REJECT_MESSAGE (SESv2 spellings; "
            "UseDefaultValue and RejectMessage are SES v1's)."
        )
    set_mail_from(backend, st, params.get("MailFromDomain"), from_v2[raw], v2=True)
    return "{}"
