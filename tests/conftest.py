"""Fixtures: one real lab (moto over HTTP + DNS over UDP/TCP on loopback) for the whole session."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook.lab.runtime import Lab

from helpers import changed_notebooks, verify_domain_now

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sesbook.lab import LabInfo


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The session's lab, started once; tests that use ``target`` get it reset first."""
    with Lab(seed=1) as running:
        yield running


@pytest.fixture
def lab_info(lab: Lab) -> LabInfo:
    lab.reset()
    assert lab.info is not None
    return lab.info


@pytest.fixture
def target(lab_info: LabInfo) -> sesbook.Target:
    """A lab target on a freshly reset lab (state from other tests is gone)."""
    return sesbook.connect("lab")


@pytest.fixture
def sender(target: sesbook.Target) -> sesbook.Target:
    """The lab target with example.com and example.net verified: it may send from and, in the sandbox,
    to either domain."""
    verify_domain_now(target, "example.com")
    verify_domain_now(target, "example.net")
    return target


#: Fixtures that start or use the session's lab; a test using any of them (directly or through another
#: fixture) is marked ``lab``.
_LAB_FIXTURES = {"lab", "lab_info", "target"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``notebook`` (nbval cells, papermill runs) and ``lab`` (a running lab) so that
    ``pytest -m "not lab and not notebook"`` runs the fast unit tests alone; keep on one xdist worker what
    must run in order (``make test`` runs ``-n auto --dist loadgroup``)."""
    for item in items:
        name = item.path.name
        if item.path.parent.name == "browser":  # one JupyterLab runs the notebooks in order: one worker
            item.add_marker(pytest.mark.xdist_group(name="browser"))
        if item.path.suffix == ".ipynb":  # nbval: a notebook's cells run in order in one kernel, one worker
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.xdist_group(name=f"nbval-{name}"))
        elif name.startswith(("test_notebook_", "test_runbook")):
            item.add_marker(pytest.mark.notebook)
        elif _LAB_FIXTURES & set(getattr(item, "fixturenames", ())) or name.startswith(("test_lab", "test_ext_")):
            item.add_marker(pytest.mark.lab)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """When a notebook check failed and notebooks were changed since the last commit, say how to restore them."""
    failed = terminalreporter.stats.get("failed", [])
    if not any(str(getattr(report, "nodeid", "")).split("::")[0].endswith(".ipynb") for report in failed):
        return
    changed = changed_notebooks(Path(__file__).resolve().parents[1])
    if changed:
        terminalreporter.write_line("")
        terminalreporter.write_line(
            f"These notebooks differ from the last commit: {', '.join(changed)}. nbval compares the committed "
            "outputs, so a notebook saved from JupyterLab fails here. Restore them with `git checkout notebooks/` "
            "(or re-execute them as committed with `make notebooks`).", yellow=True)
