"""The lab's control API refuses bad clock requests over HTTP, before changing anything."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sesbook.lab import LabInfo


def _post(info: LabInfo, raw: bytes) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(info.aws_endpoint + "/_sesbook/clock", data=raw, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the test's loopback lab
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize(("raw", "says"), [
    (b'{"advance": 1e308}', "more than 10 years"),
    (b'{"advance": NaN}', "finite"),
    (b'{"advance": Infinity}', "finite"),
    (b'{"advance": -5}', "0 or more"),
    (b'{"advance": "60"}', "JSON number"),
    (b'{"advance": true}', "JSON number"),
    (b'{"advance": 400000000}', "more than 10 years"),
    (b'{"freeze": "yes"}', "freeze must be JSON true or false"),
    (b'{"freeze": 1}', "freeze must be JSON true or false"),
    (b'{"freeze": true, "advance": NaN}', "finite"),
    (b'{"advnce": 5}', "unknown field"),
    (b"[60]", "JSON object"),
    (b"sixty", "not JSON"),
])
def test_bad_clock_requests_are_refused_and_change_nothing(lab_info: LabInfo, raw: bytes, says: str) -> None:
    before = lab_info.clock()
    status, body = _post(lab_info, raw)
    assert status == 400 and says in str(body["error"])
    assert '{"advance": 3600}' in str(body["error"]) or "reset" in str(body["error"])
    after = lab_info.clock()
    assert after["offset_seconds"] == before["offset_seconds"] and after["frozen"] == before["frozen"]
    assert lab_info.advance_clock(60)["offset_seconds"] == before["offset_seconds"] + 60, "the clock still works"


def test_good_clock_requests_still_work(lab_info: LabInfo) -> None:
    assert _post(lab_info, b'{"advance": 86400, "freeze": true}')[1]["frozen"] is True
    state = lab_info.clock()
    assert state["offset_seconds"] == 86400 and state["frozen"] is True
    assert lab_info.unfreeze_clock()["frozen"] is False
