"""apply_to_route53 against the lab's Route 53: idempotent, refuses to clobber, plans when told to."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sesbook.dns.route53 import apply_to_route53
from sesbook.dns.ses_records import required_records
from sesbook.errors import ValidationError

from helpers import put, zone

if TYPE_CHECKING:
    import sesbook

TOKENS = ("a1" * 16, "b2" * 16, "c3" * 16)


def records(**kw: object) -> sesbook.RecordSet:
    args = {"region": "us-east-1", "verification_token": "tok+en=", "dkim_tokens": TOKENS, "mail_from": "mail"}
    args.update(kw)
    return required_records("example.com", **args)  # type: ignore[arg-type]


def rrset(target: sesbook.Target, zone_id: str, name: str, rtype: str) -> list[str]:
    sets = target.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return sorted(v["Value"] for s in sets if s["Name"] == name and s["Type"] == rtype for v in s["ResourceRecords"])


def test_creates_the_zone_then_second_run_changes_nothing(target: sesbook.Target) -> None:
    first = apply_to_route53(target, records())
    assert first.zone_created and first.changed and len(first.updated) == 9
    assert first.change_status == "INSYNC"
    assert rrset(target, first.zone_id, "mail.example.com.", "MX") == ["10 feedback-smtp.us-east-1.amazonses.com."]
    second = apply_to_route53(target, records())
    assert not second.zone_created and not second.changed and second.change_batch is None
    assert second.zone_id == first.zone_id
    assert second.summary.startswith("nothing to change: all 9 record sets")
    assert "nothing to change" in repr(second) and "<table " in second._repr_html_()


def test_uses_an_existing_parent_zone_and_keeps_unrelated_txt(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "TXT", "google-site-verification=abc")
    put(target, zone_id, "_amazonses.example.com", "TXT", "token-of-another-region")
    result = apply_to_route53(target, records())
    assert result.zone_id == zone_id and not result.zone_created
    assert rrset(target, zone_id, "example.com.", "TXT") == [
        '"google-site-verification=abc"', '"v=spf1 include:amazonses.com -all"']
    assert rrset(target, zone_id, "_amazonses.example.com.", "TXT") == ['"tok+en="', '"token-of-another-region"']


def test_ttl_change_is_an_update(target: sesbook.Target) -> None:
    apply_to_route53(target, records())
    result = apply_to_route53(target, records(ttl=600))
    assert len(result.updated) == 9 and all(c.detail == "TTL 1800 -> 600" for c in result.updated)


@pytest.mark.parametrize(("name", "rtype", "value", "words"), [
    ("example.com", "MX", "10 mx.other-mail.example.net", "MX example.com"),
    ("example.com", "TXT", "v=spf1 include:_spf.other.example -all", "TXT example.com"),
    ("mail.example.com", "MX", "10 mx.other-mail.example.net", "MX mail.example.com"),
    ("mail.example.com", "CNAME", "elsewhere.example.net", "MX mail.example.com"),
    ("_dmarc.example.com", "TXT", "v=DMARC1; p=reject", "TXT _dmarc.example.com"),
])
def test_refuses_to_clobber_and_changes_nothing(target: sesbook.Target, name: str, rtype: str, value: str,
                                                words: str) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, name, rtype, value)
    before = target.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    with pytest.raises(ValidationError) as info:
        apply_to_route53(target, records())
    assert words in str(info.value) and "allow_replace=True" in str(info.value)
    assert "Nothing was changed" in str(info.value)
    assert target.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] == before


def test_allow_replace_replaces(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    put(target, zone_id, "example.com", "MX", "10 mx.other-mail.example.net")
    put(target, zone_id, "example.com", "TXT", "v=spf1 include:_spf.other.example -all", "keep-me=1")
    result = apply_to_route53(target, records(), allow_replace=True)
    mx = next(c for c in result.changes if c.type == "MX" and c.name == "example.com")
    assert mx.before == ("10 mx.other-mail.example.net",) and "replaces" in mx.detail
    assert rrset(target, zone_id, "example.com.", "MX") == ["10 inbound-smtp.us-east-1.amazonaws.com."]
    assert rrset(target, zone_id, "example.com.", "TXT") == ['"keep-me=1"', '"v=spf1 include:amazonses.com -all"']


def test_placeholders_are_refused_before_any_call(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="placeholders") as info:
        apply_to_route53(target, required_records("example.com", region="us-east-1"))
    assert "records_for" in str(info.value)
    assert target.route53.list_hosted_zones()["HostedZones"] == []


def test_dry_run_returns_the_planned_batch_and_sends_nothing(target: sesbook.Target) -> None:
    zone_id = zone(target, "example.com")
    with target.dry_run() as plan:
        result = apply_to_route53(target, records())
    assert result.planned and not result.changed and result.change_batch is not None
    assert result.summary.startswith("would change (planned, not sent")
    assert [c.operation for c in plan] == ["ChangeResourceRecordSets"]
    assert plan.calls[0].params["ChangeBatch"] == result.change_batch
    assert rrset(target, zone_id, "example.com.", "MX") == []


def test_dry_run_without_a_zone_plans_the_zone_too(target: sesbook.Target) -> None:
    with target.dry_run() as plan:
        result = apply_to_route53(target, records())
    assert result.planned and result.zone_id is None and result.zone_created
    assert [c.operation for c in plan] == ["CreateHostedZone", "ChangeResourceRecordSets"]
    assert target.route53.list_hosted_zones()["HostedZones"] == []


def test_records_outside_the_given_zone_are_refused(target: sesbook.Target) -> None:
    other = zone(target, "example.org")
    with pytest.raises(ValidationError, match="not inside the hosted zone example.org"):
        apply_to_route53(target, records(), zone_id=other)


def test_two_public_zones_with_one_name_need_zone_id(target: sesbook.Target) -> None:
    target.route53.create_hosted_zone(Name="example.com", CallerReference="one")
    target.route53.create_hosted_zone(Name="example.com", CallerReference="two")
    with pytest.raises(ValidationError, match="zone_id"):
        apply_to_route53(target, records())
