"""Notebook 07 with non-default parameters in its own lab, and plan-only against a stand-in AWS endpoint
(a lab in its own process, reached through ``AWS_ENDPOINT_URL``) where it must run to its end and send or
create nothing."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import papermill
import pytest

from helpers import lab_process

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "07-monitoring.ipynb"


def outputs(path: Path) -> list[tuple[str, str]]:
    """Each code cell's source and its outputs as text."""
    nb = nbformat.read(path, as_version=4)
    return [(c.source, json.dumps(c.get("outputs", []), ensure_ascii=False)) for c in nb.cells
            if c.cell_type == "code"]


def test_notebook_07_with_other_parameters(tmp_path: Path) -> None:
    out = tmp_path / "07.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(out),
        parameters={"region": "eu-west-1", "domain": "example.org", "recipient": "ann@example.org",
                    "failing_template": "other-monitoring", "alarm_prefix": "team-ses-"},
        kernel_name="python3", cwd=str(NOTEBOOK.parent), progress_bar=False, coalesce_streams=True,
    )
    text = "\n".join(shown for _, shown in outputs(out))
    assert "VerifiedSender(sender@example.org" in text
    assert "template other-monitoring: created" in text
    assert "SES sending metrics, lab eu-west-1, whole account" in text
    assert "totals: Send 8, Delivery 4, Bounce 2, Complaint 1" in text
    assert text.count("team-ses-bounce-rate-review") >= 3  # created, unchanged, CloudFormation
    assert "under review (EnforcementStatus PROBATION)" in text and "paused (EnforcementStatus SHUTDOWN)" in text
    assert "SendingPausedException" in text
    assert "checked" in text and "Plan: no changes" in text


@pytest.fixture
def stand_in_aws(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A fresh lab in its own process, to stand in for AWS; yields its announcement."""
    with lab_process(tmp_path / "lab.json") as info:
        yield info


def test_notebook_07_plan_only_on_aws(stand_in_aws: dict[str, Any], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    info = stand_in_aws
    monkeypatch.setenv("AWS_ENDPOINT_URL", info["aws_endpoint"])
    monkeypatch.setenv("SESBOOK_NAMESERVER", info["dns"])
    out = tmp_path / "07-aws.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"target": "aws", "apply": False},
                               kernel_name="python3", cwd=str(NOTEBOOK.parent), progress_bar=False,
                               coalesce_streams=True)
    shown = outputs(out)
    text = "\n".join(o for _, o in shown)
    assert "SendingPausedException" not in text  # the lab-only steps were skipped
    assert text.count("planned") >= 8  # the alarms, twice
    [plan] = [o for source, o in shown if source.strip() == "ses_target.plan"]
    assert "PutMetricAlarm" in plan and "SendEmail" in plan and "CreateEmailTemplate" in plan
    with urllib.request.urlopen(info["aws_endpoint"] + "/_aws/ses", timeout=10) as answer:  # noqa: S310 - loopback
        assert json.loads(answer.read()).get("messages", []) == []  # nothing was sent
