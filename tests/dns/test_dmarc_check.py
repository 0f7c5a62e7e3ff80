"""check_dmarc in the lab DNS: 0/1/many records, the RFC 9989 tree walk, report authorisation (RFC 9990 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesbook.checks import CheckResult
from sesbook.dns.dmarccheck import check_dmarc, tree_walk, walk_names

from helpers import put, zone

if TYPE_CHECKING:
    import sesbook

GOOD = "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"


def test_walk_names_stay_within_eight_queries() -> None:
    assert walk_names("a.b.example.com") == ["a.b.example.com", "b.example.com", "example.com", "com"]
    long = "a.b.c.d.e.f.g.h.i.example.com"  # 11 labels: the domain, then straight to its last 7 labels
    names = walk_names(long)
    assert len(names) == 8 and names[0] == long and names[1] == "e.f.g.h.i.example.com" and names[-1] == "com"


def test_one_record_is_linted(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_dmarc.example.com", "TXT", GOOD)
    result = check_dmarc("example.com", resolver=target)
    assert isinstance(result, CheckResult) and result.ok and result.warnings == []
    assert (result.record, result.location, result.organizational_domain) == (GOOD, "example.com", "example.com")
    assert result.parsed is not None and result.parsed.p == "reject"
    assert "DNS tree walk" in repr(result) and "_dmarc.example.com" in result._repr_html_()


def test_two_records_mean_no_policy(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_dmarc.example.com", "TXT", GOOD, "v=DMARC1; p=none")
    result = check_dmarc("example.com", resolver=target)
    assert not result.ok and result.record is None
    assert result.errors == (
        "_dmarc.example.com has 2 DMARC records: receivers discard them all, so no DMARC policy applies "
        "(RFC 9989 section 4.10). Keep exactly one.",)


def test_leading_white_space_is_not_a_record(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_dmarc.example.com", "TXT", " " + GOOD)
    result = check_dmarc("example.com", resolver=target)
    assert not result.ok and result.record is None
    assert any("starts with white space" in p for p in result.problems)
    assert any("no DMARC record at _dmarc.example.com" in p for p in result.problems)


def test_no_record_anywhere_says_what_to_publish(target: sesbook.Target) -> None:
    zone(target, "example.com")
    result = check_dmarc("example.com", resolver=target)
    assert not result.ok
    finding = result.of("problem")[0]
    assert finding.fix == 'Publish _dmarc.example.com TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com".'


def test_tree_walk_finds_the_organizational_record(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_dmarc.example.com", "TXT", "v=DMARC1; p=quarantine; sp=reject; rua=mailto:d@example.com")
    walk = tree_walk("a.b.example.com", resolver=target)
    assert [s.name for s in walk.steps][:3] == ["a.b.example.com", "b.example.com", "example.com"]
    assert (walk.organizational_domain, walk.policy_domain) == ("example.com", "example.com")
    result = check_dmarc("a.b.example.com", resolver=target)
    assert result.ok and result.location == "example.com"
    assert any("receivers apply the one at _dmarc.example.com" in f.message for f in result.of("info"))


def test_psd_n_marks_the_organizational_domain(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "_dmarc.b.example.com", "TXT", "v=DMARC1; p=reject; psd=n; rua=mailto:d@example.com")
    put(target, zone_id, "_dmarc.example.com", "TXT", "v=DMARC1; p=none; rua=mailto:d@example.com")
    walk = tree_walk("a.b.example.com", resolver=target)
    assert [s.name for s in walk.steps] == ["a.b.example.com", "b.example.com"]  # psd=n stops the walk
    assert walk.organizational_domain == "b.example.com"
    result = check_dmarc("a.b.example.com", resolver=target)
    assert any("RFC 7489 receivers, which use the Public Suffix List, take example.com" in f.message
               for f in result.of("info"))


def test_external_report_address_needs_an_authorisation_record(target: sesbook.Target) -> None:
    text = "v=DMARC1; p=reject; rua=mailto:d@reports.example.net"
    zone(target, "example.com")
    net = zone(target, "example.net")
    missing = check_dmarc("example.com", resolver=target, record=text)
    assert missing.ok
    assert missing.warnings == [
        "reports go to reports.example.net, another organization, which has not said it accepts reports for "
        "example.com: receivers will not send them there (RFC 9990 section 4). It must publish "
        "example.com._report._dmarc.reports.example.net TXT 'v=DMARC1'."]
    put(target, net, "example.com._report._dmarc.reports.example.net", "TXT", "v=DMARC1")
    authorised = check_dmarc("example.com", resolver=target, record=text)
    assert authorised.ok and authorised.warnings == []
    assert any("reports.example.net accepts DMARC reports for example.com" in f.message for f in authorised.passed)
