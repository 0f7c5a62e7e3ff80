"""Plots of live sending data (matplotlib), each a function of :class:`~.metrics.SendingMetrics` returning a
``Figure``:

- :func:`plot_sending`: Send, Delivery, Bounce and Complaint per period over the window (grouped bars);
- :func:`plot_reputation`: the two reputation rates (in %) against their review and pause thresholds; per
  panel, ``lines[0]`` is the rate as published, ``lines[1]`` holds the last value to the window's end (when
  there is one), then the review and pause lines.

Figures are :class:`~sesbook._figure.DataFigure` s, a ``matplotlib.figure.Figure`` made without pyplot (no
global state, no window, never shown twice), at a fixed size and style, so they read the same in JupyterLab
and in an HTML export. A notebook shows one as a PNG (``_repr_png_``, or the inline backend's own formatter) and, as its
text, a summary of the data plotted (totals and latest rates, no times): that text is what nbval compares,
never pixels. What is plotted is in the artists (``fig.axes[i].lines``, ``fig.axes[0].containers``), which
is what the tests check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sesbook._figure import DataFigure, new_figure, style
from sesbook.facts import (
    BOUNCE_RATE_PAUSE,
    BOUNCE_RATE_REVIEW,
    COMPLAINT_RATE_PAUSE,
    COMPLAINT_RATE_REVIEW,
    SES_BOUNCE_RATE_METRIC,
    SES_COMPLAINT_RATE_METRIC,
)

if TYPE_CHECKING:
    from sesbook.monitoring.metrics import SendingMetrics

SIZE = (9.0, 4.0)
#: One colour per metric, the same in every plot (matplotlib's default cycle, fixed here).
COLOURS = {"Send": "#1f77b4", "Delivery": "#2ca02c", "Bounce": "#d62728", "Complaint": "#ff7f0e",
           "Reject": "#7f7f7f", "review": "#e6a700", "pause": "#c00000"}
SENDING_METRICS = ("Send", "Delivery", "Bounce", "Complaint")


def _figure(nrows: int = 1) -> DataFigure:
    return new_figure(SIZE[0], SIZE[1] * nrows)


def _style(ax: object) -> None:
    style(ax)


def _time_axis(ax: object) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)  # type: ignore[attr-defined]
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[attr-defined]
    ax.set_xlabel("time (UTC)")  # type: ignore[attr-defined]


def plot_sending(metrics: SendingMetrics, *, which: tuple[str, ...] = SENDING_METRICS) -> DataFigure:
    """Sends, deliveries, bounces and complaints per period: grouped bars, one container per metric in the order
    of ``which`` (``fig.axes[0].containers[i]``), one bar per period of the window (0 where nothing happened)."""
    import matplotlib.dates as mdates

    fig = _figure()
    ax = fig.add_subplot()
    width = metrics.period / 86400 * 0.8 / len(which)  # in days, matplotlib's date unit
    last = metrics.start
    for i, metric in enumerate(which):
        points = metrics.filled(metric)
        ax.bar([float(mdates.date2num(t)) + width * i for t, _ in points], [v for _, v in points], width=width,
               align="edge", label=metric, color=COLOURS.get(metric))
        if points:
            last = max(last, points[-1][0])
    # The window ends inside its last period (the current minute); the axis runs to that period's end, so
    # the last period's bars are drawn whole, not cut at the window's end.
    right = max(metrics.end, last + timedelta(seconds=metrics.period))
    ax.set_xlim(float(mdates.date2num(metrics.start)), float(mdates.date2num(right)))
    ax.set_ylabel(f"count per {metrics.period // 60} min")
    ax.set_ylim(bottom=0)
    scope = f" — configuration set {metrics.configuration_set}" if metrics.configuration_set else ""
    ax.set_title(f"SES sending, {metrics.target} {metrics.region}{scope}")
    ax.legend(loc="upper left", frameon=False, ncols=len(which))
    _style(ax)
    _time_axis(ax)
    totals = ", ".join(f"{m} {metrics.total(m):g}" for m in which)
    fig.summary = (f"plot_sending: {metrics.target} {metrics.region}{scope}, {metrics.period // 60}-minute periods; "
                   f"totals: {totals}")
    return fig


def plot_reputation(metrics: SendingMetrics) -> DataFigure:
    """The bounce and complaint rates (in %) against SES's review and pause thresholds, one panel each."""
    import matplotlib.dates as mdates

    fig = _figure(nrows=2)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, (metric, label, review, pause) in zip(axes, (
        (SES_BOUNCE_RATE_METRIC, "bounce rate", BOUNCE_RATE_REVIEW, BOUNCE_RATE_PAUSE),
        (SES_COMPLAINT_RATE_METRIC, "complaint rate", COMPLAINT_RATE_REVIEW, COMPLAINT_RATE_PAUSE),
    ), strict=True):
        points = metrics.series.get(metric, ())
        ax.plot([t for t, _ in points], [100 * v for _, v in points], label=label, marker="o", markersize=3,
                drawstyle="steps-post", color="#1f77b4", linewidth=1.6)
        if points:  # the last rate holds until SES publishes the next one
            ax.plot([points[-1][0], metrics.end], [100 * points[-1][1]] * 2, color="#1f77b4", linewidth=1.6)
        ax.axhline(100 * review, color=COLOURS["review"], linestyle="--", linewidth=1.2,
                   label=f"under review from {review:.1%}")
        ax.axhline(100 * pause, color=COLOURS["pause"], linestyle="-", linewidth=1.2,
                   label=f"paused from {pause:.1%}")
        top = max([100 * pause * 1.25] + [100 * v * 1.1 for _, v in points])
        ax.set_ylim(0, top)
        ax.set_xlim(float(mdates.date2num(metrics.start)), float(mdates.date2num(metrics.end)))
        ax.set_ylabel(f"{label} (%)")
        ax.legend(loc="upper left", frameon=False, fontsize="small")
        _style(ax)
    axes[0].set_title(f"SES reputation, {metrics.target} {metrics.region}")
    _time_axis(axes[1])
    parts = []
    for metric, label, review, pause in ((SES_BOUNCE_RATE_METRIC, "bounce rate", BOUNCE_RATE_REVIEW, BOUNCE_RATE_PAUSE),
                                         (SES_COMPLAINT_RATE_METRIC, "complaint rate", COMPLAINT_RATE_REVIEW,
                                          COMPLAINT_RATE_PAUSE)):
        value = metrics.latest(metric)
        now = "no data" if value is None else f"{value:.2%}"
        parts.append(f"{label} now {now} (review {review:.1%}, pause {pause:.1%})")
    fig.summary = f"plot_reputation: {metrics.target} {metrics.region}; " + "; ".join(parts)
    return fig
