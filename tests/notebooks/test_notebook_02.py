"""Notebook 02 with non-default parameters (papermill), against its own private lab."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[2]


def test_notebook_02_runs_with_another_domain_region_and_mail_from(tmp_path: Path) -> None:
    out = tmp_path / "02.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "02-dns-records.ipynb"), str(out),
        parameters={"region": "eu-west-1", "domain": "example.org", "mail_from": "bounce"}, kernel_name="python3",
        cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "10 inbound-smtp.eu-west-1.amazonaws.com" in text
    assert "10 feedback-smtp.eu-west-1.amazonses.com" in text and "bounce.example.org" in text
    assert "all required records are right" in text
    assert "nothing to change: all 9 record sets" in text
