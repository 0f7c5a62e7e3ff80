"""Notebook 07 with non-default parameters in its own lab. Plan-only against a stand-in AWS endpoint (where it
must run to its end and send or create nothing) it runs in tests/test_runbook_reruns.py, with the sequence."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill

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
