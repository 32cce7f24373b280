"""Pictures for Slack, drawn with matplotlib's object API (no pyplot): PNG bytes out."""

from __future__ import annotations

import functools
import gc
import io
import math
from collections.abc import Callable
from typing import ParamSpec

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.i18n import translator
from bot.kpi.catalog import HEADLINE, label
from bot.kpi.engine import FunnelStage, Report
from bot.kpi.render import fmt_kpi_value, fmt_number, fmt_pct
from bot.workspace.keys import REPORT_TITLES

P = ParamSpec("P")

COLORS = ["#1d4e89", "#2a6fb0", "#3b8fd0", "#58b0e0", "#2eb67d"]
PREVIOUS = "#b8c4d0"


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    # The fastest zlib level: the default level cost a fifth of the rendering time, for a file a few
    # kilobytes smaller.
    FigureCanvasAgg(fig).print_png(buf, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _collected(render: Callable[P, bytes]) -> Callable[P, bytes]:
    """A figure is a web of reference cycles that only the collector frees. Drawn with the collector
    paused, all of it stays in the youngest generation and is freed right after by a collection of
    that generation alone (about a millisecond); otherwise it ages into the oldest one, which is
    collected seldom (a full pass costs ~90 ms), and a process drawing several pictures kept each
    one's memory: 25 MB more at the peak after ten pictures."""

    @functools.wraps(render)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> bytes:
        paused = gc.isenabled()
        gc.disable()
        try:
            return render(*args, **kwargs)
        finally:
            if paused:
                gc.enable()
            gc.collect(0)

    return wrapper


def _widths(counts: list[float], top: float) -> list[float]:
    """Bar widths on a log scale: a funnel spans orders of magnitude, and every stage must stay visible."""
    scale = math.log10(top + 1) if top > 0 else 1.0
    return [max(0.06, math.log10(c + 1) / scale) if c > 0 else 0.0 for c in counts]


def draw_funnel(
    ax: Axes, stages: list[FunnelStage], labels: list[str], language: str, *, previous: bool, top: float, title: str
) -> None:
    counts = [(s.previous_count or 0) if previous else s.count for s in stages]
    convs = [s.previous_conversion_pct if previous else s.conversion_pct for s in stages]
    widths = _widths(counts, top)
    n = len(stages)
    # One call for all the bars: each call walks matplotlib's property cycle, which costs more than a bar.
    ax.barh(
        [n - 1 - i for i in range(n)],
        widths,
        left=[-w / 2 for w in widths],
        height=0.72,
        color=[PREVIOUS if previous else COLORS[i % len(COLORS)] for i in range(n)],
        edgecolor="white",
    )
    for i, (count, width) in enumerate(zip(counts, widths, strict=True)):
        y = n - 1 - i
        inside = width > 0.32
        ax.text(
            0 if inside else width / 2 + 0.03,
            y,
            fmt_number(count, language),
            ha="center" if inside else "left",
            va="center",
            fontsize=15,
            fontweight="bold",
            color="white" if inside and not previous else "#1a1a1a",
        )
        if i and convs[i] is not None:
            ax.text(
                0.52,
                y + 0.5,
                "↓ " + fmt_pct(convs[i], language),
                ha="left",
                va="center",
                fontsize=11.5,
                color="#444444",
            )
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(reversed(labels)), fontsize=13)
    ax.set_xlim(-0.55, 0.82)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(title, fontsize=13, color="#333333", loc="left")


@_collected
def render_funnel_png(report: Report) -> bytes:
    """The funnel of the period with its stage conversions, the previous period beside it."""
    _ = translator(report.language)
    labels = [label(s.stage, report.language) for s in report.funnel]
    top = max([s.count for s in report.funnel] + [s.previous_count or 0 for s in report.funnel] + [1])
    # Fixed margins rather than the constrained layout: the picture's parts never change, and the
    # layout solver cost a third of the rendering time.
    fig = Figure(figsize=(11, 5.6), dpi=110)
    fig.patch.set_facecolor("white")
    fig.suptitle(
        f"{_(REPORT_TITLES[report.kind])} · {report.workspace}",
        parse_math=False,  # the workspace's name is outside text: a `$` in it is a dollar sign
        fontsize=17,
        fontweight="bold",
        x=0.01,
        y=0.975,
        ha="left",
    )
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    fig.subplots_adjust(left=0.115, right=0.985, top=0.86, bottom=0.02, wspace=0.05)
    draw_funnel(
        left,
        report.funnel,
        labels,
        report.language,
        previous=False,
        top=top,
        title=f"{_('Funnel')} · {report.period.label(report.language)}",
    )
    draw_funnel(
        right,
        report.funnel,
        labels,
        report.language,
        previous=True,
        top=top,
        title=f"{_('Previous period')} · {report.previous_period.label(report.language)}",
    )
    right.set_yticklabels([])
    return _png(fig)


def draw_trend(
    ax: Axes,
    labels: list[str],
    values: list[float | None],
    title: str,
    language: str,
    name: str,
    currency: str | None = None,
) -> None:
    xs = list(range(len(values)))
    known = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
    if known:
        ax.plot([x for x, _ in known], [v for _, v in known], color=COLORS[1], marker="o", linewidth=2.2)
        ax.fill_between([x for x, _ in known], [v for _, v in known], color=COLORS[3], alpha=0.15)
        x_last, v_last = known[-1]
        ax.annotate(
            fmt_kpi_value(name, v_last, language, currency),
            (x_last, v_last),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=11,
            fontweight="bold",
            parse_math=False,  # an amount's `$` is no TeX
        )
    ax.set_title(title, fontsize=12.5, loc="left")
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(v, language)))
    ax.grid(axis="y", color="#e6e6e6")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_ylim(bottom=0)


@_collected
def render_trend_png(report: Report) -> bytes:
    """Each headline KPI over the last periods (oldest left), one small chart each."""
    _ = translator(report.language)
    fig = Figure(figsize=(12, 6.2), dpi=100)
    fig.suptitle(
        f"{_(REPORT_TITLES[report.kind])} · {report.workspace} · {_('Trend')}",
        parse_math=False,
        fontsize=16,
        fontweight="bold",
        x=0.01,
        y=0.975,
        ha="left",
    )
    axes = fig.subplots(2, 3)
    fig.subplots_adjust(left=0.065, right=0.985, top=0.85, bottom=0.07, hspace=0.5, wspace=0.28)
    labels = [p["label"] for p in report.trend]
    for ax, name in zip(axes.flat, HEADLINE, strict=True):
        values = [p.get(name) for p in report.trend]
        draw_trend(ax, labels, values, label(name, report.language), report.language, name, report.currency)
    return _png(fig)
