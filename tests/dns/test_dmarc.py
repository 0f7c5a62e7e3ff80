"""DMARC: builder, parser, lint, and alignment computed as the SES notes' tables describe it."""

from __future__ import annotations

import pytest

from sesbook.dns.dmarc import alignment, build_dmarc, lint_dmarc, parse_dmarc
from sesbook.errors import ValidationError


def test_build_the_notes_examples() -> None:
    assert build_dmarc("none", rua="reports@example.com") == "v=DMARC1; p=none; rua=mailto:reports@example.com"
    assert build_dmarc("quarantine", rua="mailto:reports@example.com", adkim="r", aspf="r") == (
        "v=DMARC1; p=quarantine; rua=mailto:reports@example.com")
    assert build_dmarc("reject", sp="quarantine", rua=["a@example.com", "b@example.com"], ruf="f@example.com",
                       adkim="s", aspf="s", pct=50) == (
        "v=DMARC1; p=reject; sp=quarantine; rua=mailto:a@example.com,mailto:b@example.com; "
        "ruf=mailto:f@example.com; adkim=s; aspf=s; pct=50")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"p": "block"}, "p"), ({"sp": "drop"}, "sp"), ({"adkim": "x"}, "adkim"), ({"aspf": "relaxed"}, "aspf"),
    ({"pct": 101}, "pct"), ({"pct": True}, "pct"), ({"rua": "not an address"}, "rua"),
    # every argument is checked, so nothing can smuggle in another tag with ';'
    ({"fo": "1; p=reject"}, "fo"), ({"fo": "2"}, "fo"), ({"fo": "0:1"}, "fo"), ({"fo": "1:1"}, "fo"),
    ({"p": "none; sp=reject"}, "p"), ({"sp": "none;"}, "sp"), ({"np": "drop"}, "np"),
    ({"rua": "a@example.com; p=reject"}, "rua"), ({"ruf": "mailto:"}, "ruf"), ({"rua": ["ok@example.com", 3]}, "rua"),
    ({"adkim": "r; p=reject"}, "adkim"), ({"t": "y"}, "t"), ({"psd": "yes"}, "psd"),
])
def test_build_refuses_bad_values(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build_dmarc(**kwargs)
    assert info.value.field == field


def test_build_rfc9989_tags() -> None:
    assert build_dmarc("reject", np="reject", t=True, fo="1:d", ruf="f@example.com") == (
        "v=DMARC1; p=reject; np=reject; ruf=mailto:f@example.com; fo=1:d; t=y")
    assert build_dmarc("none", rua="https://reports.example.com/dmarc") == (
        "v=DMARC1; p=none; rua=https://reports.example.com/dmarc")


def test_parse_round_trip_and_defaults() -> None:
    text = "v=DMARC1; p=quarantine; rua=mailto:reports@example.com; adkim=r; aspf=r"
    record = parse_dmarc(text)
    assert (record.p, record.rua, record.adkim, record.aspf, record.pct, record.sp, record.t, record.psd) == (
        "quarantine", ("mailto:reports@example.com",), "r", "r", None, None, False, "u")
    assert parse_dmarc(str(record)) == record
    assert parse_dmarc("v=DMARC1;p=reject;pct=20;").pct == 20


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"),
    ("p=none; v=DMARC1", "must start with 'v=DMARC1'"),
    ("v=DMARC2; p=none", "must start with 'v=DMARC1'"),
    ("v=DMARC1; ruf=mailto:a@example.com", "no policy tag 'p=' and no valid 'rua='"),
    (" v=DMARC1; p=none", "starts with white space"),
    ("\tv=DMARC1; p=reject; rua=mailto:a@example.com", "starts with white space"),
    ("v=DMARC1; p=none; fo=2", "fo='2'"),
    ("v=DMARC1; p=none; fo=0:1", "exclude each other"),
    ("v=DMARC1; p=none; pct=\u00b2", "pct='\u00b2'"),
    ("v=DMARC1; p=none; pct=\u0665\u0660", "pct="),
    ("v=DMARC1; p=none; rua=mailto:", "the rua URI 'mailto:'"),
    ("v=DMARC1; p=none; rua=mailto:reports", "mailto: URI without an address"),
    ("v=DMARC1; p=none; np=block", "np='block'"),
    ("v=DMARC1; p=none; t=maybe", "t='maybe'"),
    ("v=DMARC1; p=maybe", "none, quarantine or reject"),
    ("v=DMARC1; p=none; adkim=x", "r (relaxed) or s (strict)"),
    ("v=DMARC1; p=none; pct=150", "0 to 100"),
    ("v=DMARC1; p=none; rua=reports@example.com", "mailto:"),
    ("v=DMARC1; p=none; p=reject", "twice"),
    ("v=DMARC1; p=none; garbage", "not a tag=value pair"),
])
def test_malformed_records_say_what_to_do(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_dmarc(text)
    assert words in str(info.value) and info.value.hint and info.value.field == "dmarc"


def test_lint_findings() -> None:
    lint = lint_dmarc("v=DMARC1; p=none; pct=50; aspf=s", custom_mail_from=True)
    assert lint.ok
    assert [w.split(" ")[0] for w in lint.warnings] == ["p=none", "pct=50", "no", "aspf=s:"]
    assert "RFC 7489 receivers may still apply it to 50% only" in lint.warnings[1]
    assert "never equals the From: domain" in lint.warnings[3]
    bad = lint_dmarc("v=DMARC1; p=sometimes")
    assert not bad.ok and bad.record is None and "none, quarantine or reject" in bad.problems[0]
    assert bad.errors == tuple(bad.problems)
    assert "PROBLEM" in repr(bad) and "<table " in bad._repr_html_()


@pytest.mark.parametrize(("text", "p", "warning"), [
    # RFC 9989 4.8: any order after v=DMARC1 (RFC 7489 wanted p second: a warning for old receivers)
    ("v=DMARC1; rua=mailto:a@example.com; p=reject", "reject", "p= is not the second tag"),
    # no p but a valid rua: act as p=none (RFC 7489 receivers discard it)
    ("v=DMARC1; rua=mailto:a@example.com", "none", "RFC 9989 receivers act as if p=none"),
    ("v=DMARC1; p=reject; rua=mailto:a@example.com; rf=afrf", "reject", "rf=afrf was removed by RFC 9989"),
    ("v=DMARC1; p=reject; rua=mailto:a@example.com; ri=3600", "reject", "ri=3600 was removed by RFC 9989"),
    ("v=DMARC1; p=reject; rua=mailto:a@example.com; t=y", "reject", "t=y (test mode)"),
    ("v=DMARC1; p=reject; rua=https://reports.example.com/d", "reject", "only have to support mailto:"),
    ("v=DMARC1; p=reject; rua=mailto:a@example.com!10m", "reject", "'!size' limit is obsolete"),
])
def test_rfc9989_rules(text: str, p: str, warning: str) -> None:
    lint = lint_dmarc(text)
    assert lint.ok, lint.problems
    assert lint.record is not None and lint.record.p == p
    assert any(warning in w for w in lint.warnings), lint.warnings


def test_unknown_tags_are_ignored_and_new_tags_parse() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; np=reject; sp=quarantine; t=n; psd=n; fo=1:d:s; xnew=1; "
                         "rua=mailto:a@example.com")
    assert (record.np, record.sp, record.t, record.psd, record.fo) == ("reject", "quarantine", False, "n", "1:d:s")
    assert record.tags["xnew"] == "1"
    lint = lint_dmarc("v=DMARC1; p=reject; rua=mailto:a@example.com; future=1")
    assert lint.ok and lint.warnings == []
    assert [f.message for f in lint.of("info")] == [
        "future= is not a DMARC tag; receivers ignore unknown tags (RFC 9989 section 4.7)."]


def test_lint_external_report_address_needs_authorisation() -> None:
    lint = lint_dmarc("v=DMARC1; p=reject; rua=mailto:d@reports.example.net", domain="example.com")
    assert any("example.com._report._dmarc.reports.example.net" in w for w in lint.warnings)
    same_org = lint_dmarc("v=DMARC1; p=reject; rua=mailto:d@mail.example.co.jp", domain="example.co.jp")
    assert same_org.warnings == []


# The notes' tables, computed: (From:, MAIL FROM, DKIM d=) -> SPF r/s, DKIM r/s
@pytest.mark.parametrize(("from_", "mail_from", "dkim", "spf_r", "spf_s", "dkim_r", "dkim_s"), [
    ("example.com", None, "example.com", False, False, True, True),                # SES default MAIL FROM
    ("example.com", "mail.example.com", "example.com", True, False, True, True),   # custom MAIL FROM subdomain
    ("news.example.com", "mail.example.com", "example.com", True, False, True, False),
    ("example.com", "example.com", "example.com", True, True, True, True),         # MAIL FROM on the apex
    ("example.com", "mail.example.org", None, False, False, False, False),
    ("shop.example.co.jp", "mail.example.co.jp", "example.co.jp", True, False, True, False),
    ("a.example.co.jp", "b.other.co.jp", "other.co.jp", False, False, False, False),  # co.jp is a public suffix
])
def test_alignment_tables(from_: str, mail_from: str | None, dkim: str | None, spf_r: bool, spf_s: bool,
                          dkim_r: bool, dkim_s: bool) -> None:
    result = alignment(from_, mail_from_domain=mail_from, dkim_domain=dkim)
    assert [result.aligned("spf", "r"), result.aligned("spf", "s"), result.aligned("dkim", "relaxed"),
            result.aligned("dkim", "strict")] == [spf_r, spf_s, dkim_r, dkim_s]


def test_alignment_explains_itself() -> None:
    result = alignment("example.com", mail_from_domain="mail.example.com", dkim_domain="example.com")
    rows = {(r[0], r[1]): r[5] for r in result.rows}
    assert rows[("SPF", "relaxed")] == "both under example.com (organizational domains)"
    assert rows[("SPF", "strict")] == "example.com ≠ mail.example.com (names must match exactly)"
    assert "aligned" in repr(result) and "❌ no" in result._repr_html_()
    assert alignment("example.com").mail_from_domain == "amazonses.com"
    with pytest.raises(ValidationError):
        alignment("not a domain")
