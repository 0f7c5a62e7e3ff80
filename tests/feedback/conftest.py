"""The feedback tests' fixture: the lab target with verified senders and its clock held still."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import sesbook


@pytest.fixture
def t(sender: sesbook.Target) -> sesbook.Target:
    sender.lab.freeze_clock()  # type: ignore[union-attr]
    return sender
