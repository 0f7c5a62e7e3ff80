"""Notebook 04 with non-default parameters (papermill): twice in one lab, and plan-only against "aws"."""

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
NOTEBOOK = ROOT / "notebooks" / "04-receive-mail.ipynb"
PARAMS = {"domain": "example.org", "bucket": "other-inbound", "rule_set": "other-set",
          "topic": "other-topic", "gate_function": "other-gate", "allowed_sender": "boss@partner.example"}


def _run(tmp_path: Path, name: str, **parameters: object) -> str:
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, kernel_name="python3",
                               cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True)
    nb = nbformat.read(out, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def test_notebook_04_twice_in_one_lab(tmp_path: Path, lab_info: LabInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    from sesbook.lab import ENV_LAB

    monkeypatch.setenv(ENV_LAB, lab_info.to_json())
    first = _run(tmp_path, "first", **PARAMS)
    for text in ("554 5.7.1 Access denied", "550 5.1.1 Mailbox does not exist", "5.1.1 Requested action not taken",
                 "SupportGate: Lambda ok (stopped rule set)", "Help, from a friend", "boss@partner.example",
                 "receipt-rule-set/other-set:receipt-rule/EmailToS3", "10 inbound-smtp.us-east-1.amazonaws.com"):
        assert text in first, text
    second = _run(tmp_path, "second", **PARAMS)  # runs again: nothing fails, nothing is made twice
    assert "outcome          unchanged" in second and "554 5.7.1 Access denied" in second
    target = sesbook.connect("lab")
    assert target.ses.list_receipt_filters()["Filters"] == []  # the clean-up removed the allow-only filters
    support = sesbook.stored_messages(target, "other-inbound", "support/")
    assert [m.subject for m in support] == ["Help, from a friend"] * 2  # one per run, never the stranger's


def test_notebook_04_plan_only_against_aws(tmp_path: Path, lab_info: LabInfo,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Against "aws" without apply (the lab standing in for AWS): runs to the end, sends nothing, plans it all."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", lab_info.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    text = _run(tmp_path, "aws", target="aws", **PARAMS)
    assert "plan-only: the SMTP steps are skipped" in text
    for operation in ("ses.CreateReceiptRuleSet", "s3.CreateBucket", "s3.PutBucketPolicy", "lambda.CreateFunction",
                      "lambda.AddPermission", "ses.CreateReceiptFilter", "route53.ChangeResourceRecordSets",
                      "AWS::SES::ReceiptRule"):
        assert operation in text, operation
    lab = sesbook.connect("lab")
    assert lab.ses.list_receipt_rule_sets().get("RuleSets", []) == []
    assert lab.s3.list_buckets()["Buckets"] == []
    assert lab_info.request("GET", "/_aws/ses")["messages"] == []
