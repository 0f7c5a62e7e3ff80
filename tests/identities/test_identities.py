"""sesbook.identities: validation before any call, results against the lab, plans against 'aws'."""

from __future__ import annotations

import pytest

import sesbook
from sesbook.dns.records import Record
from sesbook.errors import ValidationError, VerificationFailedError, WaitTimeoutError
from sesbook.identities import dkim, mailfrom
from sesbook.identities._names import normalize_address, normalize_domain
from sesbook.target import Target


# -- validation -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "rule"), [
    ("", "must be a domain name"),
    ("   ", "must be a domain name"),
    (None, "must be a domain name"),
    ("localhost", "single label"),
    ("user@example.com", "is an email address"),
    ("https://example.com/", "is a URL"),
    ("192.0.2.1", "looks like an IP address"),
    ("exa_mple.com", "has the label 'exa_mple'"),
    ("-bad.example.com", "has the label '-bad'"),
    ("bad-.example.com", "has the label 'bad-'"),
    ("a..example.com", "has the label ''"),
    ("x" * 64 + ".com", "has the label"),
    (".".join(["a" * 60] * 5), "longer than 253"),
    ("example.com:25", "has the label 'com:25'"),
    ("☃\u200d.example", "cannot convert to punycode"),
])
def test_bad_domains(value, rule):
    with pytest.raises(ValidationError, match=rule) as info:
        normalize_domain(value)
    assert info.value.field == "domain"


@pytest.mark.parametrize(("value", "expected"), [
    ("Example.COM.", "example.com"),
    ("Bücher.example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
])
def test_domains_are_normalised(value, expected):
    assert normalize_domain(value) == expected


def test_idn_becomes_punycode():
    assert normalize_domain("例え.jp").startswith("xn--") and normalize_domain("例え.jp").endswith(".jp")


@pytest.mark.parametrize(("value", "rule"), [
    ("not-an-address", "not a valid email address"),
    ("a@b", "not a valid email address"),
    ("jörg@example.com", "non-ASCII characters before the .@.. SES does not support SMTPUTF8"),
    ("", "must be an email address"),
    (42, "must be an email address"),
])
def test_bad_addresses(value, rule):
    with pytest.raises(ValidationError, match=rule):
        normalize_address(value)


def test_address_domain_becomes_punycode():
    assert normalize_address("Ann@Bücher.example") == "Ann@xn--bcher-kva.example"


# -- issue 8 items 11 and 14: addresses checked where they enter -------------------------------------------------
@pytest.mark.parametrize(("value", "rule"), [
    ("a" * 65 + "@example.com", "too long before the @-sign"),  # RFC 5321: 64 at most
    ("ok@example.com\r\nBcc: victim@example.net", "line break"),
    ("ok@example.com\n", "line break"),  # a trailing LF is not stripped away silently
    ("ユーザー@例え.jp", "non-ASCII characters before the '@'"),
    ("ok@xn--zz.com", "not valid IDNA"),
])
def test_addresses_refused_where_they_enter(value, rule):
    with pytest.raises(ValidationError, match=rule) as info:
        normalize_address(value)
    assert info.value.hint


def test_address_rules_kept_from_ses():
    assert normalize_address("a" * 64 + "@example.com") == "a" * 64 + "@example.com"
    assert normalize_address("Ann.Lee+News@Example.COM") == "Ann.Lee+News@example.com"  # local part as given
    assert normalize_address("user@例え.jp") == "user@xn--r8jz45g.jp"


def test_idn_domain_end_to_end_against_the_lab(target):
    """例え.jp: the identity, the records, the Route 53 zone and the checks all use the A-label."""
    verification = sesbook.verify_domain(target, "例え.jp", method="v2")
    assert verification.domain == "xn--r8jz45g.jp" and "(例え.jp)" in repr(verification)
    assert "xn--r8jz45g.jp" in target.sesv2.list_email_identities()["EmailIdentities"][0]["IdentityName"]
    records = sesbook.records_for(target, "例え.jp", mail_from="mail")
    assert records.domain == "xn--r8jz45g.jp" and all(r.name.endswith("xn--r8jz45g.jp") for r in records)
    assert sesbook.required_records("例え.jp", region="us-east-1").domain == "xn--r8jz45g.jp"
    applied = sesbook.apply_to_route53(target, records)
    zones = [z["Name"] for z in target.route53.list_hosted_zones()["HostedZones"]]
    assert zones == ["xn--r8jz45g.jp."] and applied.zone_created
    # the notebook-02 cell that failed: a RecordSet built by hand from the Unicode name
    by_hand = sesbook.RecordSet("例え.jp", "us-east-1", (sesbook.Record("mail.例え.jp", "MX",
                                                                         "10 feedback-smtp.us-east-1.amazonses.com"),))
    assert sesbook.apply_to_route53(target, by_hand).zone_id == applied.zone_id
    checked = sesbook.check_records(records, resolver=target)
    assert checked.ok, checked.problems
    assert "xn--r8jz45g.jp (例え.jp)" in repr(checked)
    assert [z["Name"] for z in target.route53.list_hosted_zones()["HostedZones"]] == ["xn--r8jz45g.jp."]


@pytest.mark.parametrize(("call", "field"), [
    (lambda t: sesbook.verify_domain(t, "example.com", method="v3"), "method"),
    (lambda t: sesbook.verify_domain(t, "example.com", key_length=4096), "key_length"),
    (lambda t: sesbook.verify_domain(t, "bad_name.com"), "domain"),
    (lambda t: sesbook.verify_email(t, "nobody"), "address"),
    (lambda t: sesbook.set_mail_from(t, "example.com", "example.com"), "mail_from"),
    (lambda t: sesbook.set_mail_from(t, "example.com", "mail.example.org"), "mail_from"),
    (lambda t: sesbook.set_mail_from(t, "example.com", "mail.example.com", behavior_on_mx_failure="Bounce"),
     "behavior_on_mx_failure"),
    (lambda t: sesbook.byodkim(t, "example.com", selector="bad_selector"), "selector"),
    (lambda t: sesbook.publish_records(t, "example.com", [Record("x.example.org", "TXT", "v")]), "records"),
    (lambda t: sesbook.publish_records(t, "example..com", []), "domain"),
    (lambda t: sesbook.wait_for_verification(t, "example.com", interval=0), "interval"),
])
def test_bad_input_is_refused_before_any_call(target, call, field):
    with pytest.raises(ValidationError) as info:
        call(target)
    assert info.value.field == field
    assert target.ses.list_identities()["Identities"] == []  # nothing half-done


def test_apex_mail_from_explains_the_mx_conflict():
    with pytest.raises(ValidationError) as info:
        mailfrom.validate_mail_from("example.com", "EXAMPLE.com")
    text = str(info.value)
    assert "is the domain itself" in text and "MX" in text and "mail.example.com" in text
    assert mailfrom.validate_mail_from("example.com", "bounce") == ("example.com", "bounce.example.com")


@pytest.mark.parametrize("bits", [512, 4096, 1000, "2048"])
def test_dkim_key_sizes(bits):
    with pytest.raises(ValidationError, match="1024 to 2048"):
        dkim.generate_dkim_key(bits)


def test_dkim_key_and_record():
    key = dkim.generate_dkim_key(1024)
    assert key.bits == 1024 and "PRIVATE KEY" not in repr(key)
    assert "-----" not in key.private_b64 and key.txt_value().startswith("v=DKIM1; k=rsa; p=MIGf")
    record = dkim.byodkim_record("Example.com", "Sel1", key)
    assert (record.name, record.type) == ("sel1._domainkey.example.com", "TXT")
    assert dkim.key_from_private(key.private_pem).public_b64 == key.public_b64
    with pytest.raises(ValidationError):
        dkim.key_from_private("not pem")


def test_long_txt_values_are_split_into_255_character_strings():
    record = Record("s._domainkey.example.com", "TXT", "v=DKIM1; p=" + "A" * 400)
    parts = record.rdata.split('" "')
    assert len(parts) == 2 and len(parts[0].strip('"')) == 255
    assert Record("m.example.com", "MX", "10 mx.example.com").rdata == "10 mx.example.com."


# -- against the lab -----------------------------------------------------------------------------------------------
def test_verify_domain_v1_then_publish_then_wait(target):
    first = sesbook.verify_domain(target, "Example.com", method="v1")
    assert first.created and first.status == "PENDING" and not first.planned
    assert [(r.name, r.type, r.value) for r in first.records] == [
        ("_amazonses.example.com", "TXT", first.verification_token)]
    again = sesbook.verify_domain(target, "example.com", method="v1")
    assert not again.created and again.verification_token == first.verification_token

    with pytest.raises(WaitTimeoutError) as info:
        sesbook.wait_for_verification(target, "example.com", timeout=0.1, progress=False)
    assert "_amazonses.example.com TXT" in str(info.value) and "NXDOMAIN" in str(info.value)

    published = sesbook.publish_records(target, "example.com", first.records)
    assert published.zone_created and published.changed and not published.planned
    again = sesbook.publish_records(target, "example.com", first.records)
    assert not again.zone_created and not again.changed and "nothing to change" in again.summary
    status = sesbook.wait_for_verification(target, "example.com", progress=False)
    assert status.verified and status.dkim == "NOT_STARTED"
    assert "<table " in first._repr_html_() and "<table " in status._repr_html_()


def test_verify_domain_v2_needs_all_dkim_records(target):
    started = sesbook.verify_domain(target, "example.org")  # v2 is the default
    assert len(started.records) == 3 and {r.type for r in started.records} == {"CNAME"}
    assert all(r.value == r.name.split(".")[0] + ".dkim.amazonses.com" for r in started.records)
    assert sesbook.verify_domain(target, "example.org").dkim_tokens == started.dkim_tokens
    sesbook.publish_records(target, "example.org", started.records[:2])
    with pytest.raises(WaitTimeoutError) as info:
        sesbook.wait_for_verification(target, "example.org", timeout=0, progress=False)
    assert started.records[2].name in str(info.value) and started.records[0].name not in str(info.value)
    sesbook.publish_records(target, "example.org", started.records)
    status = sesbook.wait_for_verification(target, "example.org", dkim=True, progress=False)
    assert (status.verification, status.dkim, status.dkim_tokens) == ("SUCCESS", "SUCCESS", started.dkim_tokens)


def test_v2_on_a_v1_domain_switches_easy_dkim_on(target):
    sesbook.verify_domain(target, "example.com", method="v1")
    switched = sesbook.verify_domain(target, "example.com", method="v2", key_length=1024)
    assert len(switched.dkim_tokens) == 3 and switched.dkim_status == "PENDING"


def test_wait_for_an_unknown_identity_or_a_failed_one(target, lab_info):
    with pytest.raises(ValidationError, match="is not an SES identity"):
        sesbook.wait_for_verification(target, "nobody.example", progress=False)
    sesbook.verify_domain(target, "example.com", method="v1")
    lab_info.advance_clock(73 * 3600)
    with pytest.raises(VerificationFailedError, match="_amazonses.example.com"):
        sesbook.wait_for_verification(target, "example.com", progress=False)


def test_wait_shows_a_progress_bar(target, capsys):
    started = sesbook.verify_domain(target, "example.com", method="v1")
    sesbook.publish_records(target, "example.com", started.records)
    sesbook.wait_for_verification(target, "example.com")
    assert "example.com: SUCCESS, DKIM NOT_STARTED" in capsys.readouterr().err


def test_verify_email_and_the_link(target):

    sent = sesbook.verify_email(target, "ann@example.net")
    assert sent.message_sent and sent.status == "PENDING"
    with pytest.raises(WaitTimeoutError, match="the link in the verification message sent to ann@example.net"):
        sesbook.wait_for_verification(target, "ann@example.net", timeout=0, progress=False)
    sesbook.follow_verification_link(target, "ann@example.net")
    assert sesbook.wait_for_verification(target, "ann@example.net", progress=False).verified
    assert not sesbook.verify_email(target, "ann@example.net").message_sent  # already verified: left alone


def test_mail_from_and_check_identity(target):
    started = sesbook.verify_domain(target, "example.com")
    sesbook.publish_records(target, "example.com", started.records)
    setup = sesbook.set_mail_from(target, "example.com", "Mail.Example.com", behavior_on_mx_failure="RejectMessage")
    assert (setup.mail_from, setup.status, setup.behavior_on_mx_failure) == ("mail.example.com", "PENDING",
                                                                          "REJECT_MESSAGE")
    assert [(r.type, r.value) for r in setup.records] == [
        ("MX", "10 feedback-smtp.us-east-1.amazonses.com"), ("TXT", "v=spf1 include:amazonses.com -all")]
    check = sesbook.check_identity(target, "example.com")
    assert not check.ok and any("MAIL FROM mail.example.com is PENDING" in p for p in check.problems)
    sesbook.publish_records(target, "example.com", setup.records[:1])
    check = sesbook.check_identity(target, "example.com")
    assert check.ok and any("no SPF record at mail.example.com" in w for w in check.warnings)
    sesbook.publish_records(target, "example.com", setup.records)
    check = sesbook.check_identity(target, "example.com")
    assert check.ok and not check.warnings and len(check.checks) == 5 and all(ok for _, ok, _ in check.checks)
    status = sesbook.wait_for_verification(target, "example.com", dkim=True, mail_from=True, progress=False)
    assert status.mail_from_status == "SUCCESS" and "<table " in check._repr_html_()


def test_check_identity_reports_problems(target):
    assert not sesbook.check_identity(target, "nobody.example").ok
    sesbook.verify_domain(target, "example.com", method="v1")
    check = sesbook.check_identity(target, "example.com")
    assert not check.ok and "PENDING" in check.problems[0] and "DKIM is not set up" in check.warnings[0]


def test_byodkim_end_to_end(target):
    setup = sesbook.byodkim(target, "news.example.com", selector="s1", bits=1024)
    assert setup.dkim_status == "PENDING" and setup.record.name == "s1._domainkey.news.example.com"
    sesbook.publish_records(target, "example.com", setup.records)
    status = sesbook.wait_for_verification(target, "news.example.com", dkim=True, progress=False)
    assert status.dkim_origin == "EXTERNAL" and status.dkim == "SUCCESS"
    check = sesbook.check_identity(target, "news.example.com")
    assert check.ok, check.problems
    rotated = sesbook.byodkim(target, "news.example.com", selector="s2", key=dkim.generate_dkim_key(1024))
    assert rotated.dkim_status == "PENDING"  # the new key's record is not published yet


# -- planned (aws, apply=False): nothing sent, nothing crashes --------------------------------------------------------
@pytest.fixture
def planning(lab_info):
    """An 'aws' target in plan mode whose reads go to the lab (tests never reach AWS)."""
    return Target("aws", region="us-east-1", profile=None, apply=False, lab=lab_info)


def test_planned_calls_return_planned_results(planning):
    started = sesbook.verify_domain(planning, "example.com")
    assert started.planned and started.status == "PLANNED"
    # no tokens until SES creates the identity: the records show placeholders, and say so
    assert started.placeholders and len(started.records) == 3 and "tokens unknown until applied" in repr(started)
    v1 = sesbook.verify_domain(planning, "example.com", method="v1", dkim=True)
    assert v1.planned and [r.type for r in v1.records] == ["TXT", "CNAME", "CNAME", "CNAME"]
    assert all(r.is_placeholder for r in v1.records)
    assert sesbook.verify_email(planning, "ann@example.net").planned
    assert sesbook.set_mail_from(planning, "example.com", "mail.example.com").planned
    assert sesbook.byodkim(planning, "example.com", bits=1024).planned
    published = sesbook.publish_records(planning, "example.com", [Record("_amazonses.example.com", "TXT", "t")])
    assert published.planned and published.zone_id is None
    ops = [call.operation for call in planning.plan.calls]
    assert ops == ["CreateEmailIdentity", "VerifyDomainIdentity", "VerifyDomainDkim", "VerifyEmailIdentity",
                   "PutEmailIdentityMailFromAttributes", "CreateEmailIdentity", "CreateHostedZone",
                   "ChangeResourceRecordSets"]
    waited = sesbook.wait_for_verification(planning, "example.com", progress=False)  # returns at once
    assert not waited.exists and not waited.verified
    assert not sesbook.check_identity(planning, "example.com").ok
    assert planning.ses.list_identities()["Identities"] == []  # nothing reached the lab


def test_planned_result_uses_an_identity_that_already_exists(planning, target):
    made = sesbook.verify_domain(target, "example.com")
    planned = sesbook.verify_domain(planning, "example.com")
    assert planned.dkim_tokens == made.dkim_tokens and len(planned.records) == 3 and not planned.created


def test_delete_identity_is_idempotent(target):
    sesbook.verify_domain(target, "example.com")
    assert sesbook.delete_identity(target, "example.com")
    assert not sesbook.delete_identity(target, "example.com")
    assert not sesbook.identity_status(target, "example.com").exists
