"""DMARC in DNS: :func:`check_dmarc` reads ``_dmarc.DOMAIN``, walks the tree, and checks report authorisation.

The DNS-reading sibling of :func:`sesbook.dns.spf.check_spf`; the record itself is linted offline by
:func:`sesbook.dns.dmarc.lint_dmarc`. What it follows, by section of RFC 9989 (May 2026):

- **Discovery** (4.10): receivers query ``_dmarc.<From: domain>`` for TXT; values that do not begin
  with ``v=DMARC1`` are discarded (so ``" v=DMARC1; ..."`` is not a record), and when **more than one**
  record remains, all are discarded: no DMARC policy applies.
- **DNS tree walk** (4.10): when the domain has no record of its own, receivers walk up the name, one
  ``_dmarc`` query per label, at most 8 queries in all (a name with 8 or more labels jumps straight to
  its last 7 labels), stopping at a record with ``psd=y`` or ``psd=n``.
- **Organizational domain** (4.10.2), from the records the walk found: the name of a ``psd=n`` record;
  the name one label below a ``psd=y`` record (a public suffix domain); else the found name with the
  fewest labels; with no record at all, the domain itself. It replaces RFC 7489's Public Suffix List;
  where the two differ, the check says what RFC 7489 receivers would take.
- **Report authorisation** (RFC 9990 section 4, was RFC 7489 7.1): a ``rua``/``ruf`` address in another
  organization receives reports only when that organization publishes
  ``<domain>._report._dmarc.<report domain>`` TXT ``v=DMARC1``.

The walk follows what checkdmarc 6.x (an RFC 9989 implementation) does, which the tests cross-check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sesbook import _html
from sesbook.checks import CheckResult, Finding
from sesbook.dns import _query as _dns
from sesbook.dns.dmarc import DmarcRecord, authorisation_name, is_dmarc, lint_dmarc, parse_dmarc, report_destinations

#: At most this many ``_dmarc`` queries in one tree walk (RFC 9989 section 4.10).
TREE_WALK_LIMIT = 8


@dataclass(frozen=True)
class WalkStep:
    """One ``_dmarc`` query of the tree walk: the name asked, what came back, and the record kept."""

    name: str
    outcome: str  # "record" | "none" | "several" | "error"
    record: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class TreeWalk:
    """The RFC 9989 tree walk for ``domain``: the queries made, the organizational domain, and which
    record applies to mail from ``domain`` (``policy_domain`` None: no DMARC policy applies)."""

    domain: str
    steps: tuple[WalkStep, ...]
    organizational_domain: str
    policy_domain: str | None
    record: str | None


def _dmarc_values(resolver: Any, name: str) -> tuple[_dns.Answer, list[str], list[str]]:
    """(answer, DMARC records, values that are DMARC records but for leading white space)."""
    from sesbook.dns.records import from_rdata

    answer = _dns.query(resolver, f"_dmarc.{name}", "TXT")
    texts = [from_rdata("TXT", v) for v in answer.values]
    spaced = [t for t in texts if t[:1].isspace() and is_dmarc(t.lstrip())]
    return answer, [t for t in texts if is_dmarc(t)], spaced


def _step(resolver: Any, name: str) -> WalkStep:
    answer, records, _spaced = _dmarc_values(resolver, name)
    if answer.status == _dns.ERROR:
        return WalkStep(name, "error", detail=answer.detail)
    if not records:
        return WalkStep(name, "none")
    if len(records) > 1:
        return WalkStep(name, "several", detail=f"{len(records)} records: all discarded")
    return WalkStep(name, "record", records[0])


def _psd(record: str | None) -> str:
    if record is None:
        return "u"
    try:
        return parse_dmarc(record).psd
    except ValueError:
        return "u"


def walk_names(domain: str) -> list[str]:
    """The names a tree walk from ``domain`` queries, in order (RFC 9989 4.10): the domain, then (after
    dropping labels so that at most 7 remain) one label fewer each time, down to the top-level domain."""
    labels = domain.split(".")
    names = [domain]
    start = max(1, len(labels) - (TREE_WALK_LIMIT - 1))
    names += [".".join(labels[i:]) for i in range(start, len(labels))]
    return names[:TREE_WALK_LIMIT]


def tree_walk(domain: str, *, resolver: Any = None, timeout: float = 5.0) -> TreeWalk:
    """Walk ``_dmarc`` names up from ``domain`` as RFC 9989 section 4.10 says; see the module doc."""
    from sesbook.dns.domains import normalize_domain

    domain = normalize_domain(domain)
    res = _dns.make_resolver(resolver, timeout=timeout)
    steps: list[WalkStep] = []
    for name in walk_names(domain):
        step = _step(res, name)
        steps.append(step)
        if step.outcome == "record" and _psd(step.record) in ("y", "n"):
            break
    found = [s for s in steps if s.outcome == "record"]
    own = steps[0] if steps[0].outcome == "record" else None
    if not found:
        return TreeWalk(domain, tuple(steps), domain, None, None)
    last = found[-1]
    org, applies = last.name, last
    if _psd(last.record) == "y" and last.name != domain:
        labels = domain.split(".")
        org = ".".join(labels[len(labels) - len(last.name.split(".")) - 1:])
        below = next((s for s in found if s.name == org), None)
        applies = below or last
    if own is not None and steps[0].outcome == "record":
        applies = own
    return TreeWalk(domain, tuple(steps), org, applies.name, applies.record)


@dataclass(frozen=True, repr=False)
class DmarcCheck(CheckResult):
    """What DNS says about the DMARC policy of ``domain``: a :class:`~sesbook.checks.CheckResult` with the
    record that applies (``record``, found at ``_dmarc.<location>``), the parsed record, the
    organizational domain and the tree walk's queries as payload."""

    domain: str
    record: str | None
    location: str | None
    parsed: DmarcRecord | None
    organizational_domain: str
    walk: tuple[WalkStep, ...]
    items: tuple[Finding, ...]
    server: str = ""
    title = "check_dmarc"


    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(self.problems)

    def heading(self) -> str:
        where = f"record at _dmarc.{self.location}" if self.location else "no DMARC policy applies"
        return f"DMARC {self.domain}: {'ok' if self.ok else 'PROBLEMS'}; {where}"

    def _walk_rows(self) -> list[tuple[str, str, str]]:
        return [(f"_dmarc.{s.name}", s.outcome, s.record or s.detail) for s in self.walk]

    def payload_text(self) -> str:
        if not self.walk:
            return ""
        return "DNS tree walk (RFC 9989 4.10):\n" + _html.text_table(["query", "result", "record"], self._walk_rows())

    def payload_html(self) -> str:
        if not self.walk:
            return ""
        return _html.table(["query", "result", "record"], self._walk_rows(),
                           caption=f"DNS tree walk for {self.domain} (RFC 9989 4.10); "
                           f"organizational domain: {self.organizational_domain}")


def _authorisation(res: Any, domain: str, record: DmarcRecord) -> list[Finding]:
    from sesbook.dns.records import from_rdata

    out: list[Finding] = []
    for target in report_destinations(record, domain):
        name = authorisation_name(domain, target)
        answer = _dns.query(res, name, "TXT")
        texts = [from_rdata("TXT", v) for v in answer.values]
        fix = f"In {target}'s DNS, publish {name} TXT \"v=DMARC1\" (or ask its operator to)."
        if answer.status == _dns.ERROR:
            out.append(Finding.warning(name, f"could not check whether {target} accepts reports for {domain}: "
                                       f"{answer.detail}", expected="v=DMARC1", fix=fix))
        elif any(is_dmarc(t) for t in texts):
            out.append(Finding.ok(name, f"{target} accepts DMARC reports for {domain} ({name} TXT 'v=DMARC1')",
                                  expected="v=DMARC1", found=" | ".join(texts)))
        else:
            out.append(Finding.warning(
                name, f"reports go to {target}, another organization, which has not said it accepts reports "
                f"for {domain}: receivers will not send them there (RFC 9990 section 4). It must publish "
                f"{name} TXT 'v=DMARC1'.", expected="v=DMARC1", found=" | ".join(texts) or "nothing", fix=fix))
    return out


def check_dmarc(
    domain: str,
    *,
    resolver: Any = None,
    record: str | None = None,
    timeout: float = 5.0,
    custom_mail_from: bool | None = None,
) -> DmarcCheck:
    """Check the DMARC policy of ``domain`` in DNS, by RFC 9989 (see the module doc).

    Reads ``_dmarc.DOMAIN``: none (then the tree walk finds the record that applies, if any), one
    (linted with :func:`~sesbook.dns.dmarc.lint_dmarc`), or several (a problem: none applies). Report
    addresses in another organization are checked for their authorisation record. ``resolver`` is
    what :func:`~sesbook.dns.spf.check_spf` takes: None, ``"HOST:PORT"``, a dnspython resolver or a target.
    ``record`` checks that text as if it were published at ``_dmarc.DOMAIN`` (authorisations are still
    looked up).
    """
    from sesbook.dns.domains import normalize_domain, organizational_domain

    domain = normalize_domain(domain)
    res = _dns.make_resolver(resolver, timeout=timeout)
    server = _dns.describe(res)
    subject = f"_dmarc.{domain}"
    out: list[Finding] = []
    steps: tuple[WalkStep, ...] = ()
    org, location = organizational_domain(domain), domain
    if record is None:
        answer, records, spaced = _dmarc_values(res, domain)
        for text in spaced:
            out.append(Finding.problem(
                subject, f"the TXT value {text!r} starts with white space: receivers do not treat it as a DMARC "
                "record.", found=text, fix="Remove the white space before 'v=DMARC1'."))
        if answer.status == _dns.ERROR:
            out.append(Finding.problem(subject, f"DNS gave no answer for {subject}: {answer.detail}"))
            return DmarcCheck(domain, None, None, None, org, (), tuple(out), server)
        if len(records) > 1:
            out.append(Finding.problem(
                subject, f"{subject} has {len(records)} DMARC records: receivers discard them all, so no DMARC "
                "policy applies (RFC 9989 section 4.10). Keep exactly one.", found=" | ".join(records),
                fix="Delete all but one v=DMARC1 record."))
            return DmarcCheck(domain, None, None, None, org, (), tuple(out), server)
        walk = tree_walk(domain, resolver=res)
        steps, org = walk.steps, walk.organizational_domain
        if records:
            record = records[0]
        elif walk.record is None:
            suggestion = f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"
            out.append(Finding.problem(
                subject, f"no DMARC record at {subject} nor above it (the RFC 9989 tree walk asked "
                f"{len(walk.steps)} names): receivers apply no DMARC policy to mail from {domain}.",
                expected=suggestion, found="nothing", fix=f"Publish {subject} TXT \"{suggestion}\"."))
            return DmarcCheck(domain, None, None, None, org, steps, tuple(out), server)
        else:
            location, record = walk.policy_domain or org, walk.record
            out.append(Finding.info(
                subject, f"{domain} has no DMARC record of its own; receivers apply the one at _dmarc.{location}, "
                "found by the RFC 9989 tree walk (its sp= policy, or np= for names that do not exist).",
                found=record))
        psl = organizational_domain(domain)
        if psl != org:
            out.append(Finding.info(
                subject, f"the organizational domain is {org} by the RFC 9989 tree walk; RFC 7489 receivers, "
                f"which use the Public Suffix List, take {psl}, so their relaxed alignment can differ."))
    lint = lint_dmarc(record, domain=location, custom_mail_from=custom_mail_from)
    findings = [f for f in lint.findings if "._report._dmarc." not in f.subject]
    if lint.record is not None:
        findings += _authorisation(res, location, lint.record)
    return DmarcCheck(domain, record, location, lint.record, org, steps, (*out, *findings), server)
