"""sesbook.monitoring against the lab: the metrics table, reputation states, alarms and plots from live data."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import sesbook
from sesbook.errors import ValidationError
from sesbook.facts import BOUNCE_RATE_PAUSE, BOUNCE_RATE_REVIEW, COMPLAINT_RATE_PAUSE, COMPLAINT_RATE_REVIEW

from helpers import freeze_at_quarter_hour

MESSAGE = {"Subject": {"Data": "hello"}, "Body": {"Text": {"Data": "hi"}}}


def send(target: Any, to: str, **extra: Any) -> None:
    target.lab.advance_clock(1)  # the sandbox's 1 message per second
    target.ses.send_email(Source="sender@example.com", Destination={"ToAddresses": [to]}, Message=MESSAGE, **extra)


@pytest.fixture
def sent(sender: sesbook.Target) -> sesbook.Target:
    """4 sends (one with configuration set 'news'), 1 to the simulator, each delivered (the lab's feedback
    stages count 5 deliveries), then 1 bounce and 1 complaint counted as feedback would, one 15-minute period
    later."""
    freeze_at_quarter_hour(sender)
    for to in ("a@example.net", "b@example.net", "c@example.net", "success@simulator.amazonses.com"):
        send(sender, to)
    sender.ses.create_configuration_set(ConfigurationSet={"Name": "news"})
    send(sender, "d@example.net", ConfigurationSetName="news")
    sender.lab.advance_clock(15 * 60)
    sesbook.record_lab_event(sender, "Bounce")
    sesbook.record_lab_event(sender, "Complaint")
    return sender


def test_table_holds_cloudwatch_and_statistics_totals(sent: sesbook.Target) -> None:
    metrics = sesbook.sending_metrics(sent, hours=2)
    assert (metrics.total("Send"), metrics.total("Delivery"), metrics.total("Bounce"), metrics.total("Complaint")) \
        == (5, 5, 1, 1)
    assert [metrics.statistics_total(m) for m in ("Send", "Bounce", "Complaint", "Reject")] == [5, 1, 1, 0]
    assert metrics.statistics_total("Delivery") is None
    assert [(p.delivery_attempts, p.bounces, p.complaints) for p in metrics.statistics] == [(5, 0, 0), (0, 1, 1)]
    assert metrics.latest("Reputation.BounceRate") == pytest.approx(1 / 4)  # 4 eligible sends
    rows = {row[0].split()[0]: row for row in metrics.rows()}
    assert rows["Send"][2:4] == ("5", "5")
    assert rows["Reputation.ComplaintRate"][2] == "25.00%"
    html = metrics._repr_html_()
    assert "送信数" in html and "<table " in html


def test_configuration_set_window(sent: sesbook.Target) -> None:
    metrics = sesbook.sending_metrics(sent, hours=2, configuration_set="news")
    assert metrics.total("Send") == 1
    assert "configuration set news" in repr(metrics)
    assert repr(metrics).splitlines()[0] == ("SES sending metrics, lab us-east-1, configuration set news: "
                                             "the last 2 hours up to now, 15-minute periods")  # no clock times


@pytest.mark.parametrize(("options", "field"), [
    ({"hours": 0}, "hours"), ({"hours": float("nan")}, "hours"), ({"hours": 400}, "hours"),
    ({"hours": "24"}, "hours"), ({"period": 90}, "period"), ({"period": 60.0}, "period"),
    ({"hours": 336, "period": 60}, "period"), ({"configuration_set": ""}, "configuration_set"),
])
def test_window_is_checked_before_any_call(target: sesbook.Target, options: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as bad:
        sesbook.sending_metrics(target, **options)
    assert bad.value.field == field


@pytest.mark.parametrize(("sends", "bounces", "complaints", "state", "ok"), [
    (1000, 10, 0, "healthy", True),
    (1000, 50, 0, "under review", True),
    (1000, 0, 2, "under review", True),
    (1000, 100, 0, "paused", False),
    (1000, 0, 5, "paused", False),
])
def test_reputation_status_states(target: sesbook.Target, sends: int, bounces: int, complaints: int, state: str,
                                  ok: bool) -> None:
    sesbook.set_lab_reputation(target, sends=sends, bounces=bounces, complaints=complaints)
    status = sesbook.reputation_status(target)
    assert status.state == state
    assert status.ok is ok
    assert status.bounce_rate == pytest.approx(bounces / sends)
    assert status.complaint_rate == pytest.approx(complaints / sends)
    html = status._repr_html_()
    assert f"What to do ({state})" in html
    assert "5.0%" in html and "0.5%" in html


def test_reputation_status_without_mail_has_no_rates(target: sesbook.Target) -> None:
    status = sesbook.reputation_status(target)
    assert (status.state, status.ok, status.bounce_rate) == ("healthy", True, None)
    assert any("no data" in f.message for f in status.findings)


def test_states_one_after_another_and_back(target: sesbook.Target) -> None:
    seen = []
    for bounces in (0, 60, 120):
        sesbook.set_lab_reputation(target, sends=1000, bounces=bounces)
        seen.append(sesbook.reputation_status(target).state)
    sesbook.reset_lab_reputation(target)
    seen.append(sesbook.reputation_status(target).state)
    assert seen == ["healthy", "under review", "paused", "healthy"]
    assert sesbook.reputation_status(target).bounce_rate == 0.0


def test_lab_helpers_refuse_other_targets_and_bad_values(target: sesbook.Target) -> None:
    aws = sesbook.connect("aws")
    with pytest.raises(ValidationError, match="only works with the lab"):
        sesbook.set_lab_reputation(aws, sends=10)
    with pytest.raises(ValidationError):
        sesbook.set_lab_reputation(target, sends=10, bounces=11)
    with pytest.raises(ValidationError):
        sesbook.set_lab_reputation(target, sends=-1)
    with pytest.raises(ValidationError):
        sesbook.record_lab_event(target, "Bounced")
    assert len(aws.plan) == 0


# -- alarms ------------------------------------------------------------------------------------------------
def alarms(target: Any) -> dict[str, dict[str, Any]]:
    return {a["AlarmName"]: a for a in target.cloudwatch.describe_alarms()["MetricAlarms"]}


def test_alarms_exist_with_the_thresholds(target: sesbook.Target) -> None:
    result = sesbook.create_reputation_alarms(target)
    assert result.outcomes == ("created",) * 4
    found = alarms(target)
    assert {name: (a["MetricName"], a["Threshold"], a["ComparisonOperator"], a["Namespace"])
            for name, a in found.items()} == {
        "ses-reputation-bounce-rate-review": ("Reputation.BounceRate", BOUNCE_RATE_REVIEW,
                                              "GreaterThanOrEqualToThreshold", "AWS/SES"),
        "ses-reputation-bounce-rate-pause": ("Reputation.BounceRate", BOUNCE_RATE_PAUSE,
                                             "GreaterThanOrEqualToThreshold", "AWS/SES"),
        "ses-reputation-complaint-rate-review": ("Reputation.ComplaintRate", COMPLAINT_RATE_REVIEW,
                                                 "GreaterThanOrEqualToThreshold", "AWS/SES"),
        "ses-reputation-complaint-rate-pause": ("Reputation.ComplaintRate", COMPLAINT_RATE_PAUSE,
                                                "GreaterThanOrEqualToThreshold", "AWS/SES"),
    }


def test_alarms_rerun_changes_nothing_and_mends_drift(target: sesbook.Target) -> None:
    sesbook.create_reputation_alarms(target)
    before = alarms(target)
    again = sesbook.create_reputation_alarms(target)
    assert again.outcomes == ("unchanged",) * 4 and again.changed == []
    after = alarms(target)
    assert {n: a["AlarmConfigurationUpdatedTimestamp"] for n, a in after.items()} == \
        {n: a["AlarmConfigurationUpdatedTimestamp"] for n, a in before.items()}
    params = sesbook.reputation_alarms()[0].put_params() | {"Threshold": 0.2}
    target.cloudwatch.put_metric_alarm(**params)
    mended = sesbook.create_reputation_alarms(target)
    assert mended.outcomes == ("updated", "unchanged", "unchanged", "unchanged")
    assert alarms(target)["ses-reputation-bounce-rate-review"]["Threshold"] == BOUNCE_RATE_REVIEW


def test_alarms_are_planned_not_made_in_a_dry_run(target: sesbook.Target) -> None:
    with target.dry_run() as plan:
        result = sesbook.create_reputation_alarms(target)
    assert result.outcomes == ("planned",) * 4
    assert [c.operation for c in plan.calls] == ["PutMetricAlarm"] * 4
    assert alarms(target) == {}


def test_alarm_actions_and_names_are_checked(target: sesbook.Target) -> None:
    specs = sesbook.reputation_alarms(prefix="shop-", actions=["arn:aws:sns:us-east-1:123456789012:ops"])
    assert specs[0].name == "shop-bounce-rate-review"
    assert specs[0].put_params()["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:ops"]
    with pytest.raises(ValidationError):
        sesbook.reputation_alarms(prefix="no spaces")
    with pytest.raises(ValidationError):
        sesbook.reputation_alarms(actions=["ops-topic"])


def test_cloudformation_export() -> None:
    template = json.loads(sesbook.alarms_cloudformation())
    resources = template["Resources"]
    assert {r["Type"] for r in resources.values()} == {"AWS::CloudWatch::Alarm"}
    assert {k: r["Properties"]["Threshold"] for k, r in resources.items()} == {
        "BounceRateReviewAlarm": 0.05, "BounceRatePauseAlarm": 0.10,
        "ComplaintRateReviewAlarm": 0.001, "ComplaintRatePauseAlarm": 0.005,
    }
    props = resources["BounceRateReviewAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == \
        ("AWS/SES", "Reputation.BounceRate", "Maximum")
    assert "AlarmActions" not in props


# -- plots ---------------------------------------------------------------------------------------------------
def test_sending_plot_shows_the_counts(sent: sesbook.Target) -> None:
    metrics = sesbook.sending_metrics(sent, hours=2)
    fig = sesbook.plot_sending(metrics)
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == ["Send", "Delivery", "Bounce", "Complaint"]
    heights = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert {k: sum(v) for k, v in heights.items()} == {"Send": 5, "Delivery": 5, "Bounce": 1, "Complaint": 1}
    periods = math.ceil((metrics.end - metrics.start).total_seconds() / metrics.period)
    assert periods >= 2 * 60 // 15
    assert {len(v) for v in heights.values()} == {periods}  # every period of the window, empty ones at 0
    assert tuple(fig.get_size_inches()) == (9.0, 4.0)
    assert repr(fig) == ("plot_sending: lab us-east-1, 15-minute periods; "
                         "totals: Send 5, Delivery 5, Bounce 1, Complaint 1")
    assert fig._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize(("hours", "period"), [(1, 300), (2, 900), (1, 60)])
def test_every_sending_bar_lies_inside_the_axes(sent: sesbook.Target, hours: int, period: int) -> None:
    """The window ends inside its last period: that period's bars (here the bounce and the complaint, counted
    in the last period) are drawn whole, not cut at the axis' right edge."""
    fig = sesbook.plot_sending(sesbook.sending_metrics(sent, hours=hours, period=period))
    ax = fig.axes[0]
    left, right = ax.get_xlim()
    drawn = {c.get_label(): [p for p in c.patches if p.get_height() > 0] for c in ax.containers}
    assert {k: len(v) > 0 for k, v in drawn.items()} == dict.fromkeys(("Send", "Delivery", "Bounce", "Complaint"), True)
    for label, patches in drawn.items():
        for patch in patches:
            assert left <= patch.get_x() and patch.get_x() + patch.get_width() <= right, label


def test_reputation_plot_shows_rates_against_thresholds(target: sesbook.Target) -> None:
    sesbook.set_lab_reputation(target, sends=1000, bounces=30, complaints=2)
    sesbook.set_lab_reputation(target, sends=1000, bounces=70, complaints=2)
    fig = sesbook.plot_reputation(sesbook.sending_metrics(target, hours=1, period=60))
    bounce, complaint = fig.axes
    assert list(bounce.lines[0].get_ydata()) == pytest.approx([3.0, 7.0])
    assert list(complaint.lines[0].get_ydata()) == pytest.approx([0.2, 0.2])
    assert [line.get_ydata()[0] for line in bounce.lines[2:]] == pytest.approx([5.0, 10.0])
    assert [line.get_ydata()[0] for line in complaint.lines[2:]] == pytest.approx([0.1, 0.5])
    assert repr(fig) == ("plot_reputation: lab us-east-1; bounce rate now 7.00% (review 5.0%, pause 10.0%); "
                         "complaint rate now 0.20% (review 0.1%, pause 0.5%)")
