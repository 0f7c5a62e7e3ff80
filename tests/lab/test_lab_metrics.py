"""The lab's sending metrics over the wire: AWS/SES CloudWatch metrics, GetSendStatistics, reputation rates and
enforcement, paused sending, and the control API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sesbook
from sesbook.errors import LabError
from sesbook.lab.ses.metrics import state as metrics_state

from helpers import freeze_at_quarter_hour

MESSAGE = {"Subject": {"Data": "hello"}, "Body": {"Text": {"Data": "hi"}}}


def send_v1(target: Any, to: str, **extra: Any) -> None:
    target.lab.advance_clock(1)  # the sandbox's 1 message per second
    target.ses.send_email(Source="sender@example.com", Destination={"ToAddresses": [to]}, Message=MESSAGE, **extra)


def lab_now(target: Any) -> datetime:
    return datetime.fromisoformat(target.lab.request("GET", "/_sesbook/clock")["now"])


def cw_sum(target: Any, metric: str, dimensions: list[dict[str, str]] | None = None) -> float:
    now = lab_now(target)
    answer = target.cloudwatch.get_metric_statistics(
        Namespace="AWS/SES", MetricName=metric, Dimensions=dimensions or [], StartTime=now - timedelta(days=1),
        EndTime=now + timedelta(minutes=1), Period=86400 + 60, Statistics=["Sum"])
    return sum(p["Sum"] for p in answer["Datapoints"])


def cw_data(target: Any, metric: str, stat: str, period: int = 60) -> list[float]:
    now = lab_now(target)
    answer = target.cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "q", "MetricStat": {"Metric": {"Namespace": "AWS/SES", "MetricName": metric},
                                                      "Period": period, "Stat": stat}}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(minutes=1), ScanBy="TimestampAscending")
    return list(answer["MetricDataResults"][0]["Values"])


@pytest.fixture
def mixed(sender: sesbook.Target) -> sesbook.Target:
    """A known mix: 3 sends to a verified address (one with configuration set 'news'), 2 to the simulator,
    1 refused for an unverified recipient (an error answer: not a send, and not a Reject either). The feedback
    stages count 4 deliveries (a, b, c and success@) and bounce@'s hard bounce (in the metrics, not in the
    reputation rates: simulator mail)."""
    freeze_at_quarter_hour(sender)
    sender.ses.create_configuration_set(ConfigurationSet={"Name": "news"})  # SES refuses a send to a set that is not
    send_v1(sender, "a@example.net")
    send_v1(sender, "b@example.net", ConfigurationSetName="news")
    send_v1(sender, "c@example.net")
    send_v1(sender, "success@simulator.amazonses.com")
    send_v1(sender, "bounce@simulator.amazonses.com", ConfigurationSetName="news")
    with pytest.raises(ClientError) as refused:
        send_v1(sender, "someone@elsewhere.org")
    assert refused.value.response["Error"]["Code"] == "MessageRejected"
    return sender


def test_cloudwatch_counts_what_was_sent(mixed: sesbook.Target) -> None:
    assert cw_sum(mixed, "Send") == 5
    assert cw_sum(mixed, "Reject") == 0  # the refused call is not a Reject: SES's Reject is an accepted virus
    assert cw_sum(mixed, "Delivery") == 4
    assert cw_sum(mixed, "Bounce") == 1


def test_configuration_set_metrics_carry_its_dimension_and_never_add_to_the_account_metric(
        mixed: sesbook.Target) -> None:
    news = [{"Name": "ses:configuration-set", "Value": "news"}]
    assert cw_sum(mixed, "Send", news) == 2
    assert cw_sum(mixed, "Send") == 5  # the account-level query reads the dimensionless metric only
    assert cw_data(mixed, "Send", "Sum", period=3600) == [5.0]


def test_send_statistics_have_one_point_per_15_minutes(mixed: sesbook.Target) -> None:
    points = mixed.ses.get_send_statistics()["SendDataPoints"]
    assert len(points) == 1
    point = points[0]
    assert (point["DeliveryAttempts"], point["Bounces"], point["Complaints"], point["Rejects"]) == (5, 1, 0, 0)
    stamp = point["Timestamp"].astimezone(UTC)
    assert stamp.minute % 15 == 0 and stamp.second == 0
    assert timedelta(0) <= lab_now(mixed) - stamp < timedelta(minutes=15)


def test_send_statistics_keep_two_weeks(sender: sesbook.Target) -> None:
    freeze_at_quarter_hour(sender)
    send_v1(sender, "a@example.net")
    sender.lab.advance_clock(15 * 60)
    send_v1(sender, "a@example.net")
    assert [p["DeliveryAttempts"] for p in sender.ses.get_send_statistics()["SendDataPoints"]] == [1, 1]
    sender.lab.advance_clock(14 * 86400)  # the first 15 minutes have ended two weeks ago, the second not
    assert [p["DeliveryAttempts"] for p in sender.ses.get_send_statistics()["SendDataPoints"]] == [1]


def test_simulator_mail_does_not_move_the_reputation_rates(mixed: sesbook.Target) -> None:
    answer = mixed.lab.request("GET", "/_sesbook/reputation")
    assert (answer["sends"], answer["bounces"]) == (3, 0)  # the 2 simulator sends are not eligible
    answer = mixed.lab.request("GET", "/_sesbook/reputation")  # bounce@simulator has bounced by now
    assert (answer["bounce_rate"], answer["enforcement_status"]) == (0.0, "HEALTHY")
    assert cw_sum(mixed, "Bounce") == 1  # still a Bounce in the metrics


def test_rates_are_bounces_and_complaints_over_eligible_sends(mixed: sesbook.Target) -> None:
    sesbook.record_lab_event(mixed, "Complaint")
    answer = mixed.lab.request("GET", "/_sesbook/reputation")
    assert answer["complaint_rate"] == pytest.approx(1 / 3)
    assert cw_data(mixed, "Reputation.ComplaintRate", "Maximum")[-1] == pytest.approx(1 / 3)
    assert answer["enforcement_status"] == "HEALTHY"  # 33 % complaints, but 3 sends are too few to judge on
    sesbook.record_lab_event(mixed, "Send", count=97)  # 100 eligible sends: 1 % complaints, above the 0.5 % pause
    assert mixed.lab.request("GET", "/_sesbook/reputation")["enforcement_status"] == "SHUTDOWN"


@pytest.mark.parametrize(("sends", "bounces", "complaints", "status"), [
    (0, 0, 0, "HEALTHY"),
    (1000, 49, 0, "HEALTHY"),
    (1000, 50, 0, "PROBATION"),  # 5 %: at the review threshold
    (1000, 99, 0, "PROBATION"),
    (1000, 100, 0, "SHUTDOWN"),  # 10 %: at the pause threshold
    (1000, 0, 1, "PROBATION"),  # 0.1 %
    (1000, 0, 4, "PROBATION"),
    (1000, 0, 5, "SHUTDOWN"),  # 0.5 %
    (10000, 9, 0, "HEALTHY"),
])
def test_enforcement_follows_ses_thresholds(target: sesbook.Target, sends: int, bounces: int, complaints: int,
                                            status: str) -> None:
    answer = sesbook.set_lab_reputation(target, sends=sends, bounces=bounces, complaints=complaints)
    assert answer["enforcement_status"] == status
    account = target.sesv2.get_account()
    assert account["EnforcementStatus"] == status
    assert account["SendingEnabled"] is (status != "SHUTDOWN")
    assert cw_data(target, "Reputation.BounceRate", "Maximum")[-1] == pytest.approx(bounces / sends if sends else 0)


def test_review_ends_when_the_rates_recover(target: sesbook.Target) -> None:
    sesbook.set_lab_reputation(target, sends=1000, bounces=60)
    assert target.sesv2.get_account()["EnforcementStatus"] == "PROBATION"
    sesbook.record_lab_event(target, "Send", count=1000)  # 60 / 2000 = 3 %
    assert target.sesv2.get_account()["EnforcementStatus"] == "HEALTHY"


def test_rates_use_the_most_recent_representative_volume(target: sesbook.Target,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_state, "REPRESENTATIVE_VOLUME", 10)
    target.lab.freeze_clock()
    sesbook.record_lab_event(target, "Send", count=10)
    sesbook.record_lab_event(target, "Bounce")
    assert target.lab.request("GET", "/_sesbook/reputation")["bounce_rate"] == pytest.approx(0.1)
    target.lab.advance_clock(60)
    sesbook.record_lab_event(target, "Send", count=10)  # the older ten (and their bounce) fall out
    answer = target.lab.request("GET", "/_sesbook/reputation")
    assert (answer["sends"], answer["bounces"], answer["bounce_rate"]) == (10, 0, 0.0)


def test_paused_account_refuses_sends_on_v1_and_v2(sender: sesbook.Target) -> None:
    sesbook.set_lab_reputation(sender, sends=100, bounces=10)
    with pytest.raises(ClientError) as v1:
        send_v1(sender, "a@example.net")
    assert v1.value.response["Error"]["Code"] == "AccountSendingPausedException"
    assert v1.value.response["Error"]["Message"] == "Email sending is disabled for your entire Amazon SES account."
    with pytest.raises(ClientError) as v2:
        sender.sesv2.send_email(FromEmailAddress="sender@example.com", Destination={"ToAddresses": ["a@example.net"]},
                                Content={"Simple": MESSAGE})
    assert v2.value.response["Error"]["Code"] == "SendingPausedException"
    assert "currently paused" in v2.value.response["Error"]["Message"]
    assert sender.ses.get_account_sending_enabled()["Enabled"] is False


def test_owner_cannot_resume_a_pause_ses_made(target: sesbook.Target) -> None:
    sesbook.set_lab_reputation(target, sends=100, complaints=1)
    with pytest.raises(ClientError) as v2:
        target.sesv2.put_account_sending_attributes(SendingEnabled=True)
    assert v2.value.response["Error"]["Code"] == "BadRequestException"
    assert "support case" in v2.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as v1:
        target.ses.update_account_sending_enabled(Enabled=True)
    assert v1.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert target.sesv2.get_account()["EnforcementStatus"] == "SHUTDOWN"


def test_reset_lifts_the_pause(sender: sesbook.Target) -> None:
    sesbook.set_lab_reputation(sender, sends=100, bounces=50)
    answer = sesbook.reset_lab_reputation(sender)
    assert (answer["enforcement_status"], answer["sending_enabled"], answer["sends"]) == ("HEALTHY", True, 0)
    send_v1(sender, "a@example.net")
    assert sender.sesv2.get_account()["EnforcementStatus"] == "HEALTHY"


def test_a_pause_stays_until_reset(target: sesbook.Target) -> None:
    sesbook.set_lab_reputation(target, sends=100, bounces=20)
    sesbook.set_lab_reputation(target, sends=100, bounces=0)
    assert target.sesv2.get_account()["EnforcementStatus"] == "SHUTDOWN"


@pytest.mark.parametrize(("path", "body", "words"), [
    ("/_sesbook/reputation", {"sends": -1}, "whole number from 0"),
    ("/_sesbook/reputation", {"sends": 1.5}, "whole number from 0"),
    ("/_sesbook/reputation", {"sends": "10"}, "must be a JSON number"),
    ("/_sesbook/reputation", {"sends": True}, "must be a JSON number"),
    ("/_sesbook/reputation", {"sends": 1e300}, "whole number from 0"),
    ("/_sesbook/reputation", {"bounces": 1}, "sends is required"),
    ("/_sesbook/reputation", {"sends": 1, "bounces": 2}, "cannot be more than sends"),
    ("/_sesbook/reputation", {"sends": 1, "nope": 2}, "unknown field(s) nope"),
    ("/_sesbook/reputation", {"reset": "yes"}, "reset must be JSON true"),
    ("/_sesbook/reputation", {"sends": 1, "region": "xx-nowhere-1"}, "not a region where SES runs"),
    ("/_sesbook/reputation", [1, 2], "must be a JSON object"),
    ("/_sesbook/metrics/event", {"metric": "Bounced"}, "is not an SES metric"),
    ("/_sesbook/metrics/event", {"metric": "Bounce", "count": -2}, "whole number from 0"),
    ("/_sesbook/metrics/event", {"metric": "Bounce", "reputation": "false"}, "reputation must be JSON true"),
    ("/_sesbook/metrics/event", {"metric": "Bounce", "configuration_set": 3}, "configuration_set must be a name"),
])
def test_control_api_refuses_bad_bodies(target: sesbook.Target, path: str, body: Any, words: str) -> None:
    with pytest.raises(LabError) as refused:
        target.lab.request("POST", path, body)
    assert "HTTP 400" in str(refused.value)
    assert words in str(refused.value)
    assert target.sesv2.get_account()["EnforcementStatus"] == "HEALTHY"


def test_control_api_refuses_json_infinity(target: sesbook.Target) -> None:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(target.lab.aws_endpoint + "/_sesbook/reputation", data=b'{"sends": Infinity}',
                                 method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=5)  # noqa: S310 - the loopback lab
    assert refused.value.code == 400
    assert b"whole number from 0" in refused.value.read()


def test_open_and_click_tracking(sender: sesbook.Target) -> None:
    import urllib.request

    sender.sesv2.create_configuration_set(ConfigurationSetName="tracked",
                                          TrackingOptions={"CustomRedirectDomain": "track.example.com"})
    html = '<html><body><p><a href="https://example.com/offer?a=1&amp;b=2">offer</a></p></body></html>'
    sender.sesv2.send_email(FromEmailAddress="sender@example.com", Destination={"ToAddresses": ["a@example.net"]},
                            ConfigurationSetName="tracked", Content={"Simple": {
                                "Subject": {"Data": "news"}, "Body": {"Html": {"Data": html}}}})
    kept = sender.lab.request("GET", "/_aws/ses")["messages"][-1]["Body"]["html_part"]
    assert "https://example.com/offer" not in kept
    click = kept.split('href="')[1].split('"')[0].replace("&amp;", "&")
    pixel = kept.split('<img src="')[1].split('"')[0]
    assert click.startswith(sender.lab.aws_endpoint + "/_sesbook/track/click/")
    with urllib.request.urlopen(pixel, timeout=5) as answer:  # noqa: S310 - the loopback lab
        assert answer.read().startswith(b"GIF89a")
    with urllib.request.urlopen(click, timeout=5) as answer:  # noqa: S310
        assert b'url=https://example.com/offer?a=1&amp;b=2"' in answer.read()
    tracked = [{"Name": "ses:configuration-set", "Value": "tracked"}]
    assert (cw_sum(sender, "Open", tracked), cw_sum(sender, "Click", tracked)) == (1, 1)
    assert (cw_sum(sender, "Open"), cw_sum(sender, "Click")) == (1, 1)


def test_mail_without_tracking_is_left_alone(sender: sesbook.Target) -> None:
    html = '<p><a href="https://example.com/">home</a></p>'
    sender.sesv2.send_email(FromEmailAddress="sender@example.com", Destination={"ToAddresses": ["a@example.net"]},
                            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Html": {"Data": html}}}})
    assert sender.lab.request("GET", "/_aws/ses")["messages"][-1]["Body"]["html_part"] == html


# -- real sends drive the rates and enforcement ---------------------------------------------------------------
def script(target: Any, address: str, outcome: str) -> None:
    """Tell the lab what becomes of mail to ``address`` (``/_sesbook/feedback/outcomes``)."""
    target.lab.request("POST", "/_sesbook/feedback/outcomes", {"address": address, "outcome": outcome})


def reputation(target: Any) -> tuple[int, int, int, str]:
    answer = target.lab.request("GET", "/_sesbook/reputation")
    status = target.sesv2.get_account()["EnforcementStatus"]
    assert answer["enforcement_status"] == status
    return answer["sends"], answer["bounces"], answer["complaints"], status


def latest_rate(target: Any, metric: str) -> float:
    """The last minute's largest ``metric`` over GetMetricData (the rates only rise in these tests' last minute)."""
    return cw_data(target, metric, "Maximum")[-1]


def smtp_send(target: Any, to: str) -> None:
    """One message through the lab's SMTP interface (STARTTLS, AUTH with an IAM user's SMTP password)."""
    import smtplib

    from sesbook.lab.smtp import tls
    from sesbook.smtp import smtp_credentials

    target.iam.create_user(UserName="smtp-user")
    key = target.iam.create_access_key(UserName="smtp-user")["AccessKey"]
    creds = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], target.region)
    host, _, port = target.lab.smtp.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.starttls(context=tls.client_context())
        client.login(creds.username, creds.password)
        client.sendmail("sender@example.com", [to], (f"From: sender@example.com\r\nTo: {to}\r\nSubject: s\r\n"
                                                      "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhi\r\n"))


def test_real_sends_move_the_rates_and_the_account_under_review_then_paused(sender: sesbook.Target) -> None:
    """102 sends over the API to ordinary (non-simulator) addresses, with scripted hard bounces and one complaint:
    the rates over GetMetricData and GetAccount's EnforcementStatus follow SES's thresholds (review 5 % / 0.1 %,
    pause 10 % / 0.5 %), and once paused, v1, v2 and SMTP sends are refused."""
    freeze_at_quarter_hour(sender)
    addresses = [f"r{i:03d}@example.net" for i in range(102)]
    for address in addresses[91:101]:  # 10 hard bounces: the 92nd to the 101st message
        script(sender, address, "bounce")
    script(sender, addresses[101], "complaint")
    for address in addresses[:99]:
        send_v1(sender, address)
    assert reputation(sender) == (99, 8, 0, "HEALTHY")  # 8 % bounces, but under 100 eligible sends: not judged
    send_v1(sender, addresses[99])
    assert reputation(sender) == (100, 9, 0, "PROBATION")  # 9 %: at or above the 5 % review threshold
    assert sender.sesv2.get_account()["SendingEnabled"] is True  # under review, sending still works
    assert latest_rate(sender, "Reputation.BounceRate") == pytest.approx(0.09)
    assert latest_rate(sender, "Reputation.ComplaintRate") == 0.0
    send_v1(sender, addresses[100])  # a 10th bounce, in its 101st message: 10 / 101 = 9.9 %, still under review
    assert reputation(sender) == (101, 10, 0, "PROBATION")  # (the Send is counted before its own bounce)
    assert latest_rate(sender, "Reputation.BounceRate") == pytest.approx(10 / 101)
    send_v1(sender, addresses[101])  # delivered, then a complaint: 1 / 102 = 0.98 %, above the 0.5 % pause
    assert reputation(sender) == (102, 10, 1, "SHUTDOWN")
    assert latest_rate(sender, "Reputation.ComplaintRate") == pytest.approx(1 / 102)
    assert latest_rate(sender, "Reputation.BounceRate") == pytest.approx(10 / 102)
    assert sender.sesv2.get_account()["SendingEnabled"] is False
    assert (cw_sum(sender, "Send"), cw_sum(sender, "Bounce"), cw_sum(sender, "Complaint"),
            cw_sum(sender, "Delivery")) == (102, 10, 1, 92)

    with pytest.raises(ClientError) as v1:
        send_v1(sender, "a@example.net")
    assert v1.value.response["Error"]["Code"] == "AccountSendingPausedException"
    with pytest.raises(ClientError) as v2:
        sender.sesv2.send_email(FromEmailAddress="sender@example.com", Destination={"ToAddresses": ["a@example.net"]},
                                Content={"Simple": MESSAGE})
    assert v2.value.response["Error"]["Code"] == "SendingPausedException"
    import smtplib

    sender.lab.advance_clock(1)
    with pytest.raises(smtplib.SMTPDataError) as smtp:
        smtp_send(sender, "a@example.net")
    assert smtp.value.smtp_code == 554
    assert smtp.value.smtp_error.decode().startswith("Sending paused for this account:")
    assert (cw_sum(sender, "Send"), cw_sum(sender, "Reject")) == (102, 0)  # refused calls count nothing
    assert reputation(sender) == (102, 10, 1, "SHUTDOWN")


def test_a_delayed_delivery_counts_one_delivery_delay(sender: sesbook.Target) -> None:
    freeze_at_quarter_hour(sender)
    script(sender, "slow@example.net", "delay")
    send_v1(sender, "slow@example.net")
    assert (cw_sum(sender, "DeliveryDelay"), cw_sum(sender, "Delivery"), cw_sum(sender, "Bounce")) == (1, 1, 0)
    sender.ses.create_configuration_set(ConfigurationSet={"Name": "news"})
    script(sender, "slow2@example.net", "delay")
    send_v1(sender, "slow2@example.net", ConfigurationSetName="news")
    assert cw_sum(sender, "DeliveryDelay", [{"Name": "ses:configuration-set", "Value": "news"}]) == 1
    assert cw_sum(sender, "DeliveryDelay") == 2


# -- tracking of templated, raw and SMTP mail --------------------------------------------------------------------
TRACKED = [{"Name": "ses:configuration-set", "Value": "tracked"}]


def tracked_set(target: Any) -> None:
    target.sesv2.create_configuration_set(ConfigurationSetName="tracked",
                                          TrackingOptions={"CustomRedirectDomain": "track.example.com"})


def follow(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url.replace("&amp;", "&"), timeout=5) as answer:  # noqa: S310 - the loopback lab
        return bytes(answer.read())


def links(html: str, endpoint: str) -> tuple[str, str]:
    """(the first tracked click link, the open pixel) of ``html``; both point at the lab."""
    click = html.split('href="')[1].split('"')[0]
    pixel = html.split('<img src="')[1].split('"')[0]
    assert click.startswith(endpoint + "/_sesbook/track/click/")
    assert pixel.startswith(endpoint + "/_sesbook/track/open/")
    return click, pixel


def html_of(raw: str) -> str:
    import email
    import email.policy

    body = email.message_from_string(raw, policy=email.policy.default).get_body(("html",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]


def test_templated_mail_is_tracked_per_message(sender: sesbook.Target) -> None:
    tracked_set(sender)
    sender.ses.create_template(Template={"TemplateName": "offer", "SubjectPart": "For {{name}}",
                                         "TextPart": "Hi {{name}}",
                                         "HtmlPart": '<p>Hi {{name}}, <a href="https://example.com/o">see</a></p>'})
    sender.lab.freeze_clock()
    sender.lab.advance_clock(1)
    answer = sender.ses.send_bulk_templated_email(
        Source="sender@example.com", Template="offer", DefaultTemplateData='{"name": "you"}',
        ConfigurationSetName="tracked", Destinations=[
            {"Destination": {"ToAddresses": ["ann@example.net"]}, "ReplacementTemplateData": '{"name": "Ann"}'},
            {"Destination": {"ToAddresses": ["bob@example.net"]}, "ReplacementTemplateData": '{"name": "Bob"}'}])
    ids = [s["MessageId"] for s in answer["Status"]]
    box = {m["Id"]: m for m in sender.lab.request("GET", "/_aws/ses")["messages"]}
    pixels = []
    for message_id, name in zip(ids, ("Ann", "Bob"), strict=True):
        html = box[message_id]["Body"]["html_part"]
        assert f"Hi {name}" in html and 'href="https://example.com/o"' not in html
        assert html_of(box[message_id]["RawData"]).rstrip() == html  # the MIME delivered holds the tracked HTML too
        click, pixel = links(html, sender.lab.aws_endpoint)
        pixels.append(pixel)
    assert pixels[0] != pixels[1]  # one token per message
    assert follow(pixels[0]).startswith(b"GIF89a")
    assert b"url=https://example.com/o" in follow(click)
    assert (cw_sum(sender, "Open", TRACKED), cw_sum(sender, "Click", TRACKED)) == (1, 1)


#: One line of about 950 characters: under SMTP's 998 as sent, over it once the link passes through the lab.
RAW_HTML = ('<html><body><p>caf\u00e9 <a href="https://example.com/raw?a=1&amp;b=2">offer</a></p>'
            + "<p>" + "long line " * 85 + "</p></body></html>")


def raw_mime(to: str, *, header_set: bool = False, cte: str = "quoted-printable") -> tuple[str, str, str]:
    """A multipart/mixed message: text/plain, text/html (transfer encoding ``cte``), a PDF attachment (base64);
    and the exact text of the plain part and of the attachment part, which tracking must leave as they are."""
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "sender@example.com", to, "raw"
    if header_set:
        msg["X-SES-CONFIGURATION-SET"] = "tracked"
    msg.set_content("caf\u00e9 in plain text\n", cte="quoted-printable")
    msg.add_alternative(RAW_HTML, subtype="html", cte=cte)
    msg.add_attachment(b"%PDF-1.4 not really" * 20, maintype="application", subtype="pdf", filename="a.pdf")
    raw = msg.as_string(policy=SMTP)
    plain = raw[raw.index("Content-Type: text/plain"):].split("\r\n--")[0]
    attached = raw[raw.index("Content-Type: application/pdf"):].split("\r\n--")[0]
    return raw, plain, attached


def check_raw_tracked(target: Any, message_id: str, plain: str, attached: str) -> str:
    """The kept raw message: its other parts unchanged, its HTML tracked, still valid MIME; the pixel URL."""
    kept = target.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"][0]
    raw = kept["RawData"]
    assert plain in raw and attached in raw  # the other parts, character for character
    html = html_of(raw)
    assert "https://example.com/raw" not in html.split("to=")[0] and "caf\u00e9" in html
    assert "long line " * 85 in html  # decoded and encoded again, nothing lost
    assert kept["Body"]["html_part"] == html
    assert all(len(line) <= 998 for line in raw.split("\r\n"))
    click, pixel = links(html, target.lab.aws_endpoint)
    assert b"url=https://example.com/raw?a=1&amp;b=2" in follow(click)
    return pixel


@pytest.mark.parametrize("cte", ["quoted-printable", "base64", "8bit"])  # 8bit: too long once tracked, so QP
def test_raw_mime_is_tracked_in_its_html_part_only(sender: sesbook.Target, cte: str) -> None:
    tracked_set(sender)
    sender.lab.freeze_clock()
    sender.lab.advance_clock(1)
    raw, plain, attached = raw_mime("ann@example.net", cte=cte)
    answer = sender.ses.send_raw_email(RawMessage={"Data": raw.encode()}, ConfigurationSetName="tracked")
    pixel = check_raw_tracked(sender, answer["MessageId"], plain, attached)
    follow(pixel)
    assert (cw_sum(sender, "Open", TRACKED), cw_sum(sender, "Click", TRACKED)) == (1, 1)
    sender.lab.advance_clock(1)
    untracked, _, _ = raw_mime("bob@example.net", cte=cte)  # no configuration set: left exactly as sent
    other = sender.ses.send_raw_email(RawMessage={"Data": untracked.encode()})["MessageId"]
    assert sender.lab.request("GET", f"/_aws/ses?id={other}")["messages"][0]["RawData"] == untracked


def test_smtp_mail_is_tracked(sender: sesbook.Target) -> None:
    import smtplib

    from sesbook.lab.smtp import tls
    from sesbook.smtp import smtp_credentials

    tracked_set(sender)
    sender.lab.freeze_clock()
    sender.iam.create_user(UserName="smtp-user")
    key = sender.iam.create_access_key(UserName="smtp-user")["AccessKey"]
    creds = smtp_credentials(key["AccessKeyId"], key["SecretAccessKey"], sender.region)
    raw, plain, attached = raw_mime("ann@example.net", header_set=True, cte="base64")  # the set named in a header
    host, _, port = sender.lab.smtp.rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.starttls(context=tls.client_context())
        client.login(creds.username, creds.password)
        code, text = client.data(raw.encode()) if client.mail("sender@example.com")[0] == 250 and \
            client.rcpt("ann@example.net")[0] == 250 else (0, b"")
    assert code == 250
    pixel = check_raw_tracked(sender, text.decode().split()[1], plain, attached)
    assert follow(pixel).startswith(b"GIF89a")
    assert (cw_sum(sender, "Open", TRACKED), cw_sum(sender, "Click", TRACKED)) == (1, 1)
