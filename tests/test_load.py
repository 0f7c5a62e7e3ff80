"""Load without loss: many concurrent SMTP sessions and API sends against one lab, nothing acknowledged lost.

``INBOUND_MESSAGES`` (1,000) messages from ``CLIENTS`` (20) concurrent smtplib clients into the inbound
server, and ``SENDS`` (1,000) sends, half through the SMTP interface and half through the SESv2 API, at the
production rate (the lab clock is held still and moved a second when a send is refused for the rate).

Inbound (SES Developer Guide, "Receiving email: concepts" and "Receipt rules", checked 2026): a message
SES acknowledges with ``250`` has been accepted and its S3 action stores it once, under the prefix plus
the message id; a refusal is a 4xx/5xx reply (``550`` unknown recipient, ``552`` over the 40 MB limit,
``554`` at connection for a blocked IP address).

Sending (SES Developer Guide, "Managing your Amazon SES sending limits", checked 2026): a send over the
maximum send rate is refused (``454 Throttling failure`` by SMTP, ``TooManyRequestsException`` by SESv2)
and does not count; every accepted send counts once per recipient in ``SentLast24Hours``.
"""

from __future__ import annotations

import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

import sesbook
from sesbook.lab.smtp import tls
from sesbook.smtp import smtp_credentials

from helpers import let_ses_write, verify_domain_now

if TYPE_CHECKING:
    from sesbook.lab.runtime import Lab

pytestmark = pytest.mark.lab

INBOUND_MESSAGES = 1000
CLIENTS = 20
SENDS = 1000
TIMEOUT = 30  # every socket: a hang fails, it does not stall the suite
SIZE_LIMIT = 40 * 1024 * 1024


def _raw(token: str, kind: str) -> bytes:
    if kind == "malformed":  # no header block, a bare CR, 8-bit bytes: SES accepts what SMTP carries
        return f"this is not a MIME message {token}\r\n\x7f \xe9\xe8 bare\rCR\r\n".encode("latin-1")
    return (f"From: a@sender.test\r\nTo: aaa@example.com\r\nSubject: {token}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\nbody of {token}\r\n").encode()


def _kind(i: int) -> str:
    return {0: "oversize", 1: "unknown", 2: "blocked", 3: "malformed"}.get(i % 10, "ok")


def _inbound_one(info: Any, i: int) -> tuple[int, str, bytes]:
    """Send message ``i``; return (reply code, reply text, the bytes sent)."""
    kind, token = _kind(i), f"load-{i:05d}"
    raw = _raw(token, kind)
    host, _, port = info.inbound_smtp.rpartition(":")
    source = "127.0.0.3" if kind == "blocked" else "127.0.0.2"
    try:
        client = smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=TIMEOUT)
    except smtplib.SMTPConnectError as exc:
        return exc.smtp_code, exc.smtp_error.decode(), raw
    with client:
        client.ehlo("mail.sender.test")
        size = [f"SIZE={SIZE_LIMIT + 1}"] if kind == "oversize" else []
        code, text = client.mail("a@sender.test", size)
        if code != 250:
            return code, text.decode(), raw
        to = "nobody@unknown.example" if kind == "unknown" else "aaa@example.com"
        code, text = client.rcpt(to)
        if code != 250:
            return code, text.decode(), raw
        code, text = client.data(raw)
        return code, text.decode(), raw


def test_inbound_load_loses_nothing_acknowledged(lab: Lab) -> None:
    lab.reset()
    target = sesbook.connect("lab")
    info = target.lab
    assert info is not None
    verify_domain_now(target, "example.com")  # SES receives only for verified domains
    target.s3.create_bucket(Bucket="inbox")
    let_ses_write(target, "inbox")
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    target.ses.create_receipt_rule(RuleSetName="rs", Rule={"Name": "all", "Enabled": True, "Recipients": [
        "example.com"], "Actions": [{"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "in/"}}]})
    target.ses.set_active_receipt_rule_set(RuleSetName="rs")
    sesbook.ensure_filter(target, "blocked", "127.0.0.3/32", "Block")

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda i: _inbound_one(info, i), range(INBOUND_MESSAGES)))

    acked = {text.split()[1]: raw for code, text, raw in results if code == 250}
    refused = [(code, text) for code, text, _ in results if code != 250]
    assert all(400 <= code < 600 for code, _ in refused), refused[:5]
    expected_refused = sum(_kind(i) in ("oversize", "unknown", "blocked") for i in range(INBOUND_MESSAGES))
    assert len(refused) == expected_refused, refused[:5]
    assert {code for code, _ in refused} == {550, 552, 554}

    keys = [o["Key"] for page in target.s3.get_paginator("list_objects_v2").paginate(Bucket="inbox")
            for o in page.get("Contents", [])]
    assert len(keys) == len(set(keys)) == len(acked)  # exactly once each
    assert sorted(keys) == sorted(f"in/{message_id}" for message_id in acked)
    for message_id, raw in acked.items():
        stored = target.s3.get_object(Bucket="inbox", Key=f"in/{message_id}")["Body"].read()
        assert stored.endswith(raw), message_id  # SES's headers first, then the message byte for byte

    # the lab keeps serving: both SMTP servers and the HTTP API answer after the load
    assert target.ses.get_send_quota()["Max24HourSend"] > 0
    for address in (info.inbound_smtp, info.smtp):
        assert address
        host, _, port = address.rpartition(":")
        with smtplib.SMTP(host, int(port), timeout=TIMEOUT) as client:
            assert client.noop()[0] == 250


class _Clock:
    """Moves the (frozen) lab clock one second whenever a send is refused for the rate: no sleeping."""

    def __init__(self, target: sesbook.Target) -> None:
        self.target = target
        self.lock = threading.Lock()
        self.advanced = 0

    def tick(self) -> None:
        with self.lock:
            assert self.target.lab is not None
            self.target.lab.advance_clock(1)
            self.advanced += 1


def _smtp_send(target: sesbook.Target, creds: Any, clock: _Clock, tokens: list[str]) -> list[tuple[str, str]]:
    """Send ``tokens`` in one SMTP session; return (token, message id) for each accepted one."""
    assert target.lab is not None and target.lab.smtp
    host, _, port = target.lab.smtp.rpartition(":")
    accepted = []
    with smtplib.SMTP(host, int(port), timeout=TIMEOUT) as client:
        client.starttls(context=tls.client_context())
        client.login(creds.username, creds.password)
        for token in tokens:
            raw = (f"From: shop@example.com\r\nTo: ann@example.com\r\nSubject: {token}\r\n\r\n{token}\r\n").encode()
            while True:
                client.mail("shop@example.com")
                client.rcpt("ann@example.com")
                code, text = client.data(raw)
                if code == 454:
                    clock.tick()
                    continue
                assert code == 250, (code, text)
                accepted.append((token, text.decode().split()[1]))
                break
    return accepted


def _api_send(target: sesbook.Target, clock: _Clock, tokens: list[str]) -> list[tuple[str, str]]:
    assert target.lab is not None
    client = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106 - lab
                           region_name=target.region).client("sesv2", endpoint_url=target.lab.aws_endpoint)
    accepted = []
    for token in tokens:
        while True:
            try:
                answer = client.send_email(FromEmailAddress="shop@example.com",
                                           Destination={"ToAddresses": ["ann@example.com"]},
                                           Content={"Simple": {"Subject": {"Data": token},
                                                               "Body": {"Text": {"Data": token}}}})
            except ClientError as exc:
                assert exc.response["Error"]["Code"] == "TooManyRequestsException", exc.response
                clock.tick()
                continue
            accepted.append((token, answer["MessageId"]))
            break
    return accepted


def test_sending_load_counts_each_accepted_message_once(lab: Lab) -> None:
    lab.reset()
    target = sesbook.connect("lab")
    assert target.lab is not None
    verify_domain_now(target, "example.com")
    sesbook.set_lab_review(target, outcome="GRANTED")  # production: the default 14/s and 50,000 a day
    sesbook.request_production_access(target, mail_type="TRANSACTIONAL", website_url="https://example.com",
                                      use_case="Order confirmations to customers who bought something. " * 2)
    target.lab.advance_clock(3600)
    assert sesbook.account_status(target).production
    target.lab.freeze_clock()
    target.iam.create_user(UserName="smtp-user")
    key = target.iam.create_access_key(UserName="smtp-user")["AccessKey"]
    creds = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], target.region)
    clock = _Clock(target)
    before = target.ses.get_send_quota()["SentLast24Hours"]

    half = SENDS // 2
    smtp_batches = [[f"smtp-{i:05d}" for i in range(half) if i % (CLIENTS // 2) == c] for c in range(CLIENTS // 2)]
    api_batches = [[f"api-{i:05d}" for i in range(SENDS - half) if i % (CLIENTS // 2) == c]
                   for c in range(CLIENTS // 2)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(_smtp_send, target, creds, clock, b) for b in smtp_batches]
        futures += [pool.submit(_api_send, target, clock, b) for b in api_batches]
        accepted = [item for f in futures for item in f.result()]

    assert len(accepted) == SENDS and len({token for token, _ in accepted}) == SENDS
    box = target.lab.request("GET", "/_aws/ses")["messages"]
    by_id: dict[str, list[Any]] = {}
    for message in box:
        by_id.setdefault(message["Id"], []).append(message)
    for token, message_id in accepted:
        found = by_id.get(message_id, [])
        assert len(found) == 1, (token, message_id, len(found))  # in the mailbox exactly once
        subject = found[0].get("Subject") or BytesParser().parsebytes(found[0]["RawData"].encode())["Subject"]
        assert subject == token
    assert target.ses.get_send_quota()["SentLast24Hours"] - before == SENDS  # counted once each
    assert clock.advanced >= SENDS // 14 - 1  # the rate was really enforced (14/s on a frozen clock)
