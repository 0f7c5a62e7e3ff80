"""check_records over real DNS: the lab's DNS server answering from the lab's Route 53."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesbook.dns.check import check_records
from sesbook.dns.route53 import apply_to_route53
from sesbook.dns.ses_records import required_records

from helpers import put, zone

if TYPE_CHECKING:
    import sesbook

TOKENS = ("a1" * 16, "b2" * 16, "c3" * 16)


def records() -> sesbook.RecordSet:
    return required_records("example.com", region="us-east-1", verification_token="tok+en=", dkim_tokens=TOKENS,
                            mail_from="mail")


def status(result: object, rtype: str, name: str) -> str:
    return next(c.status for c in result.checks if c.record.type == rtype and c.record.name == name)  # type: ignore[attr-defined]


def test_missing_before_ok_after(target: sesbook.Target) -> None:
    before = check_records(records(), resolver=target)
    assert not before.ok and {c.status for c in before.checks} == {"missing"}
    assert len(before.problems) == 7 and len(before.warnings) == 2  # SPF and DMARC are recommended
    apply_to_route53(target, records())
    after = check_records(records(), resolver=target)
    assert after.ok and after.problems == [] and {c.status for c in after.checks} == {"ok"}
    assert [r.domain for r in after.spf] == ["example.com", "mail.example.com"]
    assert after.spf[0].lookups == 1
    assert "all required records are right" in repr(after) and "✅" in after._repr_html_()


def test_wrong_value_shows_expected_and_found(target: sesbook.Target) -> None:
    apply_to_route53(target, records())
    zone_id = target.route53.list_hosted_zones()["HostedZones"][0]["Id"]
    put(target, zone_id, f"{TOKENS[0]}._domainkey.example.com", "CNAME", "somewhere-else.example.net")
    put(target, zone_id, "_amazonses.example.com", "TXT", "an-old-token")
    result = check_records(records(), resolver=target)
    assert not result.ok
    assert status(result, "CNAME", f"{TOKENS[0]}._domainkey.example.com") == "wrong"
    problem = next(p for p in result.problems if p.startswith("TXT _amazonses"))
    assert problem == ("TXT _amazonses.example.com: wrong (expected 'tok+en='; found 'an-old-token')")


def test_conflicts_two_spf_second_mx_on_mail_from_cname(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "TXT", "v=spf1 include:amazonses.com -all", "v=spf1 mx -all")
    put(target, zone_id, "example.com", "MX", "10 inbound-smtp.us-east-1.amazonaws.com")
    put(target, zone_id, "mail.example.com", "MX", "10 feedback-smtp.us-east-1.amazonses.com", "20 mx.example.net")
    put(target, zone_id, "_dmarc.example.com", "CNAME", "dmarc.example.net")
    result = check_records(records(), resolver=target)
    assert status(result, "TXT", "example.com") == "conflicting"
    assert status(result, "MX", "mail.example.com") == "conflicting"
    assert status(result, "TXT", "_dmarc.example.com") == "conflicting"
    assert status(result, "MX", "example.com") == "ok"
    mx = next(c for c in result.checks if c.record.name == "mail.example.com" and c.record.type == "MX")
    assert "exactly one MX" in mx.detail
    dmarc = next(c for c in result.checks if c.record.name == "_dmarc.example.com")
    assert "is a CNAME to dmarc.example.net" in dmarc.detail
    spf = next(c for c in result.checks if c.record.name == "example.com" and c.record.type == "TXT")
    assert "2 SPF records" in spf.detail
    assert any("mail.example.com: conflicting" in p for p in result.problems)


def test_extra_inbound_mx_is_a_conflict(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "MX", "10 inbound-smtp.us-east-1.amazonaws.com", "5 mx.other.example")
    result = check_records([r for r in records() if r.type == "MX" and r.name == "example.com"], resolver=target)
    assert result.checks[0].status == "conflicting" and "5 mx.other.example" in result.checks[0].detail


def test_a_different_spf_that_authorises_ses_is_ok_and_linted(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "TXT", "v=spf1 include:amazonses.com +all")
    put(target, zone_id, "mail.example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    result = check_records([r for r in records() if r.type == "TXT" and "spf" in r.value], resolver=target)
    assert [c.status for c in result.checks] == ["ok", "wrong"]
    assert "authorises SES" in result.checks[0].detail
    assert any("+all" in w for w in result.warnings)  # the apex SPF is only recommended
    assert "does not include:amazonses.com" in result.checks[1].detail


def test_placeholders_are_skipped_and_not_ok(target: sesbook.Target) -> None:
    result = check_records(required_records("example.com", region="us-east-1", receive=False, spf=None, dmarc=None),
                           resolver=target)
    assert {c.status for c in result.checks} == {"skipped"} and not result.ok


def test_a_server_that_does_not_answer_is_an_error_not_missing() -> None:
    result = check_records(records(), resolver="127.0.0.1:9", timeout=0.3)
    assert {c.status for c in result.checks} == {"error"} and not result.ok
    assert "127.0.0.1:9" in result.checks[0].detail


def test_queries_run_concurrently_over_the_wire(target: sesbook.Target) -> None:
    """The server holds the first query until a second one arrives: only concurrent queries get there."""
    import threading

    from sesbook.lab.dns import server as labdns  # the server answers through its module's `answer`

    lock, overlap = threading.Lock(), threading.Event()
    state = {"in_flight": 0, "most": 0}
    original = labdns.answer

    def held(query, zones=None):  # type: ignore[no-untyped-def]
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            if state["in_flight"] >= 2:
                overlap.set()
        overlap.wait(timeout=1)  # shorter than the resolver's 2 s retry interval
        with lock:
            state["in_flight"] -= 1
        return original(query, zones)

    labdns.answer = held
    try:
        result = check_records(records(), resolver=target, lint_spf=False)
    finally:
        labdns.answer = original
    assert state["most"] >= 2 and overlap.is_set()
    assert {c.status for c in result.checks} == {"missing"}


def test_one_query_at_a_time_gives_the_same_answer(target: sesbook.Target) -> None:
    apply_to_route53(target, records())
    together = check_records(records(), resolver=target)
    one_by_one = check_records(records(), resolver=target, max_workers=1)
    assert [(c.record, c.status) for c in together.checks] == [(c.record, c.status) for c in one_by_one.checks]


def test_max_workers_is_checked() -> None:
    import pytest

    from sesbook.errors import ValidationError

    for bad in (0, 65, 2.5, True):
        with pytest.raises(ValidationError, match="max_workers"):
            check_records(records(), resolver="127.0.0.1:53", max_workers=bad)  # type: ignore[arg-type]
