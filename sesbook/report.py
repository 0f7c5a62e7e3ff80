"""The run report: each notebook's result, its HTML page, and the ``index.html`` that links them.

A failing cell is named as the reader of the page sees it, ``In [7]`` and the first line of its source,
and linked to that cell's anchor in the notebook's HTML page (nbconvert gives every cell
``id="cell-id=<id>"``), not by papermill's 0-based cell index.

The HTML pages load nothing from the internet: nbconvert's ``lab`` template puts ``<script>`` tags for
require.js, MathJax and mermaid from a CDN in every page's head; :func:`render_html` renders with a
template that extends ``lab`` and empties those blocks (the notebooks use no LaTeX and no mermaid; the
widgets of :mod:`sesbook.widgets` are shown by their HTML rendering, their state dropped), so a page
opened offline shows everything and waits for nothing.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook.errors import RunbookError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


@dataclass
class NotebookResult:
    """How one notebook of a run went.

    ``cell`` is papermill's 0-based index of the failing cell; ``execution_count`` and ``source`` (its
    first line) are what the reader sees; ``anchor`` the cell's id in the HTML page.
    """

    name: str
    status: str  # "ok" | "failed" | "not run"
    seconds: float = 0.0
    output: Path | None = None
    html: Path | None = None
    cell: int | None = None
    ename: str = ""
    evalue: str = ""
    execution_count: int | None = None
    source: str = ""
    anchor: str | None = None

    def describe(self) -> str:
        return str(self.error())

    def error(self) -> RunbookError:
        return RunbookError(
            self.name, cell=self.cell, ename=self.ename, evalue=self.evalue,
            output=str(self.link_target()) if self.output else None,
            execution_count=self.execution_count, source=self.source,
        )

    def link_target(self) -> str | None:
        """The page (and cell anchor) to open: the HTML page when there is one, else the notebook."""
        page = self.html or self.output
        if page is None:
            return None
        return f"{page}#{self.anchor}" if self.anchor and self.html else str(page)


@dataclass
class RunResult:
    """A whole run: where it was written, what it ran with and each notebook's result."""

    folder: Path
    parameters: dict[str, Any]
    notebooks: list[NotebookResult] = field(default_factory=list)
    #: The lab the run used (target lab): its endpoint, pid, seed and where it came from.
    lab: dict[str, Any] | None = None
    #: When the run started, ISO 8601 in UTC.
    started: str = ""
    #: Target, region, apply and seed as the notebooks ran with them (the notebooks' defaults filled in).
    settings: dict[str, Any] = field(default_factory=dict)

    def lab_line(self) -> str:
        """One sentence naming the lab the run used, or that it used none."""
        if self.lab is None:
            return "lab: none (target aws)"
        lab = self.lab
        return (f"lab: {lab['aws_endpoint']} (pid {lab['pid']}, seed {lab['seed']}), "
                f"{lab['source']}")

    @property
    def ok(self) -> bool:
        return all(n.status == "ok" for n in self.notebooks)

    @property
    def first_failure(self) -> NotebookResult | None:
        return next((n for n in self.notebooks if n.status == "failed"), None)

    @property
    def index_html(self) -> Path:
        return self.folder / "index.html"

    def summary_line(self) -> str:
        counts = {s: sum(n.status == s for n in self.notebooks) for s in ("ok", "failed", "not run")}
        return f"{counts['ok']} ok, {counts['failed']} failed, {counts['not run']} not run"


def failing_cell(notebook: Any) -> tuple[int | None, str, str | None]:
    """The first cell with an error output in an executed notebook: (execution count, first line of
    its source, its HTML anchor). ``(None, "", None)`` when no cell shows an error."""
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"
                  and not (o.get("ename") == "SystemExit" and o.get("evalue") in ("", "0"))]
        if errors or cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            anchor = f"cell-id={cell['id']}" if cell.get("id") else None
            return cell.get("execution_count"), first, anchor
    return None, "", None


def coalesce_streams(nb: Any) -> Any:
    """Merge each cell's consecutive stream outputs and apply their carriage returns (nbconvert's
    ``CoalesceStreamsPreprocessor``): a progress line redrawn in place is saved and shown as its last
    text. nbval coalesces the same way before comparing, so committed outputs still compare equal."""
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    step = CoalesceStreamsPreprocessor()
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            step.preprocess_cell(cell, {}, index)
    return nb


def notebook_title(notebook: Any, fallback: str) -> str:
    """The notebook's ``#`` title (its first level-1 heading), for the page's ``<title>``."""
    for cell in notebook.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return re.sub(r"[`*_]", "", line[2:]).strip()
    return fallback


#: nbconvert's ``lab`` template with every block that loads a script from the internet emptied.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""

_NOTEBOOK_HREF = re.compile(r'href="(\d\d-[^"/#]+)\.ipynb(#[^"]*)?"')


def render_html(notebook: Path, *, pages: Iterable[str] = ()) -> Path:
    """Write ``notebook``'s HTML page beside it and return its path.

    The page is titled with the notebook's title, loads no script from the internet
    (:data:`OFFLINE_TEMPLATE`), and its links to the notebooks named in ``pages`` (file names such as
    ``02-dns-records.ipynb``) point at their ``.html`` pages in the same folder. Pictures attached to
    markdown cells are embedded by nbconvert as data URIs, so the page needs no other file.
    """
    import jinja2
    import nbconvert
    import nbformat

    nb = coalesce_streams(nbformat.read(str(notebook), as_version=4))
    nb.metadata["title"] = notebook_title(nb, notebook.stem)
    # Without saved widget state nbconvert shows a widget's text/html (the sesbook.widgets fallback), not an
    # empty widget view that would need the widget scripts this page does not load.
    nb.metadata.pop("widgets", None)
    exporter = nbconvert.HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"sesbook-offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="sesbook-offline.html.j2",
    )
    body, _ = exporter.from_notebook_node(nb)
    known = set(pages)

    def to_page(match: re.Match[str]) -> str:
        if f"{match[1]}.ipynb" not in known:
            return match[0]
        return f'href="{match[1]}.html{match[2] or ""}"'

    body = _NOTEBOOK_HREF.sub(to_page, body)
    out = notebook.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def _setting_rows(result: RunResult) -> str:
    lab = result.lab
    rows = [("target", result.settings.get("target", "lab")),
            ("region", result.settings.get("region")),
            ("apply", result.settings.get("apply")),
            ("seed", lab["seed"] if lab else result.settings.get("seed")),
            ("lab used", result.lab_line().removeprefix("lab: ")),
            ("started", result.started)]
    return "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(_shown(v))}</td></tr>" for k, v in rows)


def _shown(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def write_index(result: RunResult) -> None:
    """Write the run's ``index.html`` (settings, one row per notebook, failures linked to the failing
    cell) and ``summary.json`` (the same facts for programs)."""
    rows = []
    for nb in result.notebooks:
        link = html.escape(nb.html.name) if nb.html else None
        name = f'<a href="{link}">{html.escape(nb.name)}</a>' if link else html.escape(nb.name)
        detail = ""
        if nb.status == "failed":
            where = html.escape(_cell_label(nb))
            if nb.html and nb.anchor:
                where = f'<a href="{link}#{html.escape(nb.anchor)}">{where}</a>'
            detail = f"{where}: {html.escape(f'{nb.ename}: {nb.evalue}'.rstrip(': '))}"
        colour = {"ok": "#1a7f37", "failed": "#cf222e"}.get(nb.status, "#6e7781")
        rows.append(
            f"<tr><td>{name}</td><td style='color:{colour}'>{nb.status}</td>"
            f"<td>{nb.seconds:.1f} s</td><td>{detail}</td></tr>"
        )
    params = html.escape(json.dumps(result.parameters, sort_keys=True, default=str))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sesbook run {html.escape(result.folder.name)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;text-align:left;vertical-align:top}}
table{{border-collapse:collapse;margin-bottom:1.5em}}tr{{border-bottom:1px solid #ddd}}</style></head>
<body><h1>sesbook run {html.escape(result.folder.name)}</h1>
<p>{html.escape(result.summary_line())}.</p>
<table class="settings"><tbody>{_setting_rows(result)}</tbody></table>
<p>Parameters given: <code>{params}</code></p>
<table><thead><tr><th>notebook</th><th>status</th><th>duration</th><th>error</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
    result.index_html.write_text(page, encoding="utf-8")
    summary = {
        "started": result.started,
        "settings": result.settings,
        "parameters": result.parameters,
        "lab": result.lab,
        "notebooks": [
            {"name": n.name, "status": n.status, "seconds": round(n.seconds, 2), "cell": n.cell,
             "execution_count": n.execution_count, "source": n.source or None,
             "page": n.link_target() if n.status == "failed" else (n.html.name if n.html else None),
             "error": f"{n.ename}: {n.evalue}" if n.ename else None}
            for n in result.notebooks
        ],
    }
    (result.folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str))


def _cell_label(nb: NotebookResult) -> str:
    return nb.error().where()
