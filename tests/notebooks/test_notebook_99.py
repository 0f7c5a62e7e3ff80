"""Notebook 99 as the operator's dry run: target "aws" (the lab standing in for AWS), apply=False, other names.

The suite's resources are made in the lab first; the notebook must list them, plan every removal and remove
nothing."""

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


def test_notebook_99_plans_on_aws_without_apply(sender: sesbook.Target, lab_info: LabInfo, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    sesbook.put_template(sender, "promo", subject="Hi", text="Hello")
    sesbook.wire_feedback(sender, "example.com", name="bounces")
    sender.s3.create_bucket(Bucket="sesbook-inbound")
    sender.s3.create_bucket(Bucket="not-ours")
    names = sesbook.SuiteNames(templates=("promo",), feedback_names=("bounces",))
    before = sesbook.inventory(sender, names).names()
    assert {"promo", "bounces", "bounces-dlq", "sesbook-inbound", "example.com"} <= set(before)

    monkeypatch.setenv("AWS_ENDPOINT_URL", lab_info.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    out = tmp_path / "99.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "99-clean-up.ipynb"), str(out),
        parameters={"target": "aws", "template_name": "promo", "feedback_name": "bounces", "address": "x@example.org"},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = {c.source.split("=")[0].strip(): json.dumps(c.get("outputs", [])) for c in nb.cells
               if c.cell_type == "code"}
    assert "clean-up (plan only, nothing removed)" in outputs["result"]
    assert "sesbook-inbound" in outputs["result"] and "not-ours" not in outputs["result"]
    plan = outputs["ses_target.plan"]
    for call in ("ses.DeleteIdentity", "s3.DeleteBucket", "sns.DeleteTopic", "sqs.DeleteQueue",
                 "sesv2.DeleteEmailTemplate"):
        assert call in plan, call
    # nothing was removed
    assert sesbook.inventory(sender, names).names() == before
