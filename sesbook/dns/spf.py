"""SPF (Sender Policy Framework, RFC 7208): parse a record, lint it, and walk its include chain in DNS.

Why hand-written on dnspython rather than a library:

- ``pyspf`` evaluates SPF for one connecting IP (``check_host``); it does not report the lookup count,
  the void lookups or the include chain, which is what a publisher needs to see, and its last release
  is from 2020.
- ``checkdmarc`` does lint SPF and DMARC, but brings a dozen dependencies (requests, pyleri,
  publicsuffix updates, BIMI/MTA-STS/SMTP probing) and its own resolver set-up; we need one small part
  of it, pointed at the lab's DNS port.

The grammar checked here is RFC 7208 section 12 (ABNF): ``v=spf1``, then mechanisms ``all``, ``include``,
``a``, ``mx``, ``ptr``, ``ip4``, ``ip6``, ``exists`` with qualifiers ``+ - ~ ?``, the modifiers
``redirect=`` and ``exp=`` (each at most once) and unknown modifiers, domain specs with macros.
The DNS walk counts the terms that cost a lookup (``include``, ``a``, ``mx``, ``ptr``, ``exists``,
``redirect``; limit 10, section 4.6.4) and the void lookups (NXDOMAIN or no data; limit 2).

Record selection is section 4.5: of the TXT records at a name, only those that begin with exactly
``v=spf1`` followed by a space or the end of the record are SPF records. A value with white space
*before* ``v=spf1`` is not an SPF record at all: receivers discard it, so :func:`is_spf` says False and
:func:`check_spf` points it out.

``+all`` (or a bare ``all``) is valid SPF and a dangerous policy: every host on the Internet passes.
It is a warning, not a syntax error (section 5.1 defines ``all`` with any qualifier).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from sesbook import _html
from sesbook._validate import check_timing
from sesbook.checks import CheckResult, Finding
from sesbook.dns import _query as _dns
from sesbook.errors import ValidationError

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MX_LIMIT = 10
SES_INCLUDE = "amazonses.com"

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")
_MACRO_RE = re.compile(r"%(\{[slodiphcrtvSLODIPHCRTV]\d*[rR]?[.\-+,/_=]*\}|%|_|-)")
_MODIFIER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$")
_TOPLABEL_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
#: ASCII digits only: ``str.isdigit`` also accepts "²" and other Unicode digits that ``int`` refuses.
_DIGITS_RE = re.compile(r"[0-9]+")


def is_spf(text: str) -> bool:
    """True when a TXT value is an SPF record: it *begins* with ``v=spf1`` (any case), alone or followed
    by a space (RFC 7208 section 4.5). A value with white space before ``v=spf1`` is not one."""
    low = text.lower()
    return low.rstrip(" ") == "v=spf1" or low.startswith("v=spf1 ")


@dataclass(frozen=True)
class SpfTerm:
    """One term: a mechanism (with ``qualifier``) or a modifier; ``value`` is its argument or None."""

    kind: str  # "mechanism" | "modifier"
    name: str
    value: str | None
    qualifier: str = "+"
    text: str = ""

    @property
    def costs_lookup(self) -> bool:
        return self.name in LOOKUP_TERMS

    @property
    def domain(self) -> str | None:
        """The domain the term looks up (without any CIDR suffix), or None for the current domain."""
        if self.value is None or self.name in ("ip4", "ip6"):
            return None
        return self.value.split("/", 1)[0] or None


@dataclass(frozen=True)
class SpfRecord:
    text: str
    terms: tuple[SpfTerm, ...]

    @property
    def all_qualifier(self) -> str | None:
        for term in self.terms:
            if term.kind == "mechanism" and term.name == "all":
                return term.qualifier
        return None

    @property
    def includes(self) -> list[str]:
        return [t.value or "" for t in self.terms if t.name == "include"]

    @property
    def redirect(self) -> str | None:
        return next((t.value for t in self.terms if t.kind == "modifier" and t.name == "redirect"), None)


def _bad(text: str, rule: str, hint: str = "") -> ValidationError:
    return ValidationError(
        "spf", text, rule, hint=hint or "Write it as 'v=spf1 include:amazonses.com -all' (RFC 7208 section 12)."
    )


def _check_domain_spec(record: str, term: str, spec: str) -> None:
    if not spec:
        raise _bad(record, f"the term {term!r} needs a domain after ':' or '='.")
    stripped = _MACRO_RE.sub("", spec)
    if "%" in stripped:
        raise _bad(record, f"the term {term!r} has a '%' that is not a macro (%{{s}}, %%, %_, %-).")
    if any(c.isspace() for c in spec):
        raise _bad(record, f"the term {term!r} has white space in its domain.")
    if _MACRO_RE.search(spec) and spec.rstrip(".").endswith("}"):
        return  # ends with a macro: any domain-end is allowed
    top = spec.rstrip(".").rsplit(".", 1)
    if len(top) < 2 or not _TOPLABEL_RE.match(top[-1]):
        raise _bad(record, f"the term {term!r} does not end in a domain name (such as amazonses.com).")


def _check_cidr(record: str, term: str, suffix: str) -> None:
    """``suffix`` is what follows the first '/' of a/mx: ``24``, ``24//64`` or ``/64``."""
    ip4, _, ip6 = suffix.partition("//") if not suffix.startswith("/") else ("", "", suffix[1:])
    for length, limit in ((ip4, 32), (ip6, 128)):
        if length and (not _DIGITS_RE.fullmatch(length) or int(length) > limit
                       or (len(length) > 1 and length[0] == "0")):
            raise _bad(record, f"the term {term!r} has a bad prefix length /{length} (0-{limit}).")
    if not ip4 and not ip6:
        raise _bad(record, f"the term {term!r} has '/' without a prefix length.")


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record; a malformed one raises :class:`ValidationError` saying which term is wrong."""
    if isinstance(text, str) and text[:1].isspace() and is_spf(text.lstrip()):
        raise _bad(text, "starts with white space, so it is not an SPF record: receivers only take TXT values "
                   "that begin with 'v=spf1' (RFC 7208 section 4.5) and ignore this one.",
                   hint="Remove the white space before 'v=spf1'.")
    if not isinstance(text, str) or not is_spf(text):
        raise _bad(text, "does not start with 'v=spf1' followed by a space.")
    terms: list[SpfTerm] = []
    seen_modifiers: set[str] = set()
    for raw in text.split()[1:]:
        match = _MODIFIER_RE.match(raw)
        if match and ":" not in match.group(1):
            name, value = match.group(1).lower(), match.group(2)
            if name in ("redirect", "exp"):
                if name in seen_modifiers:
                    raise _bad(text, f"has '{name}=' twice; it may appear once.")
                _check_domain_spec(text, raw, value)
            seen_modifiers.add(name)
            terms.append(SpfTerm("modifier", name, value, "", raw))
            continue
        qualifier = raw[0] if raw[0] in "+-~?" else "+"
        body = raw[1:] if raw[0] in "+-~?" else raw
        name, sep, value = body.partition(":")
        name_only, slash, cidr = name.partition("/")
        mech = name_only.lower()
        if mech not in MECHANISMS:
            raise _bad(
                text, f"has an unknown term {raw!r}.",
                hint="Mechanisms are all, include, a, mx, ptr, ip4, ip6, exists; modifiers look like name=value.",
            )
        arg: str | None = value if sep else None
        if mech == "all":
            if sep or slash:
                raise _bad(text, f"the term {raw!r}: 'all' takes no argument.")
        elif mech in ("include", "exists"):
            if slash or not sep:
                raise _bad(text, f"the term {raw!r} needs a domain: '{mech}:example.com'.")
            _check_domain_spec(text, raw, value)
        elif mech in ("a", "mx"):
            domain, _, suffix = (value if sep else "/" + cidr if slash else "").partition("/")
            if sep and domain:
                _check_domain_spec(text, raw, domain)
            elif sep:
                raise _bad(text, f"the term {raw!r} has ':' but no domain.")
            if suffix or (not sep and slash):
                _check_cidr(text, raw, suffix)
            arg = value if sep else ("/" + cidr if slash else None)
        elif mech == "ptr":
            if sep:
                _check_domain_spec(text, raw, value)
        elif mech in ("ip4", "ip6"):
            if not sep:
                raise _bad(text, f"the term {raw!r} needs an address: '{mech}:ADDRESS[/LENGTH]'.")
            try:
                ipaddress.ip_network(value, strict=False)
                version = ipaddress.ip_network(value, strict=False).version
            except ValueError:
                raise _bad(text, f"the term {raw!r} has an address that is not valid {mech}.") from None
            if version != int(mech[-1]):
                raise _bad(text, f"the term {raw!r} has an IPv{version} address; use ip{version}:.")
        terms.append(SpfTerm("mechanism", mech, arg, qualifier, raw))
    return SpfRecord(text, tuple(terms))


def lint_spf_text(text: str, *, expect_include: str | None = SES_INCLUDE) -> tuple[list[str], list[str]]:
    """Offline checks of one record: (errors, warnings). Syntax errors come back as errors, not raised."""
    errors: list[str] = []
    warnings: list[str] = []
    try:
        record = parse_spf(text)
    except ValidationError as exc:
        return [exc.rule + " " + (exc.hint or "")], warnings
    qualifier = record.all_qualifier
    names = [t.name for t in record.terms]
    if qualifier == "+":
        warnings.append("'+all' is valid SPF but a dangerous policy: it says every server on the Internet may send "
                        "as this domain, so anyone's forged mail passes SPF. Use '-all' (or '~all' while testing).")
    elif qualifier == "?":
        warnings.append("'?all' (neutral) protects nothing: receivers treat failures as no policy. "
                        "Use '~all' or '-all'.")
    elif qualifier is None and record.redirect is None:
        warnings.append("no 'all' term and no redirect: mail from other servers gets 'neutral'. "
                        "End with '-all' or '~all'.")
    if "all" in names and names.index("all") != len(names) - 1:
        later = [t.text for t in record.terms[names.index("all") + 1:] if t.kind == "mechanism"]
        if later:
            warnings.append(f"terms after 'all' are never evaluated: {' '.join(later)}.")
    if "ptr" in names:
        warnings.append("'ptr' is slow and deprecated (RFC 7208 5.5); list the addresses with ip4/ip6 instead.")
    if expect_include and expect_include not in [i.lower() for i in record.includes] and record.redirect is None:
        warnings.append(f"no 'include:{expect_include}': mail SES sends with this domain as MAIL FROM will fail SPF.")
    return errors, warnings


@dataclass(frozen=True)
class ChainStep:
    """One DNS-costing term met while walking: how deep, in which domain's record, and the running counts."""

    depth: int
    domain: str
    term: str
    lookups: int
    void: bool = False
    note: str = ""


@dataclass(frozen=True, repr=False)
class SpfReport(CheckResult):
    """The SPF record of one domain, checked in DNS: a :class:`~sesbook.checks.CheckResult` whose payload
    is the lookup chain. ``ok`` when no finding is a problem; ``errors`` is ``problems`` as a tuple (kept
    for :mod:`sesbook.dns.check` and notebook 02)."""

    domain: str
    record: str | None
    lookups: int
    void_lookups: int
    chain: tuple[ChainStep, ...]
    items: tuple[Finding, ...]
    server: str = ""
    title = "check_spf"


    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(self.problems)

    def chain_text(self) -> str:
        lines = [f"{self.domain}: {self.record or '(no SPF record)'}"]
        for step in self.chain:
            flag = " VOID" if step.void else ""
            extra = f" ({step.note})" if step.note else ""
            lines.append(f"{'  ' * (step.depth + 1)}{step.term}  [lookup {step.lookups}{flag}]{extra}")
        return "\n".join(lines)

    def heading(self) -> str:
        state = "ok" if self.ok else "PROBLEMS"
        return (f"SPF {self.domain}: {state}; {self.lookups}/{LOOKUP_LIMIT} DNS lookups, "
                f"{self.void_lookups}/{VOID_LIMIT} void")

    def payload_text(self) -> str:
        return self.chain_text()

    def payload_html(self) -> str:
        rows = [(s.depth, "\u00a0\u00a0" * s.depth + s.term, s.domain, s.lookups, "yes" if s.void else "", s.note)
                for s in self.chain]
        return _html.table(["depth", "term", "in the record of", "lookup #", "void", "note"], rows,
                           caption=f"SPF lookup chain of {self.domain}: {self.record or '(no SPF record)'}")


@dataclass
class _Walk:
    resolver: Any
    lookups: int = 0
    void: int = 0
    chain: list[ChainStep] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)

    def step(self, depth: int, domain: str, term: str, *, void: bool = False, note: str = "") -> None:
        if void:
            self.void += 1
        self.chain.append(ChainStep(depth, domain, term, self.lookups, void, note))

    def spf_records(self, domain: str) -> tuple[_dns.Answer, list[str]]:
        answer = _dns.query(self.resolver, domain, "TXT")
        texts = [_join_txt(v) for v in answer.values]
        return answer, [t for t in texts if is_spf(t)]

    def walk(self, domain: str, record: SpfRecord, depth: int) -> None:
        self.stack.append(domain)
        for term in record.terms:
            if not term.costs_lookup:
                continue
            if term.kind == "modifier" and term.name == "redirect" and record.all_qualifier is not None:
                continue  # ignored when 'all' is present (RFC 7208 6.1)
            self.lookups += 1
            if self.lookups == LOOKUP_LIMIT + 1:
                self.errors.append(
                    f"more than {LOOKUP_LIMIT} DNS lookups: the {LOOKUP_LIMIT + 1}th is {term.text!r} in the "
                    f"record of {domain}; receivers stop there with 'permerror'. Flatten includes into "
                    "ip4/ip6 ranges or drop senders you no longer use."
                )
            target = term.domain or domain
            if "%" in target:
                self.step(depth, domain, term.text, note="macro: expanded per message, not followed")
                continue
            if term.name in ("include", "redirect"):
                self._follow(depth, domain, term, target)
            elif term.name == "mx":
                answer = _dns.query(self.resolver, target, "MX")
                self.step(depth, domain, term.text, void=answer.void, note=f"{len(answer.values)} MX")
                if len(answer.values) > MX_LIMIT:
                    self.errors.append(f"{term.text!r} in {domain}: {target} has more than {MX_LIMIT} MX hosts.")
            elif term.name in ("a", "exists"):
                answer = _dns.query(self.resolver, target, "A")
                if answer.void and term.name == "a":
                    answer = _dns.query(self.resolver, target, "AAAA")
                self.step(depth, domain, term.text, void=answer.void)
            else:  # ptr: depends on the connecting IP
                self.step(depth, domain, term.text, note="depends on the sender's IP")
            if self.void == VOID_LIMIT + 1 and self.chain[-1].void:
                self.errors.append(
                    f"more than {VOID_LIMIT} void lookups (names with no answer): the last is {term.text!r} in "
                    f"the record of {domain}; receivers return 'permerror'. Remove terms naming dead domains."
                )
        self.stack.pop()

    def _follow(self, depth: int, domain: str, term: SpfTerm, target: str) -> None:
        if target in self.stack:
            self.step(depth, domain, term.text, note="loop: already being evaluated")
            self.errors.append(f"{term.text!r} in {domain} loops back to {target}.")
            return
        answer, records = self.spf_records(target)
        if answer.status == _dns.ERROR:
            self.step(depth, domain, term.text, note=f"no answer: {answer.detail}")
            self.errors.append(f"{term.text!r} in {domain}: DNS gave no answer for {target} ({answer.detail}).")
            return
        if not records:
            self.step(depth, domain, term.text, void=answer.void, note="no SPF record there")
            self.errors.append(
                f"{term.text!r} in {domain}: {target} has no SPF record, which makes the whole check a 'permerror'."
            )
            return
        if len(records) > 1:
            self.step(depth, domain, term.text, note=f"{len(records)} SPF records there")
            self.errors.append(f"{target} (reached by {term.text!r}) publishes {len(records)} SPF records.")
            return
        try:
            child = parse_spf(records[0])
        except ValidationError as exc:
            self.step(depth, domain, term.text, note="malformed")
            self.errors.append(f"{target} (reached by {term.text!r}): {exc.rule}")
            return
        self.step(depth, domain, term.text)
        self.walk(target, child, depth + 1)


def _join_txt(rdata_text: str) -> str:
    from sesbook.dns.records import from_rdata

    return from_rdata("TXT", rdata_text)


def check_spf(
    domain: str,
    *,
    resolver: Any = None,
    timeout: float = 5.0,
    record: str | None = None,
    expect_include: str | None = SES_INCLUDE,
) -> SpfReport:
    """Check the SPF record of ``domain`` in DNS: one record, valid syntax, lookup limits, ``all``, include.

    ``resolver`` is None (the system's), ``"HOST:PORT"``, a dnspython resolver or a target. ``record``
    checks that text as if it were published at ``domain`` (its includes are still looked up).
    """
    check_timing(timeout=timeout)
    from sesbook.dns.domains import normalize_domain

    domain = normalize_domain(domain)
    res = _dns.make_resolver(resolver, timeout=timeout)
    walk = _Walk(res)

    def report(text: str | None, *extra: Finding) -> SpfReport:
        items = [Finding.problem(domain, e) for e in walk.errors] + [Finding.warning(domain, w) for w in walk.warnings]
        return SpfReport(domain, text, walk.lookups, walk.void, tuple(walk.chain), (*items, *extra),
                         _dns.describe(res))

    if record is None:
        answer, records = walk.spf_records(domain)
        if answer.status == _dns.ERROR:
            walk.errors.append(f"DNS gave no answer for {domain}: {answer.detail}")
            return report(None)
        spaced = [t for t in (_join_txt(v) for v in answer.values) if t[:1].isspace() and is_spf(t.lstrip())]
        for text in spaced:
            walk.errors.append(
                f"{domain} has the TXT value {text!r}, which starts with white space: receivers do not treat it "
                "as an SPF record (RFC 7208 section 4.5). Remove the white space before 'v=spf1'."
            )
        if not records:
            if not spaced:
                walk.errors.append(f"{domain} publishes no SPF record (TXT 'v=spf1 ...').")
            return report(None)
        if len(records) > 1:
            walk.errors.append(
                f"{domain} publishes {len(records)} SPF records; there must be exactly one (RFC 7208 3.2), "
                "otherwise every check ends in 'permerror'. Merge them into one."
            )
        record = records[0]
    errors, warnings = lint_spf_text(record, expect_include=expect_include)
    walk.errors.extend(errors)
    walk.warnings.extend(warnings)
    if not errors:
        walk.walk(domain, parse_spf(record), 0)
    passed: list[Finding] = []
    if not errors:
        passed.append(Finding.ok(domain, f"the SPF record is valid: {record}", found=record))
        if walk.lookups <= LOOKUP_LIMIT:
            passed.append(Finding.ok(domain, f"{walk.lookups} of at most {LOOKUP_LIMIT} DNS lookups"))
        if walk.void <= VOID_LIMIT:
            passed.append(Finding.ok(domain, f"{walk.void} of at most {VOID_LIMIT} void lookups"))
    return report(record, *passed)
