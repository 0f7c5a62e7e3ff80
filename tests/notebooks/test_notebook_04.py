"""Notebook 04 with non-default parameters (papermill). Twice in one lab and plan-only against "aws" it runs in
tests/test_runbook_reruns.py, as one step of the whole sequence."""

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


def test_notebook_04_with_other_parameters(tmp_path: Path, lab_info: LabInfo, monkeypatch: pytest.MonkeyPatch) -> None:
    from sesbook.lab import ENV_LAB

    monkeypatch.setenv(ENV_LAB, lab_info.to_json())
    first = _run(tmp_path, "first", **PARAMS)
    for text in ("554 5.7.1 Access denied", "550 5.1.1 Mailbox does not exist", "5.1.1 Requested action not taken",
                 "SupportGate: Lambda ok (stopped rule set)", "Help, from a friend", "boss@partner.example",
                 "receipt-rule-set/other-set:receipt-rule/EmailToS3", "10 inbound-smtp.us-east-1.amazonaws.com"):
        assert text in first, text
    target = sesbook.connect("lab")
    assert target.ses.list_receipt_filters()["Filters"] == []  # the clean-up removed the allow-only filters
    support = sesbook.stored_messages(target, "other-inbound", "support/")
    assert [m.subject for m in support] == ["Help, from a friend"]  # never the stranger's
    assert [r["Name"] for r in target.ses.describe_active_receipt_rule_set()["Rules"]] == [
        "EmailToS3", "Gone", "SupportGate", "SupportStore"]
