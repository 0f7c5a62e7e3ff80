"""Notebook 05 with non-default parameters: another region, domain and template, through the v1/v2 sends, SMTP,
a bulk send of a different size, a send that cannot render, and mail to the domain received back from S3."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[2]


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
