"""IP address filters over the wire: create/list/delete idempotently, CIDR and names checked, allow_only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.filters import (
    ReceiptFilter,
    allow_only,
    delete_filter,
    ensure_filter,
    list_filters,
    normalize_cidr,
)
from sesbook.receiving.matching import filter_verdict

if TYPE_CHECKING:
    import sesbook


@pytest.mark.parametrize("text, expected", [("192.0.2.1", "192.0.2.1"), ("192.0.2.0/24", "192.0.2.0/24"),
                                            (" 10.0.0.0/8 ", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0")])
def test_cidr_forms(text: str, expected: str) -> None:
    assert normalize_cidr(text) == expected


@pytest.mark.parametrize("bad, says", [("192.0.2.1/24", "192.0.2.0/24"), ("2001:db8::/32", "IPv6"),
                                       ("192.0.2.256", "not an IPv4"), ("010.0.0.1", "not an IPv4"), ("", "IPv4"),
                                       ("10.0.0.0/33", "not an IPv4")])
def test_bad_cidrs(bad: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says) as caught:
        normalize_cidr(bad)
    assert caught.value.value == bad


@pytest.mark.parametrize("name", ["has.dot", "-lead", "x" * 65, "sp ace", ""])
def test_bad_filter_names(name: str) -> None:
    with pytest.raises(ValidationError, match="filter name"):
        ReceiptFilter(name, "192.0.2.1")


def test_bad_policy() -> None:
    with pytest.raises(ValidationError, match="Block"):
        ReceiptFilter("f", "192.0.2.1", "Deny")


def test_ensure_list_delete(target: sesbook.Target) -> None:
    first = ensure_filter(target, "spammer", "198.51.100.0/24")
    assert first.changes == (("spammer", "created"),)
    assert ensure_filter(target, "spammer", "198.51.100.0/24").changed is False
    replaced = ensure_filter(target, "spammer", "198.51.100.7", "Block")
    assert replaced.changes == (("spammer", "replaced"),)
    assert list_filters(target) == (ReceiptFilter("spammer", "198.51.100.7", "Block"),)
    assert delete_filter(target, "spammer").changes == (("spammer", "deleted"),)
    assert delete_filter(target, "spammer").changed is False
    assert list_filters(target) == ()


def test_allow_only_blocks_the_rest(target: sesbook.Target) -> None:
    result = allow_only(target, ["127.0.0.2", "192.0.2.0/24"])
    assert result.changed and "<table" in result._repr_html_()
    raw: list[dict[str, Any]] = target.ses.list_receipt_filters()["Filters"]
    assert {f["Name"]: f["IpFilter"]["Policy"] for f in raw} == {
        "sesbook-block-all": "Block", "sesbook-allow-127-0-0-2": "Allow", "sesbook-allow-192-0-2-0-24": "Allow"}
    assert filter_verdict(raw, "127.0.0.2").allowed
    assert filter_verdict(raw, "192.0.2.77").allowed
    refused = filter_verdict(raw, "127.0.0.3")
    assert not refused.allowed and refused.filter_name == "sesbook-block-all"
    assert allow_only(target, ["192.0.2.0/24", "127.0.0.2"]).changed is False


def test_allow_only_drops_ranges_no_longer_listed(target: sesbook.Target) -> None:
    ensure_filter(target, "someone-else", "203.0.113.0/24", "Allow")
    allow_only(target, ["127.0.0.2", "192.0.2.0/24"])
    result = allow_only(target, ["127.0.0.2"])
    assert ("sesbook-allow-192-0-2-0-24", "deleted") in result.changes
    assert {f.name for f in list_filters(target)} == {"someone-else", "sesbook-block-all", "sesbook-allow-127-0-0-2"}


def test_allow_only_refuses_empty_and_bad_lists(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="empty"):
        allow_only(target, [])
    with pytest.raises(ValidationError, match=r"cidrs\[1\]"):
        allow_only(target, ["127.0.0.2", "not-an-ip"])
    with pytest.raises(ValidationError, match="list"):
        allow_only(target, "127.0.0.2")
    assert list_filters(target) == ()


def test_plan_only_filters_on_aws(planning_aws: tuple[sesbook.Target, Any]) -> None:
    aws, wire = planning_aws
    result = allow_only(aws, ["127.0.0.2"])
    assert result.planned and result.changed
    assert wire.mutating == [] and "ListReceiptFilters" in wire.sent
    assert [c.operation for c in aws.plan] == ["CreateReceiptFilter", "CreateReceiptFilter"]


def test_allow_all_undoes_allow_only_and_keeps_other_filters(target: sesbook.Target) -> None:
    from sesbook.receiving.filters import allow_all

    ensure_filter(target, "theirs", "198.51.100.0/24", "Block")
    allow_only(target, ["192.0.2.1", "203.0.113.0/24"])
    undone = allow_all(target)
    assert sorted(name for name, outcome in undone.changes if outcome == "deleted") == [
        "sesbook-allow-192-0-2-1", "sesbook-allow-203-0-113-0-24", "sesbook-block-all"]
    assert [f.name for f in list_filters(target)] == ["theirs"]
    assert not allow_all(target).changed
