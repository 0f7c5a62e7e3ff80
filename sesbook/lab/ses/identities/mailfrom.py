"""Custom MAIL FROM domains: SES's checks and statuses, and the send gate (the actions are in :mod:`.wire`).

- A MAIL FROM domain must be a proper subdomain of the identity's domain: the domain itself (its MX
  receives mail) and other domains are refused with a message saying why.
- Status (:func:`~sesbook.lab.ses.identities.state.mail_from_status`): ``Pending`` until the name's only MX
  is ``10 feedback-smtp.REGION.amazonses.com``, then ``Success``; ``TemporaryFailure`` when it goes away,
  ``Failed`` after 72 hours (lab clock) and for good: only setting the MAIL FROM domain again restarts it.
- ``BehaviorOnMxFailure`` spellings differ by API (botocore models): v1 ``UseDefaultValue|RejectMessage``
  (shape ``BehaviorOnMXFailure``), v2 ``USE_DEFAULT_VALUE|REJECT_MESSAGE``; each API takes only its own.
- ``BehaviorOnMXFailure=RejectMessage``: sends from the identity fail with
  ``MailFromDomainNotVerifiedException`` while the status is not ``Success`` (:func:`check_mail_from`, a
  stage of the send pipeline).
"""

from __future__ import annotations

from typing import Any

from moto.ses.exceptions import InvalidParameterValue

from sesbook.lab import clock
from sesbook.lab.ses.errors import BadRequestException, MailFromDomainNotVerified
from sesbook.lab.ses.identities.state import (
    IdentityState,
    canonical_name,
    covering_identities,
    evaluate,
    mail_from_status,
    valid_domain,
)


def set_mail_from(backend: Any, st: IdentityState, mail_from: str | None, behavior: str, *, v2: bool) -> None:
    """Set (or, with no domain, clear) the identity's MAIL FROM domain and its behaviour on MX failure."""
    error = BadRequestException if v2 else InvalidParameterValue
    if behavior not in ("UseDefaultValue", "RejectMessage"):
        raise error(
            f"Invalid BehaviorOnMXFailure <{behavior}>: use UseDefaultValue or RejectMessage (SES v1 spellings; "
            "USE_DEFAULT_VALUE and REJECT_MESSAGE are SESv2's)."
        )
    if not mail_from:
        st.mail_from, st.mail_from_behavior = None, behavior
        st.mail_from_ok_at, st.mail_from_lost_at, st.mail_from_failed = None, None, False
        backend.identity_mail_from_domains.pop(st.name, None)
        return
    domain = canonical_name(mail_from)
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
    if domain != st.mail_from or st.mail_from_failed:  # a new domain, or setting up a Failed one again
        st.mail_from, st.mail_from_set_at = domain, clock.time_s()
        st.mail_from_ok_at, st.mail_from_lost_at, st.mail_from_failed = None, None, False
    st.mail_from_behavior = behavior
    backend.identity_mail_from_domains[st.name] = {"mail_from_domain": domain, "behavior_on_mx_failure": behavior}


def check_mail_from(backend: Any, source: str | None) -> None:
    """SES refuses a send when the identity's MAIL FROM is not working and the owner chose RejectMessage."""
    for st in covering_identities(backend, str(source or "")):
        if not st.mail_from:
            continue
        evaluate(backend, st)
        if st.mail_from_behavior == "RejectMessage" and mail_from_status(st) != "Success":
            raise MailFromDomainNotVerified(
                f"The MAIL FROM domain {st.mail_from} of identity {st.name} is not verified "
                f"(status {mail_from_status(st)}) and its BehaviorOnMXFailure is RejectMessage. Publish the MX "
                f"10 feedback-smtp.{st.region}.amazonses.com at {st.mail_from}, or switch to UseDefaultValue."
            )
        return
