"""Checking an identity with its DNS records: everything that stands between it and sending.

:func:`check_identity` reads the identity's statuses (verification, DKIM, the MAIL FROM domain) and asks
the target's resolver for the records SES waits for. Reads only; a failed check is a result, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sesbook import _html
from sesbook.checks import CheckResult, Finding
from sesbook.identities._names import normalize_identity
from sesbook.identities.status import identity_status
from sesbook.identities.wait import expected_records, missing_records, published

if TYPE_CHECKING:
    from sesbook.identities.status import IdentityStatus
    from sesbook.target import Target


@dataclass(frozen=True, repr=False)
class IdentityCheck(CheckResult):
    """:func:`check_identity`'s answer: ``ok`` when nothing stands in the way of sending.

    Payload: the identity's :class:`~sesbook.identities.status.IdentityStatus` and ``checks``, one
    ``(record, in DNS, detail)`` row per record SES waits for.
    """

    identity: str
    status: IdentityStatus
    checks: tuple[tuple[str, bool, str], ...]
    items: tuple[Finding, ...]
    title = "check_identity"
    show_passed = False


    def heading(self) -> str:
        return f"check_identity: {self.identity} — {'ok' if self.ok else 'problems'}"

    def _check_rows(self, icons: bool) -> list[tuple[str, str, str]]:
        if icons:
            return [(n, "✅" if g else "❌", d) for n, g, d in self.checks]
        return [(n, "ok" if g else "MISSING", d) for n, g, d in self.checks]

    def payload_text(self) -> str:
        return self.status.__repr__() + "\n" + _html.text_table(["record", "in DNS", "detail"], self._check_rows(False))

    def payload_html(self) -> str:
        return self.status._repr_html_() + _html.table(["record", "in DNS", "detail"], self._check_rows(True))



def check_identity(target: Target, identity: str) -> IdentityCheck:
    """Check an identity's statuses and its records in DNS. Reads only; never raises for a failed check."""
    name = normalize_identity(identity)
    status = identity_status(target, name)
    findings: list[Finding] = []
    checks: list[tuple[str, bool, str]] = []
    if not status.exists:
        findings.append(Finding.problem(name, f"{name} is not an identity in {target.region}: verify it first.",
                                        fix="verify_domain(target, domain) or verify_email(target, address)"))
        return IdentityCheck(name, status, (), tuple(findings))
    for record in expected_records(target, status):
        good, found = published(target, record)
        if not good and status.verified and record.name.startswith("_amazonses."):
            good, found = True, "gone, and no longer needed: the domain is verified"
        subject = f"{record.name} {record.type}"
        checks.append((subject, good, found if not good else record.value))
        if good:
            findings.append(Finding.ok(subject, f"{subject} is in DNS", expected=record.value))
        else:
            findings.append(Finding.info(subject, f"{subject} is not in DNS as SES expects: {found}",
                                         expected=record.value, found=found))
    if not status.verified:
        findings.append(Finding.problem(
            "verification", f"{name} is {status.verification}: "
            f"{missing_records(target, status, dkim=False, mail_from=False)}", found=status.verification))
    if status.kind == "domain":
        if status.dkim == "NOT_STARTED":
            findings.append(Finding.warning(
                "DKIM", "DKIM is not set up: mail will not be signed for this domain (verify_domain(method='v2')).",
                found=status.dkim))
        elif status.dkim != "SUCCESS":
            findings.append(Finding.problem("DKIM", f"DKIM is {status.dkim}: publish the DKIM records.",
                                            found=status.dkim))
    if status.mail_from and status.mail_from_status != "SUCCESS":
        findings.append(Finding.problem(
            "MAIL FROM", f"MAIL FROM {status.mail_from} is {status.mail_from_status}: publish its MX record.",
            found=status.mail_from_status))
    missing_spf = [c for c in checks if not c[1] and c[0].startswith(f"{status.mail_from} TXT")]
    if status.mail_from and missing_spf:
        findings.append(Finding.warning(
            "SPF", f"no SPF record at {status.mail_from}: SPF will not pass for mail sent through it."))
    return IdentityCheck(name, status, tuple(checks), tuple(findings))
