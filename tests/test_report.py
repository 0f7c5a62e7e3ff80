"""The run report: settings shown, pages titled and offline, links to pages, a kernel that will not start."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sesbook.runbook import run_sequence

if TYPE_CHECKING:
    from sesbook.lab import LabInfo

PARAMS = 'target: str = "lab"  # lab or aws\nregion: str = "us-east-1"  # region\napply: bool = False  # send'
KERNELSPEC = {"name": "python3", "language": "python", "display_name": "Python 3"}


def _write(folder: Path, name: str, *cells: nbformat.NotebookNode) -> Path:
    path = folder / name
    first = new_code_cell(PARAMS, metadata={"tags": ["parameters"]})
    nbformat.write(new_notebook(cells=[first, *cells], metadata={"kernelspec": KERNELSPEC}), path)
    return path


@pytest.fixture
def books(tmp_path: Path, lab_info: LabInfo) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write(folder, "01-first.ipynb", new_markdown_cell("# The *first* notebook\n\nNext: [02](02-second.ipynb)."),
           new_code_cell("print('one')"))
    _write(folder, "02-second.ipynb", new_markdown_cell("# Second\n\n$x^2$ [back](01-first.ipynb#top)"),
           new_code_cell("print('two')"))
    return folder


def test_report_shows_settings_and_pages_are_titled_offline_and_linked(books: Path, tmp_path: Path) -> None:
    result = run_sequence(parameters={"region": "eu-west-1"}, notebooks_dir=books, runs_dir=tmp_path / "runs",
                          progress=False)
    assert result.ok, [n.describe() for n in result.notebooks]
    page = result.index_html.read_text()
    settings = dict(re.findall(r"<tr><th>([^<]+)</th><td>([^<]*)</td></tr>", page))
    assert settings["target"] == "lab" and settings["region"] == "eu-west-1" and settings["apply"] == "False"
    assert settings["seed"] == str(result.lab["seed"]) and settings["lab used"].startswith("http://127.0.0.1:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", settings["started"])
    summary = json.loads((result.folder / "summary.json").read_text())
    assert summary["settings"]["region"] == "eu-west-1" and summary["started"] == settings["started"]

    first = (result.folder / "01-first.html").read_text()
    second = (result.folder / "02-second.html").read_text()
    assert "<title>The first notebook</title>" in first and "<title>Second</title>" in second
    for text in (first, second, page):
        assert not re.search(r"<script[^>]+src=", text), "no script is loaded from anywhere"
        assert "cdnjs" not in text and "unpkg" not in text and "require.js" not in text
    assert 'href="02-second.html"' in first and 'href="01-first.html#top"' in second
    assert 'href="01-first.html"' in page and 'href="02-second.html"' in page


def _kernel(root: Path, code: str) -> dict[str, str]:
    """A python3 kernel spec, found first through JUPYTER_PATH, whose process runs ``code``."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", code, "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    return {"JUPYTER_PATH": str(root)}


@pytest.fixture
def jupyter_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    def use(code: str) -> None:
        for key, value in _kernel(tmp_path / "jupyter", code).items():
            monkeypatch.setenv(key, value)
    return use


def test_a_kernel_that_never_starts_is_reported_and_the_report_written(
    books: Path, tmp_path: Path, jupyter_path, caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    jupyter_path("raise SystemExit(1)")
    result = run_sequence(notebooks_dir=books, runs_dir=tmp_path / "runs", progress=False)
    assert [n.status for n in result.notebooks] == ["failed", "not run"]
    failed = result.first_failure
    assert failed is not None and "the kernel did not start, 2 tries" in failed.describe()
    assert "trying once more" in caplog.text
    assert result.index_html.exists() and "did not start" in result.index_html.read_text()


def test_a_kernel_that_fails_once_is_started_again(books: Path, tmp_path: Path, jupyter_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "failed-once"
    jupyter_path(
        "import os, sys\n"
        f"if not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close(); raise SystemExit(1)\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', sys.argv[1]])\n"
    )
    result = run_sequence(notebooks_dir=books, runs_dir=tmp_path / "runs", progress=False, only=["01"])
    assert marker.exists(), "the first start failed"
    assert result.ok, [n.describe() for n in result.notebooks]
    executed = nbformat.read(result.folder / "01-first.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "one\n"


def test_kernels_start_encrypted_and_say_nothing_about_tcp(books: Path, tmp_path: Path) -> None:
    """Run in a child process so its stderr (where the kernel's warning would go) can be read."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "sesbook", "run", "--notebooks", str(books), "--runs", str(tmp_path / "runs"),
         "--no-progress"],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], timeout=300, env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr
    assert "without encryption" not in out.stderr
