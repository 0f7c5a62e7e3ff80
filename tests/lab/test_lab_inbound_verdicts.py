"""Inbound verdicts computed against the lab's DNS (SPF with pyspf, DKIM with dkimpy, DMARC), and mail the lab's
SES sends to a domain the lab receives for going through the same inbound path."""

from __future__ import annotations

import base64
import functools
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

import dkim
import pytest

from helpers import let_ses_write, put_in_zone

if TYPE_CHECKING:
    import sesbook
    from sesbook.lab import LabInfo


@functools.cache
def _key() -> tuple[bytes, str]:
    """A 2048-bit RSA key: (private PEM, public key base64 for the DKIM TXT record)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(public).decode()


def _message(sender: str = "alice@sender.test") -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "aaa@example.com", "verdicts"
    message["Message-ID"] = "<v1@sender.test>"
    message.set_content("Signed body.\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def _signed(raw: bytes) -> bytes:
    signature = dkim.sign(raw, b"sel", b"sender.test", _key()[0], include_headers=[b"From", b"To", b"Subject"])
    return bytes(signature) + raw


@pytest.fixture
def published(sender: sesbook.Target) -> sesbook.Target:
    """sender.test publishes SPF (127.0.0.2 only), a DKIM key (selector ``sel``) and DMARC p=reject;
    example.com receives into bucket ``inbox``."""
    put_in_zone(sender, "sender.test", "sender.test", "TXT", ["v=spf1 ip4:127.0.0.2 -all"])
    public = _key()[1]
    put_in_zone(sender, "sender.test", "sel._domainkey.sender.test", "TXT",
                ['"v=DKIM1; k=rsa; p=' + public[:200] + '" "' + public[200:] + '"'])
    put_in_zone(sender, "sender.test", "_dmarc.sender.test", "TXT", ["v=DMARC1; p=reject"])
    sender.s3.create_bucket(Bucket="inbox")
    let_ses_write(sender, "inbox")
    sender.ses.create_receipt_rule_set(RuleSetName="rs")
    sender.ses.create_receipt_rule(RuleSetName="rs", Rule={
        "Name": "all", "Enabled": True, "Recipients": ["example.com"],
        "Actions": [{"S3Action": {"BucketName": "inbox"}}]})
    sender.ses.set_active_receipt_rule_set(RuleSetName="rs")
    return sender


def _send(info: LabInfo, raw: bytes, source: str, mail_from: str = "alice@sender.test") -> dict[str, Any]:
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    with smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=30) as client:
        client.ehlo("mail.sender.test")
        client.sendmail(mail_from, ["aaa@example.com"], raw)
    record = [m for m in info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"][-1]
    return dict(record["Inbound"]["verdicts"]) | {"raw": record["RawData"]}


def _status(found: dict[str, Any], name: str) -> str:
    return str(found[name]["status"])


def test_spf_dkim_dmarc_pass(published: sesbook.Target, lab_info: LabInfo) -> None:
    found = _send(lab_info, _signed(_message()), "127.0.0.2")
    assert [_status(found, n) for n in ("spfVerdict", "dkimVerdict", "dmarcVerdict")] == ["PASS", "PASS", "PASS"]
    assert "dmarcPolicy" not in found
    assert "spf=pass" in found["raw"] and "dkim=pass header.i=@sender.test" in found["raw"]
    assert "dmarc=pass header.from=sender.test" in found["raw"]


def test_spf_dkim_dmarc_fail(published: sesbook.Target, lab_info: LabInfo) -> None:
    tampered = _signed(_message()).replace(b"Signed body.", b"Changed body.")
    found = _send(lab_info, tampered, "127.0.0.3")  # not in the SPF record, body changed after signing
    assert [_status(found, n) for n in ("spfVerdict", "dkimVerdict", "dmarcVerdict")] == ["FAIL", "FAIL", "FAIL"]
    assert found["dmarcPolicy"] == "reject"


def test_dmarc_passes_on_aligned_dkim_alone(published: sesbook.Target, lab_info: LabInfo) -> None:
    found = _send(lab_info, _signed(_message()), "127.0.0.4")  # SPF fails, DKIM aligned
    assert [_status(found, n) for n in ("spfVerdict", "dkimVerdict", "dmarcVerdict")] == ["FAIL", "PASS", "PASS"]


def test_unsigned_mail_without_records_is_gray(published: sesbook.Target, lab_info: LabInfo) -> None:
    found = _send(lab_info, _message("bob@nowhere.test"), "127.0.0.2")
    assert _status(found, "dkimVerdict") == "GRAY"
    assert _status(found, "dmarcVerdict") == "GRAY"
    assert _status(found, "spamVerdict") == "GRAY" and _status(found, "virusVerdict") == "GRAY"


# -- DMARC (RFC 9989): the tree walk, sp= and np=, strict alignment, DKIM that passes unaligned ----------------
def _publish_key(target: sesbook.Target, zone: str, domain: str) -> None:
    public = _key()[1]
    put_in_zone(target, zone, f"sel._domainkey.{domain}", "TXT",
                ['"v=DKIM1; k=rsa; p=' + public[:200] + '" "' + public[200:] + '"'])


def _signed_by(raw: bytes, domain: str) -> bytes:
    signature = dkim.sign(raw, b"sel", domain.encode(), _key()[0], include_headers=[b"From", b"To", b"Subject"])
    return bytes(signature) + raw


def _dmarc(found: dict[str, Any]) -> tuple[str, str | None]:
    return _status(found, "dmarcVerdict"), found.get("dmarcPolicy")


def test_dmarc_policy_of_the_organizational_domain_found_by_the_tree_walk(published: sesbook.Target,
                                                                          lab_info: LabInfo) -> None:
    """From a subdomain with no record of its own: the walk finds _dmarc.sender.test; without sp= its p=
    applies to the subdomain, and relaxed alignment takes a DKIM pass for the parent domain."""
    put_in_zone(published, "sender.test", "sub.sender.test", "A", ["192.0.2.1"])  # exists, no _dmarc record
    unsigned = _send(lab_info, _message("alice@sub.sender.test"), "127.0.0.3")
    assert _dmarc(unsigned) == ("FAIL", "reject")
    signed = _send(lab_info, _signed(_message("alice@sub.sender.test")), "127.0.0.3")  # d=sender.test
    assert _status(signed, "dkimVerdict") == "PASS" and _dmarc(signed) == ("PASS", None)


def test_dmarc_sp_and_np_for_subdomains(published: sesbook.Target, lab_info: LabInfo) -> None:
    put_in_zone(published, "sender.test", "_dmarc.sender.test", "TXT", ["v=DMARC1; p=reject; sp=quarantine; np=none"])
    put_in_zone(published, "sender.test", "sub.sender.test", "A", ["192.0.2.1"])
    assert _dmarc(_send(lab_info, _message("alice@sender.test"), "127.0.0.3")) == ("FAIL", "reject")
    assert _dmarc(_send(lab_info, _message("alice@sub.sender.test"), "127.0.0.3")) == ("FAIL", "quarantine")
    assert _dmarc(_send(lab_info, _message("alice@ghost.sender.test"), "127.0.0.3")) == ("FAIL", "none")
    # a subdomain that publishes its own record is judged by that record's p=
    put_in_zone(published, "sender.test", "_dmarc.sub.sender.test", "TXT", ["v=DMARC1; p=none"])
    assert _dmarc(_send(lab_info, _message("alice@sub.sender.test"), "127.0.0.3")) == ("FAIL", "none")


def test_dmarc_strict_dkim_alignment_fails_where_relaxed_passes(published: sesbook.Target,
                                                                lab_info: LabInfo) -> None:
    _publish_key(published, "sender.test", "mail.sender.test")
    raw = _signed_by(_message("alice@sender.test"), "mail.sender.test")
    relaxed = _send(lab_info, raw, "127.0.0.3")  # SPF fails; DKIM d=mail.sender.test, From sender.test
    assert _status(relaxed, "dkimVerdict") == "PASS" and _dmarc(relaxed) == ("PASS", None)
    put_in_zone(published, "sender.test", "_dmarc.sender.test", "TXT", ["v=DMARC1; p=reject; adkim=s"])
    strict = _send(lab_info, raw, "127.0.0.3")
    assert _status(strict, "dkimVerdict") == "PASS" and _dmarc(strict) == ("FAIL", "reject")


def test_dmarc_strict_spf_alignment_fails_where_relaxed_passes(published: sesbook.Target,
                                                               lab_info: LabInfo) -> None:
    put_in_zone(published, "sender.test", "bounce.sender.test", "TXT", ["v=spf1 ip4:127.0.0.2 -all"])
    raw = _message("alice@sender.test")  # unsigned: only SPF can align
    relaxed = _send(lab_info, raw, "127.0.0.2", mail_from="return@bounce.sender.test")
    assert _status(relaxed, "spfVerdict") == "PASS" and _dmarc(relaxed) == ("PASS", None)
    put_in_zone(published, "sender.test", "_dmarc.sender.test", "TXT", ["v=DMARC1; p=quarantine; aspf=s"])
    strict = _send(lab_info, raw, "127.0.0.2", mail_from="return@bounce.sender.test")
    assert _status(strict, "spfVerdict") == "PASS" and _dmarc(strict) == ("FAIL", "quarantine")


def test_dmarc_fails_on_a_dkim_pass_that_is_not_aligned(published: sesbook.Target, lab_info: LabInfo) -> None:
    _publish_key(published, "other.test", "other.test")
    found = _send(lab_info, _signed_by(_message("alice@sender.test"), "other.test"), "127.0.0.3")
    assert _status(found, "dkimVerdict") == "PASS" and _status(found, "spfVerdict") == "FAIL"
    assert _dmarc(found) == ("FAIL", "reject")
    assert "dkim=pass header.i=@other.test" in found["raw"] and "dmarc=fail" in found["raw"]


def test_dmarc_public_suffix_record_found_at_the_top_level_domain(published: sesbook.Target,
                                                                   lab_info: LabInfo) -> None:
    """A PSD record (psd=y) at ``_dmarc.test``: shop.test has no record of its own, so the walk ends there; its
    policy applies, and the organisational domains are one label below it (shop.test, other.test), so a DKIM
    pass for other.test does not align with From shop.test."""
    put_in_zone(published, "test", "_dmarc.test", "TXT", ["v=DMARC1; p=quarantine; psd=y"])
    _publish_key(published, "other.test", "other.test")
    _publish_key(published, "shop.test", "mail.shop.test")
    unaligned = _send(lab_info, _signed_by(_message("alice@shop.test"), "other.test"), "127.0.0.3")
    assert _status(unaligned, "dkimVerdict") == "PASS" and _dmarc(unaligned) == ("FAIL", "quarantine")
    aligned = _send(lab_info, _signed_by(_message("alice@shop.test"), "mail.shop.test"), "127.0.0.3")
    assert _dmarc(aligned) == ("PASS", None)


def test_mail_sent_through_ses_lands_in_the_bucket(published: sesbook.Target, lab_info: LabInfo) -> None:
    sent = published.ses.send_email(Source="news@example.net", Destination={"ToAddresses": ["aaa@example.com"]},
                                     Message={"Subject": {"Data": "from SES"}, "Body": {"Text": {"Data": "Hi"}}})
    lab_info.advance_clock(2)  # the sandbox's rate: one message a second
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = "news@example.net", "aaa@example.com", "raw from SES"
    raw.set_content("raw body\n")
    published.ses.send_raw_email(RawMessage={"Data": raw.as_bytes()})
    stored = published.s3.list_objects_v2(Bucket="inbox")["Contents"]
    assert len(stored) == 2
    bodies = [published.s3.get_object(Bucket="inbox", Key=o["Key"])["Body"].read() for o in stored]
    first = next(b for b in bodies if b"Subject: from SES" in b)
    assert f"Return-Path: <{sent['MessageId']}@amazonses.com>".encode() in first
    assert any(b.endswith(raw.as_bytes()) for b in bodies)
    records = [m for m in lab_info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"]
    assert {r["Inbound"]["via"] for r in records} == {"ses"}
    # SES's own servers are the lab on 127.0.0.1 and amazonses.com's SPF (in the lab) lists it: SPF passes for
    # the envelope sender SES uses (…@amazonses.com), as SES's mail passes in AWS
    assert {r["Inbound"]["verdicts"]["spfVerdict"]["status"] for r in records} == {"PASS"}


def test_mail_sent_through_sesv2_lands_in_the_bucket(published: sesbook.Target, lab_info: LabInfo) -> None:
    sent = published.sesv2.send_email(
        FromEmailAddress="news@example.net", Destination={"ToAddresses": ["aaa@example.com"]},
        Content={"Simple": {"Subject": {"Data": "from SESv2"}, "Body": {"Text": {"Data": "Hi v2"}}}})
    lab_info.advance_clock(2)
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = "news@example.net", "aaa@example.com", "raw from SESv2"
    raw.set_content("raw v2 body\n")
    published.sesv2.send_email(Content={"Raw": {"Data": raw.as_bytes()}})
    stored = published.s3.list_objects_v2(Bucket="inbox")["Contents"]
    assert len(stored) == 2
    bodies = [published.s3.get_object(Bucket="inbox", Key=o["Key"])["Body"].read() for o in stored]
    simple = next(b for b in bodies if b"Subject: from SESv2" in b)
    assert f"Return-Path: <{sent['MessageId']}@amazonses.com>".encode() in simple and b"Hi v2" in simple
    assert any(b.endswith(raw.as_bytes()) for b in bodies)
    records = [m for m in lab_info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"]
    assert {r["Inbound"]["via"] for r in records} == {"ses"} and len(records) == 2


def test_mail_sent_through_the_smtp_interface_lands_in_the_bucket(published: sesbook.Target,
                                                                   lab_info: LabInfo) -> None:
    """The SMTP interface (email-smtp.REGION stand-in) goes through the same send pipeline and delivery stage."""
    from sesbook.lab.smtp.tls import client_context
    from sesbook.smtp import smtp_credentials

    published.iam.create_user(UserName="smtp-user")
    key = published.iam.create_access_key(UserName="smtp-user")["AccessKey"]
    creds = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], published.region)
    assert lab_info.smtp is not None
    host, _, port = lab_info.smtp.rpartition(":")
    raw = EmailMessage()
    raw["From"], raw["To"], raw["Subject"] = "news@example.net", "aaa@example.com", "through SMTP"
    raw.set_content("submitted body\n")
    data = raw.as_bytes(policy=raw.policy.clone(linesep="\r\n"))
    with smtplib.SMTP(host, int(port), timeout=30) as client:
        client.ehlo()
        client.starttls(context=client_context())
        client.ehlo()
        client.login(creds.username, creds.password)
        client.mail("news@example.net")
        client.rcpt("aaa@example.com")
        code, text = client.data(data)
    assert code == 250
    message_id = text.decode().split()[1]
    [stored] = published.s3.list_objects_v2(Bucket="inbox")["Contents"]
    body = published.s3.get_object(Bucket="inbox", Key=stored["Key"])["Body"].read()
    assert f"Return-Path: <{message_id}@amazonses.com>".encode() in body
    assert b"Subject: through SMTP" in body and b"submitted body" in body
    [record] = [m for m in lab_info.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"]
    assert record["Inbound"]["via"] == "ses" and record["Inbound"]["tls"] is True
