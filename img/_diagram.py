"""What every picture in img/ shares: the palette, the fonts, boxes and arrows, and a byte-stable save.

Not a picture itself: ``render_pictures`` runs only img/*.py files whose names do not start with ``_``, and
copies this one beside them when it draws into another folder.

Coordinates are inches (the axes fill the figure), so a label's size in points can be weighed against the
box around it: 10 pt is 0.14 in. Pictures are drawn at 100 dpi, 10 in wide: 1000 px, readable at 900.

Japanese terms (the words of the SES notes) need a CJK font. ``pick_cjk_font`` looks for one of
``CJK_FAMILIES`` by name (Debian: ``apt-get install fonts-noto-cjk``). Without one, the pictures are drawn
with their English labels only, a warning says which package to install, and the PNG records the fallback
(``Fallback`` in its text chunks), which the currency test refuses: such a picture is never committed.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

DPI = 100
#: Families tried in order; the first installed one draws every label (its Latin letters included).
CJK_FAMILIES = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "IPAexGothic", "IPAGothic",
                "TakaoGothic", "VL Gothic")
FALLBACK = "DejaVu Sans"
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")

#: The palette: one colour per kind of thing, the same in every picture.
PALETTE = {
    "actor": "#dbeafe",  # people and programs outside AWS: senders, ISPs, consumers
    "ses": "#dcfce7",  # what SES does
    "check": "#fef9c3",  # a test a message passes or fails
    "dns": "#ede9fe",  # DNS records
    "aws": "#e0e7ff",  # other AWS services: S3, SNS, SQS, Lambda
    "stop": "#fee2e2",  # refusals, bounces, limits
    "neutral": "#f3f4f6",
}
EDGE = "#334155"
ARROW = "#475569"
MUTED = "#64748b"
GOOD = "#15803d"
BAD = "#b91c1c"


def pick_cjk_font() -> str | None:
    """The first of ``CJK_FAMILIES`` installed, registering system fonts matplotlib's cache predates."""
    def installed() -> set[str]:
        return {entry.name for entry in font_manager.fontManager.ttflist}

    if not set(CJK_FAMILIES) & installed():
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|ipa|takao|vl-?gothic|sourcehan|notosansjp", Path(path).name, re.IGNORECASE):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    found = installed()
    return next((family for family in CJK_FAMILIES if family in found), None)


CJK_FONT = pick_cjk_font()
FONT = CJK_FONT or FALLBACK
if CJK_FONT is None:
    print(f"warning: no CJK font ({', '.join(CJK_FAMILIES)}); drawing English labels only. "
          "Install one (Debian: apt-get install fonts-noto-cjk) and draw again.", file=sys.stderr)
plt.rcParams.update({"font.family": FONT, "font.size": 10, "svg.hashsalt": "sesbook", "path.simplify": False})


def ja(text: str) -> str:
    """``text`` as drawn. Without a CJK font: a Japanese term in brackets is left out, and so is any other line
    holding Japanese."""
    if CJK_FONT:
        return text
    text = re.sub(r" ?\([^()]*" + _CJK.pattern + r"[^()]*\)", "", text)
    return "\n".join(line for line in text.split("\n") if not _CJK.search(line))


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h)

    @property
    def bottom(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y)

    @property
    def left(self) -> tuple[float, float]:
        return (self.x, self.y + self.h / 2)

    @property
    def right(self) -> tuple[float, float]:
        return (self.x + self.w, self.y + self.h / 2)

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        """A point inside or on the box, as fractions of its width and height from the bottom left."""
        return (self.x + self.w * fx, self.y + self.h * fy)


def figure(width: float, height: float) -> tuple[plt.Figure, plt.Axes]:
    """A blank figure whose axes are the whole canvas, measured in inches."""
    fig = plt.figure(figsize=(width, height), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _height(size: float, lines: int) -> float:
    return size / 72 * 1.3 * lines


def box(ax: plt.Axes, x: float, y: float, w: float, h: float, title: str, *, ja_term: str = "",
        body: str = "", kind: str = "neutral", size: float = 10.5, edge: str = EDGE, dashed: bool = False) -> Box:
    """A rounded box with a bold title, the notes' Japanese term under it (grey) and body lines under that."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", fc=PALETTE[kind],
                                ec=edge, lw=1.1, ls="--" if dashed else "-"))
    parts = [(title, size, "bold", "#0f172a")]
    if ja_term and ja(ja_term):
        parts.append((ja(ja_term), size - 1, "normal", "#475569"))
    if body:
        parts.append((body, size - 1.5, "normal", "#1e293b"))
    heights = [_height(s, t.count("\n") + 1) for t, s, _, _ in parts]
    gap = 0.04
    top = y + h / 2 + (sum(heights) + gap * (len(parts) - 1)) / 2
    for (text, s, weight, colour), height in zip(parts, heights, strict=True):
        ax.text(x + w / 2, top - height / 2, text, ha="center", va="center", fontsize=s, fontweight=weight,
                color=colour, linespacing=1.3)
        top -= height + gap
    return Box(x, y, w, h)


def arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float], label: str = "", *,
          colour: str = ARROW, rad: float = 0.0, at: float = 0.5, offset: tuple[float, float] = (0.0, 0.0),
          size: float = 9, dashed: bool = False, both: bool = False) -> None:
    """An arrow from ``start`` to ``end`` (curved by ``rad``), its label on a white patch ``at`` the way along."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="<|-|>" if both else "-|>", mutation_scale=14,
                                 color=colour, lw=1.3, shrinkA=2, shrinkB=2, ls="--" if dashed else "-",
                                 connectionstyle=f"arc3,rad={rad}"))
    if label:
        lx = start[0] + (end[0] - start[0]) * at + offset[0]
        ly = start[1] + (end[1] - start[1]) * at + offset[1]
        text(ax, lx, ly, label, size=size, colour=colour, patch=True)


def text(ax: plt.Axes, x: float, y: float, words: str, *, size: float = 9.5, colour: str = "#1e293b",
         ha: str = "center", va: str = "center", weight: str = "normal", patch: bool = False) -> None:
    """Free text (Japanese lines dropped without a CJK font), optionally on a white patch."""
    ax.text(x, y, ja(words), fontsize=size, color=colour, ha=ha, va=va, fontweight=weight, linespacing=1.3,
            bbox={"fc": "white", "ec": "none", "pad": 1.5} if patch else None)


def frame(ax: plt.Axes, x: float, y: float, w: float, h: float, label: str, *, colour: str = "#16a34a") -> None:
    """A dashed frame grouping boxes, its label above its top left corner."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.1", fc="none", ec=colour,
                                ls="--", lw=1.3))
    text(ax, x + 0.1, y + h + 0.02, label, size=9.5, colour=colour, ha="left", va="bottom")


def title(ax: plt.Axes, width: float, height: float, words: str) -> None:
    text(ax, width / 2, height - 0.25, words, size=13, weight="bold", colour="#0f172a")


def source_digest(script: Path) -> str:
    """What the picture was drawn from: sha256 of the script and every ``_*.py`` helper beside it.
    ``sesbook.authoring.picture_digest`` computes the same, to tell a current PNG from a stale one."""
    digest = hashlib.sha256()
    for path in [script, *sorted(script.parent.glob("_*.py"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def save(fig: plt.Figure, script: str) -> None:
    """Write ``NAME.png`` beside the script ``NAME.py``: fixed size and dpi, no date, no software version,
    and the text chunks ``Source`` (the digest), ``Font`` (the family drawn with) and, drawn without a CJK
    font, ``Fallback`` (which ``sesbook.authoring.picture_problems`` refuses)."""
    path = Path(script).resolve()
    metadata = {"Software": None, "Source": source_digest(path), "Font": FONT}
    if CJK_FONT is None:
        metadata["Fallback"] = "no CJK font: Japanese labels left out"
    fig.savefig(path.with_suffix(".png"), dpi=fig.dpi, metadata=metadata)
    plt.close(fig)


def elbow(ax: plt.Axes, points: list[tuple[float, float]], label: str = "", *, colour: str = ARROW,
          segment: int = 0, size: float = 8.5) -> None:
    """A path of straight segments through ``points``, an arrow head on the last one, the label on a white
    patch at the middle of segment number ``segment``."""
    xs, ys = zip(*points[:-1], strict=True)
    ax.plot(xs, ys, color=colour, lw=1.3, solid_capstyle="butt")
    arrow(ax, points[-2], points[-1], colour=colour)
    if label:
        (x1, y1), (x2, y2) = points[segment], points[segment + 1]
        text(ax, (x1 + x2) / 2, (y1 + y2) / 2, label, size=size, colour=colour, patch=True)
