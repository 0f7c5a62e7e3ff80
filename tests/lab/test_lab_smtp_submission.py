"""The lab's SMTP interface over real sockets: smtplib against the aiosmtpd server the lab starts."""

from __future__ import annotations

import base64
import json
import smtplib
from typing import TYPE_CHECKING, Any

import pytest

from sesbook.lab.smtp import submission, tls
from sesbook.smtp import smtp_credentials

if TYPE_CHECKING:
    from collections.abc import Iterator

    import sesbook
    from sesbook.smtp import SmtpCredentials

pytestmark = pytest.mark.lab


def _mime(to: str = "ann@example.com", sender: str = "shop@example.com", subject: str = "By SMTP") -> str:
    return (f"From: Shop <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nsubmitted words\r\n")


def _key(target: sesbook.Target, user: str = "smtp-user", policy: dict[str, Any] | None = None) -> dict[str, str]:
    target.iam.create_user(UserName=user)
    if policy is not None:
        target.iam.put_user_policy(UserName=user, PolicyName="send", PolicyDocument=json.dumps(policy))
    return dict(target.iam.create_access_key(UserName=user)["AccessKey"])


def _creds(target: sesbook.Target, **kwargs: Any) -> SmtpCredentials:
    key = _key(target, **kwargs)
    return smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], target.region)


def _connect(target: sesbook.Target, *, starttls: bool = True) -> smtplib.SMTP:
    assert target.lab is not None and target.lab.smtp
    host, _, port = target.lab.smtp.rpartition(":")
    client = smtplib.SMTP(host, int(port), timeout=10)
    client.ehlo()
    if starttls:
        client.starttls(context=tls.client_context())
        client.ehlo()
    return client


@pytest.fixture
def smtp(sender: sesbook.Target) -> Iterator[smtplib.SMTP]:
    """An SMTP session after STARTTLS, not yet logged in; example.com and example.net are verified."""
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    client = _connect(sender)
    yield client
    client.close()


def test_the_lab_announces_its_smtp_interface_on_loopback(lab_info: Any) -> None:
    announced = json.loads(lab_info.to_json())
    host, _, port = announced["smtp"].rpartition(":")
    assert host == "127.0.0.1" and int(port) > 0


def test_starttls_then_auth_then_the_message_lands_in_the_mailbox(sender: sesbook.Target,
                                                                   smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    assert "starttls" not in smtp.esmtp_features and "auth" in smtp.esmtp_features  # upgraded: AUTH offered now
    code, text = smtp.login(creds.username, creds.password)
    assert code == 235
    assert smtp.mail("shop@example.com")[0] == 250
    assert smtp.rcpt("ann@example.com")[0] == 250
    assert smtp.rcpt("hidden@example.net")[0] == 250
    code, text = smtp.data(_mime().encode())
    assert code == 250
    ok, message_id = text.decode().split()
    assert ok == "Ok" and len(message_id) == 60 and message_id.endswith("-000000")  # SES's shape
    box = sender.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"]  # type: ignore[union-attr]
    assert len(box) == 1
    assert box[0]["Api"] == "smtp"
    assert box[0]["Source"] == "shop@example.com" and box[0]["Subject"] == "By SMTP"
    assert box[0]["Destination"]["BccAddresses"] == ["hidden@example.net"]
    assert "submitted words" in box[0]["RawData"]
    assert sender.ses.get_send_quota()["SentLast24Hours"] == 2  # the same quota as the API


def test_auth_login_works_too(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.user, smtp.password = creds.username, creds.password
    code, _ = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
    assert code == 235


@pytest.mark.parametrize("wrong", ["password", "region", "secret", "unknown-key"])
def test_wrong_credentials_get_535_at_once(sender: sesbook.Target, smtp: smtplib.SMTP, wrong: str) -> None:
    key = _key(sender)
    good = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], sender.region)
    username, password = good.username, good.password
    if wrong == "password":
        password = key["SecretAccessKey"]  # the secret itself is not the SMTP password
    elif wrong == "region":
        password = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], "eu-west-1").password
    elif wrong == "secret":
        password = smtp_credentials(key["AccessKeyId"], "not-the-secret", sender.region).password
    else:
        username = "AKIAIOSFODNN7EXAMPLE"
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp.login(username, password)
    assert (refused.value.smtp_code, refused.value.smtp_error) == (535, b"Authentication Credentials Invalid")


def test_an_inactive_key_is_refused(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    key = _key(sender)
    sender.iam.update_access_key(UserName="smtp-user", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    creds = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], sender.region)
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp.login(creds.username, creds.password)
    assert refused.value.smtp_code == 535


def test_the_labs_dummy_api_key_is_not_smtp_credentials(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    plain = base64.b64encode(b"\0testing\0testing").decode()
    assert smtp.docmd("AUTH", f"PLAIN {plain}")[0] == 535


def test_auth_before_starttls_gets_530(sender: sesbook.Target) -> None:
    client = _connect(sender, starttls=False)
    try:
        assert "starttls" in client.esmtp_features and "auth" not in client.esmtp_features
        plain = base64.b64encode(b"\0AKIAIOSFODNN7EXAMPLE\0password").decode()
        assert client.docmd("AUTH", f"PLAIN {plain}") == (530, b"Must issue a STARTTLS command first")
        assert client.docmd("MAIL", "FROM:<shop@example.com>") == (530, b"Must issue a STARTTLS command first")
    finally:
        client.close()


def test_mail_rcpt_and_data_before_auth_get_530(smtp: smtplib.SMTP) -> None:
    code, text = smtp.mail("shop@example.com")
    assert code == 530 and b"Authentication required" in text
    assert smtp.rcpt("ann@example.com")[0] == 530
    assert smtp.docmd("DATA")[0] == 530


def test_the_sandbox_refuses_an_unverified_recipient_with_554(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("shop@example.com", ["stranger@elsewhere.example.org"], _mime("stranger@elsewhere.example.org"))
    assert refused.value.smtp_code == 554
    assert refused.value.smtp_error.decode() == (
        "Message rejected: Email address is not verified. The following identities failed the check in region "
        "US-EAST-1: stranger@elsewhere.example.org")
    assert sender.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]


def test_the_rate_refuses_with_454_until_the_clock_moves(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    smtp.sendmail("shop@example.com", ["ann@example.com"], _mime())
    with pytest.raises(smtplib.SMTPDataError) as throttled:  # the same (frozen) lab second: 1 per second
        smtp.sendmail("shop@example.com", ["ann@example.com"], _mime())
    assert (throttled.value.smtp_code, throttled.value.smtp_error) == (
        454, b"Throttling failure: Maximum sending rate exceeded.")
    sender.lab.advance_clock(1)  # type: ignore[union-attr]
    assert smtp.sendmail("shop@example.com", ["ann@example.com"], _mime()) == {}


def test_the_daily_quota_refuses_with_454(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    for _ in range(200):  # the sandbox's 200 a day, one a second
        smtp.sendmail("shop@example.com", ["ann@example.com"], _mime())
        sender.lab.advance_clock(1)  # type: ignore[union-attr]
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("shop@example.com", ["ann@example.com"], _mime())
    assert refused.value.smtp_error == b"Throttling failure: Daily message quota exceeded."


POLICY_EXAMPLE_COM = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "ses:SendRawEmail",
    "Resource": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    "Condition": {"StringLike": {"ses:FromAddress": "news@example.com"}}}]}


@pytest.mark.parametrize(("source", "allowed"), [
    ("news@example.com", True),
    ("shop@example.com", False),  # the FromAddress condition
    ("news@example.net", False),  # another identity
])
def test_the_users_policy_decides_who_it_may_send_as(sender: sesbook.Target, smtp: smtplib.SMTP, source: str,
                                                    allowed: bool) -> None:
    creds = _creds(sender, policy=POLICY_EXAMPLE_COM)
    smtp.login(creds.username, creds.password)
    if allowed:
        assert smtp.sendmail(source, ["ann@example.com"], _mime(sender=source)) == {}
        return
    with pytest.raises(smtplib.SMTPDataError) as denied:
        smtp.sendmail(source, ["ann@example.com"], _mime(sender=source))
    domain = source.rpartition("@")[2]
    assert denied.value.smtp_code == 554
    assert denied.value.smtp_error.decode() == (
        "Access denied: User `arn:aws:iam::123456789012:user/smtp-user' is not authorized to perform "
        f"`ses:SendRawEmail' on resource `arn:aws:ses:us-east-1:123456789012:identity/{domain}'")


def test_an_explicit_deny_in_a_managed_policy_wins(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender, policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]})
    deny = sender.iam.create_policy(PolicyName="no-net", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ses:Send*",
                                                "Resource": "arn:aws:ses:*:*:identity/example.net"}]}))
    sender.iam.attach_user_policy(UserName="smtp-user", PolicyArn=deny["Policy"]["Arn"])
    smtp.login(creds.username, creds.password)
    assert smtp.sendmail("a@example.com", ["ann@example.com"], _mime(sender="a@example.com")) == {}
    sender.lab.advance_clock(1)  # type: ignore[union-attr]
    with pytest.raises(smtplib.SMTPDataError) as denied:
        smtp.sendmail("a@example.net", ["ann@example.com"], _mime(sender="a@example.net"))
    assert denied.value.smtp_error.startswith(b"Access denied: User `arn:aws:iam::123456789012:user/smtp-user'")


def test_a_failure_inside_the_lab_answers_451(sender: sesbook.Target, smtp: smtplib.SMTP,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)

    def broken(backend: Any, message: Any) -> str:
        raise RuntimeError("a bug in the lab")

    monkeypatch.setattr("sesbook.lab.ses.sending.pipeline.submit", broken)
    with pytest.raises(smtplib.SMTPDataError) as failed:
        smtp.sendmail("shop@example.com", ["ann@example.com"], _mime())
    assert (failed.value.smtp_code, failed.value.smtp_error) == (451, b"Temporary service failure")


def test_a_message_over_40_mb_is_refused_by_the_pipeline() -> None:
    from moto.ses.exceptions import InvalidParameterValue

    reply = submission.reply_for(InvalidParameterValue("Message length is more than 41943040 bytes long: '42000000'."))
    assert reply == "554 Transaction failed: Message length is more than 41943040 bytes long: '42000000'."
    assert submission.DATA_SIZE_LIMIT > 40 * 1024 * 1024


def test_the_server_listens_on_loopback_only() -> None:
    from sesbook.errors import LabError

    with pytest.raises(LabError, match="loopback"):
        submission.SubmissionServer(region="us-east-1", host="0.0.0.0")  # noqa: S104




# -- what SES's SMTP interface refuses in a message ------------------------------------------------------------
def test_an_attachment_of_a_refused_type_gets_554_message_rejected(sender: sesbook.Target,
                                                                   smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    raw = ("From: shop@example.com\r\nTo: ann@example.com\r\nSubject: tool\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhere\r\n'
           "--B\r\nContent-Type: application/octet-stream\r\n"
           "Content-Disposition: attachment; filename*=UTF-8''Setup.ExE\r\n\r\nMZ\r\n--B--\r\n")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("shop@example.com", ["ann@example.com"], raw)
    assert refused.value.smtp_code == 554
    assert refused.value.smtp_error.decode() == (
        "Message rejected: Unsupported attachment type: the file name 'Setup.ExE' ends in .exe, which SES does not "
        "accept.")
    assert sender.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    assert sender.ses.get_send_quota()["SentLast24Hours"] == 0


def test_a_message_just_over_40_mb_gets_554_after_data(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    line = "x" * 998 + "\r\n"
    head = "From: shop@example.com\r\nTo: ann@example.com\r\nSubject: big\r\n\r\n"
    raw = head + line * ((40 * 1024 * 1024 - len(head)) // len(line) + 1)
    assert 40 * 1024 * 1024 < len(raw) < 40 * 1024 * 1024 + 1000
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("shop@example.com", ["ann@example.com"], raw)  # SIZE= is declared: under the server's cap
    assert refused.value.smtp_code == 554
    assert refused.value.smtp_error.decode() == (
        f"Transaction failed: Message length is more than 41943040 bytes long: '{len(raw)}'.")
    assert sender.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    assert sender.ses.get_send_quota()["SentLast24Hours"] == 0


def test_the_51st_rcpt_is_refused_and_the_first_50_stay(sender: sesbook.Target, smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    assert smtp.mail("shop@example.com")[0] == 250
    for i in range(50):
        assert smtp.rcpt(f"user{i}@example.net")[0] == 250
    code, text = smtp.rcpt("user50@example.net")
    assert (code, text) == (554, b"Transaction failed: Recipient count exceeds 50.")
    assert smtp.rcpt("user51@example.net")[0] == 554  # still over: every further one too
    # No To header: the lab (as moto) counts a raw message's header recipients on top of the envelope's.
    code, text = smtp.data(_mime(to="undisclosed-recipients:;").encode())
    assert code == 250, text
    message_id = text.decode().split()[1]
    box = sender.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"]  # type: ignore[union-attr]
    hidden = box[0]["Destination"]["BccAddresses"]
    assert len(hidden) == 50 and "user50@example.net" not in hidden


def test_sendmail_with_51_recipients_learns_which_one_was_refused(sender: sesbook.Target,
                                                                   smtp: smtplib.SMTP) -> None:
    creds = _creds(sender)
    smtp.login(creds.username, creds.password)
    everyone = [f"user{i}@example.net" for i in range(51)]
    refused = smtp.sendmail("shop@example.com", everyone, _mime(to="undisclosed-recipients:;"))
    assert refused == {"user50@example.net": (554, b"Transaction failed: Recipient count exceeds 50.")}
    smtp.rset()  # a new transaction starts counting again
    sender.lab.advance_clock(60)  # type: ignore[union-attr]
    assert smtp.sendmail("shop@example.com", ["user50@example.net"], _mime()) == {}
