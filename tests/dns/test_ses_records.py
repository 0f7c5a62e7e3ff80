"""required_records and its renderers; records_for against the lab."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
import yaml

import sesbook
from sesbook.dns.ses_records import required_records
from sesbook.errors import ValidationError
from sesbook.identities.records import records_for

if TYPE_CHECKING:
    from pathlib import Path

    from sesbook.dns.records import RecordSet

TOKENS = ("abcdefghij0123456789abcdefghij01", "bcdefghij0123456789abcdefghij012", "cdefghij0123456789abcdefghij0123")


def full() -> RecordSet:
    return required_records("example.com", region="us-east-1", verification_token="VeRiFy+token/abc=",
                            dkim_tokens=TOKENS, mail_from="mail")


def test_the_notes_summary_table_computed() -> None:
    rows = [(r.type, r.name, r.value, r.level) for r in full()]
    assert rows == [
        ("TXT", "_amazonses.example.com", "VeRiFy+token/abc=", "required"),
        ("MX", "example.com", "10 inbound-smtp.us-east-1.amazonaws.com", "required"),
        ("TXT", "example.com", "v=spf1 include:amazonses.com -all", "recommended"),
        ("CNAME", f"{TOKENS[0]}._domainkey.example.com", f"{TOKENS[0]}.dkim.amazonses.com", "required"),
        ("CNAME", f"{TOKENS[1]}._domainkey.example.com", f"{TOKENS[1]}.dkim.amazonses.com", "required"),
        ("CNAME", f"{TOKENS[2]}._domainkey.example.com", f"{TOKENS[2]}.dkim.amazonses.com", "required"),
        ("TXT", "_dmarc.example.com", "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com", "recommended"),
        ("MX", "mail.example.com", "10 feedback-smtp.us-east-1.amazonses.com", "required"),
        ("TXT", "mail.example.com", "v=spf1 include:amazonses.com -all", "required"),
    ]
    assert all(r.ttl == 1800 and r.purpose for r in full())
    assert "may be removed" in full().records[0].note


def test_placeholders_are_marked_everywhere() -> None:
    records = required_records("example.com", region="us-east-1")
    assert [r.name for r in records.placeholders] == [
        "_amazonses.example.com", *(f"placeholder-dkim-{i}._domainkey.example.com" for i in (1, 2, 3))]
    assert "PLACEHOLDER" in repr(records) and "PLACEHOLDER" in records._repr_html_()
    assert "WARNING: PLACEHOLDER" in records.to_zone()
    assert "WARNING: PLACEHOLDER" in records.to_cloudformation()
    assert [d["placeholder"] for d in json.loads(records.to_json())["records"]].count(True) == 4


def test_options_send_only_byodkim_no_spf_no_dmarc() -> None:
    records = required_records("example.com", region="sa-east-1", receive=False, byodkim=("sel1", "TUlJQg=="),
                               spf=None, dmarc=None, verification_token="tok")
    assert [(r.type, r.name, r.value) for r in records] == [
        ("TXT", "_amazonses.example.com", "tok"), ("TXT", "sel1._domainkey.example.com", "p=TUlJQg==")]


def test_domain_is_normalised_and_idn_converted() -> None:
    assert required_records("Example.COM.", region="us-east-1").domain == "example.com"
    records = required_records("例え.jp", region="ap-northeast-1")
    assert records.domain == "xn--r8jz45g.jp"
    assert records.records[1].name == "xn--r8jz45g.jp"
    assert "例え.jp" in repr(records)


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"domain": "not a domain"}, "domain", "label"),
    ({"domain": "localhost"}, "domain", "single label"),
    ({"domain": "user@example.com"}, "domain", "email address"),
    ({"domain": "https://example.com/"}, "domain", "URL"),
    ({"domain": "exa_mple.com"}, "domain", "label"),
    ({"domain": "192.0.2.1"}, "domain", "IP address"),
    ({"domain": "a\u200d\u200d.com"}, "domain", "IDNA 2008"),
    ({"region": "sa-east-1"}, "region", "not a region where SES receives"),
    ({"region": "Tokyo"}, "region", "not an AWS region"),
    ({"mail_from": "example.com"}, "mail_from", "apex MX"),
    ({"mail_from": "mail.example.org"}, "mail_from", "not a subdomain"),
    ({"dkim_tokens": ("a", "b")}, "dkim_tokens", "exactly three"),
    ({"dkim_tokens": TOKENS, "byodkim": ("s", "AAAA")}, "byodkim", "not both"),
    ({"byodkim": ("bad_selector", "AAAA")}, "byodkim selector", "one DNS label"),
    ({"byodkim": ("s1", "not base64!")}, "byodkim public key", "not base64"),
    ({"spf": "v=spf1 include: -all"}, "spf", "needs a domain"),
    ({"dmarc": "v=DMARC1; p=maybe"}, "dmarc", "none, quarantine or reject"),
    ({"ttl": 0}, "ttl", "positive"),
])
def test_bad_input_is_a_validation_error_saying_what_to_do(kwargs: dict, field: str, words: str) -> None:
    args = {"domain": "example.com", "region": "us-east-1", **kwargs}
    domain = args.pop("domain")
    with pytest.raises(ValidationError) as info:
        required_records(domain, **args)
    assert info.value.field == field
    assert words in str(info.value)
    assert info.value.hint  # every error says what to do


def test_region_error_names_the_receiving_regions_and_the_way_out() -> None:
    with pytest.raises(ValidationError) as info:
        required_records("example.com", region="sa-east-1")
    assert "us-east-1" in str(info.value) and "receive=False" in str(info.value)


def test_zone_file_passes_named_checkzone(tmp_path: Path) -> None:
    checkzone = shutil.which("named-checkzone")
    if checkzone is None:
        pytest.skip("named-checkzone not installed (apt-get install bind9-utils)")
    records = required_records("example.com", region="us-east-1", verification_token="VeRiFy+token/abc=",
                               dkim_tokens=TOKENS, mail_from="mail", byodkim=None)
    long_key = required_records("example.org", region="us-east-1", byodkim=("sel", "A" * 392), verification_token="t")
    for rs in (records, long_key, required_records("例え.jp", region="ap-northeast-1")):
        path = tmp_path / f"{rs.domain}.zone"
        path.write_text(rs.to_zone())
        done = subprocess.run([checkzone, rs.domain, str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith("OK")
    assert '"p=' + "A" * 253 + '" "' + "A" * 139 + '"' in long_key.to_zone()  # 'p=' + 392 chars split at 255 bytes


def test_route53_change_batch_is_accepted_by_route53(target: sesbook.Target) -> None:
    batch = full().to_route53_changes()
    assert [c["Action"] for c in batch["Changes"]] == ["UPSERT"] * 9  # one record set per name and type
    zone_id = target.route53.create_hosted_zone(Name="example.com", CallerReference="t")["HostedZone"]["Id"]
    info = target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)["ChangeInfo"]
    assert info["Status"] == "INSYNC"
    sets = target.route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    mail = [s for s in sets if s["Name"] == "mail.example.com."]
    assert {s["Type"] for s in mail} == {"MX", "TXT"}


def test_cloudformation_snippet() -> None:
    doc = yaml.safe_load(full().to_cloudformation(hosted_zone_id="Z123"))
    resources = doc["Resources"]
    assert len(resources) == 9
    assert all(r["Type"] == "AWS::Route53::RecordSet" for r in resources.values())
    mx = resources["SesMxApex"]["Properties"]
    assert mx == {"HostedZoneId": "Z123", "Name": "example.com.", "Type": "MX", "TTL": "1800",
                  "ResourceRecords": ["10 inbound-smtp.us-east-1.amazonaws.com."]}
    assert resources["SesTxtMail"]["Properties"]["ResourceRecords"] == ['"v=spf1 include:amazonses.com -all"']
    by_name = yaml.safe_load(full().to_cloudformation())["Resources"]["SesTxtAmazonses"]["Properties"]
    assert by_name["HostedZoneName"] == "example.com."


def test_json_and_render_formats() -> None:
    data = json.loads(full().render("json"))
    assert data["domain"] == "example.com" and data["mail_from"] == "mail.example.com"
    assert len(data["records"]) == 9
    assert json.loads(full().render("route53"))["Changes"][0]["ResourceRecordSet"]["Name"] == "_amazonses.example.com."
    assert "<table " in full()._repr_html_() and "名" in full()._repr_html_()
    with pytest.raises(ValidationError, match="format"):
        full().render("xml")


def test_records_for_reads_tokens_from_the_lab(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError, match="not an SES identity") as info:
        records_for(target, "example.com")
    assert "verify_domain" in str(info.value)
    assert not sesbook.domain_identity_exists(target, "example.com")
    token = target.ses.verify_domain_identity(Domain="example.com")["VerificationToken"]
    dkim = target.ses.verify_domain_dkim(Domain="example.com")["DkimTokens"]
    target.ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="bounce.example.com")
    assert sesbook.domain_identity_exists(target, "example.com")
    records = records_for(target, "example.com")
    attrs = target.ses.get_identity_verification_attributes(Identities=["example.com"])["VerificationAttributes"]
    assert records.records[0].value == attrs["example.com"]["VerificationToken"]
    assert token  # moto's token from VerifyDomainIdentity (GetIdentityVerificationAttributes is what SES shows)
    assert [r.name for r in records if r.type == "CNAME"] == [f"{t}._domainkey.example.com" for t in dkim]
    assert records.mail_from == "bounce.example.com"
    assert not records.placeholders and records.source == "lab"
