"""Lab extension: custom MAIL FROM domains (v1 and v2 calls), with SES's checks and statuses.

- v1 ``SetIdentityMailFromDomain`` / ``GetIdentityMailFromDomainAttributes`` replaced, v2
  ``PutEmailIdentityMailFromAttributes`` added (moto lacks it); ``GetEmailIdentity`` shows the same state.
- A MAIL FROM domain must be a proper subdomain of the identity's domain: the domain itself (its MX
  receives mail) and other domains are refused with a message saying why.
- Status: ``Pending`` until the name's only MX is ``10 feedback-smtp.REGION.amazonses.com``, then
  ``Success``; ``TemporaryFailure`` when it goes away, ``Failed`` after 72 hours (lab clock).
- ``BehaviorOnMXFailure=RejectMessage``: sends from the identity fail with
  ``MailFromDomainNotVerifiedException`` while the status is not ``Success`` (wraps the three sends).
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import InvalidParameterValue

from sesbook.lab import clock
from sesbook.lab.ext_identities import SES, _candidates, _states, _v2_body, _v2_state
from sesbook.lab.extensions import v1_action, v2_action, wrap
from sesbook.lab.identity_state import (
    BadRequest,
    IdentityState,
    MailFromDomainNotVerified,
    _canonical,
    evaluate,
    find,
    mail_from_status,
    valid_domain,
)


# -- custom MAIL FROM ----------------------------------------------------------------------------------------
def set_mail_from(backend: Any, st: IdentityState, mail_from: str | None, behavior: str, *, v2: bool) -> None:
    error = BadRequest if v2 else InvalidParameterValue
    if behavior not in ("UseDefaultValue", "RejectMessage"):
        raise error(f"Invalid BehaviorOnMxFailure <{behavior}>: use UseDefaultValue or RejectMessage.")
    if not mail_from:
        st.mail_from, st.mail_from_ok_at, st.mail_from_behavior = None, None, behavior
        backend.identity_mail_from_domains.pop(st.name, None)
        return
    domain = _canonical(mail_from)
    base = st.base_domain
    if domain == base:
        raise error(
            f"MAIL FROM domain <{domain}> is the identity's own domain. Use a subdomain that serves no other "
            f"purpose, such as mail.{base}: it needs the MX 10 feedback-smtp.{st.region}.amazonses.com, which "
            f"would clash with the MX that receives mail for {base}."
        )
    if not domain.endswith("." + base) or not valid_domain(domain):
        raise error(
            f"MAIL FROM domain <{domain}> is not a subdomain of <{base}>: use a name under the identity's "
            f"domain, such as mail.{base}."
        )
    if domain != st.mail_from:
        st.mail_from, st.mail_from_ok_at, st.mail_from_set_at = domain, None, clock.time_s()
    st.mail_from_behavior = behavior
    backend.identity_mail_from_domains[st.name] = {"mail_from_domain": domain, "behavior_on_mx_failure": behavior}


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
    for name, st in _states(self.backend, self._get_param("Identities", [])):
        entry = {"BehaviorOnMXFailure": st.mail_from_behavior}
        if st.mail_from:
            entry.update(MailFromDomain=st.mail_from, MailFromDomainStatus=mail_from_status(st) or "Pending")
        result[name] = entry
    return ActionResult({"MailFromDomainAttributes": result})


def _mail_from_gate(backend: Any, source: Any) -> None:
    """SES refuses a send when the identity's MAIL FROM is not working and the owner chose RejectMessage."""
    _, address = parseaddr(str(source or ""))
    by_lower = {k.lower(): k for k in backend.email_identities}
    for name in _candidates(address):
        key = by_lower.get(name.lower())
        st = find(backend, key) if key else None
        if st is None or not st.mail_from:
            continue
        evaluate(backend, st)
        if st.mail_from_behavior == "RejectMessage" and mail_from_status(st) != "Success":
            raise MailFromDomainNotVerified(
                f"The MAIL FROM domain {st.mail_from} of identity {st.name} is not verified "
                f"(status {mail_from_status(st)}) and its BehaviorOnMXFailure is RejectMessage. Publish the MX "
                f"10 feedback-smtp.{st.region}.amazonses.com at {st.mail_from}, or switch to UseDefaultValue."
            )
        return


@wrap(SES, "send_email")
def _gate_send_email(original: Any, self: Any, source: str, *args: Any, **kwargs: Any) -> Any:
    _mail_from_gate(self, source)
    return original(self, source, *args, **kwargs)


@wrap(SES, "send_templated_email")
def _gate_send_templated(original: Any, self: Any, source: str, *args: Any, **kwargs: Any) -> Any:
    _mail_from_gate(self, source)
    return original(self, source, *args, **kwargs)


@wrap(SES, "send_raw_email")
def _gate_send_raw(original: Any, self: Any, source: Any, destinations: Any, raw_data: str) -> Any:
    sender = source
    if sender is None:
        import email

        sender = email.message_from_string(raw_data).get("From")
    _mail_from_gate(self, sender)
    return original(self, source, destinations, raw_data)


@v2_action("put_email_identity_mail_from_attributes")
def put_email_identity_mail_from_attributes(self: Any) -> str:
    backend, st = _v2_state(self)
    params = _v2_body(self)
    behavior = {v: k for k, v in {"UseDefaultValue": "USE_DEFAULT_VALUE", "RejectMessage": "REJECT_MESSAGE"}.items()}
    raw = params.get("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE"
    set_mail_from(backend, st, params.get("MailFromDomain"), behavior.get(raw, raw), v2=True)
    return "{}"
