"""A verified sender for the notebooks that send: one call that makes sure a domain can send.

Built on the rest of :mod:`sesbook.identities`: SES v1 ``VerifyDomainIdentity``, the ``_amazonses`` TXT
record published with :func:`~sesbook.identities.records.publish_records` (idempotent, never clobbers), then
:func:`~sesbook.identities.wait.wait_for_verification`. Against AWS the domain's Route 53 hosted zone must
already exist: a zone made here would not be delegated, so SES would never see the record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook._validate import check_timing
from sesbook.dns.domains import normalize_domain
from sesbook.dns.route53 import find_zone
from sesbook.errors import NotAppliedError, ValidationError
from sesbook.identities.records import publish_records
from sesbook.identities.status import identity_status
from sesbook.identities.verify import verify_domain
from sesbook.identities.wait import wait_for_verification

if TYPE_CHECKING:
    from sesbook.target import Target

log = logging.getLogger("sesbook")


@dataclass(frozen=True)
class VerifiedSender:
    """A sending identity and the address to send from."""

    domain: str
    address: str
    status: str
    txt_published: bool
    note: str = ""

    def __repr__(self) -> str:
        note = f"\nnote: {self.note}" if self.note else ""
        return f"VerifiedSender({self.address}: domain {self.domain} {self.status}){note}"

    def _repr_html_(self) -> str:
        rows = [("domain", self.domain), ("send from", self.address), ("verification", self.status),
                ("_amazonses TXT published by sesbook", self.txt_published)]
        rows += [("note", self.note)] if self.note else []
        return _html.table(["item", "value"], rows, caption="verified sender")


def ensure_verified_sender(
    target: Target, *, domain: str, local_part: str = "sender", timeout: float | None = None
) -> VerifiedSender:
    """Make sure ``domain`` is a verified SES identity and return the sender address on it. Idempotent.

    An identity already verified is left alone. Otherwise the v1 TXT token is requested and published in
    the domain's Route 53 zone (the lab creates the zone when missing), and the call waits for SES to
    see it. Plan-only (aws, ``apply=False``): the verification and its record are planned (a hosted zone too,
    when there is none), nothing is waited for, and the sender comes back with status ``PLANNED`` and a
    note. Against AWS with ``apply=True`` the hosted zone must already exist (:class:`ValidationError`).
    """
    check_timing(timeout=timeout, waiting=True, none_ok=True)
    name = normalize_domain(domain)
    address = f"{local_part}@{name}"
    if identity_status(target, name).verified:
        return VerifiedSender(name, address, "Success", False)
    if target.planning:
        return _plan_sender(target, name, address)
    if not target.is_lab and find_zone(target, name) is None:
        raise ValidationError(
            "domain", name, "has no public Route 53 hosted zone in this account.",
            hint="Verify it with notebook 01 (or publish the _amazonses TXT record at your DNS provider) first.",
        )
    verification = verify_domain(target, name, method="v1")
    if verification.planned:
        raise NotAppliedError(
            f"verifying {name} was only planned (apply=False); run with apply=True to verify it, "
            "then the sandbox steps can send from it."
        )
    publish_records(target, name, verification.records)
    wait_for_verification(target, name, timeout=timeout, progress=False)
    log.info("verified sender domain %s", name)
    return VerifiedSender(name, address, "Success", True)


def _plan_sender(target: Target, name: str, address: str) -> VerifiedSender:
    """Plan-only (apply=False): record what verifying would do and return at once, saying so."""
    verification = verify_domain(target, name, method="v1")
    published = publish_records(target, name, verification.records)
    status = wait_for_verification(target, name, progress=False)
    notes = [status.note or "not waited: apply=False"]
    if published.zone_created and not target.is_lab:
        notes.insert(0, f"{name} has no Route 53 hosted zone: the plan creates one, but SES sees its records only "
                        "once your registrar delegates the domain to it")
    return VerifiedSender(name, address, "PLANNED", False, note="; ".join(notes))
