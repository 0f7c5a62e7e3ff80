"""Notebook 03 with non-default parameters: a denied review in another region and domain."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[2]


def test_notebook_03_teaches_the_denied_path(tmp_path: Path) -> None:
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "03-leave-the-sandbox.ipynb"), str(out),
        parameters={"region": "eu-west-1", "domain": "example.org", "lab_review": "DENIED"},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = {c.source.split("=")[0].strip(): json.dumps(c.get("outputs", [])) for c in nb.cells
               if c.cell_type == "code"}
    text = "\n".join(outputs.values())
    assert "VerifiedSender(sender@example.org" in text
    assert "failed the check in region EU-WEST-1: someone@example.net" in outputs["refused"]
    assert "review: DENIED" in text
    # the same send after the review is still refused: the account stayed in the sandbox
    assert "refused: to someone@example.net: MessageRejected" in outputs["again"]
    assert "check_account: ok (sandbox)" in outputs["check"]
