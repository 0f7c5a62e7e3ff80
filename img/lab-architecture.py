"""Draws img/lab-architecture.png: what talks to what when a notebook runs against the lab.

Run: .venv/bin/python img/lab-architecture.py
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from _diagram import save
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

BOXES = {
    "notebook": (0.2, 4.2, 2.6, 1.1, "Notebook\n(JupyterLab, papermill, nbval)", "#dbeafe"),
    "sesbook": (0.2, 2.4, 2.6, 1.1, "sesbook package\nconnect(target, apply)", "#e0e7ff"),
    "boto3": (0.2, 0.6, 2.6, 1.1, "boto3 / dnspython /\nsmtplib clients", "#ede9fe"),
    "aws": (4.2, 3.9, 3.4, 1.4, "AWS API (moto server)\n+ lab extensions:\nsandbox, verification, filters", "#dcfce7"),
    "dns": (4.2, 2.0, 3.4, 1.2, "Authoritative DNS\n(UDP + TCP)\nfrom Route 53 zones", "#fef9c3"),
    "mail": (4.2, 0.2, 3.4, 1.2, "Mail: inbound SMTP,\nSMTP interface, mailbox\n(later notebooks)", "#fee2e2"),
    "real": (8.4, 2.0, 2.5, 1.6, 'or, with target="aws":\nreal SES, Route 53\nand DNS, reached\nby the same calls',
             "#f3f4f6"),
}
ARROWS = [
    ("notebook", "sesbook", ""),
    ("sesbook", "boto3", ""),
    ("boto3", "aws", "HTTP"),
    ("boto3", "dns", "DNS queries"),
    ("boto3", "mail", "SMTP"),
    ("aws", "dns", "zones"),
]


def anchors(start: str, end: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Edge points: bottom to top for boxes stacked in a column, right to left across columns."""
    sx, sy, sw, sh, _, _ = BOXES[start]
    ex, ey, ew, eh, _, _ = BOXES[end]
    if abs(sx - ex) < 0.01:
        return (sx + sw / 2, sy), (ex + ew / 2, ey + eh)
    return (sx + sw, sy + sh / 2), (ex, ey + eh / 2)


def main() -> None:
    fig, ax = plt.subplots(figsize=(11, 5.6), dpi=110)
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 5.6)
    ax.axis("off")
    lab = FancyBboxPatch((4.0, 0.05), 3.8, 5.4, boxstyle="round,pad=0.02", fc="none", ec="#16a34a", ls="--", lw=1.5)
    ax.add_patch(lab)
    ax.text(5.9, 5.47, "the lab: one process, loopback only, seeded", ha="center", va="bottom", fontsize=10,
            color="#166534")
    for x, y, w, h, label, colour in BOXES.values():
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=colour, ec="#334155"))
        ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=9.5)
    for start, end, label in ARROWS:
        (x1, y1), (x2, y2) = anchors(start, end)
        ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=14, color="#475569",
                                     shrinkA=4, shrinkB=4))
        if label:
            ax.text(x1 + (x2 - x1) * 0.55, y1 + (y2 - y1) * 0.55 + 0.1, label, fontsize=8.5, color="#475569",
                    ha="center", bbox={"fc": "white", "ec": "none", "pad": 1})
    fig.tight_layout()
    save(fig, __file__)


if __name__ == "__main__":
    main()
