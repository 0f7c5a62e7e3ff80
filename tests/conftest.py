"""Fixtures: one real lab (moto over HTTP + DNS over UDP/TCP on loopback) for the whole session."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import sesbook
from sesbook.lab.runtime import Lab

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
