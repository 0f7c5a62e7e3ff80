"""What ``python -m sesbook tidy`` derives from the notebooks is current."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import papermill
import yaml

from sesbook.authoring import PARAMS_FILE, notebook_list, parameters_example, parameters_problems
from sesbook.runbook import _split_parameters, load_parameters

if TYPE_CHECKING:
    from pathlib import Path

FIX = "run `python -m sesbook tidy` and commit the result"


def test_params_example_is_current() -> None:
    assert parameters_problems() == [], FIX


def test_params_example_names_every_parameter_with_its_default() -> None:
    loaded = yaml.safe_load(PARAMS_FILE.read_text())
    for path in notebook_list():
        for name, spec in papermill.inspect_notebook(str(path)).items():
            assert name in loaded, f"{path.name}: {name} is not in {PARAMS_FILE.name}"
            assert loaded[name] == ast.literal_eval(spec["default"]), (name, loaded[name], spec["default"])
    # the runner takes it as it is
    params = load_parameters(str(PARAMS_FILE), [])
    assert _split_parameters(notebook_list(), params)


def test_params_example_follows_a_new_notebook(tmp_path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cell = new_code_cell('target: str = "lab"  # lab or aws\ncolour: str = "blue"  # a colour',
                         metadata={"tags": ["parameters"]})
    spec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(new_notebook(cells=[cell], metadata={"kernelspec": spec}), tmp_path / "00-a.ipynb")
    text = parameters_example(tmp_path)
    assert "# 00-a.ipynb\ntarget: lab  # lab or aws\ncolour: blue  # a colour\n" in text
    assert parameters_problems(tmp_path, tmp_path / "p.yaml") == ["p.yaml is missing"]
