"""Re-running a notebook's steps in the same account: BYODKIM keeps one key, publishing stays idempotent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sesbook
from sesbook.dns.records import Record, RecordSet

from helpers import zone_id

if TYPE_CHECKING:
    from sesbook.target import Target

DOMAIN = "example.com"
SIGNED = "news.example.com"


def _txt_strings(target: Target, name: str) -> list[str]:
    answer = target.resolver.resolve(name, "TXT", raise_on_no_answer=False)
    return [b"".join(rd.strings).decode() for rd in answer.rrset or []]


def test_byodkim_three_runs_leave_one_key_and_dkim_success(target: Target) -> None:
    setups = []
    for _ in range(3):
        setup = sesbook.byodkim(target, SIGNED, selector="sesbook1")
        sesbook.publish_records(target, DOMAIN, setup.records)
        sesbook.wait_for_verification(target, SIGNED, dkim=True, progress=False)
        setups.append(setup)
    keys = _txt_strings(target, f"sesbook1._domainkey.{SIGNED}")
    assert len(keys) == 1, keys
    assert keys[0] == setups[0].record.value
    assert sesbook.identity_status(target, SIGNED).dkim == "SUCCESS"
    assert not setups[1].changed and "already signs" in setups[1].note
    assert "already signs" in repr(setups[2])


def test_a_new_key_replaces_the_old_one_at_its_selector(target: Target) -> None:
    first = sesbook.byodkim(target, SIGNED, selector="sesbook1")
    sesbook.publish_records(target, DOMAIN, first.records)
    rotated = sesbook.byodkim(target, SIGNED, selector="sesbook1", key=sesbook.generate_dkim_key(1024))
    assert rotated.changed
    applied = sesbook.publish_records(target, DOMAIN, rotated.records)
    assert [c.detail for c in applied.updated] == ["replaces the value (one value per name)"]
    assert _txt_strings(target, f"sesbook1._domainkey.{SIGNED}") == [rotated.record.value]
    sesbook.wait_for_verification(target, SIGNED, dkim=True, progress=False)


def test_an_exclusive_record_replaces_but_other_txt_still_merges(target: Target) -> None:
    zid = zone_id(target, DOMAIN)
    assert zid
    name = f"k._domainkey.{DOMAIN}"
    for value in ("v=DKIM1; k=rsa; p=AAAA", "v=DKIM1; k=rsa; p=BBBB"):
        rs = RecordSet(DOMAIN, "us-east-1", (Record(name, "TXT", value, exclusive=True),))
        sesbook.apply_to_route53(target, rs)
    assert _txt_strings(target, name) == ["v=DKIM1; k=rsa; p=BBBB"]
    for value in ("site-verification=1", "site-verification=2"):
        sesbook.apply_to_route53(target, RecordSet(DOMAIN, "us-east-1", (Record(DOMAIN, "TXT", value),)))
    assert sorted(_txt_strings(target, DOMAIN)) == ["site-verification=1", "site-verification=2"]
