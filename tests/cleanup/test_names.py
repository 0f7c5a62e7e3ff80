"""Which DNS values, addresses and names the clean-up counts as the suite's (pure: no lab)."""

from __future__ import annotations

import pytest

from sesbook.cleanup.names import SuiteNames, txt_text
from sesbook.dns.ses_records import SES_SPF, default_dmarc

NAMES = SuiteNames()


@pytest.mark.parametrize(("name", "rtype", "value"), [
    ("_amazonses.example.com.", "TXT", '"token+/="'),
    ("_amazonses.news.example.com", "TXT", '"token"'),
    ("abc123._domainkey.example.com.", "CNAME", "abc123.dkim.amazonses.com"),
    ("sesbook1._domainkey.news.example.com", "TXT", '"v=DKIM1; k=rsa; " "p=MIIB"'),
    ("example.com.", "MX", "10 inbound-smtp.us-east-1.amazonaws.com"),
    ("mail.example.com", "MX", "10 feedback-smtp.eu-west-1.amazonses.com."),
    ("mail.example.com", "TXT", f'"{SES_SPF}"'),
    ("example.com", "TXT", f'"{SES_SPF}"'),
    ("_dmarc.example.com", "TXT", f'"{default_dmarc("example.com")}"'),
])
def test_values_sesbook_publishes_are_ours(name: str, rtype: str, value: str) -> None:
    assert NAMES.dns_value_is_ours(name, rtype, value)


@pytest.mark.parametrize(("name", "rtype", "value"), [
    ("www.example.com", "A", "192.0.2.1"),
    ("example.com", "TXT", '"v=spf1 include:_spf.google.com ~all"'),
    ("example.com", "MX", "10 mx.example.net"),
    ("mail.example.com", "MX", "20 backup-mx.example.net"),
    ("_dmarc.example.com", "TXT", '"v=DMARC1; p=reject"'),
    ("abc._domainkey.example.com", "CNAME", "other.dkim.amazonses.com"),  # token and target differ
    ("google._domainkey.example.com", "TXT", '"v=DKIM1; k=rsa; p=MIIB"'),  # not the suite's selector
    ("_amazonses.example.org", "TXT", '"token"'),  # another domain
    ("abc._domainkey.other.example.com", "CNAME", "abc.dkim.amazonses.com"),  # not an identity of the suite
])
def test_other_values_are_not(name: str, rtype: str, value: str) -> None:
    assert not NAMES.dns_value_is_ours(name, rtype, value)


def test_txt_text_joins_route53_strings() -> None:
    assert txt_text('"v=DKIM1; k=rsa; " "p=AB\\"C"') == 'v=DKIM1; k=rsa; p=AB\\"C'
    assert txt_text("bare") == "bare"


def test_suppressed_addresses_and_names() -> None:
    assert NAMES.suppressed_is_ours("Bounce@Simulator.AmazonSES.com")
    assert NAMES.suppressed_is_ours("anyone@example.com") and NAMES.suppressed_is_ours("you@example.net")
    assert not NAMES.suppressed_is_ours("stranger@example.net")
    assert NAMES.ours("sesbook-block-all") and NAMES.ours("ses-feedback", NAMES.feedback_names)
    assert not NAMES.ours("ses-feedback") and not NAMES.ours("my-sesbook")
    assert NAMES.queues == ("ses-feedback", "ses-feedback-dlq")
    assert NAMES.identities == ("example.com", "news.example.com", "you@example.net")
    assert "the suite's names" in repr(NAMES) and "<table" in NAMES._repr_html_()
