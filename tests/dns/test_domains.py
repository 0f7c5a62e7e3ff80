"""Domains and regions checked where they enter (issue 8 items 11 and 14)."""

from __future__ import annotations

import pytest

from sesbook.dns.domains import display_domain, normalize_domain, validate_region
from sesbook.errors import ValidationError


@pytest.mark.parametrize("value", ["xn--zz.com", "www.xn--zz.com", "XN--ZZ.com", "xn--a.example", "xn--abc-.jp"])
def test_a_label_that_does_not_decode_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="does not decode to a valid internationalised label") as info:
        normalize_domain(value)
    assert info.value.field == "domain" and "xn--" in (info.value.hint or "")


def test_valid_a_labels_and_u_labels_meet() -> None:
    assert normalize_domain("例え.jp") == normalize_domain("XN--R8JZ45G.JP.") == "xn--r8jz45g.jp"
    assert display_domain("xn--r8jz45g.jp") == "xn--r8jz45g.jp (例え.jp)"
    assert display_domain("example.com") == "example.com"


@pytest.mark.parametrize(("region", "rule"), [
    ("mars", "is not an AWS region name"),
    ("us-east-99", "is not a region where SES runs"),
    ("ap-east-1", "is not a region where SES runs"),  # a real AWS region without SES (as of the list's date)
])
def test_regions_outside_ses_are_refused_with_where_to_look(region: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as info:
        validate_region(region)
    assert "sesbook.facts.SES_REGIONS" in (info.value.hint or "")
    assert "get_available_regions('sesv2')" in (info.value.hint or "")


def test_receiving_is_still_checked_on_top() -> None:
    assert validate_region("eu-north-1") == "eu-north-1"
    with pytest.raises(ValidationError, match="receives mail"):
        validate_region("eu-north-1", receive=True)
