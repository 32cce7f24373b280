"""Pictures for Slack, drawn with matplotlib's object API (no pyplot): PNG bytes out."""

from __future__ import annotations

import functools
import gc
import io
from collections.abc import Callable
from typing import ParamSpec

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from bot.i18n import translator
from bot.kpi.catalog import HEADLINE, label
from bot.kpi.engine import Report
from bot.kpi.funnel import COHORT_STAGES, MIN_BASE, Funnel, biggest_leak
from bot.kpi.render import cohort_caption, fmt_kpi_value, fmt_number, fmt_pct
from bot.workspace.keys import REPORT_TITLES

P = ParamSpec("P")

COLORS = ["#1d4e89", "#2a6fb0", "#3b8fd0", "#58b0e0", "#2eb67d"]


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


LEAK = "#d64545"
MUTED = "#666666"


def _fit(fig: Figure, texts: list[tuple[Text, float]]) -> None:
    """Each text inside the figure and left of its x limit (pixels): first a smaller font, then the
    text shortened with an ellipsis (a workspace's name can be 200 characters long)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    top, right = fig.bbox.height, fig.bbox.width
    for text, limit in texts:
        limit = min(limit, right) - 2
        smallest = max(9.0, 0.75 * float(text.get_fontsize()))  # a title stays a title
        for _attempt in range(40):
            box = text.get_window_extent(renderer)
            if box.x0 >= 0 and box.x1 <= limit and box.y0 >= 0 and box.y1 <= top:
                break
            size = float(text.get_fontsize())
            if size > smallest:
                text.set_fontsize(max(size - 1, smallest))
                continue
            words = text.get_text().rstrip("…")
            keep = int(len(words) * (limit - box.x0) / max(box.width, 1.0)) - 2
            if keep < 1:
                break
            text.set_text(words[:keep].rstrip() + "…")


def draw_cohort(ax: Axes, funnel: Funnel, language: str) -> None:
    """The cohort's stages as bars in proportion to its leads, the step conversions between them
    (`→ 46.2%`), the biggest leak in red."""
    _ = translator(language)
    stages = [s for s in funnel.stages if s.stage in COHORT_STAGES]
    counts = [s.cohort_count or 0 for s in stages]
    base = max(counts[0], 1)
    leak = biggest_leak(funnel)
    n, x0, span = len(stages), 0.30, 0.52
    # In proportion: a stage with a tenth of the leads gets a tenth of the width (a hair when not zero).
    widths = [span * c / base if c <= 0 or span * c / base >= 0.004 else 0.004 for c in counts]
    ax.barh(
        [n - 1 - i for i in range(n)],
        widths,
        left=x0,
        height=0.56,
        color=[LEAK if leak and s.stage == leak.stage else COLORS[i % len(COLORS)] for i, s in enumerate(stages)],
    )
    for i, (s, width) in enumerate(zip(stages, widths, strict=True)):
        y = n - 1 - i
        ax.text(0, y, label(s.stage, language), ha="left", va="center", fontsize=12.5)
        count = fmt_number(counts[i], language)
        ax.text(x0 + width + 0.012, y, count, ha="left", va="center", fontsize=13, fontweight="bold")
        if i and s.conversion_pct is not None:
            is_leak = leak is not None and s.stage == leak.stage
            step = "→ " + fmt_pct(s.conversion_pct, language)
            if is_leak:
                step += "  " + _("biggest leak")
            colour, weight = (LEAK, "bold") if is_leak else (MUTED, "normal")
            ax.text(x0, y + 0.5, step, ha="left", va="center", fontsize=11, color=colour, fontweight=weight)
    if any(s.conversion_pct is None for s in stages[1:]):
        note = _("A step from fewer than {n} leads is not shown.").format(n=MIN_BASE)
        ax.text(0, -0.75, note, ha="left", va="center", fontsize=9.5, color=MUTED)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, n - 0.5)
    ax.axis("off")


def draw_period(ax: Axes, report: Report) -> None:
    """The period's count at each stage beside the one it is compared with, as a small table."""
    _, lang, f = translator(report.language), report.language, report.funnel
    n = len(f.stages)
    ax.text(0.66, n - 0.45, _("this period"), ha="right", va="center", fontsize=10, color=MUTED)
    ax.text(1.0, n - 0.45, _("before"), ha="right", va="center", fontsize=10, color=MUTED)
    for i, s in enumerate(f.stages):
        y = n - 1 - i
        ax.text(0, y, label(s.stage, lang), ha="left", va="center", fontsize=12)
        ax.text(0.66, y, fmt_number(s.count, lang), ha="right", va="center", fontsize=12, fontweight="bold")
        ax.text(1.0, y, fmt_number(s.previous_count, lang), ha="right", va="center", fontsize=12, color=MUTED)
    if f.visitors_to_leads_pct is not None:
        ratio_text = _("visitors → leads {pct} in the period").format(pct=fmt_pct(f.visitors_to_leads_pct, lang))
        ax.text(0, -0.9, ratio_text, ha="left", va="center", fontsize=10, color=MUTED)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1.3, n + 0.4)
    ax.axis("off")


def funnel_figure(report: Report) -> Figure:
    """The figure of `render_funnel_png`, its titles fitted inside it (tests measure every text)."""
    _ = translator(report.language)
    fig = Figure(figsize=(11, 5.6), dpi=110)
    fig.patch.set_facecolor("white")
    title = fig.suptitle(
        f"{_(REPORT_TITLES[report.kind])} · {report.workspace}",
        parse_math=False,  # the workspace's name is outside text: a `$` in it is a dollar sign
        fontsize=17,
        fontweight="bold",
        x=0.01,
        y=0.975,
        ha="left",
    )
    # Fixed places rather than a layout solver: the picture's parts never change, and the solver cost
    # a third of the rendering time.
    left, right = fig.add_axes((0.015, 0.03, 0.58, 0.75)), fig.add_axes((0.66, 0.03, 0.325, 0.75))
    split = 0.63 * fig.bbox.width  # the cohort's texts stay left of the period's table
    cohort_title = left.set_title(cohort_caption(report), fontsize=12.5, color="#333333", loc="left", pad=14)
    period_title = right.set_title(
        report.period.label(report.language), fontsize=12.5, color="#333333", loc="left", pad=14
    )
    draw_cohort(left, report.funnel, report.language)
    draw_period(right, report)
    # Only the titles vary beyond what the layout leaves room for (a workspace's name, a period across
    # a year end): measuring every text cost half the rendering time. tests/test_funnel_chart.py
    # measures them all, with the longest labels and numbers of both languages.
    _fit(fig, [(title, fig.bbox.width), (cohort_title, split), (period_title, fig.bbox.width)])
    return fig


@_collected
def render_funnel_png(report: Report) -> bytes:
    """The cohort's funnel with its step conversions and biggest leak, the period's counts beside it."""
    return _png(funnel_figure(report))


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
