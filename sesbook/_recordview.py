"""Records shown as tables: HTML for notebooks, text for ``__repr__``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesbook import _html

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sesbook.records import Record


def records_table(records: Sequence[Record], *, caption: str | None = None) -> str:
    """An HTML table of records: name, type, value, purpose, requirement level."""
    rows = [(r.name, r.type, r.value, r.purpose, r.level) for r in records]
    return _html.table(["name", "type", "value", "purpose", "need"], rows, caption=caption)


def records_text(records: Sequence[Record]) -> str:
    """The same as plain text, long values shortened."""
    rows = [(r.name, r.type, _short(r.value), r.level) for r in records]
    return _html.text_table(["name", "type", "value", "need"], rows)


def _short(value: str, limit: int = 72) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
