"""What every front-end shares: a live ipywidgets box, and a plain rendering of the same result for
everything that cannot run a widget.

A front-end is not itself a widget: it holds one (:attr:`FrontEnd.widget`) and displays as one bundle with
three representations of the same moment:

- ``application/vnd.jupyter.widget-view+json``: JupyterLab (and the classic notebook) render the live widget;
- ``text/html`` and ``text/plain``: the result the front-end shows now, rendered by the same ``_repr_html_``
  and ``repr`` as the code cell next to it. papermill, ``python -m sesbook run`` (its HTML report), GitHub
  and nbval see these. nbval does not compare the widget view (its model id is random: nbval's
  ``skip_compare`` lists that type), so a committed notebook compares on the plain rendering alone.

Nothing blocks on display: a front-end computes its first result when it is made (one read, the same call
as the cell next to it) and otherwise acts only when a button is clicked. Errors sesbook raises on purpose
(:class:`~sesbook.errors.SesbookError`) are shown as their message, never as a traceback.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from sesbook.errors import SesbookError

if TYPE_CHECKING:
    from collections.abc import Callable

    import ipywidgets


def shown(value: Any) -> tuple[str, str]:
    """``value``'s text and HTML, as a notebook cell would show it."""
    as_html = getattr(value, "_repr_html_", None)
    text = repr(value)
    return text, (as_html() if callable(as_html) else f"<pre>{html.escape(text)}</pre>")


def error_text(error: SesbookError) -> tuple[str, str]:
    """An error as a line of text and as HTML (a red ❌ line), never a traceback."""
    line = f"❌ {type(error).__name__}: {error}"
    return line, f'<p style="color:#b00020;white-space:pre-wrap">{html.escape(line)}</p>'


class FrontEnd:
    """A live widget (:attr:`widget`) plus the plain rendering of what it shows (:attr:`text`, :attr:`html`)."""

    #: What the front-end is, for the first line of its text rendering.
    title = "front-end"

    def __init__(self) -> None:
        import ipywidgets

        self.text = ""
        self.html = ""
        #: Where the result is shown inside the live widget (the same HTML as the plain rendering).
        self.output: ipywidgets.HTML = ipywidgets.HTML()
        self.widget: ipywidgets.Box = ipywidgets.VBox()

    def show(self, text: str, html_text: str) -> None:
        """Make ``text``/``html_text`` what the front-end shows, live and plain."""
        self.text, self.html = text, html_text
        self.output.value = html_text

    def show_value(self, value: Any) -> None:
        self.show(*shown(value))

    def attempt(self, call: Callable[[], Any]) -> Any:
        """Run ``call``; on a sesbook error show its message and return None, else return its value."""
        try:
            return call()
        except SesbookError as error:
            self.show(*error_text(error))
            return None

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self.text
        bundle["text/html"] = self.html
        return bundle
