"""A wait's progress line: ordinary output in a notebook, saved as one clean line; one line in a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from sesbook._progress import ProgressLine
from sesbook.runbook import execute_in_place

if TYPE_CHECKING:
    import pytest

    from sesbook.lab import LabInfo

ROOT = Path(__file__).resolve().parents[1]
WAIT = ("import sesbook\nt = sesbook.connect('lab')\nv = sesbook.verify_domain(t, 'example.com', method='v1')\n"
        "sesbook.publish_records(t, 'example.com', v.records)\n"
        "s = sesbook.wait_for_verification(t, 'example.com')")


def test_in_a_notebook_the_wait_is_stdout_and_saved_as_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "wait.ipynb"
    kernelspec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(new_notebook(cells=[new_code_cell(WAIT)], metadata={"kernelspec": kernelspec}), path)
    execute_in_place(path, seed=1)
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    streams = [o for o in outputs if o.output_type == "stream"]
    assert [o.name for o in streams] == ["stdout"], "not stderr: JupyterLab paints that as an error"
    assert streams[0].text == "example.com: SUCCESS, DKIM NOT_STARTED\n", json.dumps(streams[0].text)


def test_in_a_pipe_the_wait_is_one_clean_line(lab_info: LabInfo) -> None:
    env = {"SESBOOK_LAB": lab_info.to_json()}
    out = subprocess.run([sys.executable, "-c", WAIT.replace("example.com", "example.net")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    assert out.stderr.splitlines()[-1] == "example.net: SUCCESS, DKIM NOT_STARTED" and "\r" not in out.stderr


def test_a_line_that_is_not_shown_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressLine("x: checking", enabled=False) as line:
        line.update("x: SUCCESS")
    assert capsys.readouterr() == ("", "")
    with ProgressLine("y: checking") as line:  # pytest's capture is not a terminal: one line at the end
        line.update("y: PENDING")
        line.update("y: SUCCESS")
    assert capsys.readouterr().err == "y: SUCCESS\n"
