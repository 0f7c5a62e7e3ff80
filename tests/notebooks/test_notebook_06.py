"""Notebook 06 with non-default parameters: twice in one lab (the second run starts as the first did), and
plan-only against an "AWS" endpoint (the lab standing in) where it must change and send nothing."""

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


def test_notebook_06_runs_twice_in_one_lab(lab_info: LabInfo, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESBOOK_LAB", lab_info.to_json())
    for n in (1, 2):
        outputs = run(tmp_path / f"06-{n}.ipynb", **PARAMS)
        text = "\n".join(outputs.values())
        assert "14 of 14 expected message(s) arrived" in text, n
        assert "Permanent/OnAccountSuppressionList" in text and "already suppressed" in text
        assert "gone@example.org on the list: True" in text
        assert "removed: True | still listed: False" in text
        assert "check: ok" in text
        assert "[True, True, True]" in outputs["if ses_target.is_lab:"]  # the clean-up took all three off
    ses = boto3.client("sesv2", region_name="eu-west-1", endpoint_url=lab_info.aws_endpoint,
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # noqa: S106
    assert ses.list_suppressed_destinations()["SuppressedDestinationSummaries"] == []  # cleaned up


def test_notebook_06_plans_only_against_aws(lab_info: LabInfo, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": lab_info.aws_endpoint,
                        "SESBOOK_NAMESERVER": lab_info.dns,
                        "SESBOOK_LAB_STATE": str(tmp_path / "no-lab.json")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SESBOOK_LAB", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    outputs = run(tmp_path / "06-aws.ipynb", **PARAMS, target="aws", apply=False)
    text = "\n".join(outputs.values())
    assert "planned: the queue does not exist yet" in text
    plan = outputs["ses_target.plan"]
    for call in ("CreateTopic(Name='fb-06')", "SetIdentityNotificationTopic", "CreateConfigurationSetEventDestination",
                 "SendEmail", "simulator.amazonses.com", "DeleteSuppressedDestination"):
        assert call in plan, call
    sns = boto3.client("sns", region_name="eu-west-1", endpoint_url=lab_info.aws_endpoint)
    assert sns.list_topics()["Topics"] == []  # nothing was made
    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=lab_info.aws_endpoint)
    assert not sqs.list_queues().get("QueueUrls")
