"""DMARC (RFC 7489): build a record, parse it, lint it, and compute identifier alignment.

DMARC (the notes' "送信ポリシー") tells receivers what to do with mail whose From: domain is not
vouched for by an *aligned* SPF or DKIM pass, and where to send reports. Alignment
(整合性) compares the From: domain with the MAIL FROM domain (SPF) and with the DKIM ``d=`` domain:

- relaxed (``r``, the default): the two share an organizational domain (``mail.example.com`` and
  ``example.com`` do);
- strict (``s``): the two are the same name.

The organizational domain comes from the Public Suffix List shipped with the pinned ``publicsuffixlist``
package (see :func:`sesbook.domains.organizational_domain`); it is never downloaded, so a suffix
registered after the package's release is not known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sesbook import _html
from sesbook.errors import ValidationError

POLICIES = ("none", "quarantine", "reject")
MODES = {"r": "relaxed", "s": "strict"}
_TAG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
KNOWN_TAGS = ("v", "p", "sp", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "np", "psd", "t")
#: The From: domain when SES sends with its default MAIL FROM (a subdomain of amazonses.com).
SES_DEFAULT_MAIL_FROM = "amazonses.com"


def _bad(text: object, rule: str, hint: str = "") -> ValidationError:
    return ValidationError(
        "dmarc", text, rule,
        hint=hint or "Start from 'v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com' (RFC 7489 section 6.3).",
    )


def _uri(value: str, field_name: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(field_name, value, "is empty.")
    if "@" in value and not value.lower().startswith("mailto:"):
        value = "mailto:" + value
    if not value.lower().startswith("mailto:") or "@" not in value or " " in value:
        raise ValidationError(
            field_name, value, "must be a mailto: address for reports.", hint="For example 'mailto:dmarc@example.com'."
        )
    return value


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record; absent tags take their RFC 7489 defaults (``adkim=r``, ``aspf=r``, ``pct=100``)."""

    p: str
    sp: str | None = None
    rua: tuple[str, ...] = ()
    ruf: tuple[str, ...] = ()
    adkim: str = "r"
    aspf: str = "r"
    pct: int = 100
    fo: str | None = None
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return build_dmarc(self.p, sp=self.sp, rua=self.rua, ruf=self.ruf, adkim=self.adkim, aspf=self.aspf,
                           pct=self.pct, fo=self.fo)


def build_dmarc(
    p: str = "none",
    *,
    sp: str | None = None,
    rua: str | tuple[str, ...] | list[str] = (),
    ruf: str | tuple[str, ...] | list[str] = (),
    adkim: str = "r",
    aspf: str = "r",
    pct: int = 100,
    fo: str | None = None,
) -> str:
    """The text of a DMARC record, checked: ``build_dmarc("quarantine", rua="reports@example.com")``.

    Tags equal to their defaults (``adkim=r``, ``aspf=r``, ``pct=100``) are still written when given
    as anything else, and left out otherwise, so the record stays as short as the notes' examples.
    """
    if p not in POLICIES:
        raise ValidationError("p", p, f"must be one of {', '.join(POLICIES)}.",
                              hint="Start with 'none' to watch reports, then move to quarantine and reject.")
    if sp is not None and sp not in POLICIES:
        raise ValidationError("sp", sp, f"must be one of {', '.join(POLICIES)} (or None to use p).")
    for name, mode in (("adkim", adkim), ("aspf", aspf)):
        if mode not in MODES:
            raise ValidationError(name, mode, "must be 'r' (relaxed) or 's' (strict).")
    if isinstance(pct, bool) or not isinstance(pct, int) or not 0 <= pct <= 100:
        raise ValidationError("pct", pct, "must be a whole number from 0 to 100.")
    rua_list = [_uri(u, "rua") for u in ([rua] if isinstance(rua, str) else rua)]
    ruf_list = [_uri(u, "ruf") for u in ([ruf] if isinstance(ruf, str) else ruf)]
    parts = ["v=DMARC1", f"p={p}"]
    if sp:
        parts.append(f"sp={sp}")
    if rua_list:
        parts.append("rua=" + ",".join(rua_list))
    if ruf_list:
        parts.append("ruf=" + ",".join(ruf_list))
    if fo:
        parts.append(f"fo={fo}")
    if adkim != "r":
        parts.append(f"adkim={adkim}")
    if aspf != "r":
        parts.append(f"aspf={aspf}")
    if pct != 100:
        parts.append(f"pct={pct}")
    return "; ".join(parts)


def is_dmarc(text: str) -> bool:
    return text.replace(" ", "").lower().startswith("v=dmarc1")


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record; a malformed one raises :class:`ValidationError` saying what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise _bad(text, "is empty.")
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
    first = parts[0].split("=", 1)
    if first[0].strip() != "v" or first[1].strip() != "DMARC1":
        raise _bad(text, "must start with 'v=DMARC1' (exactly that, first).")
    if "p" not in tags:
        raise _bad(text, "has no policy tag 'p='.", hint="Add 'p=none' right after 'v=DMARC1'.")
    if parts[1].split("=", 1)[0].strip().lower() != "p":
        raise _bad(text, "must have 'p=' as its second tag (RFC 7489 6.3).",
                   hint="Move 'p=...' right after 'v=DMARC1'.")
    for name in ("p", "sp"):
        if name in tags and tags[name].lower() not in POLICIES:
            raise _bad(text, f"has {name}={tags[name]!r}; it must be none, quarantine or reject.")
    for name in ("adkim", "aspf"):
        if name in tags and tags[name].lower() not in MODES:
            raise _bad(text, f"has {name}={tags[name]!r}; it must be r (relaxed) or s (strict).")
    pct = tags.get("pct", "100")
    if not pct.isdigit() or int(pct) > 100:
        raise _bad(text, f"has pct={pct!r}; it must be a whole number from 0 to 100.")
    uris: dict[str, tuple[str, ...]] = {}
    for name in ("rua", "ruf"):
        values = [u.strip() for u in tags.get(name, "").split(",") if u.strip()]
        for uri in values:
            if not uri.lower().startswith("mailto:") or "@" not in uri:
                raise _bad(text, f"has {name} address {uri!r}; report addresses are 'mailto:someone@domain'.")
        uris[name] = tuple(values)
    return DmarcRecord(
        p=tags["p"].lower(), sp=tags["sp"].lower() if "sp" in tags else None, rua=uris["rua"], ruf=uris["ruf"],
        adkim=tags.get("adkim", "r").lower(), aspf=tags.get("aspf", "r").lower(), pct=int(pct),
        fo=tags.get("fo"), tags=tags,
    )


@dataclass(frozen=True)
class DmarcLint:
    """Findings about one DMARC record: ``errors`` (it will not work) and ``warnings`` (it may not do what you want)."""

    text: str
    record: DmarcRecord | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problems(self) -> list[str]:
        return list(self.errors)

    def __repr__(self) -> str:
        lines = [f"DMARC {'ok' if self.ok else 'PROBLEMS'}: {self.text}"]
        lines += [f"error: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = [("error", e) for e in self.errors] + [("warning", w) for w in self.warnings]
        return _html.table(["severity", "finding"], rows or [("ok", "no findings")], caption=f"DMARC: {self.text}")


def lint_dmarc(text: str, *, domain: str | None = None, custom_mail_from: bool | None = None) -> DmarcLint:
    """Lint a DMARC record. ``domain`` (the one publishing it) enables the report-address check;
    ``custom_mail_from=True`` says SES sends with a MAIL FROM subdomain (strict SPF alignment then fails)."""
    try:
        record = parse_dmarc(text)
    except ValidationError as exc:
        return DmarcLint(text, None, (f"{exc.rule} {exc.hint or ''}".strip(),), ())
    warnings: list[str] = []
    if record.p == "none":
        warnings.append("p=none only collects reports; failing mail is delivered as usual. Move to quarantine "
                        "or reject once the reports show your mail aligns.")
    if record.pct < 100:
        warnings.append(f"pct={record.pct}: the policy applies to {record.pct}% of failing mail only.")
    if not record.rua:
        warnings.append("no rua=: you will get no aggregate reports, so you cannot see what fails.")
    if record.aspf == "s":
        reason = ("SES's custom MAIL FROM is a subdomain (mail.example.com), which never equals the From: "
                  "domain, so SPF can never align strictly; DKIM has to carry DMARC.")
        warnings.append("aspf=s: " + reason if custom_mail_from is not False else "aspf=s: strict SPF alignment.")
    if domain:
        from sesbook.dns.domains import organizational_domain

        org = organizational_domain(domain)
        for uri in record.rua + record.ruf:
            target = uri.split("@", 1)[1].split("!", 1)[0].lower()
            if organizational_domain(target) != org:
                warnings.append(
                    f"reports go to {target}, another organization: it must publish "
                    f"{domain}._report._dmarc.{target} TXT 'v=DMARC1' to accept them (RFC 7489 7.1)."
                )
    return DmarcLint(text, record, (), tuple(warnings))


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
