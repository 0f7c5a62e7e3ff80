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
])
def test_build_refuses_bad_values(kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        build_dmarc(**kwargs)
    assert info.value.field == field


def test_parse_round_trip_and_defaults() -> None:
    text = "v=DMARC1; p=quarantine; rua=mailto:reports@example.com; adkim=r; aspf=r"
    record = parse_dmarc(text)
    assert (record.p, record.rua, record.adkim, record.aspf, record.pct, record.sp) == (
        "quarantine", ("mailto:reports@example.com",), "r", "r", 100, None)
    assert parse_dmarc(str(record)) == record
    assert parse_dmarc("v=DMARC1;p=reject;pct=20;").pct == 20


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"),
    ("p=none; v=DMARC1", "must start with 'v=DMARC1'"),
    ("v=DMARC2; p=none", "must start with 'v=DMARC1'"),
    ("v=DMARC1; rua=mailto:a@example.com", "no policy tag"),
    ("v=DMARC1; rua=mailto:a@example.com; p=none", "second tag"),
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
    assert [w.split(" ")[0] for w in lint.warnings] == ["p=none", "pct=50:", "no", "aspf=s:"]
    assert "never equals the From: domain" in lint.warnings[3]
    bad = lint_dmarc("v=DMARC1; p=sometimes")
    assert not bad.ok and bad.record is None and "none, quarantine or reject" in bad.problems[0]
    assert "error" in repr(bad) and "<table>" in bad._repr_html_()


def test_lint_external_report_address_needs_authorisation() -> None:
    lint = lint_dmarc("v=DMARC1; p=reject; rua=mailto:d@reports.example.net", domain="example.com")
    assert any("example.com._report._dmarc.reports.example.net" in w for w in lint.warnings)
    same_org = lint_dmarc("v=DMARC1; p=reject; rua=mailto:d@mail.example.co.jp", domain="example.co.jp")
    assert same_org.warnings == ()


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
