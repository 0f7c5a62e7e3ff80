"""The runbook runner: papermill over real kernels, one shared lab, a summary page, failures named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sesbook.errors import ValidationError
from sesbook.runbook import execute_in_place, load_parameters, notebook_paths, run_sequence, strip_run_metadata

if TYPE_CHECKING:
    from sesbook.lab import LabInfo

ROOT = Path(__file__).resolve().parents[1]
PARAMS = 'target: str = "lab"  # lab or aws\nregion: str = "us-east-1"  # region\ndomain: str = "example.com"  # d'


def _write(folder: Path, name: str, *sources: str) -> Path:
    cells = [new_code_cell(PARAMS, metadata={"tags": ["parameters"]})] + [new_code_cell(s) for s in sources]
    path = folder / name
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                      "display_name": "Python 3"}}), path)
    return path


@pytest.fixture
def books(tmp_path: Path, lab_info: LabInfo) -> Path:
    """Two tiny notebooks; the session lab (which run_sequence reuses) is reset first."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write(folder, "01-create.ipynb",
           "import sesbook\nt = sesbook.connect(target, region=region)\n"
           "t.ses.verify_email_identity(EmailAddress='a@' + domain)")
    _write(folder, "02-see.ipynb",
           "import sesbook\nt = sesbook.connect(target, region=region)\n"
           "ids = t.ses.list_identities()['Identities']\nassert ids == ['a@' + domain], ids\nprint(region)")
    return folder


def test_sequence_shares_one_lab_and_writes_a_summary(books: Path, tmp_path: Path) -> None:
    result = run_sequence(parameters={"domain": "example.org", "region": "eu-west-1"}, notebooks_dir=books,
                          runs_dir=tmp_path / "runs", progress=False)
    assert result.ok, [n.describe() for n in result.notebooks]
    assert [n.name for n in result.notebooks] == ["01-create.ipynb", "02-see.ipynb"]
    page = result.index_html.read_text()
    assert "02-see.html" in page and "2 ok, 0 failed, 0 not run" in page
    executed = nbformat.read(result.folder / "02-see.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "eu-west-1\n"
    summary = json.loads((result.folder / "summary.json").read_text())
    assert [n["status"] for n in summary["notebooks"]] == ["ok", "ok"]


def test_failure_names_notebook_and_cell_and_stops(books: Path, tmp_path: Path) -> None:
    _write(books, "03-break.ipynb", "x = 1", "raise RuntimeError('the third notebook broke')")
    _write(books, "04-after.ipynb", "pass")
    result = run_sequence(notebooks_dir=books, runs_dir=tmp_path / "runs", progress=False)
    assert not result.ok
    failed = result.first_failure
    assert failed is not None and failed.name == "03-break.ipynb"
    assert failed.cell == 2 and failed.ename == "RuntimeError"
    said = "03-break.ipynb, In [3] `raise RuntimeError('the third notebook broke')` failed: RuntimeError: the third"
    assert said in failed.describe()
    assert f"(see {failed.html}#cell-id=" in failed.describe(), "the page, at the failing cell"
    assert [n.status for n in result.notebooks] == ["ok", "ok", "failed", "not run"]
    page = result.index_html.read_text()
    assert "the third notebook broke" in page
    assert f'<a href="03-break.html#{failed.anchor}">03-break.ipynb, In [3]' in page
    assert f'id="{failed.anchor}"' in failed.html.read_text(), "the anchor is the failing cell's id in the page"


def test_only_and_unknown_parameters_are_checked(books: Path, tmp_path: Path) -> None:
    assert [p.name for p in notebook_paths(books, ["2"])] == ["02-see.ipynb"]
    with pytest.raises(ValidationError, match="names no notebook"):
        notebook_paths(books, ["07"])
    with pytest.raises(ValidationError, match="declared by none of the notebooks"):
        run_sequence(parameters={"colour": "red"}, notebooks_dir=books, runs_dir=tmp_path / "r", progress=False)


def test_parameters_file_then_pairs(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text("region: eu-west-1\ndomain: example.net\n")
    assert load_parameters(str(file), [("domain", "example.org")]) == {"region": "eu-west-1", "domain": "example.org"}
    file.write_text("- a list\n")
    with pytest.raises(ValidationError, match="mapping"):
        load_parameters(str(file), [])


def test_cli_run_exits_non_zero_and_names_the_cell(books: Path, tmp_path: Path) -> None:
    _write(books, "03-break.ipynb", "raise ValueError('bad input in 03')")
    out = subprocess.run(
        [sys.executable, "-m", "sesbook", "run", "--notebooks", str(books), "--runs", str(tmp_path / "runs"),
         "--no-progress", "-p", "domain", "example.org"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=os.environ.copy(),
    )
    assert out.returncode == 1
    # In [3]: papermill injects the given parameters after the parameters cell, and the reader sees that
    assert "03-break.ipynb, In [3] `raise ValueError('bad input in 03')` failed: ValueError: bad input in 03" \
        in out.stderr
    assert "2 ok, 1 failed, 0 not run" in out.stdout


def test_cli_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "sesbook", "run", "--notebooks", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("error: notebooks=") and "Traceback" not in out.stderr


def test_execute_in_place_strips_run_metadata(books: Path) -> None:
    path = books / "01-create.ipynb"
    execute_in_place(path, seed=1)
    nb = nbformat.read(path, as_version=4)
    assert "papermill" not in nb.metadata
    assert all("papermill" not in c.metadata and "execution" not in c.metadata for c in nb.cells)
    assert nb.cells[1].outputs, "executed in place keeps outputs"
    assert strip_run_metadata(nb) == nb


def test_notebook_00_runs_with_non_default_parameters(tmp_path: Path) -> None:
    out = tmp_path / "00.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "00-the-lab-and-the-target.ipynb"), str(out),
        parameters={"region": "eu-west-1", "domain": "example.org"}, kernel_name="python3",
        cwd=str(ROOT / "notebooks"), progress_bar=False, coalesce_streams=True,
    )
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "region='eu-west-1'" in text
    assert "VerifyDomainIdentity(Domain='example.org')" in text


def test_every_notebook_documents_its_parameters() -> None:
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        params = papermill.inspect_notebook(str(path))
        for required in ("target", "region", "domain", "apply", "profile"):
            assert required in params, f"{path.name} lacks the {required} parameter"
            assert params[required]["help"], f"{path.name}: {required} has no help text"
        assert params["target"]["default"] == '"lab"'


def _flag_books(tmp_path: Path) -> Path:
    folder = tmp_path / "flags"
    folder.mkdir()
    cells = [new_code_cell('apply: bool = False  # send changes\nwait_timeout: float = 5.0  # seconds',
                           metadata={"tags": ["parameters"]}),
             new_code_cell("print(repr(apply), repr(wait_timeout))")]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "language": "python", "display_name": "Python 3"}}), folder / "01-flags.ipynb")
    return folder


@pytest.mark.parametrize(("given", "shown"), [
    ({"apply": "false", "wait_timeout": "1e3"}, "False 1000.0"),
    ({"apply": "on", "wait_timeout": "10"}, "True 10.0"),
])
def test_runner_parses_bool_and_timeout_parameters(tmp_path: Path, given: dict[str, object], shown: str) -> None:
    books = _flag_books(tmp_path)
    result = run_sequence(parameters=given, notebooks_dir=books, runs_dir=tmp_path / "runs", progress=False)
    assert result.ok, [n.describe() for n in result.notebooks]
    executed = nbformat.read(result.folder / "01-flags.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == shown + "\n"


@pytest.mark.parametrize(("given", "field"), [
    ({"apply": "maybe"}, "apply"), ({"apply": 2}, "apply"),
    ({"wait_timeout": "nan"}, "wait_timeout"), ({"wait_timeout": "-1"}, "wait_timeout"),
    ({"wait_timeout": "soon"}, "wait_timeout"),
])
def test_runner_refuses_bad_bool_and_timeout_parameters(tmp_path: Path, given: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        run_sequence(parameters=given, notebooks_dir=_flag_books(tmp_path), runs_dir=tmp_path / "runs",
                     progress=False)
    assert info.value.field == field
    assert not (tmp_path / "runs").exists(), "refused before anything was written"


def test_cli_apply_false_from_a_yaml_file_stays_false(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text('apply: "false"\n')
    out = subprocess.run(
        [sys.executable, "-m", "sesbook", "run", "--notebooks", str(_flag_books(tmp_path)), "--runs",
         str(tmp_path / "runs"), "--no-progress", "-f", str(file), "-p", "wait_timeout", "1e3"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=os.environ.copy(),
    )
    assert out.returncode == 0, out.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    executed = nbformat.read(folder / "01-flags.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "False 1000.0\n"
    assert json.loads((folder / "summary.json").read_text())["parameters"]["apply"] is False


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "--only", "\u00b2"], "only='\u00b2': must be a whole number written with the digits 0-9"),
    (["run", "--runs", "{file}/runs"], "runs="),
    (["notebooks", "{tmp}/missing.ipynb"], "is not a file"),
    (["notebooks", "{file}"], "is not a notebook (.ipynb)"),
    (["notebooks", "{fake}"], "is not a valid notebook"),
    (["notebooks", "--notebooks", "{tmp}/nowhere"], "holds no NN-*.ipynb notebooks"),
])
def test_cli_bad_paths_and_numbers_are_one_line_errors(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str,
) -> None:
    from sesbook.cli import main

    file = tmp_path / "a-file.txt"
    file.write_text("not a folder, not a notebook")
    fake = tmp_path / "fake.ipynb"
    fake.write_text("{}")
    argv = [a.format(file=file, tmp=tmp_path, fake=fake) for a in argv]
    if argv[0] == "run":
        argv += ["--notebooks", str(books), "--no-progress"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_lab_seed_must_be_ascii_digits(tmp_path: Path) -> None:
    env = {**os.environ, "SESBOOK_LAB_SEED": "\u00b2", "SESBOOK_LAB_STATE": str(tmp_path / "none.json")}
    env.pop("SESBOOK_LAB", None)
    code = "import sesbook\ntry:\n    sesbook.connect('lab')\nexcept sesbook.SesbookError as e:\n    print(e)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert "SESBOOK_LAB_SEED='\u00b2': must be a whole number written with the digits 0-9" in out.stdout, out.stderr


@pytest.mark.parametrize("how", ["SESBOOK_LAB", "state file", "none"])
def test_cli_run_uses_the_announced_lab(books: Path, tmp_path: Path, lab_info: LabInfo, how: str) -> None:
    """The test's own lab is announced (or not): the run's notebook leaves its identity there (or not)."""
    env = {k: v for k, v in os.environ.items() if k != "SESBOOK_LAB"}
    state = tmp_path / "lab.json"
    env["SESBOOK_LAB_STATE"] = str(state)
    if how == "SESBOOK_LAB":
        env["SESBOOK_LAB"] = lab_info.to_json()
    elif how == "state file":
        state.write_text(lab_info.to_json() + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "sesbook", "run", "--notebooks", str(books), "--runs", str(tmp_path / "runs"),
         "--no-progress", "--only", "01"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=env,
    )
    assert out.returncode == 0, out.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    summary = json.loads((folder / "summary.json").read_text())
    page = (folder / "index.html").read_text()
    import sesbook

    identities = sesbook.connect("lab").ses.list_identities()["Identities"]
    if how == "none":
        assert identities == [], "a lab of its own: the test's lab is untouched"
        assert summary["lab"]["source"] == "started for this run and stopped after it"
        assert summary["lab"]["aws_endpoint"] != lab_info.aws_endpoint
    else:
        assert identities == ["a@example.com"], "the notebook made its identity in the announced lab"
        assert summary["lab"]["aws_endpoint"] == lab_info.aws_endpoint
        assert how in summary["lab"]["source"]
        assert f"lab: {lab_info.aws_endpoint}" in out.stdout
        assert f"<th>lab used</th><td>{lab_info.aws_endpoint}" in page


# -- issue 8 items 11 and 14: the run's parameters are checked before anything starts ---------------------------
@pytest.mark.parametrize(("params", "field", "said"), [
    ({"profile": "prod"}, "profile", "is only used with target='aws'"),
    ({"region": "us-east-99"}, "region", "is not a region where SES runs"),
    ({"domain": "xn--zz.com"}, "domain", "does not decode"),
    ({"address": "x" * 65 + "@example.com"}, "address", "too long before the @-sign"),
])
def test_bad_parameters_stop_the_run_before_it_starts(tmp_path: Path, params: dict, field: str, said: str) -> None:
    with pytest.raises(ValidationError, match=said) as info:
        run_sequence(parameters=params, notebooks_dir=tmp_path / "none", runs_dir=tmp_path / "runs", progress=False)
    assert info.value.field == field
    assert not (tmp_path / "runs").exists()


def test_domain_parameter_enters_as_its_a_label() -> None:
    from sesbook.runbook import _check_parameters

    assert _check_parameters({"domain": "例え.jp", "address": "user@例え.jp"}) == {
        "domain": "xn--r8jz45g.jp", "address": "user@xn--r8jz45g.jp"}
