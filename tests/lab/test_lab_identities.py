"""The lab's identities over the wire: boto3 over HTTP to the lab, dnspython over UDP/TCP to its DNS."""

from __future__ import annotations

import base64
import re

import dkim
import dns.resolver
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sesbook.lab import registry
from sesbook.lab.ses._wire import SES_BACKEND as SES

from helpers import delete_in_zone as delete
from helpers import put_in_zone as put
from helpers import verify_domain_now

pytestmark = pytest.mark.lab

DKIM_TOKEN = re.compile(r"^[a-z2-7]{32}$")


def v1_status(target, identity):
    attrs = target.ses.get_identity_verification_attributes(Identities=[identity])["VerificationAttributes"]
    return attrs[identity]["VerificationStatus"]


def error_of(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


# -- v1: TXT token ---------------------------------------------------------------------------------------
def test_v1_domain_is_pending_until_the_txt_token_is_in_dns(target):
    token = target.ses.verify_domain_identity(Domain="example.com")["VerificationToken"]
    assert len(token) == 44 and base64.b64decode(token) and token.endswith("=")
    assert target.ses.verify_domain_identity(Domain="EXAMPLE.com")["VerificationToken"] == token
    attrs = target.ses.get_identity_verification_attributes(Identities=["example.com"])["VerificationAttributes"]
    assert attrs == {"example.com": {"VerificationStatus": "Pending", "VerificationToken": token}}

    put(target, "example.com", "_amazonses.example.com", "TXT", ["not-the-token"])
    assert v1_status(target, "example.com") == "Pending"

    put(target, "example.com", "_amazonses.example.com", "TXT", ["not-the-token", token])
    answer = target.resolver.resolve("_amazonses.example.com", "TXT")  # what SES would see, over UDP
    assert token in [b"".join(rd.strings).decode() for rd in answer]
    assert v1_status(target, "example.com") == "Success"
    assert target.sesv2.get_email_identity(EmailIdentity="example.com")["VerificationStatus"] == "SUCCESS"
    # the notes: the TXT record may go once the domain is verified
    delete(target, "example.com", "_amazonses.example.com", "TXT", ["not-the-token", token])
    assert v1_status(target, "example.com") == "Success"


def test_v1_domain_without_dkim_reports_dkim_not_started(target):
    target.ses.verify_domain_identity(Domain="example.com")
    attrs = target.ses.get_identity_dkim_attributes(Identities=["example.com"])["DkimAttributes"]
    assert attrs == {"example.com": {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}}


def test_pending_turns_failed_after_72_hours_and_verifying_again_restarts(target, lab_info):
    target.ses.verify_domain_identity(Domain="example.com")
    lab_info.advance_clock(71 * 3600)
    assert v1_status(target, "example.com") == "Pending"
    lab_info.advance_clock(2 * 3600)
    assert v1_status(target, "example.com") == "Failed"
    target.ses.verify_domain_identity(Domain="example.com")
    assert v1_status(target, "example.com") == "Pending"


# -- v2: Easy DKIM ---------------------------------------------------------------------------------------
def test_v2_domain_needs_all_three_dkim_cnames(target):
    made = target.sesv2.create_email_identity(EmailIdentity="example.org")
    tokens = made["DkimAttributes"]["Tokens"]
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(DKIM_TOKEN.match(t) for t in tokens)
    assert made["DkimAttributes"]["Status"] == "PENDING" and made["VerifiedForSendingStatus"] is False

    for token in tokens[:2]:
        put(target, "example.org", f"{token}._domainkey.example.org", "CNAME", [f"{token}.dkim.amazonses.com"])
    got = target.sesv2.get_email_identity(EmailIdentity="example.org")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("PENDING", "PENDING")

    put(target, "example.org", f"{tokens[2]}._domainkey.example.org", "CNAME", [f"{tokens[2]}.dkim.amazonses.com"])
    got = target.sesv2.get_email_identity(EmailIdentity="example.org")
    assert (got["VerificationStatus"], got["DkimAttributes"]["Status"]) == ("SUCCESS", "SUCCESS")
    assert got["VerifiedForSendingStatus"] is True and got["DkimAttributes"]["SigningEnabled"] is True
    v1 = target.ses.get_identity_dkim_attributes(Identities=["example.org"])["DkimAttributes"]["example.org"]
    assert v1 == {"DkimEnabled": True, "DkimVerificationStatus": "Success", "DkimTokens": tokens}
    assert v1_status(target, "example.org") == "Success"
    listed = target.sesv2.list_email_identities()["EmailIdentities"]
    listed = {i["IdentityName"]: i["VerificationStatus"] for i in listed}
    assert listed == {"example.org": "SUCCESS"}


def test_cname_to_the_wrong_target_does_not_count(target):
    tokens = target.sesv2.create_email_identity(EmailIdentity="example.org")["DkimAttributes"]["Tokens"]
    for token in tokens:
        put(target, "example.org", f"{token}._domainkey.example.org", "CNAME", [f"{token}.dkim.example.net"])
    assert target.sesv2.get_email_identity(EmailIdentity="example.org")["VerificationStatus"] == "PENDING"


def test_tokens_are_seeded_consistent_between_v1_and_v2_and_differ_per_domain(target, lab):
    v1_token = target.ses.verify_domain_identity(Domain="a.example")["VerificationToken"]
    v1_dkim = target.ses.verify_domain_dkim(Domain="a.example")["DkimTokens"]
    assert target.ses.verify_domain_dkim(Domain="a.example")["DkimTokens"] == v1_dkim
    assert target.sesv2.get_email_identity(EmailIdentity="a.example")["DkimAttributes"]["Tokens"] == v1_dkim
    v2_dkim = target.sesv2.create_email_identity(EmailIdentity="b.example")["DkimAttributes"]["Tokens"]
    assert set(v2_dkim).isdisjoint(v1_dkim)
    assert target.ses.verify_domain_dkim(Domain="b.example")["DkimTokens"] == v2_dkim
    b_token = target.ses.get_identity_verification_attributes(Identities=["b.example"])["VerificationAttributes"]
    assert b_token["b.example"]["VerificationToken"] != v1_token

    lab.reset()  # same seed, same calls: same tokens
    assert target.ses.verify_domain_identity(Domain="a.example")["VerificationToken"] == v1_token
    assert target.ses.verify_domain_dkim(Domain="a.example")["DkimTokens"] == v1_dkim


def test_v2_create_refuses_an_identity_that_exists(target):
    target.ses.verify_domain_identity(Domain="example.com")
    code, message = error_of(target.sesv2.create_email_identity, EmailIdentity="example.com")
    assert code == "AlreadyExistsException" and "example.com" in message


@pytest.mark.parametrize("name", ["not a domain", "example", "-bad.example.com", "x@", "exa_mple.com"])
def test_bad_identity_names_are_refused(target, name):
    code, message = error_of(target.sesv2.create_email_identity, EmailIdentity=name)
    assert code == "BadRequestException" and "Invalid" in message
    if "@" not in name:
        code, message = error_of(target.ses.verify_domain_identity, Domain=name)
        assert code == "InvalidParameterValue" and "Invalid domain name" in message


def test_easy_dkim_tokens_resolve_to_a_real_public_key_that_verifies_lab_signatures(target):
    from sesbook.lab.ses.identities.state import dkim_private_key  # the lab runs in this process

    tokens = target.sesv2.create_email_identity(EmailIdentity="example.org")["DkimAttributes"]["Tokens"]
    for token in tokens:
        put(target, "example.org", f"{token}._domainkey.example.org", "CNAME", [f"{token}.dkim.amazonses.com"])
    answer = target.resolver.resolve(f"{tokens[0]}._domainkey.example.org", "TXT")  # chased through the CNAME
    text = b"".join(answer.rrset[0].strings).decode()
    assert text.startswith("v=DKIM1; k=rsa; p=")
    public = serialization.load_der_public_key(base64.b64decode(text.split("p=", 1)[1]))
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 2048

    key_pem = dkim_private_key("example.org", tokens[0]).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    message = b"From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nhello\r\n"
    signed = dkim.sign(message, tokens[0].encode(), b"example.org", key_pem) + message

    def lab_dns(name: bytes, timeout: int = 5) -> bytes:
        rrset = target.resolver.resolve(name.decode().rstrip("."), "TXT").rrset
        return b"".join(rrset[0].strings)

    assert dkim.verify(signed, dnsfunc=lab_dns)


def test_dkim_keys_are_1024_bits_when_asked(target):
    made = target.sesv2.create_email_identity(
        EmailIdentity="short.example", DkimSigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"})
    assert made["DkimAttributes"]["NextSigningKeyLength"] == "RSA_1024_BIT"
    token = made["DkimAttributes"]["Tokens"][0]
    text = b"".join(target.resolver.resolve(f"{token}.dkim.amazonses.com", "TXT").rrset[0].strings).decode()
    assert serialization.load_der_public_key(base64.b64decode(text.split("p=", 1)[1])).key_size == 1024


def test_dkim_zone_serves_only_issued_tokens(target):
    with pytest.raises(dns.resolver.NXDOMAIN):
        target.resolver.resolve("nosuchtoken.dkim.amazonses.com", "TXT")


def test_dkim_signing_can_be_switched_off_v1_and_v2(target):
    target.sesv2.create_email_identity(EmailIdentity="example.org")
    target.sesv2.put_email_identity_dkim_attributes(EmailIdentity="example.org", SigningEnabled=False)
    assert target.sesv2.get_email_identity(EmailIdentity="example.org")["DkimAttributes"]["SigningEnabled"] is False
    target.ses.set_identity_dkim_enabled(Identity="example.org", DkimEnabled=True)
    attrs = target.ses.get_identity_dkim_attributes(Identities=["example.org"])["DkimAttributes"]["example.org"]
    assert attrs["DkimEnabled"] is True


# -- BYODKIM --------------------------------------------------------------------------------------------------
def _b64_key(key) -> str:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return base64.b64encode(der).decode()


def test_byodkim_verifies_when_the_selector_record_has_the_matching_public_key(target):
    target.sesv2.create_email_identity(EmailIdentity="example.org")
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    got = target.sesv2.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.org", SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "sel1", "DomainSigningPrivateKey": _b64_key(key)})
    assert got["DkimStatus"] == "PENDING"
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    public = {k: base64.b64encode(k.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode() for k in (key, other)}
    put(target, "example.org", "sel1._domainkey.example.org", "TXT", [f"v=DKIM1; k=rsa; p={public[other]}"])
    assert target.sesv2.get_email_identity(EmailIdentity="example.org")["DkimAttributes"]["Status"] == "PENDING"
    put(target, "example.org", "sel1._domainkey.example.org", "TXT", [f"v=DKIM1; k=rsa; p={public[key]}"])
    got = target.sesv2.get_email_identity(EmailIdentity="example.org")
    assert got["DkimAttributes"]["Status"] == "SUCCESS" and got["VerificationStatus"] == "SUCCESS"
    assert got["DkimAttributes"]["SigningAttributesOrigin"] == "EXTERNAL"
    assert got["DkimAttributes"]["Tokens"] == ["sel1"]  # the botocore model: the selector


@pytest.mark.parametrize(("private", "expected"), [
    ("bm90IGEga2V5", "not a base64-encoded RSA private key"),
    ("%%%", "must match ^[a-zA-Z0-9+/]+={0,2}$"),
    ("PEM", "with the -----BEGIN/END----- lines and the line breaks stripped"),
    ("LINES", "with the -----BEGIN/END----- lines and the line breaks stripped"),
    ("EC", "RSA key of 1024 to 2048 bits"),
    ("RSA3072", "RSA key of 1024 to 2048 bits (got 3072 bits)"),
])
def test_byodkim_refuses_bad_keys(target, private, expected):
    target.sesv2.create_email_identity(EmailIdentity="example.org")
    if private in ("PEM", "LINES"):
        pem = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        private = pem if private == "PEM" else "\n".join(pem.splitlines()[1:-1])
    elif private == "EC":
        private = _b64_key(ec.generate_private_key(ec.SECP256R1()))
    elif private == "RSA3072":
        private = _b64_key(rsa.generate_private_key(public_exponent=65537, key_size=3072))
    code, message = error_of(
        target.sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="example.org",
        SigningAttributesOrigin="EXTERNAL",
        SigningAttributes={"DomainSigningSelector": "sel1", "DomainSigningPrivateKey": private})
    assert code == "BadRequestException" and expected in message


def test_byodkim_refuses_a_bad_selector_and_address_identities(target):
    target.sesv2.create_email_identity(EmailIdentity="example.org")
    key = _b64_key(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    code, message = error_of(
        target.sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="example.org",
        SigningAttributesOrigin="EXTERNAL", SigningAttributes={"DomainSigningSelector": "bad_sel",
                                                               "DomainSigningPrivateKey": key})
    assert code == "BadRequestException" and "DomainSigningSelector" in message
    for selector in ("sel.1", "-sel", "s" * 64):
        code, message = error_of(
            target.sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="example.org",
            SigningAttributesOrigin="EXTERNAL", SigningAttributes={"DomainSigningSelector": selector,
                                                                   "DomainSigningPrivateKey": key})
        assert code == "BadRequestException" and "no dots" in message
    code, _ = error_of(target.sesv2.put_email_identity_dkim_signing_attributes, EmailIdentity="nobody.example",
                       SigningAttributesOrigin="AWS_SES")
    assert code == "NotFoundException"


# -- email addresses -------------------------------------------------------------------------------------------
def test_address_is_verified_by_following_the_link_in_the_lab_mailbox(target, lab_info):
    import urllib.request

    target.ses.verify_email_identity(EmailAddress="alice@example.net")
    assert v1_status(target, "alice@example.net") == "Pending"
    found = lab_info.request("GET", "/_aws/ses?to=alice@example.net")["messages"]
    assert len(found) == 1
    message = found[0]
    assert message["Source"] == "no-reply-aws@amazon.com"
    assert message["Subject"] == (
        "Amazon Web Services – Email Address Verification Request in region US East (N. Virginia)")
    link = re.search(r"http://\S+/_sesbook/verify-email\?token=\w+", message["Body"]["text_part"]).group(0)
    assert link.startswith(lab_info.aws_endpoint)
    with urllib.request.urlopen(link) as page:
        assert "Verified: alice@example.net" in page.read().decode()
    assert v1_status(target, "alice@example.net") == "Success"
    assert target.sesv2.get_email_identity(EmailIdentity="alice@example.net")["VerificationStatus"] == "SUCCESS"


def test_v2_address_identity_gets_a_message_and_asking_again_sends_another(target, lab_info):
    target.sesv2.create_email_identity(EmailIdentity="bob@example.net")
    target.ses.verify_email_identity(EmailAddress="bob@example.net")
    target.ses.verify_email_address(EmailAddress="bob@example.net")
    assert len(lab_info.request("GET", "/_aws/ses?to=BOB@example.net")["messages"]) == 3


def test_verification_link_expires_after_24_hours(target, lab_info):
    import urllib.error
    import urllib.request

    target.ses.verify_email_identity(EmailAddress="carol@example.net")
    text = lab_info.request("GET", "/_aws/ses?to=carol@example.net")["messages"][0]["Body"]["text_part"]
    link = re.search(r"http://\S+token=\w+", text).group(0)
    lab_info.advance_clock(25 * 3600)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(link)
    assert info.value.code == 410 and "expired" in info.value.read().decode()
    assert v1_status(target, "carol@example.net") == "Failed"
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(lab_info.aws_endpoint + "/_sesbook/verify-email?token=nope")
    assert info.value.code == 404


# -- who may send ------------------------------------------------------------------------------------------------
def send(target, source):
    target.lab.advance_clock(1)  # the sandbox allows one message per second
    return target.ses.send_email(Source=source, Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                                 Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})


def test_only_verified_identities_may_send_and_a_domain_covers_addresses_and_subdomains(target):
    assert registry.patched(SES, "_is_verified_address")
    target.ses.verify_domain_identity(Domain="example.com")
    code, message = error_of(send, target, "me@example.com")  # moto alone would accept this
    assert code == "MessageRejected"
    verify_domain_now(target, "example.com")
    assert send(target, "Me <me@EXAMPLE.com>")["MessageId"]
    assert send(target, "me@news.example.com")["MessageId"]
    error_of(send, target, "me@example.community")


def test_deleting_a_pending_identity_removes_it(target):
    assert registry.patched(SES, "delete_identity")
    target.ses.verify_domain_identity(Domain="example.com")
    target.ses.verify_email_identity(EmailAddress="a@example.net")
    target.ses.delete_identity(Identity="example.com")
    target.ses.delete_identity(Identity="a@example.net")
    target.ses.delete_identity(Identity="never.example")  # not found is fine
    assert target.ses.list_identities()["Identities"] == []


# -- custom MAIL FROM --------------------------------------------------------------------------------------------
def test_mail_from_status_follows_the_mx_record(target):
    verify_domain_now(target, "example.com")
    target.ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="mail.example.com")

    def attrs():
        return target.ses.get_identity_mail_from_domain_attributes(
            Identities=["example.com"])["MailFromDomainAttributes"]["example.com"]

    assert attrs() == {"MailFromDomain": "mail.example.com", "MailFromDomainStatus": "Pending",
                       "BehaviorOnMXFailure": "UseDefaultValue"}
    put(target, "example.com", "mail.example.com", "MX", ["20 feedback-smtp.us-east-1.amazonses.com"])
    assert attrs()["MailFromDomainStatus"] == "Pending"  # priority 10 expected
    put(target, "example.com", "mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])
    assert attrs()["MailFromDomainStatus"] == "Success"
    v2 = target.sesv2.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"]
    assert v2 == {"MailFromDomain": "mail.example.com", "MailFromDomainStatus": "SUCCESS",
                  "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}
    put(target, "example.com", "mail.example.com", "MX",
        ["10 feedback-smtp.us-east-1.amazonses.com", "20 mx.other.example"])
    assert attrs()["MailFromDomainStatus"] == "TemporaryFailure"  # exactly one MX


@pytest.mark.parametrize(("mail_from", "expected"), [
    ("example.com", "is the identity's own domain"),
    ("mail.example.org", "is not a subdomain of <example.com>"),
    ("badexample.com", "is not a subdomain of <example.com>"),
])
def test_mail_from_refusals_v1_and_v2(target, mail_from, expected):
    target.sesv2.create_email_identity(EmailIdentity="example.com")
    code, message = error_of(target.ses.set_identity_mail_from_domain, Identity="example.com",
                             MailFromDomain=mail_from)
    assert code == "InvalidParameterValue" and expected in message
    code, message = error_of(target.sesv2.put_email_identity_mail_from_attributes, EmailIdentity="example.com",
                             MailFromDomain=mail_from)
    assert code == "BadRequestException" and expected in message


def test_mail_from_on_unknown_identity_is_refused(target):
    code, _ = error_of(target.sesv2.put_email_identity_mail_from_attributes, EmailIdentity="nobody.example",
                       MailFromDomain="mail.nobody.example")
    assert code == "NotFoundException"
    code, message = error_of(target.ses.set_identity_mail_from_domain, Identity="nobody.example",
                             MailFromDomain="mail.nobody.example")
    assert code == "InvalidParameterValue" and "does not exist" in message


def test_reject_message_blocks_sending_until_the_mail_from_mx_exists(target):
    verify_domain_now(target, "example.com")
    target.sesv2.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="mail.example.com", BehaviorOnMxFailure="REJECT_MESSAGE")
    code, message = error_of(send, target, "me@example.com")
    assert code == "MailFromDomainNotVerifiedException" and "feedback-smtp.us-east-1.amazonses.com" in message
    put(target, "example.com", "mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])
    assert send(target, "me@example.com")["MessageId"]


def test_use_default_value_keeps_sending_without_the_mx(target):
    verify_domain_now(target, "example.com")
    target.sesv2.put_email_identity_mail_from_attributes(EmailIdentity="example.com",
                                                         MailFromDomain="mail.example.com")
    assert send(target, "me@example.com")["MessageId"]
    target.sesv2.put_email_identity_mail_from_attributes(EmailIdentity="example.com")  # clears it
    assert "MailFromDomain" not in target.sesv2.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"]


def test_every_identity_patch_is_installed(lab):
    for owner, name in [
        (SES, "create_email_identity_v2"), (SES, "verify_email_identity"), (SES, "verify_email_address"),
        (SES, "_is_verified_address"), (SES, "delete_identity"),
        ("moto.sesv2.models.SESV2Backend", "list_email_identities"),
        ("moto.ses.responses.EmailResponse", "verify_domain_identity"),
        ("moto.ses.responses.EmailResponse", "set_identity_dkim_enabled"),
        ("moto.sesv2.responses.SESV2Response", "put_email_identity_dkim_signing_attributes"),
        ("moto.sesv2.responses.SESV2Response", "put_email_identity_mail_from_attributes"),
        ("moto.ses.responses.EmailResponse", "set_identity_mail_from_domain"),
        ("moto.ses.responses.EmailResponse", "get_identity_mail_from_domain_attributes"),
    ]:
        assert registry.patched(owner, name), (owner, name)


def test_lab_dns_serves_the_soa_route53_made_for_a_new_zone(target):
    put(target, "example.com", "_amazonses.example.com", "TXT", ["x"])
    soa = target.resolver.resolve("example.com", "SOA").rrset[0]
    assert soa.mname.to_text() == "ns-2048.awsdns-64.com."


def _verify_address(target, lab_info, address):
    import urllib.parse
    import urllib.request

    target.ses.verify_email_identity(EmailAddress=address)
    text = lab_info.request("GET", f"/_aws/ses?to={urllib.parse.quote(address)}")["messages"][-1]["Body"]["text_part"]
    with urllib.request.urlopen(re.search(r"http://\S+token=\w+", text).group(0)):
        pass


def test_address_identities_are_case_sensitive_and_cover_their_plus_labels(target, lab_info):
    _verify_address(target, lab_info, "Sender@example.com")
    assert send(target, "Sender@example.com")["MessageId"]
    assert send(target, "Sender+tag@example.com")["MessageId"]  # a label needs no verification of its own
    for other in ("sender@example.com", "Sender@EXAMPLE.com", "sender+tag@example.com"):
        code, message = error_of(send, target, other)
        assert code == "MessageRejected" and other in message
    _verify_address(target, lab_info, "bob+news@example.com")
    assert error_of(send, target, "bob@example.com")[0] == "MessageRejected"  # one way only


def test_sandbox_recipients_follow_the_same_rule(target, lab_info):
    verify_domain_now(target, "example.com")
    _verify_address(target, lab_info, "Ann@example.net")

    def to(address):
        target.lab.advance_clock(1)
        return target.ses.send_email(Source="me@example.com", Destination={"ToAddresses": [address]},
                                     Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})

    assert to("Ann+x@example.net")["MessageId"]
    code, message = error_of(to, "ann@example.net")
    assert code == "MessageRejected" and "ann@example.net" in message


@pytest.mark.parametrize("again", ["v1", "v2"])
def test_failed_mail_from_stays_failed_until_set_again(target, again):
    verify_domain_now(target, "example.com")
    target.ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="mail.example.com")

    def status():
        return target.sesv2.get_email_identity(EmailIdentity="example.com")["MailFromAttributes"][
            "MailFromDomainStatus"]

    assert status() == "PENDING"
    target.lab.advance_clock(73 * 3600)
    assert status() == "FAILED"
    put(target, "example.com", "mail.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"])
    assert status() == "FAILED"  # SES has stopped looking
    if again == "v1":
        target.ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="mail.example.com")
    else:
        target.sesv2.put_email_identity_mail_from_attributes(EmailIdentity="example.com",
                                                             MailFromDomain="mail.example.com")
    assert status() == "SUCCESS"


def test_temporary_failure_recovers_within_72_hours_else_fails(target):
    verify_domain_now(target, "example.com")
    target.ses.set_identity_mail_from_domain(Identity="example.com", MailFromDomain="mail.example.com")
    mx = ["10 feedback-smtp.us-east-1.amazonses.com"]
    put(target, "example.com", "mail.example.com", "MX", mx)

    def status():
        return target.ses.get_identity_mail_from_domain_attributes(
            Identities=["example.com"])["MailFromDomainAttributes"]["example.com"]["MailFromDomainStatus"]

    assert status() == "Success"
    delete(target, "example.com", "mail.example.com", "MX", mx)
    assert status() == "TemporaryFailure"
    target.lab.advance_clock(48 * 3600)
    put(target, "example.com", "mail.example.com", "MX", mx)
    assert status() == "Success"
    delete(target, "example.com", "mail.example.com", "MX", mx)
    assert status() == "TemporaryFailure"
    target.lab.advance_clock(73 * 3600)
    assert status() == "Failed"
    put(target, "example.com", "mail.example.com", "MX", mx)
    assert status() == "Failed"


def test_behavior_on_mx_failure_takes_only_each_apis_own_spelling(target):
    verify_domain_now(target, "example.com")
    code, message = error_of(target.sesv2.put_email_identity_mail_from_attributes, EmailIdentity="example.com",
                             MailFromDomain="mail.example.com", BehaviorOnMxFailure="RejectMessage")
    assert code == "BadRequestException" and "use USE_DEFAULT_VALUE or REJECT_MESSAGE" in message
    code, message = error_of(target.ses.set_identity_mail_from_domain, Identity="example.com",
                             MailFromDomain="mail.example.com", BehaviorOnMXFailure="REJECT_MESSAGE")
    assert code == "InvalidParameterValue" and "use UseDefaultValue or RejectMessage" in message
    target.sesv2.put_email_identity_mail_from_attributes(EmailIdentity="example.com",
                                                         MailFromDomain="mail.example.com",
                                                         BehaviorOnMxFailure="REJECT_MESSAGE")
    got = target.ses.get_identity_mail_from_domain_attributes(Identities=["example.com"])
    assert got["MailFromDomainAttributes"]["example.com"]["BehaviorOnMXFailure"] == "RejectMessage"


def test_verification_error_type_says_what_is_wrong_with_the_record(target):
    def error_type(domain):
        return target.sesv2.get_email_identity(EmailIdentity=domain)["VerificationInfo"].get("ErrorType")

    token = target.ses.verify_domain_identity(Domain="example.com")["VerificationToken"]
    assert error_type("example.com") == "HOST_NOT_FOUND"
    put(target, "example.com", "_amazonses.example.com", "MX", ["10 mx.example.com"])
    assert error_type("example.com") == "TYPE_NOT_FOUND"
    put(target, "example.com", "_amazonses.example.com", "TXT", ["not-the-token"])
    assert error_type("example.com") == "INVALID_VALUE"
    put(target, "example.com", "_amazonses.example.com", "TXT", [token])
    assert error_type("example.com") is None

    tokens = target.sesv2.create_email_identity(EmailIdentity="example.org")["DkimAttributes"]["Tokens"]
    assert error_type("example.org") == "HOST_NOT_FOUND"
    for t in tokens:
        put(target, "example.org", f"{t}._domainkey.example.org", "CNAME", ["elsewhere.example.net"])
    assert error_type("example.org") == "INVALID_VALUE"
