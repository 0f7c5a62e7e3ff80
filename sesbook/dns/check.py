"""What is published: :func:`check_records` asks DNS for every record SES needs and says what is wrong.

Real queries with dnspython, all record sets at once (a thread pool), against the target's resolver
(the lab's DNS server in the lab), the system's resolver, or a server given as ``"HOST:PORT"``.
Each record comes back as one of:

- ``ok``: the value is there (for SPF/DMARC: one valid record that, for SPF, authorises amazonses.com);
- ``missing``: the name does not exist or has no data of that type;
- ``wrong``: there is data, but not the expected value (expected and found are both shown);
- ``conflicting``: the value may be there but something next to it breaks it: two SPF or DMARC
  records at one name, a CNAME where other data must live, more than one MX on a MAIL FROM name or
  other MX hosts beside SES's inbound one;
- ``error``: the server did not answer; ``skipped``: a placeholder, nothing to compare with.

``ok`` of the result is True only when every *required* record is ``ok``; recommended ones that are
not become warnings. SPF records found are also linted (:func:`sesbook.dns.spf.check_spf`: lookup limits,
``all``); errors there count as problems.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._validate import check_timing
from sesbook.checks import CheckResult, Finding
from sesbook.dns import _query as _dns
from sesbook.dns.dmarc import is_dmarc, parse_dmarc
from sesbook.dns.domains import display_domain
from sesbook.dns.records import Record, from_rdata
from sesbook.dns.spf import SES_INCLUDE, SpfReport, check_spf, is_spf, parse_spf
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sesbook.checks import Severity

OK, MISSING, WRONG, CONFLICTING, ERROR, SKIPPED = "ok", "missing", "wrong", "conflicting", "error", "skipped"
_ICONS = {OK: "✅", MISSING: "❌", WRONG: "❌", CONFLICTING: "⚠️", ERROR: "❓", SKIPPED: "⏭️"}


@dataclass(frozen=True)
class RecordCheck:
    """One record's outcome: ``status`` (see module doc), what was ``found`` there, and why."""

    record: Record
    status: str
    found: tuple[str, ...] = ()
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    def describe(self) -> str:
        text = f"{self.record.type} {self.record.name}: {self.status}"
        if self.status in (WRONG, CONFLICTING, MISSING):
            text += f" (expected {self.record.value!r}; found {', '.join(map(repr, self.found)) or 'nothing'})"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True, repr=False)
class RecordsCheck(CheckResult):
    """The outcome for a set of records; ``ok`` when every required record is right.

    Findings: one per record (a required record that is not ``ok`` is a problem, a recommended one a
    warning), then the SPF lint's errors and warnings. Payload: ``checks``, one :class:`RecordCheck` each.
    """

    domain: str
    checks: tuple[RecordCheck, ...]
    server: str
    spf: tuple[SpfReport, ...] = ()
    title = "check_records"
    show_passed = False

    def _spf_required(self, report: SpfReport) -> bool:
        return any(c.record.required for c in self.checks if c.record.name == report.domain and is_spf(c.record.value))

    @property
    def findings(self) -> tuple[Finding, ...]:
        out = []
        for c in self.checks:
            subject = f"{c.record.type} {c.record.name}"
            parts = {"expected": c.record.value, "found": " | ".join(c.found) or None}
            if c.ok:
                out.append(Finding.ok(subject, c.describe(), **parts))
            else:
                level: Severity = "problem" if c.record.required else "warning"
                out.append(Finding(subject, level, c.describe(), **parts))
        for r in self.spf:
            severity: Severity = "problem" if self._spf_required(r) else "warning"
            out += [Finding(f"SPF {r.domain}", severity, f"SPF {r.domain}: {e}") for e in r.errors]
        for r in self.spf:
            out += [Finding.warning(f"SPF {r.domain}", f"SPF {r.domain}: {w}") for w in r.warnings]
        return tuple(out)

    def heading(self) -> str:
        return self._caption()

    def payload_text(self) -> str:
        return _html.text_table(["status", "type", "name", "expected", "found", "level", "detail"], self._rows(False))

    def payload_html(self) -> str:
        return _html.table(["status", "type", "name", "expected", "found", "level", "detail"], self._rows(True))

    def by_status(self, status: str) -> list[RecordCheck]:
        return [c for c in self.checks if c.status == status]

    def _rows(self, icons: bool) -> list[tuple[Any, ...]]:
        return [
            ((_ICONS[c.status] + " " if icons else "") + c.status, c.record.type, c.record.name, c.record.value,
             " | ".join(c.found) or None, c.record.level, c.detail)
            for c in self.checks
        ]

    def _caption(self) -> str:
        counts = ", ".join(f"{len(self.by_status(s))} {s}" for s in (OK, MISSING, WRONG, CONFLICTING, ERROR, SKIPPED)
                           if self.by_status(s))
        verdict = "all required records are right" if self.ok else f"{len(self.problems)} problem(s)"
        return f"DNS check for {display_domain(self.domain)} via {self.server}: {verdict} ({counts})"



def _check_txt(records: list[Record], answer: _dns.Answer) -> list[RecordCheck]:
    found = tuple(from_rdata("TXT", v) for v in answer.values)
    out = []
    for record in records:
        if is_spf(record.value) or is_dmarc(record.value):
            spf = is_spf(record.value)
            same = [f for f in found if (is_spf(f) if spf else is_dmarc(f))]
            what = "SPF" if spf else "DMARC"
            if not same:
                status = WRONG if found else MISSING
                out.append(RecordCheck(record, status, found, f"no {what} record at this name"))
            elif len(same) > 1:
                out.append(RecordCheck(record, CONFLICTING, tuple(same),
                                       f"{len(same)} {what} records at one name: receivers treat that as an error"))
            elif same[0] == record.value:
                out.append(RecordCheck(record, OK, tuple(same)))
            else:
                out.append(_compare_policy(record, same[0], spf))
        elif record.value in found:
            out.append(RecordCheck(record, OK, found))
        else:
            out.append(RecordCheck(record, WRONG if found else MISSING, found))
    return out


def _compare_policy(record: Record, found: str, spf: bool) -> RecordCheck:
    try:
        if spf:
            parsed = parse_spf(found)
            if SES_INCLUDE in [i.lower() for i in parsed.includes]:
                return RecordCheck(record, OK, (found,), "differs from the suggested value but authorises SES")
            return RecordCheck(record, WRONG, (found,), f"does not include:{SES_INCLUDE}")
        parse_dmarc(found)
        return RecordCheck(record, OK, (found,), "differs from the suggested value but is a valid DMARC record")
    except ValidationError as exc:
        return RecordCheck(record, WRONG, (found,), f"malformed: {exc.rule}")


def _check_rrset(records: list[Record], answer: _dns.Answer, mail_from: str | None) -> list[RecordCheck]:
    if not records:
        return []
    rtype = records[0].type
    if answer.status == _dns.ERROR:
        return [RecordCheck(r, ERROR, (), answer.detail) for r in records]
    if answer.cname and rtype != "CNAME":
        detail = f"{records[0].name} is a CNAME to {answer.cname}; a CNAME cannot share its name with {rtype} data"
        return [RecordCheck(r, CONFLICTING, (f"CNAME {answer.cname}",), detail) for r in records]
    if rtype == "TXT":
        return _check_txt(records, answer)
    found = tuple(from_rdata(rtype, v) for v in answer.values)
    out = []
    for record in records:
        if record.value not in found:
            out.append(RecordCheck(record, WRONG if found else MISSING, found))
        elif rtype == "MX" and len(found) > 1:
            others = [f for f in found if f != record.value]
            if record.name == mail_from:
                detail = "a MAIL FROM domain must have exactly one MX, SES's feedback endpoint"
            else:
                detail = f"other MX hosts also receive this domain's mail: {', '.join(others)}"
            out.append(RecordCheck(record, CONFLICTING, found, detail))
        else:
            out.append(RecordCheck(record, OK, found))
    return out


def check_records(
    records: Iterable[Record],
    *,
    resolver: Any = None,
    timeout: float = 5.0,
    lint_spf: bool = True,
    max_workers: int = 16,
) -> RecordsCheck:
    """Query DNS for each record (concurrently) and report ok / missing / wrong / conflicting per record.

    ``records``: a :class:`~sesbook.dns.records.RecordSet` or any records. ``resolver``: None (the system's),
    ``"HOST:PORT"``, a dnspython resolver, or a target (its resolver: the lab's DNS in the lab).
    ``max_workers``: how many queries run at once (1: one after another; ``benchmarks/dns.py`` compares).
    """
    check_timing(timeout=timeout)
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or not 1 <= max_workers <= 64:
        raise ValidationError("max_workers", max_workers, "must be a whole number from 1 to 64.",
                              hint="Leave it at 16, or use 1 to query one record after another.")
    items = list(records)
    if not items:
        raise ValidationError("records", items, "is empty; there is nothing to check.",
                              hint="Pass required_records(...) or records_for(target, domain).")
    domain = getattr(records, "domain", None) or min((r.name for r in items), key=len)
    mail_from = getattr(records, "mail_from", None)
    res = _dns.make_resolver(resolver, timeout=timeout)
    groups: dict[tuple[str, str], list[Record]] = {}
    skipped: list[RecordCheck] = []
    for record in items:
        if record.is_placeholder and record.type == "CNAME":
            skipped.append(RecordCheck(record, SKIPPED, (), "placeholder: the DKIM token is not known"))
        else:
            groups.setdefault((record.name, record.type), []).append(record)

    def run(key: tuple[str, str]) -> list[RecordCheck]:
        recs = groups[key]
        answer = _dns.query(res, key[0], key[1])
        checks = _check_rrset([r for r in recs if not r.is_placeholder], answer, mail_from)
        for r in recs:
            if r.is_placeholder:
                found = tuple(from_rdata(key[1], v) for v in answer.values)
                checks.append(RecordCheck(r, SKIPPED, found, "placeholder: the token is not known, value not compared"))
        return checks

    with ThreadPoolExecutor(max_workers=min(max_workers, len(groups) or 1), thread_name_prefix="sesbook-dns") as pool:
        results = dict(zip(groups, pool.map(run, groups), strict=True))
    by_record = {id(c.record): c for checks in results.values() for c in checks}
    by_record.update({id(c.record): c for c in skipped})
    ordered = tuple(by_record[id(r)] for r in items)
    reports: list[SpfReport] = []
    if lint_spf:
        for check in ordered:
            if is_spf(check.record.value) and check.status == OK and check.found:
                reports.append(check_spf(check.record.name, resolver=res, timeout=timeout, record=check.found[0]))
    return RecordsCheck(domain, ordered, _dns.describe(res), tuple(reports))
