"""Notebook 05 with non-default parameters: another region, domain and template, through the v1/v2 sends, SMTP,
a bulk send of a different size, a send that cannot render, and mail to the domain received back from S3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import papermill

import sesbook

if TYPE_CHECKING:
    import pytest

    from sesbook.lab import LabInfo

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, name: str, notebook: str = "05-send-mail.ipynb", **parameters: object) -> str:
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / notebook), str(out), parameters=parameters,
                               kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False,
                               coalesce_streams=True)
    nb = nbformat.read(out, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def test_notebook_05_sends_every_way_with_other_parameters(tmp_path: Path) -> None:
    out = tmp_path / "05.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "05-send-mail.ipynb"), str(out),
        parameters={"region": "eu-west-1", "domain": "example.org", "recipient": "ann@example.org",
                    "template_name": "other-welcome", "smtp_user": "other-smtp", "bulk_count": 5,
                    "journal": str(tmp_path / "bulk.jsonl")},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(json.dumps(c.get("outputs", [])) for c in nb.cells if c.cell_type == "code")
    assert "VerifiedSender(sender@example.org" in text
    assert "template other-welcome: created" in text
    assert "SmtpUser(user_name='other-smtp'" in text and "535 Authentication Credentials Invalid" in text
    assert "BulkResult(5 sent" in text and "BulkResult(0 sent, 5 already sent" in text
    assert "{'v2': 9, 'v1': 1, 'smtp': 1}" in text  # 3 sends of steps 2-4 + the template + 5 bulk = 9 through v2
    assert (tmp_path / "bulk.jsonl").exists()
    assert "delivered: 0 - RenderingFailure in the last hour: 1.0" in text  # accepted, then not rendered
    assert "s3://sesbook-inbound-mail/aaa_emails/: 1 message(s)" in text  # sent to example.org, received back


def test_after_notebook_04_step_7_uses_its_rule_set_and_changes_nothing(tmp_path: Path, lab_info: LabInfo,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from sesbook.lab import ENV_LAB

    monkeypatch.setenv(ENV_LAB, lab_info.to_json())
    _run(tmp_path, "04", "04-receive-mail.ipynb")
    target = sesbook.connect("lab")
    before = target.ses.describe_active_receipt_rule_set()["Rules"]
    text = _run(tmp_path, "05", journal=str(tmp_path / "bulk.jsonl"))
    assert "s3://sesbook-inbound-mail/aaa_emails/: 1 message(s)" in text
    assert target.ses.describe_active_receipt_rule_set()["Rules"] == before  # notebook 04's set, untouched
    assert [r["Name"] for r in before] == ["EmailToS3", "Gone", "SupportGate", "SupportStore"]


def test_notebook_05_plan_only_against_aws(tmp_path: Path, lab_info: LabInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against "aws" without apply (the lab standing in for AWS): runs to the end, sends nothing, plans step 7."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", lab_info.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    text = _run(tmp_path, "aws", target="aws", journal=str(tmp_path / "bulk.jsonl"))
    assert "plan-only: nothing was sent, nothing to read" in text
    for operation in ("s3.CreateBucket", "s3.PutBucketPolicy", "ses.CreateReceiptRuleSet", "ses.CreateReceiptRule",
                      "ses.SetActiveReceiptRuleSet"):
        assert operation in text, operation
    lab = sesbook.connect("lab")
    assert lab.ses.list_receipt_rule_sets().get("RuleSets", []) == []
    assert lab.s3.list_buckets()["Buckets"] == []
    assert lab_info.request("GET", "/_aws/ses")["messages"] == []
