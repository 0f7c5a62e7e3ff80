"""Notebook 01 with non-default parameters (papermill), against its own private lab."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[2]


def test_notebook_01_runs_the_v1_way_with_another_domain_and_region(tmp_path: Path) -> None:
    out = tmp_path / "01.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "01-verify-a-domain.ipynb"), str(out),
        parameters={"method": "v1", "domain": "example.org", "region": "eu-west-1", "address": "ops@example.org",
                    "mail_from_subdomain": "bounce", "clean_up": True},
        kernel_name="python3", cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "_amazonses.example.org" in text and "method=v1: status PENDING" in text
    assert "'VerificationStatus': 'Pending'" in text  # the raw call, before publishing
    assert "example.org: SUCCESS, DKIM NOT_STARTED" in text  # v1: verified, no DKIM
    assert "region Europe (Ireland)" in text and "Verified: ops@example.org" in text
    assert "is the domain itself" in text  # the apex MAIL FROM, refused and shown
    assert "bounce.example.org: SUCCESS" in text and "10 feedback-smtp.eu-west-1.amazonses.com" in text
    assert "DKIM is not set up" in text  # check_identity's warning for a v1-only domain
    cleanup = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("if clean_up:"))
    assert cleanup.outputs[0]["text"] == "True\n"  # the BYODKIM demo identity was removed
