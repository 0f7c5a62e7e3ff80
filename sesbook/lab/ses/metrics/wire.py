"""Sending statistics and reputation on the wire: SES v1 ``GetSendStatistics`` from the lab's history, and the
lab's control paths ``/_sesbook/reputation`` (read, set the reputation history, lift a pause) and
``/_sesbook/metrics/event`` (count events the lab cannot produce yet, such as a bounce without the simulator).
"""

from __future__ import annotations

import json
import math
from typing import Any

from moto.core.responses import ActionResult

from sesbook.lab import current
from sesbook.lab.registry import route, v1_action
from sesbook.lab.ses._wire import ses_backend_for
from sesbook.lab.ses.account.state import account
from sesbook.lab.ses.metrics import cloudwatch as _cloudwatch  # noqa: F401 - registers the CloudWatch reads
from sesbook.lab.ses.metrics import tracking as _tracking  # noqa: F401 - registers /_sesbook/track
from sesbook.lab.ses.metrics.state import (
    METRICS,
    record,
    reputation_of,
    reset_enforcement,
    send_statistics,
    set_reputation_history,
)

#: The largest count the control API takes in one call (a year of a 50,000-a-day quota is 18 million).
MAX_COUNT = 100_000_000


@v1_action("get_send_statistics")
def get_send_statistics(self: Any) -> ActionResult:
    """SES v1 GetSendStatistics: 15-minute data points of the last two weeks (SES API Reference,
    https://docs.aws.amazon.com/ses/latest/APIReference/API_GetSendStatistics.html, checked 2026)."""
    return ActionResult({"SendDataPoints": send_statistics(self.backend)})


# -- control -------------------------------------------------------------------------------------------------
class BodyError(ValueError):
    """A control-API body the lab refuses; the message says what to send instead."""


def _body(request: Any, usage: str) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise BodyError(f"the body is not JSON; {usage}") from None
    if not isinstance(body, dict):
        raise BodyError(f"the body must be a JSON object; {usage}")
    return body


def _whole(body: dict[str, Any], key: str, usage: str, *, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None:
        raise BodyError(f"{key} is required; {usage}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BodyError(f"{key} must be a JSON number, not {json.dumps(value)}; {usage}")
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= MAX_COUNT:
        raise BodyError(f"{key} must be a whole number from 0 to {MAX_COUNT}, not {value}; {usage}")
    return int(value)


def _region(body: dict[str, Any], usage: str) -> str:
    region = body.get("region") or current().region
    if not isinstance(region, str):
        raise BodyError(f"region must be a region name, not {json.dumps(region)}; {usage}")
    from sesbook.facts import SES_REGIONS

    if region not in SES_REGIONS:
        raise BodyError(f"region {region!r} is not a region where SES runs; {usage}")
    return region


def _answer(backend: Any, region: str) -> dict[str, Any]:
    acct = account(backend)
    return {"region": region, **reputation_of(backend).to_dict(),
            "enforcement_status": acct.enforcement_status, "sending_enabled": acct.sending_enabled}


_REPUTATION_USAGE = ('POST {"sends": 1000, "bounces": 60, "complaints": 0} to set the reputation history, or '
                     '{"reset": true} to lift a pause and clear it (optional "region")')


@route("/_sesbook/reputation")
def _reputation(request: Any) -> tuple[int, Any]:
    """GET: the rates over the representative volume and the enforcement status. POST: set the history
    (``sends``, ``bounces``, ``complaints``: bounces and complaints at most the sends) or ``reset``."""
    if request.method != "POST":
        region = _region(dict(request.args), _REPUTATION_USAGE)
        return 200, _answer(ses_backend_for(region), region)
    try:
        body = _body(request, _REPUTATION_USAGE)
        unknown = sorted(set(body) - {"sends", "bounces", "complaints", "reset", "region"})
        if unknown:
            raise BodyError(f"unknown field(s) {', '.join(unknown)}; {_REPUTATION_USAGE}")
        region = _region(body, _REPUTATION_USAGE)
        backend = ses_backend_for(region)
        if "reset" in body:
            if body["reset"] is not True or set(body) - {"reset", "region"}:
                raise BodyError(f"reset must be JSON true, on its own; {_REPUTATION_USAGE}")
            reset_enforcement(backend)
            return 200, _answer(backend, region)
        sends = _whole(body, "sends", _REPUTATION_USAGE)
        bounces = _whole(body, "bounces", _REPUTATION_USAGE, default=0)
        complaints = _whole(body, "complaints", _REPUTATION_USAGE, default=0)
        if bounces > sends or complaints > sends:
            raise BodyError(f"bounces and complaints cannot be more than sends ({sends}); {_REPUTATION_USAGE}")
    except BodyError as exc:
        return 400, {"error": str(exc)}
    set_reputation_history(backend, sends=sends, bounces=bounces, complaints=complaints)
    return 200, _answer(backend, region)


_EVENT_USAGE = ('POST {"metric": "Bounce", "count": 1} (metric one of ' + ", ".join(METRICS)
                + '; optional "configuration_set", "reputation": false for simulator mail, "region")')


@route("/_sesbook/metrics/event")
def _event(request: Any) -> tuple[int, Any]:
    """POST: count ``count`` events of ``metric`` now, as the feedback stages do (for tests and notebooks)."""
    if request.method != "POST":
        return 405, {"error": _EVENT_USAGE}
    try:
        body = _body(request, _EVENT_USAGE)
        unknown = sorted(set(body) - {"metric", "count", "configuration_set", "reputation", "region"})
        if unknown:
            raise BodyError(f"unknown field(s) {', '.join(unknown)}; {_EVENT_USAGE}")
        metric = body.get("metric")
        if metric not in METRICS:
            raise BodyError(f"metric {json.dumps(metric)} is not an SES metric; {_EVENT_USAGE}")
        count = _whole(body, "count", _EVENT_USAGE, default=1)
        configuration_set = body.get("configuration_set")
        if configuration_set is not None and (not isinstance(configuration_set, str) or not configuration_set):
            raise BodyError(f"configuration_set must be a name; {_EVENT_USAGE}")
        reputation = body.get("reputation", True)
        if not isinstance(reputation, bool):
            raise BodyError(f"reputation must be JSON true or false; {_EVENT_USAGE}")
        region = _region(body, _EVENT_USAGE)
    except BodyError as exc:
        return 400, {"error": str(exc)}
    backend = ses_backend_for(region)
    record(backend, metric, count=count, configuration_set=configuration_set, reputation=reputation)
    return 200, _answer(backend, region)
