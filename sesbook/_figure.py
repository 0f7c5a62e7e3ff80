"""Figures that show as a picture and compare as text: :class:`DataFigure` and :func:`new_figure`.

A ``matplotlib.figure.Figure`` made without pyplot (no global state, no window, never shown twice), at a fixed
size and style, so it reads the same in JupyterLab and in an HTML export. A notebook shows it as a PNG
(``_repr_png_``, or the inline backend's own formatter) and, as its text, a summary of the data plotted (no
times, no ids): that text is what nbval compares, never pixels.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

DPI = 100


class DataFigure(Figure):
    """A Figure whose text form is a summary of the data it plots (stable from run to run), shown as a PNG."""

    summary: str = ""

    def __repr__(self) -> str:
        return self.summary or super().__repr__()

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()


def new_figure(width: float, height: float) -> DataFigure:
    """An empty :class:`DataFigure` of ``width`` x ``height`` inches, white, laid out by matplotlib."""
    fig = DataFigure(figsize=(width, height), dpi=DPI, layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


def style(ax: object) -> None:
    """The suite's look: a light grid behind the data, no top or right frame."""
    ax.grid(True, color="#dddddd", linewidth=0.6)  # type: ignore[attr-defined]
    ax.set_axisbelow(True)  # type: ignore[attr-defined]
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)  # type: ignore[attr-defined]
