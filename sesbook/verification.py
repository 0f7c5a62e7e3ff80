"""Waiting for SES to verify an identity, and checking an identity with its DNS records.

:func:`wait_for_verification` polls SES (no sleeping in notebooks) with a progress bar and, when it gives
up, names the records DNS does not show yet. :func:`check_identity` reports everything that stands
between an identity and sending: verification, DKIM, the MAIL FROM domain and their records.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._names import normalize_identity
from sesbook._validate import check_timing
from sesbook.errors import ValidationError, WaitTimeoutError
from sesbook.identities import VerificationFailedError, identity_status, verification_records
from sesbook.mailfrom import mail_from_records

if TYPE_CHECKING:
    from sesbook.identities import IdentityStatus
    from sesbook.records import Record
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


def _missing(target: Target, status: IdentityStatus, *, dkim: bool, mail_from: bool) -> str:
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
    (``exists=False`` when the identity was only planned).
    """
    check_timing(timeout=timeout, interval=interval, waiting=True, none_ok=True)
    from tqdm import tqdm

    name = normalize_identity(identity)
    default_timeout, default_interval = LAB_WAIT if target.is_lab else AWS_WAIT
    timeout = default_timeout if timeout is None else timeout
    interval = default_interval if interval is None else interval
    deadline = time.monotonic() + timeout
    bar = tqdm(desc=f"{name}: checking", bar_format="{desc}", disable=not progress, leave=True)
    try:
        while True:
            status = identity_status(target, name)
            if target.planning:
                log.warning("not waiting for %s: changes were only planned (apply=False), so nothing "
                            "new was published; its status now is %s", name, status.verification)
                return status
            if not status.exists:
                raise ValidationError("identity", name, "is not an SES identity in this region.",
                                      hint="Start with verify_domain(...) or verify_email(...).")
            bar.set_description_str(f"{name}: {_summary(status)}", refresh=False)
            if _done(status, dkim=dkim, mail_from=mail_from):
                return status
            failed = [what for what, value in (("verification", status.verification), ("DKIM", status.dkim),
                                               ("MAIL FROM", status.mail_from_status))
                      if value == "FAILED" and (what == "verification" or (what == "DKIM" and dkim)
                                                or (what == "MAIL FROM" and mail_from))]
            if failed:
                raise VerificationFailedError(
                    f"SES gave up verifying {name} ({', '.join(failed)}: FAILED). Missing: "
                    f"{_missing(target, status, dkim=dkim, mail_from=mail_from)}. Publish the records and "
                    "start verification again."
                )
            if time.monotonic() >= deadline:
                raise WaitTimeoutError(
                    f"{name} to be verified", timeout, last_state=_summary(status),
                    missing=_missing(target, status, dkim=dkim, mail_from=mail_from),
                )
            time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
    finally:
        bar.close()


def _summary(status: IdentityStatus) -> str:
    text = status.verification
    if status.kind == "domain" and status.dkim:
        text += f", DKIM {status.dkim}"
    if status.mail_from:
        text += f", MAIL FROM {status.mail_from_status}"
    return text


@dataclass(frozen=True)
class IdentityCheck:
    """:func:`check_identity`'s answer: ``ok`` when nothing stands in the way of sending."""

    identity: str
    status: IdentityStatus
    checks: tuple[tuple[str, bool, str], ...]
    problems: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __repr__(self) -> str:
        rows = [(name, "ok" if good else "MISSING", detail) for name, good, detail in self.checks]
        head = f"IdentityCheck({self.identity}: {'ok' if self.ok else 'PROBLEMS'})"
        extra = "".join(f"\nproblem: {p}" for p in self.problems) + "".join(f"\nwarning: {w}" for w in self.warnings)
        return head + "\n" + _html.text_table(["record", "in DNS", "detail"], rows) + extra

    def _repr_html_(self) -> str:
        rows: list[tuple[Any, ...]] = [(n, "✅" if g else "❌", d) for n, g, d in self.checks]
        rows += [("problem", "❌", p) for p in self.problems] + [("warning", "⚠️", w) for w in self.warnings]
        caption = f"check_identity: {self.identity} — {'ok' if self.ok else 'problems'}"
        return self.status._repr_html_() + _html.table(["check", "", "detail"], rows, caption=caption)


def check_identity(target: Target, identity: str) -> IdentityCheck:
    """Check an identity's statuses and its records in DNS. Reads only; never raises for a failed check."""
    name = normalize_identity(identity)
    status = identity_status(target, name)
    problems: list[str] = []
    warnings: list[str] = []
    checks: list[tuple[str, bool, str]] = []
    if not status.exists:
        problems.append(f"{name} is not an identity in {target.region}: verify it first.")
        return IdentityCheck(name, status, (), tuple(problems), ())
    for record in expected_records(target, status):
        good, found = published(target, record)
        if not good and status.verified and record.name.startswith("_amazonses."):
            good, found = True, "gone, and no longer needed: the domain is verified"
        checks.append((f"{record.name} {record.type}", good, found if not good else record.value))
    if not status.verified:
        problems.append(f"{name} is {status.verification}: "
                        f"{_missing(target, status, dkim=False, mail_from=False)}")
    if status.kind == "domain":
        if status.dkim == "NOT_STARTED":
            warnings.append("DKIM is not set up: mail will not be signed for this domain (verify_domain(method='v2')).")
        elif status.dkim != "SUCCESS":
            problems.append(f"DKIM is {status.dkim}: publish the DKIM records.")
    if status.mail_from and status.mail_from_status != "SUCCESS":
        problems.append(f"MAIL FROM {status.mail_from} is {status.mail_from_status}: publish its MX record.")
    missing_spf = [c for c in checks if not c[1] and c[0].startswith(f"{status.mail_from} TXT")]
    if status.mail_from and missing_spf:
        warnings.append(f"no SPF record at {status.mail_from}: SPF will not pass for mail sent through it.")
    return IdentityCheck(name, status, tuple(checks), tuple(problems), tuple(warnings))
