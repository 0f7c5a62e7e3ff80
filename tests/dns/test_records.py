"""The record model refuses what Route 53 or DNS would refuse or drop (issue 8 item 11), before any call."""

from __future__ import annotations

import pytest

from sesbook.dns.records import MAX_TXT_STRING, Record, RecordSet
from sesbook.errors import ValidationError


@pytest.mark.parametrize(("rtype", "value", "field", "rule"), [
    ("BOGUS", "x", "type", "not a DNS record type Route 53 supports"),
    ("MX", "abc host", "MX value for example.com", "must be 'PREFERENCE HOST'"),
    ("MX", "10", "MX value for example.com", "must be 'PREFERENCE HOST'"),
    ("MX", "70000 mx.example.com", "MX value for example.com", "0 to 65535"),
    ("MX", "10 bad_host.example.com", "MX value for example.com (host)", "has the label 'bad_host'"),
    ("CNAME", "not a host", "CNAME value for example.com", "is not a DNS name"),
    ("A", "192.0.2", "A value for example.com", "is not an IPv4 address"),
    ("AAAA", "192.0.2.1", "AAAA value for example.com", "is not an IPv6 address"),
    ("TXT", "v=spf1\r\n-all", "TXT value for example.com", "control character"),
    ("CAA", "issue amazon.com", "CAA value for example.com", "is not a valid CAA value"),
])
def test_bad_records_are_refused(rtype: str, value: str, field: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule) as info:
        Record("example.com", rtype, value)
    assert info.value.field == field and info.value.hint


def test_good_values_are_kept_in_readable_form() -> None:
    assert Record("Example.COM.", "mx", "10 MX.Example.com.").value == "10 mx.example.com"
    assert Record("example.com", "MX", "0 .").rdata == "0 ."  # a null MX (RFC 7505)
    assert Record("_dmarc.example.com", "TXT", "v=DMARC1; p=none").type == "TXT"
    assert Record("*.example.com", "A", "192.0.2.1").name == "*.example.com"
    assert Record("www.example.com", "AAAA", "2001:db8::1").value == "2001:db8::1"


def test_a_quoted_txt_string_over_255_is_refused_with_a_hint_to_split() -> None:
    with pytest.raises(ValidationError, match="at most 255 in one quoted string") as info:
        Record("s._domainkey.example.com", "TXT", '"v=DKIM1; p=' + "A" * 300 + '"')
    assert "Split it" in (info.value.hint or "")


def test_quoted_txt_strings_of_255_are_joined_and_long_text_is_split() -> None:
    first, second = "A" * MAX_TXT_STRING, "B" * 10
    quoted = Record("s._domainkey.example.com", "TXT", f'"{first}" "{second}"')
    assert quoted.value == first + second
    assert quoted.rdata == f'"{first}" "{second}"'
    unquoted = Record("s._domainkey.example.com", "TXT", "C" * 600)
    assert [len(s) for s in unquoted.rdata.strip('"').split('" "')] == [255, 255, 90]


def test_txt_over_route53s_4000_characters_is_refused() -> None:
    with pytest.raises(ValidationError, match="4000 characters"):
        Record("example.com", "TXT", "x" * 4000)


def test_names_and_hosts_become_a_labels() -> None:
    record = Record("mail.例え.jp", "MX", "10 受信.例え.jp")
    assert record.name == "mail.xn--r8jz45g.jp"
    assert record.value.endswith(".xn--r8jz45g.jp") and record.value.startswith("10 xn--")
    with pytest.raises(ValidationError, match="does not decode"):
        Record("_dmarc.xn--zz.com", "TXT", "v=DMARC1; p=none")


def test_record_set_normalises_its_domain_and_checks_its_region() -> None:
    records = RecordSet("例え.jp", "us-east-1", (Record("例え.jp", "TXT", "hello"),))
    assert records.domain == "xn--r8jz45g.jp" and records.records[0].name == "xn--r8jz45g.jp"
    assert "xn--r8jz45g.jp (例え.jp)" in repr(records)
    with pytest.raises(ValidationError, match="not a region where SES runs"):
        RecordSet("example.com", "us-east-99", ())
