"""Small HTML helpers for ``_repr_html_``: tables, escaped, no styling dependencies."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


def cell(value: Any) -> str:
    """One table cell's text, escaped; None shows as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


#: Inline styles (a notebook's HTML output carries no stylesheet): JupyterLab right-aligns table cells
#: and lets a long value such as a DKIM key push the table sideways. Cells here are left-aligned and on
#: top; a column whose values are all short never wraps (TTL, type, level stay readable), a column with a
#: long value wraps anywhere, so the table fits a normal width with every column visible.
TABLE_STYLE = "border-collapse:collapse;margin-left:0;table-layout:auto;max-width:100%"
CELL_STYLE = "text-align:left;vertical-align:top;padding:.2em .6em"
SHORT = 32  # display columns: a column whose values are all this short does not wrap


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None) -> str:
    """An HTML table with a header row, left-aligned, as narrow as its content allows."""
    body = [list(row) for row in rows]
    short = [all(width(cell(row[i])) <= SHORT for row in body if i < len(row)) for i in range(len(headers))]
    wrap = ["white-space:nowrap" if s else "overflow-wrap:anywhere;min-width:10em" for s in short]
    parts = [f'<table style="{TABLE_STYLE}">']
    if caption:
        parts.append(f'<caption style="text-align:left">{html.escape(caption)}</caption>')
    parts.append("<thead><tr>" + "".join(f'<th style="{CELL_STYLE}">{html.escape(h)}</th>' for h in headers)
                 + "</tr></thead>")
    parts.append("<tbody>")
    for row in body:
        parts.append("<tr>" + "".join(f'<td style="{CELL_STYLE};{wrap[i]}">{cell(v)}</td>'
                                      for i, v in enumerate(row)) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def width(text: str) -> int:
    """How many terminal columns ``text`` takes: East Asian wide characters (Japanese) take two, combining
    marks none (wcwidth, which follows Unicode's East Asian Width and the terminals that use it)."""
    from wcwidth import wcswidth

    measured = wcswidth(text)
    if measured >= 0:
        return int(measured)
    from wcwidth import wcwidth

    return sum(max(wcwidth(ch), 0) for ch in text)  # a control character counts as nothing, not -1


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces on the right to ``columns`` terminal columns."""
    return text + " " * max(columns - width(text), 0)


def text_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The same table as plain text, columns padded by display width (Japanese text lines up), for
    ``__repr__`` and terminals."""
    data = [[str(h) for h in headers]] + [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max(width(r[i]) for r in data) for i in range(len(headers))]
    lines = ["  ".join(pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in data]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
