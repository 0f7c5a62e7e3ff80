"""Secrets stay secret over a whole run of the sending notebook.

Notebook 05 makes an IAM user, derives SMTP credentials from its access key and sends through the SMTP
interface. Run with papermill against the session's lab (announced through ``SESBOOK_LAB``), with every
log record of this process, the lab included, captured at DEBUG: the user's secret access key (read back
from the lab's IAM backend) and the SMTP password derived from it appear in no log line, no output of the
executed notebook and not in its HTML page. (AWS: "never share your secret access key"; the SMTP password
is derived from it and is as secret; SES Developer Guide, "Obtaining Amazon SES SMTP credentials", checked
2026.) The messages of :func:`sesbook.smtp_credentials` refusing a bad input never carry the secret either.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import papermill
import pytest

import sesbook
from sesbook.errors import ValidationError
from sesbook.report import render_html
from sesbook.smtp import smtp_credentials, smtp_password

if TYPE_CHECKING:
    from sesbook.lab.runtime import Lab

pytestmark = [pytest.mark.lab, pytest.mark.notebook]
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05-send-mail.ipynb"


def _secret_forms(secret: str, region: str) -> dict[str, str]:
    """Each secret and the forms it could leak in (AUTH PLAIN sends the password in base64)."""
    password = smtp_password(secret, region)
    return {"secret access key": secret, "SMTP password": password,
            "SMTP password in base64": base64.b64encode(password.encode()).decode()}


def test_notebook_05_leaks_no_secret(lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.iam.models import iam_backends

    from sesbook.lab import ACCOUNT_ID

    lab.reset()
    assert lab.info is not None
    monkeypatch.setenv("SESBOOK_LAB", lab.info.to_json())
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        out = tmp_path / NOTEBOOK.name
        papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", cwd=str(NOTEBOOK.parent),
                                   progress_bar=False, coalesce_streams=True, log_output=True)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    page = render_html(out)

    keys = [key for user in iam_backends[ACCOUNT_ID]["global"].users.values() for key in user.access_keys]
    assert keys, "the notebook made an IAM access key"
    places = {"log": "\n".join(records), "executed notebook": out.read_text(encoding="utf-8"),
              "HTML page": page.read_text(encoding="utf-8")}
    assert places["log"], "the run logged something at DEBUG"
    for key in keys:
        for what, value in _secret_forms(key.secret_access_key, lab.region).items():
            for where, text in places.items():
                assert value not in text, f"the {what} of {key.access_key_id} appears in the {where}"


SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize("region", ["mars-1", "cn-north-1", "", "US-EAST-1"])
def test_smtp_credentials_refusals_do_not_carry_the_secret(region: str) -> None:
    with pytest.raises(ValidationError) as refused:
        smtp_credentials("AKIAIOSFODNN7EXAMPLE", SECRET, region)
    shown = f"{refused.value} {refused.value!r} {refused.value.value!r} {refused.value.hint}"
    assert SECRET not in shown and "region" in str(refused.value)
    good = smtp_credentials("AKIAIOSFODNN7EXAMPLE", SECRET, "us-east-1")
    assert good.password not in repr(good) and good.password not in str(good)
    assert SECRET not in repr(good)


def test_a_planned_smtp_user_shows_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against AWS with apply=False nothing is created, so the plan holds no key; its text shows none."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    target = sesbook.connect("aws", apply=False)
    assert SECRET not in repr(target) and SECRET not in str(target.plan)
