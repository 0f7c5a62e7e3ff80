"""The lab's SES account, over the wire: sandbox rules on every send path, quotas, the access review."""

from __future__ import annotations

import inspect
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sesbook
from sesbook.lab import registry

UNVERIFIED = "someone@elsewhere.example.net"
SENDER = "sender@example.com"

pytestmark = pytest.mark.lab


@pytest.fixture
def t(target: sesbook.Target) -> sesbook.Target:
    """A fresh lab with example.com verified (the sender's domain) and a template for templated sends.

    The lab clock is frozen once the sender is verified, so rate and window tests depend only on
    ``advance_clock`` and never on how fast this machine runs."""
    sesbook.ensure_verified_sender(target, domain="example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    target.ses.create_template(Template={"TemplateName": "hello", "SubjectPart": "Hi {{name}}", "TextPart": "Hi"})
    return target


def _raw(to: list[str]) -> bytes:
    return (f"From: {SENDER}\r\nTo: {', '.join(to)}\r\nSubject: hi\r\n\r\nhello\r\n").encode()


def _v1_send(t: sesbook.Target, to: list[str]) -> Any:
    return t.ses.send_email(Source=SENDER, Destination={"ToAddresses": to},
                            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})


def _v1_raw(t: sesbook.Target, to: list[str]) -> Any:
    return t.ses.send_raw_email(Source=SENDER, Destinations=to, RawMessage={"Data": _raw(to)})


def _v1_raw_headers_only(t: sesbook.Target, to: list[str]) -> Any:
    return t.ses.send_raw_email(RawMessage={"Data": _raw(to)})


def _v1_templated(t: sesbook.Target, to: list[str]) -> Any:
    return t.ses.send_templated_email(Source=SENDER, Destination={"ToAddresses": to}, Template="hello",
                                      TemplateData='{"name": "x"}')


def _v1_bulk(t: sesbook.Target, to: list[str]) -> Any:
    return t.ses.send_bulk_templated_email(
        Source=SENDER, Template="hello", DefaultTemplateData='{"name": "x"}',
        Destinations=[{"Destination": {"ToAddresses": [a]}} for a in to],
    )


def _v2_simple(t: sesbook.Target, to: list[str]) -> Any:
    return t.sesv2.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": to},
                              Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})


def _v2_raw(t: sesbook.Target, to: list[str]) -> Any:
    return t.sesv2.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": to},
                              Content={"Raw": {"Data": _raw(to)}})


def _v2_template(t: sesbook.Target, to: list[str]) -> Any:
    return t.sesv2.send_email(FromEmailAddress=SENDER, Destination={"ToAddresses": to},
                              Content={"Template": {"TemplateName": "hello", "TemplateData": '{"name": "x"}'}})


V1_PATHS = [_v1_send, _v1_raw, _v1_raw_headers_only, _v1_templated, _v1_bulk]
V2_PATHS = [_v2_simple, _v2_raw, _v2_template]
PATHS = V1_PATHS + V2_PATHS
Send = Callable[[sesbook.Target, list[str]], Any]


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call()
    return {**info.value.response["Error"], "status": info.value.response["ResponseMetadata"]["HTTPStatusCode"]}


def _sent(t: sesbook.Target) -> float:
    return float(t.ses.get_send_quota()["SentLast24Hours"])


# -- recipients in the sandbox --------------------------------------------------------------------------------
@pytest.mark.parametrize("send", PATHS, ids=lambda f: f.__name__)
def test_unverified_recipient_is_rejected_on_every_path(t: sesbook.Target, send: Send) -> None:
    error = _error(lambda: send(t, [UNVERIFIED]))
    assert error["Code"] == "MessageRejected"
    assert error["Message"] == (
        "Email address is not verified. The following identities failed the check in region US-EAST-1: "
        + UNVERIFIED
    )
    assert _sent(t) == 0


@pytest.mark.parametrize("send", PATHS, ids=lambda f: f.__name__)
def test_verified_recipient_counts_once_and_simulator_not_at_all(t: sesbook.Target, send: Send) -> None:
    send(t, ["someone@example.com"])
    assert _sent(t) == 1  # counted once, not by both the v2 response and the v1 backend
    t.lab.advance_clock(1)
    send(t, ["success+label@simulator.amazonses.com"])
    assert _sent(t) == 1


def test_unverified_sender_is_named_even_in_production(t: sesbook.Target) -> None:
    error = _error(lambda: t.ses.send_email(
        Source="me@unverified.example.org", Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}))
    assert error["Message"].endswith("region US-EAST-1: me@unverified.example.org")


def test_simulator_domain_needs_a_simulator_mailbox(t: sesbook.Target) -> None:
    error = _error(lambda: _v1_send(t, ["nobody@simulator.amazonses.com"]))
    assert error["Code"] == "MessageRejected"


# -- the daily quota, rolling ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("send", "code"), [(_v1_send, "Throttling"), (_v2_simple, "TooManyRequestsException")],
                         ids=["v1", "v2"])
def test_daily_quota_is_a_rolling_24_hour_window(t: sesbook.Target, send: Send, code: str) -> None:
    batch = [f"r{i}@example.com" for i in range(50)]
    send(t, batch)  # t0: 50
    t.lab.advance_clock(12 * 3600)
    for _ in range(3):  # t0 + 12 h: 150 more, 50 s apart so the 1/s rate allows each batch of 50
        send(t, batch)
        t.lab.advance_clock(50)
    assert _sent(t) == 200
    error = _error(lambda: send(t, ["one@example.com"]))
    assert (error["Code"], error["Message"]) == (code, "Daily message quota exceeded.")
    send(t, ["bounce@simulator.amazonses.com"])  # the simulator does not use the quota
    t.lab.advance_clock(12 * 3600)  # the first batch leaves the window
    assert _sent(t) == 150
    send(t, ["one@example.com"])
    assert _sent(t) == 151


# -- the rate ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("send", "code", "status"), [(_v1_send, "Throttling", 400),
                                                      (_v2_simple, "TooManyRequestsException", 429)], ids=["v1", "v2"])
def test_second_send_in_the_same_second_is_throttled(t: sesbook.Target, send: Send, code: str, status: int) -> None:
    send(t, ["success@simulator.amazonses.com"])
    error = _error(lambda: send(t, ["success@simulator.amazonses.com"]))
    assert (error["Code"], error["Message"], error["status"]) == (code, "Maximum sending rate exceeded.", status)
    t.lab.advance_clock(1)
    send(t, ["success@simulator.amazonses.com"])


def test_many_recipients_borrow_from_the_next_seconds(t: sesbook.Target) -> None:
    _v1_send(t, ["a@example.com", "b@example.com", "c@example.com"])
    t.lab.advance_clock(2)
    assert _error(lambda: _v1_send(t, ["a@example.com"]))["Message"] == "Maximum sending rate exceeded."
    t.lab.advance_clock(1)
    _v1_send(t, ["a@example.com"])


# -- sending on and off ---------------------------------------------------------------------------------------------
def test_sending_disabled_refuses_every_send(t: sesbook.Target) -> None:
    assert t.ses.get_account_sending_enabled()["Enabled"] is True
    t.ses.update_account_sending_enabled(Enabled=False)
    assert t.ses.get_account_sending_enabled()["Enabled"] is False
    assert t.sesv2.get_account()["SendingEnabled"] is False
    assert _error(lambda: _v1_send(t, ["a@example.com"]))["Code"] == "AccountSendingPausedException"
    assert _error(lambda: _v2_simple(t, ["a@example.com"]))["Code"] == "SendingPausedException"
    t.sesv2.put_account_sending_attributes(SendingEnabled=True)
    assert t.ses.get_account_sending_enabled()["Enabled"] is True
    _v1_send(t, ["a@example.com"])


# -- GetAccount and GetSendQuota --------------------------------------------------------------------------------------
def test_get_account_in_the_sandbox_and_get_send_quota_agree(t: sesbook.Target) -> None:
    _v1_send(t, ["a@example.com", "b@example.com"])
    account = t.sesv2.get_account()
    assert account["ProductionAccessEnabled"] is False
    assert account["EnforcementStatus"] == "HEALTHY"
    assert "Details" not in account
    quota = t.ses.get_send_quota()
    assert account["SendQuota"] == {k: quota[k] for k in ("Max24HourSend", "MaxSendRate", "SentLast24Hours")}
    assert account["SendQuota"] == {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 2.0}


# -- the production access request ---------------------------------------------------------------------------
GOOD = {"MailType": "TRANSACTIONAL", "WebsiteURL": "https://example.com", "UseCaseDescription": "Receipts.",
        "ProductionAccessEnabled": True}


@pytest.mark.parametrize(("change", "words"), [
    ({"MailType": "NEWSLETTER"}, "MailType 'NEWSLETTER' is not valid: use MARKETING or TRANSACTIONAL."),
    ({"WebsiteURL": "https://example.com/" + "a" * 1000}, "at most 1000 characters"),
    ({"ContactLanguage": "FR"}, "ContactLanguage 'FR' is not valid: use EN or JA."),
    ({"UseCaseDescription": "x" * 5001}, "UseCaseDescription must be text of at most 5000 characters."),
    ({"AdditionalContactEmailAddresses": [f"ops{i}@example.com" for i in range(5)]},
     "AdditionalContactEmailAddresses has 5 items: give 1 to 4 addresses."),
    ({"AdditionalContactEmailAddresses": ["x" * 250 + "@example.com"]}, "6 to 254 characters"),
    ({"AdditionalContactEmailAddresses": ["not-an-address"]}, "item 'not-an-address' is not valid"),
], ids=["mail-type", "url-long", "language", "use-case", "contacts-5", "contact-long",
        "contact-not-email"])
def test_put_account_details_validates_like_ses(t: sesbook.Target, change: dict[str, Any], words: str) -> None:
    error = _error(lambda: t.sesv2.put_account_details(**{**GOOD, **change}))
    assert (error["Code"], error["status"]) == ("BadRequestException", 400)
    assert words in error["Message"]
    assert "Details" not in t.sesv2.get_account()  # nothing half-written


@pytest.mark.parametrize("change", [
    {"WebsiteURL": "example.com"},  # no scheme: RFC 3986's generic pattern, as the model has it
    {"WebsiteURL": "www.example.com/shop?x=1#top"},
    {"AdditionalContactEmailAddresses": ["ab@c.d", "ops@localhost"]},  # 6 characters; no dot needed
], ids=["url-no-scheme", "url-path", "contacts-short-ok"])
def test_put_account_details_accepts_what_the_model_allows(t: sesbook.Target, change: dict[str, Any]) -> None:
    t.sesv2.put_account_details(**{**GOOD, **change})
    details = t.sesv2.get_account()["Details"]
    assert all(details[k] == v for k, v in change.items())


def _put_by_hand(t: sesbook.Target, body: dict[str, Any]) -> tuple[int, str]:
    """PutAccountDetails without botocore, which would check required members and minimum lengths itself."""
    request = urllib.request.Request(
        t.lab.aws_endpoint + "/v2/email/account/details", data=json.dumps(body).encode(),
        method="POST", headers={"Content-Type": "application/json", "Authorization":
                                "AWS4-HMAC-SHA256 Credential=testing/20261128/us-east-1/ses/aws4_request"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    return info.value.code, info.value.headers.get("x-amzn-errortype", "") + info.value.read().decode()


@pytest.mark.parametrize(("body", "words"), [
    ({"MailType": "MARKETING"}, "WebsiteURL is required"),
    ({"WebsiteURL": "https://example.com"}, "MailType None is not valid"),
    ({**GOOD, "AdditionalContactEmailAddresses": []}, "has 0 items: give 1 to 4 addresses."),
    ({**GOOD, "AdditionalContactEmailAddresses": ["a@b.c"]},
     "item 'a@b.c' is not valid: each must be an email address (name@domain) of 6 to 254 characters."),
], ids=["no-url", "no-mail-type", "contacts-0", "contact-short"])
def test_put_account_details_checks_what_botocore_would_catch_first(
    t: sesbook.Target, body: dict[str, Any], words: str
) -> None:
    status, text = _put_by_hand(t, body)
    assert status == 400
    assert "BadRequestException" in text
    assert words in text


def test_review_goes_pending_then_granted_and_the_sandbox_lifts(t: sesbook.Target) -> None:
    t.sesv2.put_account_details(**GOOD)
    details = t.sesv2.get_account()["Details"]
    assert details["ReviewDetails"]["Status"] == "PENDING"
    assert details["ReviewDetails"]["CaseId"].isdigit() and len(details["ReviewDetails"]["CaseId"]) == 10
    assert details["MailType"] == "TRANSACTIONAL" and details["ContactLanguage"] == "EN"
    assert _error(lambda: t.sesv2.put_account_details(**GOOD))["Code"] == "ConflictException"
    t.lab.advance_clock(59)
    assert t.sesv2.get_account()["Details"]["ReviewDetails"]["Status"] == "PENDING"
    assert _error(lambda: _v1_send(t, [UNVERIFIED]))["Code"] == "MessageRejected"
    t.lab.advance_clock(1)
    account = t.sesv2.get_account()
    assert account["Details"]["ReviewDetails"]["Status"] == "GRANTED"
    assert account["ProductionAccessEnabled"] is True
    assert account["SendQuota"]["Max24HourSend"] == 50000.0 and account["SendQuota"]["MaxSendRate"] == 14.0
    assert t.ses.get_send_quota()["Max24HourSend"] == 50000.0
    for send in (_v1_send, _v2_simple, _v1_raw):
        send(t, [UNVERIFIED])  # 3 sends in the same second: fine at 14/s
    assert _sent(t) == 3


def test_review_can_be_denied_once_then_granted(t: sesbook.Target) -> None:
    settings = t.lab.request("POST", "/_sesbook/account/review", {"outcome": "DENIED", "delay_seconds": 10})
    assert settings["next_outcome"] == "DENIED" and settings["delay_seconds"] == 10
    t.sesv2.put_account_details(**GOOD)
    t.lab.advance_clock(10)
    account = t.sesv2.get_account()
    assert account["Details"]["ReviewDetails"]["Status"] == "DENIED"
    assert account["ProductionAccessEnabled"] is False
    assert account["SendQuota"]["Max24HourSend"] == 200.0
    t.sesv2.put_account_details(**GOOD)  # a new request after a denial gets a new review, granted this time
    t.lab.advance_clock(10)
    assert t.sesv2.get_account()["Details"]["ReviewDetails"]["Status"] == "GRANTED"


def test_granted_quotas_are_configurable(t: sesbook.Target) -> None:
    t.lab.request("POST", "/_sesbook/account/review",
                  {"granted_max_24_hour_send": 1000, "granted_max_send_rate": 5, "delay_seconds": 0})
    t.sesv2.put_account_details(**GOOD)
    assert t.sesv2.get_account()["SendQuota"] == {"Max24HourSend": 1000.0, "MaxSendRate": 5.0,
                                                  "SentLast24Hours": 0.0}


def test_review_settings_reject_nonsense(t: sesbook.Target) -> None:
    with pytest.raises(sesbook.LabError, match="outcome 'MAYBE'"):
        t.lab.request("POST", "/_sesbook/account/review", {"outcome": "MAYBE"})


def test_reset_clears_the_account(t: sesbook.Target, lab: Any) -> None:
    t.lab.request("POST", "/_sesbook/account/review", {"delay_seconds": 0, "outcome": "GRANTED"})
    t.sesv2.put_account_details(**GOOD)
    t.ses.update_account_sending_enabled(Enabled=False)
    assert t.sesv2.get_account()["ProductionAccessEnabled"] is True
    lab.reset()
    account = t.sesv2.get_account()
    assert account["ProductionAccessEnabled"] is False and account["SendingEnabled"] is True
    assert "Details" not in account
    assert t.lab.request("GET", "/_sesbook/account/review")["delay_seconds"] == 60


# -- the moto patches themselves ---------------------------------------------------------------------------------------
#: What the send pipeline's accept stage passes to moto's own send methods (by position, in this order).
ACCEPT_CALLS = {
    "send_email": ("source", "subject", "body", "destinations"),
    "send_templated_email": ("source", "template", "template_data", "destinations"),
    "send_bulk_templated_email": ("source", "template", "template_data", "destinations"),
    "send_raw_email": ("source", "destinations", "raw_data"),
}


@pytest.mark.parametrize("name", sorted(ACCEPT_CALLS))
def test_moto_send_methods_still_take_what_the_pipeline_passes(lab: Any, name: str) -> None:
    from moto.ses.models import SESBackend

    params = list(inspect.signature(getattr(SESBackend, name)).parameters)
    assert params[1:] == list(ACCEPT_CALLS[name])


def test_get_send_quota_is_the_accounts(lab: Any) -> None:
    assert registry.patched("moto.ses.models.SESBackend", "get_send_quota")


@pytest.mark.parametrize(("owner", "name"), [
    ("moto.sesv2.responses.SESV2Response", "send_email"),
    ("moto.sesv2.responses.SESV2Response", "get_account"),
    ("moto.sesv2.responses.SESV2Response", "put_account_details"),
    ("moto.sesv2.responses.SESV2Response", "put_account_sending_attributes"),
    ("moto.ses.responses.EmailResponse", "get_account_sending_enabled"),
    ("moto.ses.responses.EmailResponse", "update_account_sending_enabled"),
])
def test_actions_are_installed(lab: Any, owner: str, name: str) -> None:
    assert registry.patched(owner, name)
