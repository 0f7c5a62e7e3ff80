"""What the lab counts about sending, and the reputation rules SES applies to the counts.

One entry point, :func:`record`: one kind of SES event counted (``Send``, ``Delivery``, ``Bounce`` …). The send
pipeline calls it for ``Send`` (an accepted message); the feedback stages (mailbox simulator, events) call it for
``Delivery``, ``Bounce``, ``Complaint`` and the rest. Each record

1. adds to the lab's send history, in 15-minute buckets on the lab clock (what ``GetSendStatistics`` answers:
   ``DeliveryAttempts`` from ``Send``, ``Bounces``, ``Complaints``, ``Rejects``; two weeks kept);
2. publishes the ``AWS/SES`` CloudWatch metric to moto's CloudWatch backend of the same account and region,
   with no dimension (the account-level metric) and, when a configuration set was used, once more with the
   dimension ``ses:configuration-set`` (:mod:`.cloudwatch` makes moto match dimension sets exactly, as
   CloudWatch does, so the two never add up);
3. for ``Send``, ``Bounce`` and ``Complaint``, recomputes ``Reputation.BounceRate`` and ``Reputation.ComplaintRate``
   (from the events that count for reputation), publishes them (fractions between 0 and 1: 0.05 is 5 %; SES
   Developer Guide, "Creating reputation monitoring alarms using CloudWatch":
   https://docs.aws.amazon.com/ses/latest/dg/reputationdashboard-cloudwatch-alarm.html, which also says to
   simulate a bounce to make the metrics appear, so simulator events publish the unchanged rates too), and
   applies enforcement.

Counting: ``Send`` counts recipients (one per address a message went to), as the sending quota and
``DeliveryAttempts`` do; bounces and complaints are per recipient too.

**The representative volume.** SES does not compute the rates over a fixed period but over "a representative
volume" of the account's recent eligible mail, different per account ("Announcing the reputation dashboard",
AWS Messaging blog: https://aws.amazon.com/blogs/ses/announcing-the-reputation-dashboard/; SES Developer Guide,
"Using reputation metrics": https://docs.aws.amazon.com/ses/latest/dg/reputation-dashboard-dg.html, checked
2026). Its review notices say so in numbers: "We measured this rate over the last 10,192 eligible emails you
sent. Our analysis covers the last 224.9 days." The lab's choice, stated once here: the rates are taken over
the last :data:`REPRESENTATIVE_VOLUME` eligible recipients sent to, however long ago (no day limit), with the
bounces and complaints recorded since the oldest of those sends. Mail to the mailbox simulator is not
eligible (SES Developer Guide, "Using the mailbox simulator": it does not count toward the bounce and
complaint metrics); callers say so with ``reputation=False``. With no eligible sends the rates are 0.

**Enforcement** (thresholds in :mod:`sesbook.facts`, "at or above", as AWS words them): a rate at or above the
pause level makes ``EnforcementStatus`` ``SHUTDOWN`` and turns sending off (the send paths answer SES's paused
errors; ``UpdateAccountSendingEnabled`` cannot turn it back on); at or above the review level,
``PROBATION``; below both, ``HEALTHY``. ``SHUTDOWN`` stays until a review lifts it: in AWS, a support case;
in the lab, :func:`reset_enforcement` (``POST /_sesbook/reputation`` with ``{"reset": true}``). Where the lab
is simpler than SES: ``PROBATION`` ends as soon as the rates are back under the review levels (SES waits for
the end of a review period), and a long ``PROBATION`` never turns into a pause by itself.

**Too little mail to judge.** SES judges an account only on a representative volume: one bounce among the
first three messages of a new account does not pause it. SES does not publish the smallest volume it judges
on; the lab's stand-in is :data:`MIN_ENFORCEMENT_VOLUME` eligible recipients. Below it the rates are still
computed and published, and ``EnforcementStatus`` stays ``HEALTHY``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sesbook import facts
from sesbook.lab import clock
from sesbook.lab.registry import state
from sesbook.lab.ses.account.state import account, account_lock

#: The lab's representative volume: the rates are measured over this many of the most recent eligible sends.
REPRESENTATIVE_VOLUME = 10_000
#: The fewest eligible recipients the lab judges the rates on (SES's own figure is not published).
MIN_ENFORCEMENT_VOLUME = 100
BUCKET_SECONDS = facts.SEND_STATISTICS_PERIOD_SECONDS
HISTORY_SECONDS = facts.SEND_STATISTICS_HISTORY_SECONDS
METRICS = facts.SES_EVENT_METRICS
#: The GetSendStatistics field each metric counts into.
STATISTICS_FIELDS = {"Send": "DeliveryAttempts", "Bounce": "Bounces", "Complaint": "Complaints", "Reject": "Rejects"}
_REPUTATION_METRICS = ("Send", "Bounce", "Complaint")
_lock = threading.RLock()


@dataclass
class MetricsState:
    """One account and region's counts: history buckets, and the reputation events (time, metric, count)."""

    buckets: dict[int, Counter[str]] = field(default_factory=dict)
    reputation: deque[tuple[float, str, int]] = field(default_factory=deque)


@dataclass(frozen=True)
class Reputation:
    """The rates over the representative volume, and what they were measured over."""

    sends: int
    bounces: int
    complaints: int
    since: float | None  # lab time of the oldest send measured

    @property
    def bounce_rate(self) -> float:
        return self.bounces / self.sends if self.sends else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.sends if self.sends else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"sends": self.sends, "bounces": self.bounces, "complaints": self.complaints,
                "bounce_rate": self.bounce_rate, "complaint_rate": self.complaint_rate,
                "since": None if self.since is None else datetime.fromtimestamp(self.since, tz=UTC).isoformat()}


def metrics_state(backend: Any) -> MetricsState:
    result: MetricsState = state(backend, "metrics", MetricsState)
    return result


def _time_of(when: datetime | float | None) -> float:
    if when is None:
        return clock.time_s()
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("when must be timezone-aware (UTC)")
        return when.timestamp()
    if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
        raise ValueError(f"when must be a datetime or seconds since the epoch, not {when!r}")
    return float(when)


def record(backend: Any, metric: str, *, count: int = 1, configuration_set: str | None = None,
           when: datetime | float | None = None, reputation: bool = True) -> None:
    """Count ``count`` SES events of kind ``metric`` for the SES v1 ``backend`` (account and region).

    ``metric``: one of :data:`METRICS`. ``configuration_set``: the set the message was sent with (also published
    with the ``ses:configuration-set`` dimension). ``when``: lab time (default: now). ``reputation=False`` for
    events that do not count toward the reputation rates (mail to the mailbox simulator).
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: use one of {', '.join(METRICS)}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number, 0 or more, not {count!r}")
    if count == 0:
        return
    at = _time_of(when)
    with _lock:
        st = metrics_state(backend)
        bucket = int(at // BUCKET_SECONDS) * BUCKET_SECONDS
        st.buckets.setdefault(bucket, Counter())[metric] += count
        _publish(backend, [(metric, float(count), "Count")], at, configuration_set)
        if metric in _REPUTATION_METRICS:
            if reputation:
                st.reputation.append((at, metric, count))
            _reputation_changed(backend, at)  # published either way: a simulated bounce makes the rates appear


def reputation_of(backend: Any) -> Reputation:
    """The rates now, over the representative volume (older reputation events are dropped)."""
    with _lock:
        events = metrics_state(backend).reputation
        sends, since = 0, None
        for at, metric, count in reversed(events):
            if metric == "Send":
                sends += count
                since = at
                if sends >= REPRESENTATIVE_VOLUME:
                    break
        if since is None:
            return Reputation(0, 0, 0, None)
        while events and events[0][0] < since:
            events.popleft()
        bounces = sum(c for at, m, c in events if m == "Bounce" and at >= since)
        complaints = sum(c for at, m, c in events if m == "Complaint" and at >= since)
        return Reputation(min(sends, REPRESENTATIVE_VOLUME), bounces, complaints, since)


def set_reputation_history(backend: Any, *, sends: int, bounces: int, complaints: int) -> Reputation:
    """Replace the reputation history with ``sends`` eligible sends, ``bounces`` bounces and ``complaints``
    complaints, all at the lab's now, and apply enforcement (the lab's control API; not a send: the send
    statistics and the Send/Bounce/Complaint counts are left alone, the two rate metrics are published)."""
    with _lock:
        at = clock.time_s()
        events = metrics_state(backend).reputation
        events.clear()
        for metric, count in (("Send", sends), ("Bounce", bounces), ("Complaint", complaints)):
            if count:
                events.append((at, metric, count))
        _reputation_changed(backend, at)
        return reputation_of(backend)


def reset_enforcement(backend: Any) -> Reputation:
    """What a successful review does in the lab: the reputation history is cleared, ``EnforcementStatus``
    is ``HEALTHY`` and sending is on again."""
    with _lock, account_lock:
        metrics_state(backend).reputation.clear()
        acct = account(backend)
        if acct.enforcement_status == "SHUTDOWN":
            acct.sending_enabled = True
        acct.enforcement_status = "HEALTHY"
        _publish(backend, [(facts.SES_BOUNCE_RATE_METRIC, 0.0, "None"),
                           (facts.SES_COMPLAINT_RATE_METRIC, 0.0, "None")], clock.time_s(), None)
        return reputation_of(backend)


def enforcement_for(rep: Reputation) -> str:
    """The status the rates call for: ``SHUTDOWN``, ``PROBATION`` or ``HEALTHY`` (at or above a threshold;
    ``HEALTHY`` below :data:`MIN_ENFORCEMENT_VOLUME` eligible recipients)."""
    if rep.sends < MIN_ENFORCEMENT_VOLUME:
        return "HEALTHY"
    if rep.bounce_rate >= facts.BOUNCE_RATE_PAUSE or rep.complaint_rate >= facts.COMPLAINT_RATE_PAUSE:
        return "SHUTDOWN"
    if rep.bounce_rate >= facts.BOUNCE_RATE_REVIEW or rep.complaint_rate >= facts.COMPLAINT_RATE_REVIEW:
        return "PROBATION"
    return "HEALTHY"


def _reputation_changed(backend: Any, at: float) -> None:
    rep = reputation_of(backend)
    _publish(backend, [(facts.SES_BOUNCE_RATE_METRIC, rep.bounce_rate, "None"),
                       (facts.SES_COMPLAINT_RATE_METRIC, rep.complaint_rate, "None")], at, None)
    with account_lock:
        acct = account(backend)
        if acct.enforcement_status == "SHUTDOWN":
            return  # only a review lifts a pause
        acct.enforcement_status = enforcement_for(rep)
        if acct.enforcement_status == "SHUTDOWN":
            acct.sending_enabled = False


def send_statistics(backend: Any) -> list[dict[str, Any]]:
    """GetSendStatistics' ``SendDataPoints``: one per 15-minute bucket with any count in the last two weeks,
    oldest first, each with ``Timestamp`` (the bucket's start), ``DeliveryAttempts``, ``Bounces``,
    ``Complaints`` and ``Rejects``."""
    now = clock.time_s()
    with _lock:
        buckets = metrics_state(backend).buckets
        for start in [b for b in buckets if b + BUCKET_SECONDS <= now - HISTORY_SECONDS]:
            del buckets[start]
        points = []
        for start in sorted(buckets):
            counts = buckets[start]
            if not any(counts[m] for m in STATISTICS_FIELDS):
                continue
            point: dict[str, Any] = {"Timestamp": datetime.fromtimestamp(start, tz=UTC)}
            point.update({name: counts[m] for m, name in STATISTICS_FIELDS.items()})
            points.append(point)
        return points


def _publish(backend: Any, values: list[tuple[str, float, str]], at: float, configuration_set: str | None) -> None:
    """Put data points into moto's CloudWatch of the same account and region, in ``AWS/SES``."""
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch = cloudwatch_backends[backend.account_id][backend.region_name]
    timestamp = datetime.fromtimestamp(at, tz=UTC).replace(tzinfo=None)  # moto keeps naive UTC times
    dimension_sets: list[list[dict[str, str]]] = [[]]
    if configuration_set:
        dimension_sets.append([{"Name": facts.SES_CONFIGURATION_SET_DIMENSION, "Value": configuration_set}])
    data = [{"MetricName": name, "Value": value, "Unit": unit, "Timestamp": timestamp, "Dimensions": dims}
            for name, value, unit in values for dims in dimension_sets]
    cloudwatch.put_metric_data(facts.SES_METRICS_NAMESPACE, data)
