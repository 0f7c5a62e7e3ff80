"""DMARC (RFC 9989, May 2026): build a record, parse it, lint it, and compute identifier alignment.

Why our own parser and not checkdmarc's: checkdmarc (6.x) is maintained and already RFC 9989, and the
tests cross-check our verdicts with its own on a table of records (``tests/test_dmarc_crosscheck.py``).
We still keep these few hundred lines because each finding here is written for a learner (what the
tag does, what a receiver will do, what to publish instead, where RFC 7489 receivers still differ),
because findings are :class:`~sesbook.checks.Finding` s in the one result type every ``check_*``
returns, and because :func:`sesbook.dns.dmarccheck.check_dmarc` must query the lab's DNS server through
sesbook's one resolver helper. checkdmarc's results are dicts of warnings meant for operators, and its
DNS layer, BIMI/MTA-STS/SMTP probing and HTTP dependencies are more than a notebook package should pull
in at run time; it is a test-only dependency.

DMARC (the notes' "送信ポリシー") tells receivers what to do with mail whose From: domain is
not vouched for by an *aligned* SPF or DKIM pass, and where to send reports. Alignment (整合性)
compares the From: domain with the MAIL FROM domain (SPF) and with the DKIM ``d=`` domain:

- relaxed (``r``, the default): the two share an organizational domain (組織ドメイン;
  ``mail.example.com`` and ``example.com`` do);
- strict (``s``): the two are the same name.

What RFC 9989 changed from RFC 7489, and what this module does about it (sections of RFC 9989):

- the record is ``v=DMARC1`` first, then tags in **any order** (4.8); RFC 7489 wanted ``p`` second, so
  a record with ``p`` elsewhere gets a warning for old receivers, not an error;
- **unknown tags are ignored** (4.7): an info finding, not an error;
- ``p`` may be missing: a receiver then acts as if ``p=none`` *when the record has a syntactically
  valid ``rua``*, and otherwise applies no DMARC at all (4.7, 4.10.1); RFC 7489 receivers discard a
  record without ``p``;
- ``pct``, ``rf`` and ``ri`` are **gone** (their receivers ignore them; RFC 7489 receivers may still
  read them: a warning); new are ``np`` (policy for non-existent subdomains), ``t=y`` (test mode:
  receivers are asked not to apply the policy yet) and ``psd`` (public suffix domain flag);
- ``rua``/``ruf`` take URIs; receivers must only support ``mailto:``, so another scheme is a warning;
  the ``!size`` suffix is obsolete (4.7);
- the organizational domain is found by a DNS **tree walk** of ``_dmarc`` queries (4.10), not the
  Public Suffix List; that needs DNS, so it is in :mod:`sesbook.dns.dmarccheck`. The offline parts here
  (:func:`alignment`, the "external report address" test of :func:`lint_dmarc`) still use the PSL
  shipped with ``publicsuffixlist`` (:func:`sesbook.dns.domains.organizational_domain`), as RFC 7489 did;
- a value with white space before ``v=DMARC1`` is not a DMARC record (the ABNF starts with ``v``).

Report authorisation for another organisation's address is RFC 9990 section 4 (was RFC 7489 7.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sesbook import _html
from sesbook.checks import CheckResult, Finding
from sesbook.errors import ValidationError

POLICIES = ("none", "quarantine", "reject")
MODES = {"r": "relaxed", "s": "strict"}
PSD_VALUES = ("y", "n", "u")
FO_OPTIONS = ("0", "1", "d", "s")
#: Tags RFC 9989 defines (4.7).
KNOWN_TAGS = ("v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "fo", "t", "psd")
#: Tags RFC 7489 had and RFC 9989 removed: ignored by RFC 9989 receivers, maybe read by older ones.
REMOVED_TAGS = ("pct", "rf", "ri")
_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: ``v=DMARC1`` at the very start: tag name in any case, value exactly ``DMARC1`` (RFC 9989 4.8 ABNF).
_VERSION_RE = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|$)")
_DIGITS_RE = re.compile(r"[0-9]+")
#: A report URI (RFC 3986 scheme ":" rest, no white space, ',' or ';'), with the obsolete "!size" suffix.
_URI_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):([^\s,;!]+)(![0-9]+[kmgtKMGT]?)?$")
#: The From: domain when SES sends with its default MAIL FROM (a subdomain of amazonses.com).
SES_DEFAULT_MAIL_FROM = "amazonses.com"
_START = "Start from 'v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com' (RFC 9989 section 4.7)."


def _bad(text: object, rule: str, hint: str = "") -> ValidationError:
    return ValidationError("dmarc", text, rule, hint=hint or _START)


def _uri_problem(uri: str) -> str | None:
    """Why ``uri`` is not a report URI, or None when it is one."""
    match = _URI_RE.match(uri)
    if not match:
        return "is not a URI (scheme:address, no spaces, commas or ';')"
    if match.group(1).lower() == "mailto":
        local, at, host = match.group(2).rpartition("@")
        if not at or not local or "." not in host:
            return "is a mailto: URI without an address such as dmarc@example.com"
    return None


def _uri(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field_name, value, "must be a report address or URI.",
                              hint="For example 'mailto:dmarc@example.com'.")
    text = value.strip()
    if "@" in text and ":" not in text.split("@", 1)[0]:
        text = "mailto:" + text
    why = _uri_problem(text)
    if why:
        raise ValidationError(field_name, value, f"{why}.", hint="For example 'mailto:dmarc@example.com'.")
    return text


def _fo_problem(value: str) -> str | None:
    """Why ``value`` is not a valid fo= value (RFC 9989 4.7: 0, 1, d, s, colon-separated), or None."""
    options = value.lower().split(":")
    bad = [o for o in options if o not in FO_OPTIONS]
    if bad or not value:
        return "each option must be 0, 1, d or s, separated by ':' (e.g. fo=1:d)"
    if len(set(options)) != len(options):
        return "an option may appear only once"
    if "0" in options and "1" in options:
        return "0 (report when all checks fail) and 1 (when any fails) exclude each other"
    return None


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record; absent tags take their RFC 9989 defaults (``adkim=r``, ``aspf=r``, ``t=n``,
    ``psd=u``; ``sp`` defaults to ``p``, ``np`` to ``sp`` then ``p``). ``pct`` is None unless the record
    has the removed tag. ``tags`` holds every tag as written, in order (unknown ones too)."""

    p: str
    sp: str | None = None
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    adkim: str = "r"
    aspf: str = "r"
    pct: int | None = None
    fo: str | None = None
    np: str | None = None
    t: bool = False
    psd: str = "u"
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def subdomain_policy(self) -> str:
        return self.sp or self.p

    @property
    def nonexistent_policy(self) -> str:
        return self.np or self.sp or self.p

    def __str__(self) -> str:
        return build_dmarc(self.p, sp=self.sp, np=self.np, rua=self.rua, ruf=self.ruf, adkim=self.adkim,
                           aspf=self.aspf, pct=self.pct, fo=self.fo, t=self.t,
                           psd=None if self.psd == "u" else self.psd)


def _choice(name: str, value: object, allowed: tuple[str, ...] | dict[str, str], hint: str = "") -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError(name, value, f"must be one of {', '.join(allowed)}.", hint=hint or None)
    return value


def build_dmarc(
    p: str = "none",
    *,
    sp: str | None = None,
    np: str | None = None,
    rua: str | tuple[str, ...] | list[str] = (),
    ruf: str | tuple[str, ...] | list[str] = (),
    adkim: str = "r",
    aspf: str = "r",
    fo: str | None = None,
    t: bool = False,
    psd: str | None = None,
    pct: int | None = None,
) -> str:
    """The text of a DMARC record, checked: ``build_dmarc("quarantine", rua="reports@example.com")``.

    Every argument is validated (a value from the allowed set, URIs well-formed, nothing that could
    smuggle in another tag with ';'); a bad one raises :class:`ValidationError` naming it. Tags equal
    to their defaults (``adkim=r``, ``aspf=r``, ``t=n``) are left out, so the record stays as short as
    the notes' examples. ``t=True`` writes ``t=y`` (RFC 9989 test mode). ``pct`` was removed by RFC 9989
    (its receivers ignore it); it is written only when given, for RFC 7489 receivers.
    """
    hint = "Start with 'none' to watch reports, then move to quarantine and reject."
    p = _choice("p", p, POLICIES, hint)
    if sp is not None:
        _choice("sp", sp, POLICIES, "Or None to use p.")
    if np is not None:
        _choice("np", np, POLICIES, "Or None to use sp (or p).")
    _choice("adkim", adkim, MODES, "'r' is relaxed, 's' strict.")
    _choice("aspf", aspf, MODES, "'r' is relaxed, 's' strict.")
    if not isinstance(t, bool):
        raise ValidationError("t", t, "must be True (test mode, t=y) or False.")
    if psd is not None:
        _choice("psd", psd, PSD_VALUES, "Only a public suffix operator publishes psd=y.")
    if pct is not None and (isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100):
        raise ValidationError("pct", pct, "must be a whole number from 0 to 100 (or None: RFC 9989 removed pct).")
    if fo is not None:
        why = _fo_problem(fo) if isinstance(fo, str) else "must be a string such as '1' or '1:d'"
        if why:
            raise ValidationError("fo", fo, why + ".", hint="Use '0' (the default), '1', 'd', 's' or e.g. '1:d'.")
    rua_list = [_uri(u, "rua") for u in ([rua] if isinstance(rua, str) else rua)]
    ruf_list = [_uri(u, "ruf") for u in ([ruf] if isinstance(ruf, str) else ruf)]
    parts = ["v=DMARC1", f"p={p}"]
    if sp:
        parts.append(f"sp={sp}")
    if np:
        parts.append(f"np={np}")
    if rua_list:
        parts.append("rua=" + ",".join(rua_list))
    if ruf_list:
        parts.append("ruf=" + ",".join(ruf_list))
    if fo:
        parts.append(f"fo={fo.lower()}")
    if adkim != "r":
        parts.append(f"adkim={adkim}")
    if aspf != "r":
        parts.append(f"aspf={aspf}")
    if t:
        parts.append("t=y")
    if psd:
        parts.append(f"psd={psd}")
    if pct is not None:
        parts.append(f"pct={pct}")
    return "; ".join(parts)


def is_dmarc(text: str) -> bool:
    """True when a TXT value is a DMARC record: it *begins* with ``v=DMARC1`` (RFC 9989 4.8); a value
    with white space before it is not one, and receivers discard it."""
    return bool(_VERSION_RE.match(text))


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record by RFC 9989; a malformed one raises :class:`ValidationError` saying what to fix.

    Tags may come in any order after ``v=DMARC1``; unknown tags are kept in ``tags`` and otherwise
    ignored (4.7). A record without ``p`` parses as ``p=none`` when it has a valid ``rua`` (4.10.1) and
    is refused otherwise, since receivers then apply no DMARC at all.
    """
    if not isinstance(text, str) or not text.strip():
        raise _bad(text, "is empty.")
    if text[:1].isspace() and is_dmarc(text.lstrip()):
        raise _bad(text, "starts with white space, so it is not a DMARC record: receivers only take TXT values "
                   "that begin with 'v=DMARC1' and discard this one.", hint="Remove the white space before 'v=DMARC1'.")
    if not is_dmarc(text):
        raise _bad(text, "must start with 'v=DMARC1' (exactly that, first).")
    parts = [part.strip() for part in text.strip().rstrip(";").split(";")]
    tags: dict[str, str] = {}
    for part in parts:
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not _TAG_RE.match(name):
            raise _bad(text, f"has {part!r}, which is not a tag=value pair (tags are separated by ';').")
        if name.lower() in tags:
            raise _bad(text, f"has the tag {name!r} twice.")
        tags[name.lower()] = value
    for name in ("p", "sp", "np"):
        if name in tags and tags[name].lower() not in POLICIES:
            raise _bad(text, f"has {name}={tags[name]!r}; it must be none, quarantine or reject.",
                       hint="RFC 9989 receivers treat a bad policy as p=none when rua= is valid, else ignore "
                       "the record; write the policy you mean.")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in MODES:
            raise _bad(text, f"has {name}={tags[name]!r}; it must be r (relaxed) or s (strict).")
    if "t" in tags and tags["t"].lower() not in ("y", "n"):
        raise _bad(text, f"has t={tags['t']!r}; it must be y (test mode) or n.")
    if "psd" in tags and tags["psd"].lower() not in PSD_VALUES:
        raise _bad(text, f"has psd={tags['psd']!r}; it must be y, n or u.")
    if "fo" in tags and (why := _fo_problem(tags["fo"])):
        raise _bad(text, f"has fo={tags['fo']!r}: {why}.",
                   hint="Use fo=0 (the default), 1, d, s or a list such as fo=1:d.")
    pct: int | None = None
    if "pct" in tags:
        if not _DIGITS_RE.fullmatch(tags["pct"]) or int(tags["pct"]) > 100:
            raise _bad(text, f"has pct={tags['pct']!r}; it must be a whole number from 0 to 100 (RFC 7489).",
                       hint="RFC 9989 removed pct; delete it, or use t=y to test a policy.")
        pct = int(tags["pct"])
    uris: dict[str, tuple[str, ...]] = {}
    for name in ("rua", "ruf"):
        values = [u.strip() for u in tags.get(name, "").split(",") if u.strip()]
        for uri in values:
            why = _uri_problem(uri)
            if why:
                raise _bad(text, f"has the {name} URI {uri!r}, which {why}.",
                           hint="Report addresses look like 'mailto:dmarc-reports@example.com'.")
        uris[name] = tuple(values)
    if "p" not in tags and not uris["rua"]:
        raise _bad(text, "has no policy tag 'p=' and no valid 'rua=': RFC 9989 receivers apply no DMARC to it "
                   "(with a valid rua= they would act as if p=none).", hint="Add 'p=none' right after 'v=DMARC1'.")
    return DmarcRecord(
        p=tags.get("p", "none").lower(), sp=tags["sp"].lower() if "sp" in tags else None, rua=uris["rua"],
        ruf=uris["ruf"], adkim=tags.get("adkim", "r").lower(), aspf=tags.get("aspf", "r").lower(), pct=pct,
        fo=tags["fo"].lower() if "fo" in tags else None, np=tags["np"].lower() if "np" in tags else None,
        t=tags.get("t", "n").lower() == "y", psd=tags.get("psd", "u").lower(), tags=tags,
    )


@dataclass(frozen=True, repr=False)
class DmarcLint(CheckResult):
    """Findings about one DMARC record, offline: a :class:`~sesbook.checks.CheckResult` carrying the
    ``text`` and the parsed ``record`` (None when it does not parse). ``errors`` is ``problems`` as a tuple."""

    text: str
    record: DmarcRecord | None
    items: tuple[Finding, ...]
    title = "lint_dmarc"


    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(self.problems)

    def heading(self) -> str:
        return f"DMARC {'ok' if self.ok else 'PROBLEMS'}: {self.text}"


def report_destinations(record: DmarcRecord, domain: str) -> list[str]:
    """The report domains of ``record`` (published by ``domain``) outside its organization, by the PSL.

    RFC 9990 section 4 compares organizational domains; this offline test uses the Public Suffix List
    (RFC 7489's way) as an approximation, as checkdmarc does."""
    from sesbook.dns.domains import organizational_domain

    org = organizational_domain(domain)
    out: list[str] = []
    for uri in record.rua + record.ruf:
        if not uri.lower().startswith("mailto:"):
            continue
        target = uri.split("@", 1)[1].split("!", 1)[0].lower().rstrip(".")
        if organizational_domain(target) != org and target not in out:
            out.append(target)
    return out


def authorisation_name(domain: str, report_domain: str) -> str:
    """Where ``report_domain`` says it accepts ``domain``'s reports: ``<domain>._report._dmarc.<report_domain>``."""
    return f"{domain}._report._dmarc.{report_domain}"


def lint_dmarc(text: str, *, domain: str | None = None, custom_mail_from: bool | None = None) -> DmarcLint:
    """Lint a DMARC record offline (no DNS) by RFC 9989, saying where RFC 7489 receivers still differ.

    ``domain`` (the one publishing it) enables the report-address check: an address in another
    organization needs that organization's authorisation record, which only
    :func:`sesbook.dns.dmarccheck.check_dmarc` can look up. ``custom_mail_from=True`` says SES sends with a
    MAIL FROM subdomain (strict SPF alignment then fails).
    """
    subject = f"_dmarc.{domain}" if domain else "DMARC record"
    try:
        record = parse_dmarc(text)
    except ValidationError as exc:
        return DmarcLint(text, None, (Finding.problem(subject, f"{exc.rule} {exc.hint or ''}".strip(), found=text,
                                                       fix=exc.hint),))
    out: list[Finding] = [Finding.ok(subject, f"a valid DMARC record (RFC 9989) with the policy p={record.p}",
                                     found=text)]

    def warn(message: str, **parts: str | None) -> None:
        out.append(Finding.warning(subject, message, **parts))

    def info(message: str, **parts: str | None) -> None:
        out.append(Finding.info(subject, message, **parts))

    names = list(record.tags)
    if "p" not in record.tags:
        warn("no p= tag: RFC 9989 receivers act as if p=none because rua= is valid, but RFC 7489 receivers "
             "discard a record without p=.", fix="Write p=none (or stricter) right after v=DMARC1.")
    elif names.index("p") != 1:
        warn("p= is not the second tag: RFC 9989 allows tags in any order after v=DMARC1, but RFC 7489 "
             "receivers required p= second and may ignore this record.", fix="Move p= right after v=DMARC1.")
    if record.p == "none":
        warn("p=none only collects reports; failing mail is delivered as usual. Move to quarantine "
             "or reject once the reports show your mail aligns.")
    if record.t and record.p != "none":
        warn(f"t=y (test mode): receivers are asked not to apply p={record.p} yet; reports still arrive. "
             "Remove t=y once the reports show your mail aligns.")
    for name in (n for n in names if n in REMOVED_TAGS):
        value = record.tags[name]
        if name == "pct":
            detail = (f"RFC 9989 receivers ignore it and apply the policy to all failing mail, while RFC 7489 "
                      f"receivers may still apply it to {value}% only. To try a policy out, use t=y.")
        else:
            detail = "RFC 9989 receivers ignore it; RFC 7489 receivers may still read it."
        warn(f"{name}={value} was removed by RFC 9989: {detail}", fix=f"Remove {name}=.")
    for name in (n for n in names if n not in KNOWN_TAGS and n not in REMOVED_TAGS):
        info(f"{name}= is not a DMARC tag; receivers ignore unknown tags (RFC 9989 section 4.7).")
    if not record.rua:
        warn("no rua=: you will get no aggregate reports, so you cannot see what fails.")
    for uri in record.rua + record.ruf:
        if not uri.lower().startswith("mailto:"):
            warn(f"{uri}: a report URI may use any scheme, but receivers only have to support mailto: "
                 "(RFC 9989 section 4.7), so most will send nothing there.", fix="Add a mailto: address.")
        if "!" in uri:
            warn(f"{uri}: the '!size' limit is obsolete in RFC 9989 (receivers ignore it); RFC 7489 receivers "
                 "may still honour it.")
    if record.fo and not record.ruf:
        info(f"fo={record.fo} only matters with ruf= (failure reports); without it, it is ignored.")
    if record.aspf == "s":
        reason = ("SES's custom MAIL FROM is a subdomain (mail.example.com), which never equals the From: "
                  "domain, so SPF can never align strictly; DKIM has to carry DMARC.")
        warn("aspf=s: " + reason if custom_mail_from is not False else "aspf=s: strict SPF alignment.")
    if domain:
        for target in report_destinations(record, domain):
            name = authorisation_name(domain, target)
            out.append(Finding.warning(
                name, f"reports go to {target}, another organization: it must publish {name} TXT 'v=DMARC1' "
                "to accept them (RFC 9990 section 4); check_dmarc looks it up.",
                expected="v=DMARC1", fix=f"In {target}'s DNS: {name} TXT \"v=DMARC1\"."))
    return DmarcLint(text, record, tuple(out))


@dataclass(frozen=True)
class Alignment:
    """Whether SPF and DKIM align with the From: domain, in relaxed and in strict mode."""

    from_domain: str
    mail_from_domain: str
    dkim_domain: str | None
    rows: tuple[tuple[str, str, str, str, bool, str], ...]  # (mechanism, mode, From org/name, other, aligned, why)

    def aligned(self, mechanism: str, mode: str) -> bool:
        """``aligned("spf", "relaxed")``; mode is relaxed/strict or r/s."""
        mode = MODES.get(mode, mode)
        for mech, row_mode, *_rest, ok, _why in self.rows:
            if mech == mechanism.upper() and row_mode == mode:
                return ok
        raise ValidationError("mechanism/mode", (mechanism, mode), "use 'spf' or 'dkim' and 'relaxed' or 'strict'.")

    def __repr__(self) -> str:
        body = _html.text_table(["check", "mode", "From:", "compared with", "aligned", "why"],
                                [(m, mode, f, o, "yes" if ok else "no", why) for m, mode, f, o, ok, why in self.rows])
        return f"Alignment(From: {self.from_domain})\n{body}"

    def _repr_html_(self) -> str:
        rows = [(m, mode, f, o, "✅ yes" if ok else "❌ no", why) for m, mode, f, o, ok, why in self.rows]
        return _html.table(["check", "mode", "From:", "compared with", "aligned", "why"], rows,
                           caption=f"DMARC alignment for From: {self.from_domain}")


def _compare(from_domain: str, other: str | None, what: str) -> list[tuple[str, str, str, str, bool, str]]:
    from sesbook.dns.domains import organizational_domain

    if other is None:
        return [(what, mode, from_domain, "—", False, f"no {what} signature by the domain") for mode in MODES.values()]
    org_from, org_other = organizational_domain(from_domain), organizational_domain(other)
    relaxed = org_from == org_other
    why_r = (f"both under {org_from}" if relaxed else f"{org_from} ≠ {org_other}") + " (organizational domains)"
    strict = from_domain == other
    why_s = "the same name" if strict else f"{from_domain} ≠ {other} (names must match exactly)"
    return [(what, "relaxed", from_domain, other, relaxed, why_r), (what, "strict", from_domain, other, strict, why_s)]


def alignment(from_domain: str, *, mail_from_domain: str | None = None, dkim_domain: str | None = None) -> Alignment:
    """Compute DMARC identifier alignment, as the notes' adkim/aspf tables describe it.

    ``mail_from_domain`` is the envelope sender's domain (None: SES's default, ``amazonses.com``);
    ``dkim_domain`` is the ``d=`` of the DKIM signature (None: no signature by the domain).
    """
    from sesbook.dns.domains import normalize_domain

    from_domain = normalize_domain(from_domain, field="from_domain")
    mail_from = normalize_domain(mail_from_domain or SES_DEFAULT_MAIL_FROM, field="mail_from_domain")
    dkim = normalize_domain(dkim_domain, field="dkim_domain") if dkim_domain else None
    rows = _compare(from_domain, mail_from, "SPF") + _compare(from_domain, dkim, "DKIM")
    return Alignment(from_domain, mail_from, dkim, tuple(rows))
