"""Notebook 06 with non-default parameters in one lab. Twice in one account and plan-only against "AWS" it runs in
tests/test_runbook_reruns.py, as one step of the whole sequence (where other notebooks' feedback reaches its queue
too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import nbformat
import papermill

if TYPE_CHECKING:
    import pytest

    from sesbook.lab import LabInfo

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "06-bounces-and-complaints.ipynb"
PARAMS = {"domain": "example.org", "region": "eu-west-1", "feedback_name": "fb-06", "configuration_set": "cs-06",
          "watch_timeout": 20.0}


def run(out: Path, **parameters: object) -> dict[str, str]:
    """Execute the notebook; each code cell's outputs as text, by the cell's first line."""
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, kernel_name="python3",
                               cwd=str(NOTEBOOK.parent), progress_bar=False, coalesce_streams=True)
    nb = nbformat.read(out, as_version=4)
    return {c.source.splitlines()[0]: json.dumps(c.get("outputs", []), ensure_ascii=False)
            for c in nb.cells if c.cell_type == "code" and c.source}


def test_notebook_06_with_other_parameters(lab_info: LabInfo, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESBOOK_LAB", lab_info.to_json())
    outputs = run(tmp_path / "06.ipynb", **PARAMS)
    text = "\n".join(outputs.values())
    assert "14 of 14 expected message(s) arrived" in text
    assert "Permanent/OnAccountSuppressionList" in text and "already suppressed" in text
    assert "gone@example.org on the list: True" in text
    assert "removed: True | still listed: False" in text
    assert "check: ok" in text
    assert "[True, True, True]" in outputs["if ses_target.is_lab:"]  # the clean-up took all three off
    ses = boto3.client("sesv2", region_name="eu-west-1", endpoint_url=lab_info.aws_endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # noqa: S106
    assert ses.list_suppressed_destinations()["SuppressedDestinationSummaries"] == []  # cleaned up
