"""``python -m sesbook learn``: one lab that every kernel started from JupyterLab attaches to.

JupyterLab itself is not started here: the command ``learn`` runs is replaced by two Python processes in a
row, standing for two notebook kernels. What the first verifies, the second sees, as in an account.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sesbook.learn import learn

ROOT = Path(__file__).resolve().parents[1]

KERNEL = """
import json, sys, sesbook
target = sesbook.connect("lab")
step = sys.argv[1]
if step == "first":
    target.ses.verify_email_identity(EmailAddress="ann@example.com")
found = target.ses.list_identities()["Identities"]
print(json.dumps({"endpoint": target.lab.aws_endpoint, "identities": found}))
"""


def test_two_kernels_share_one_lab_that_stops_with_jupyterlab(tmp_path: Path, monkeypatch: object) -> None:
    script = tmp_path / "kernel.py"
    script.write_text(KERNEL)
    out = tmp_path / "out.jsonl"
    # two "kernels" in a row, each its own process, appending what they saw; the folder argument comes last
    fake = [sys.executable, "-c",
            "import subprocess, sys\n"
            f"for step in ('first', 'second'):\n"
            f"    line = subprocess.run([sys.executable, {str(script)!r}, step], capture_output=True, text=True,\n"
            "                          check=True).stdout\n"
            f"    open({str(out)!r}, 'a').write(line)\n"]
    monkeypatch.setenv("SESBOOK_LAB_STATE", str(tmp_path / "lab.json"))  # type: ignore[attr-defined]
    monkeypatch.delenv("SESBOOK_LAB", raising=False)  # type: ignore[attr-defined]
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # type: ignore[attr-defined]
    assert learn(str(ROOT / "notebooks"), command=fake) == 0
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    assert first["endpoint"] == second["endpoint"]
    assert second["identities"] == ["ann@example.com"]  # the second kernel sees what the first did
    assert not (tmp_path / "lab.json").exists()  # the lab stopped with "JupyterLab" and removed its state file


def test_a_saved_notebook_is_named_with_the_way_back(tmp_path: Path) -> None:
    import subprocess

    from helpers import changed_notebooks

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01-x.ipynb").write_text("{}")
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True)
    assert changed_notebooks(tmp_path) == []
    (tmp_path / "notebooks" / "01-x.ipynb").write_text('{"saved": "from JupyterLab"}')
    assert changed_notebooks(tmp_path) == ["notebooks/01-x.ipynb"]


def test_jupyterlab_may_start_as_root_on_loopback() -> None:
    """Jupyter refuses to run as root without allow_root (a root container); a learner there must not be stuck."""
    from sesbook.learn import JUPYTER, jupyter_command

    assert jupyter_command(uid=0)[-1] == "--ServerApp.allow_root=True"
    assert "--ServerApp.ip=127.0.0.1" in jupyter_command(uid=0)
    assert jupyter_command(uid=1000) == list(JUPYTER)
    assert jupyter_command(["python", "fake.py"], uid=0) == ["python", "fake.py"]  # a test's stand-in is left alone
