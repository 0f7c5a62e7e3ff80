"""SPF: syntax (RFC 7208), offline lint, and the DNS walk with lookup and void-lookup limits in the lab DNS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sesbook.dns.spf import check_spf, lint_spf_text, parse_spf
from sesbook.errors import ValidationError

from helpers import put, zone

if TYPE_CHECKING:
    import sesbook


@pytest.mark.parametrize("text", [
    "v=spf1 include:amazonses.com -all",
    "v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all",
    "v=spf1 a:mail.example.com/24 mx//64 a/24//64 ptr ?exists:%{i}._spf.example.com -all",
    "v=spf1 redirect=_spf.example.com",
    "V=SPF1 include:amazonses.com exp=explain.example.com unknown-mod=x -ALL",
])
def test_valid_records_parse(text: str) -> None:
    record = parse_spf(text)
    assert record.text == text and record.terms


def test_parse_gives_terms_and_qualifiers() -> None:
    record = parse_spf("v=spf1 ip4:192.0.2.1 include:amazonses.com ~all")
    assert [(t.qualifier, t.name, t.value) for t in record.terms] == [
        ("+", "ip4", "192.0.2.1"), ("+", "include", "amazonses.com"), ("~", "all", None)]
    assert record.all_qualifier == "~" and record.includes == ["amazonses.com"]


@pytest.mark.parametrize(("text", "words"), [
    ("spf1 include:amazonses.com -all", "v=spf1"),
    ("v=spf1 include -all", "needs a domain"),
    ("v=spf1 include:amazonses -all", "does not end in a domain"),
    ("v=spf1 ip4:300.1.1.1 -all", "not valid ip4"),
    ("v=spf1 ip4:2001:db8::1 -all", "use ip6"),
    ("v=spf1 a/33 -all", "prefix length"),
    ("v=spf1 all:foo", "takes no argument"),
    ("v=spf1 includes:amazonses.com -all", "unknown term"),
    ("v=spf1 redirect=a.example.com redirect=b.example.com", "twice"),
    ("v=spf1 exists:%{z}.example.com -all", "not a macro"),
    (" v=spf1 include:amazonses.com -all", "starts with white space"),
    ("\tv=spf1 -all", "starts with white space"),
    ("v=spf1 a/\u00b2 -all", "bad prefix length"),
    ("v=spf1 mx:example.com/24//\u0664 -all", "bad prefix length"),
])
def test_malformed_records_raise_validation_error(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_spf(text)
    assert words in str(info.value) and info.value.field == "spf" and info.value.hint


@pytest.mark.parametrize(("text", "errors", "warning"), [
    ("v=spf1 include:amazonses.com +all", [], "anyone's forged mail passes SPF"),
    ("v=spf1 include:amazonses.com all", [], "'+all' is valid SPF but a dangerous policy"),
    ("v=spf1 include:amazonses.com ?all", [], "'?all' (neutral)"),
    ("v=spf1 include:amazonses.com", [], "no 'all' term"),
    ("v=spf1 ip4:192.0.2.1 -all", [], "no 'include:amazonses.com'"),
    ("v=spf1 include:amazonses.com ptr -all", [], "'ptr' is slow"),
    ("v=spf1 -all include:amazonses.com", [], "terms after 'all'"),
])
def test_offline_lint(text: str, errors: list[str], warning: str | None) -> None:
    found_errors, warnings = lint_spf_text(text)
    assert [e[: len(x)] for e, x in zip(found_errors, errors, strict=False)] == errors
    assert len(found_errors) == len(errors)
    if warning:
        assert any(warning in w for w in warnings), warnings
    else:
        assert not any("+all" in w for w in warnings)


def test_ses_include_resolves_in_the_lab(target: sesbook.Target) -> None:
    report = check_spf("example.com", resolver=target, record="v=spf1 include:amazonses.com -all")
    assert report.ok and report.lookups == 1 and report.void_lookups == 0
    assert report.chain[0].term == "include:amazonses.com" and not report.chain[0].void


def test_no_record_and_two_records(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    none = check_spf("example.com", resolver=target)
    assert none.errors == ("example.com publishes no SPF record (TXT 'v=spf1 ...').",)
    put(target, zone_id, "example.com", "TXT", "v=spf1 -all", "v=spf1 include:amazonses.com -all")
    report = check_spf("example.com", resolver=target)
    assert not report.ok and "publishes 2 SPF records" in report.errors[0]


def test_eleven_lookups_through_an_include_chain(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    # example.com -> _spf1 -> _spf2 -> ... each level adds an include and an 'a' (two lookups per level)
    for level in range(1, 6):
        nxt = f" include:_spf{level + 1}.example.com" if level < 5 else ""
        put(target, zone_id, f"_spf{level}.example.com", "TXT", f"v=spf1 a:host.example.com{nxt} -all")
        put(target, zone_id, "host.example.com", "A", "192.0.2.10")
    put(target, zone_id, "example.com", "TXT", "v=spf1 include:amazonses.com include:_spf1.example.com -all")
    report = check_spf("example.com", resolver=target)
    assert report.lookups == 11 and not report.ok
    assert "more than 10 DNS lookups" in report.errors[0]
    assert "the 11th is 'a:host.example.com' in the record of _spf5.example.com" in report.errors[0]
    chain = report.chain_text().splitlines()
    assert chain[0] == "example.com: v=spf1 include:amazonses.com include:_spf1.example.com -all"
    assert chain[-1] == " " * 12 + "a:host.example.com  [lookup 11]"
    assert max(s.depth for s in report.chain) == 5
    assert "lookup #" in report._repr_html_()


def test_void_lookups_over_two_fail(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "TXT",
        "v=spf1 a:gone1.example.com a:gone2.example.com mx:gone3.example.com include:amazonses.com -all")
    report = check_spf("example.com", resolver=target)
    assert report.void_lookups == 3 and report.lookups == 4
    assert [s.void for s in report.chain] == [True, True, True, False]
    assert any("more than 2 void lookups" in e and "mx:gone3.example.com" in e for e in report.errors)


def test_include_without_spf_and_loops(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "loop.example.com", "TXT", "v=spf1 include:example.com -all")
    put(target, zone_id, "example.com", "TXT", "v=spf1 include:nospf.example.com include:loop.example.com -all")
    report = check_spf("example.com", resolver=target, expect_include=None)
    assert any("nospf.example.com has no SPF record" in e for e in report.errors)
    assert any("loops back to example.com" in e for e in report.errors)


def test_redirect_is_followed_only_without_all(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_spf.example.com", "TXT", "v=spf1 include:amazonses.com -all")
    report = check_spf("example.com", resolver=target, record="v=spf1 redirect=_spf.example.com")
    assert report.ok and report.lookups == 2 and [s.term for s in report.chain] == [
        "redirect=_spf.example.com", "include:amazonses.com"]


def test_a_value_with_leading_white_space_is_not_spf(target: sesbook.Target) -> None:
    """RFC 7208 4.5: only values that begin with 'v=spf1' are SPF records; receivers skip ' v=spf1 ...'."""
    from sesbook.dns.spf import is_spf

    assert not is_spf(" v=spf1 -all") and is_spf("v=spf1 -all") and is_spf("V=SPF1")
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "TXT", " v=spf1 include:amazonses.com -all")
    report = check_spf("example.com", resolver=target)
    assert not report.ok and report.record is None
    assert report.errors == ("example.com has the TXT value ' v=spf1 include:amazonses.com -all', which starts with "
                             "white space: receivers do not treat it as an SPF record (RFC 7208 section 4.5). "
                             "Remove the white space before 'v=spf1'.",)


def test_plus_all_is_a_warning_with_the_reason(target: sesbook.Target) -> None:
    report = check_spf("example.com", resolver=target, record="v=spf1 include:amazonses.com +all")
    assert report.ok and report.errors == ()
    assert any("every server on the Internet may send as this domain" in w for w in report.warnings)


def test_report_is_a_check_result(target: sesbook.Target) -> None:
    from sesbook.checks import CheckResult

    report = check_spf("example.com", resolver=target, record="v=spf1 include:amazonses.com -all")
    assert isinstance(report, CheckResult) and report.title == "check_spf"
    assert [f.severity for f in report.findings] == ["ok", "ok", "ok"]
    text = repr(report)
    assert text.startswith("SPF example.com: ok; 1/10 DNS lookups, 0/2 void")
    assert "include:amazonses.com  [lookup 1]" in text
    assert "in the record of" in report._repr_html_() and report.raise_if_not_ok() is report
