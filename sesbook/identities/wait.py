"""Waiting for SES to verify an identity, and what DNS shows of the records it waits for.

:func:`wait_for_verification` polls SES (no sleeping in notebooks) with one progress line (see
:mod:`sesbook._progress`: in a notebook it is ordinary output, not an error box) and, when it gives up,
names the records DNS does not show yet (:func:`expected_records`, :func:`published`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from sesbook._progress import ProgressLine
from sesbook._validate import check_timing
from sesbook.dns.ses_records import mail_from_records, verification_records
from sesbook.errors import ValidationError, VerificationFailedError, WaitTimeoutError
from sesbook.identities._names import normalize_identity
from sesbook.identities.status import identity_status, planned_creation

if TYPE_CHECKING:
    from sesbook.dns.records import Record
    from sesbook.identities.status import IdentityStatus
    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: (timeout, interval) in seconds: the lab answers at once; SES checks DNS every few minutes for 72 hours.
LAB_WAIT = (10.0, 0.05)
AWS_WAIT = (3600.0, 30.0)


def published(target: Target, record: Record) -> tuple[bool, str]:
    """Whether DNS (the target's resolver) answers with ``record``; and what it found instead."""
    import dns.exception
    import dns.resolver

    try:
        answer = target.resolver.resolve(record.name, record.type, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return False, "no such name (NXDOMAIN)"
    except dns.exception.DNSException as exc:
        return False, f"no answer ({exc.__class__.__name__})"
    if answer.rrset is None:
        return False, f"no {record.type} record"
    rtype = record.type.upper()
    if rtype in ("TXT", "SPF"):
        found = [b"".join(rd.strings).decode(errors="replace") for rd in answer.rrset]
        ok = record.value in found
    elif rtype in ("CNAME", "MX", "NS"):
        found = [rd.to_text().rstrip(".").lower() for rd in answer.rrset]
        ok = record.value.rstrip(".").lower() in found
        if rtype == "MX":
            ok = ok and len(found) == 1
    else:
        found = [rd.to_text() for rd in answer.rrset]
        ok = record.value in found
    return ok, "found " + "; ".join(v if len(v) < 60 else v[:57] + "..." for v in found)


def expected_records(target: Target, status: IdentityStatus) -> tuple[Record, ...]:
    """The records that decide this identity's statuses, from what SES reported."""
    if status.kind != "domain":
        return ()
    use_txt = not status.dkim_tokens and status.dkim_origin != "EXTERNAL"
    token = status.verification_token if use_txt else None
    out = verification_records(status.identity, verification_token=token, dkim_tokens=status.dkim_tokens)
    if status.mail_from:
        out += mail_from_records(status.mail_from, target.region)
    return out


def missing_records(target: Target, status: IdentityStatus, *, dkim: bool, mail_from: bool) -> str:
    """What DNS does not show yet of the records ``status`` waits for, as one sentence."""
    if status.kind == "address":
        where = " (in the lab: sesbook.mailbox.messages(target, to=...))" if target.is_lab else ""
        return f"the link in the verification message sent to {status.identity}{where}"
    parts = []
    for record in expected_records(target, status):
        if record.type == "TXT" and record.name == status.mail_from and not mail_from:
            continue
        ok, found = published(target, record)
        if not ok:
            parts.append(f"{record.name} {record.type} {record.value} ({found})")
    if not parts and status.kind == "domain" and not status.dkim_tokens and not status.verification_token:
        parts.append("the BYODKIM TXT record at SELECTOR._domainkey." + status.identity)
    return "; ".join(parts) or "nothing in DNS (SES has not checked again yet)"


def _done(status: IdentityStatus, *, dkim: bool, mail_from: bool) -> bool:
    if not status.verified:
        return False
    if dkim and status.kind == "domain" and status.dkim != "SUCCESS":
        return False
    return not (mail_from and status.mail_from and status.mail_from_status != "SUCCESS")


def wait_for_verification(
    target: Target,
    identity: str,
    *,
    timeout: float | None = None,
    interval: float | None = None,
    dkim: bool = False,
    mail_from: bool = False,
    progress: bool = True,
) -> IdentityStatus:
    """Poll SES until ``identity`` is verified (and its DKIM / MAIL FROM too, when asked); return its status.

    Defaults: the lab, 10 s polling every 0.05 s (it checks DNS on every read); AWS, 1 hour every 30 s.
    Raises :class:`WaitTimeoutError` naming the records still missing from DNS, or
    :class:`VerificationFailedError` when SES has given up (status ``FAILED``). Against AWS with
    ``apply=False`` it does not wait (nothing was changed) and returns the status as it is
    (``exists=False`` when the identity was only planned), its ``note`` saying what would be waited for.
    """
    check_timing(timeout=timeout, interval=interval, waiting=True, none_ok=True)
    name = normalize_identity(identity)
    default_timeout, default_interval = LAB_WAIT if target.is_lab else AWS_WAIT
    timeout = default_timeout if timeout is None else timeout
    interval = default_interval if interval is None else interval
    deadline = time.monotonic() + timeout
    bar = ProgressLine(f"{name}: checking", enabled=progress)
    try:
        while True:
            status = identity_status(target, name)
            if target.planning:
                return _not_waited(target, status, dkim=dkim, mail_from=mail_from)
            if not status.exists:
                raise ValidationError("identity", name, "is not an SES identity in this region.",
                                      hint="Start with verify_domain(...) or verify_email(...).")
            bar.update(f"{name}: {_summary(status)}")
            if _done(status, dkim=dkim, mail_from=mail_from):
                return status
            failed = [what for what, value in (("verification", status.verification), ("DKIM", status.dkim),
                                               ("MAIL FROM", status.mail_from_status))
                      if value == "FAILED" and (what == "verification" or (what == "DKIM" and dkim)
                                                or (what == "MAIL FROM" and mail_from))]
            if failed:
                raise VerificationFailedError(
                    f"SES gave up verifying {name} ({', '.join(failed)}: FAILED). Missing: "
                    f"{missing_records(target, status, dkim=dkim, mail_from=mail_from)}. Publish the records and "
                    "start verification again."
                )
            if time.monotonic() >= deadline:
                raise WaitTimeoutError(
                    f"{name} to be verified", timeout, last_state=_summary(status),
                    missing=missing_records(target, status, dkim=dkim, mail_from=mail_from),
                )
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
    finally:
        bar.close()


def _not_waited(target: Target, status: IdentityStatus, *, dkim: bool, mail_from: bool) -> IdentityStatus:
    """The status as it is, with a note on what a run with apply=True would wait for."""
    if _done(status, dkim=dkim, mail_from=mail_from):
        return status
    wanted = ["verification"] + (["DKIM"] if dkim and status.kind == "domain" else [])
    wanted += ["MAIL FROM"] if mail_from else []
    planned = " (the identity itself is only planned)" if planned_creation(target, status.identity) else ""
    note = (f"not waited: apply=False, so nothing was published; with apply=True this waits for "
            f"{' and '.join(wanted)} of {status.identity} to reach SUCCESS{planned}")
    log.warning("%s", note)
    return replace(status, note=note)


def _summary(status: IdentityStatus) -> str:
    text = status.verification
    if status.kind == "domain" and status.dkim:
        text += f", DKIM {status.dkim}"
    if status.mail_from:
        text += f", MAIL FROM {status.mail_from_status}"
    return text
