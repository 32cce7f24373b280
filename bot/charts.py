"""Pictures for Slack, drawn with matplotlib's object API (no pyplot): PNG bytes out."""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import translator
from bot.kpi import STAGE_LABELS, FunnelStage, Report
from bot.render import REPORT_TITLES, fmt_number, fmt_pct

COLORS = ["#1d4e89", "#2a6fb0", "#3b8fd0", "#58b0e0", "#2eb67d"]
PREVIOUS = "#b8c4d0"


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _widths(counts: list[float], top: float) -> list[float]:
    """Bar widths on a log scale: a funnel spans orders of magnitude, and every stage must stay visible."""
    scale = math.log10(top + 1) if top > 0 else 1.0
    return [max(0.06, math.log10(c + 1) / scale) if c > 0 else 0.0 for c in counts]


def draw_funnel(
    ax, stages: list[FunnelStage], labels: list[str], language: str, *, previous: bool, top: float, title: str
) -> None:
    counts = [(s.previous_count or 0) if previous else s.count for s in stages]
    convs = [s.previous_conversion_pct if previous else s.conversion_pct for s in stages]
    widths = _widths(counts, top)
    n = len(stages)
    for i, (count, width) in enumerate(zip(counts, widths, strict=True)):
        y = n - 1 - i
        color = PREVIOUS if previous else COLORS[i % len(COLORS)]
        ax.barh(y, width, left=-width / 2, height=0.72, color=color, edgecolor="white")
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


def render_funnel_png(report: Report) -> bytes:
    """The funnel of the period with its stage conversions, the previous period beside it."""
    _ = translator(report.language)
    labels = [_(STAGE_LABELS[s.stage]) for s in report.funnel]
    top = max([s.count for s in report.funnel] + [s.previous_count or 0 for s in report.funnel] + [1])
    fig = Figure(figsize=(11, 5.6), dpi=110, layout="constrained")
    fig.patch.set_facecolor("white")
    fig.suptitle(
        f"{_(REPORT_TITLES[report.kind])} · {report.workspace}",
        fontsize=17,
        fontweight="bold",
        x=0.02,
        ha="left",
    )
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    draw_funnel(
        left,
        report.funnel,
        labels,
        report.language,
        previous=False,
        top=top,
        title=f"{_('Funnel')} · {report.period.label()}",
    )
    draw_funnel(
        right,
        report.funnel,
        labels,
        report.language,
        previous=True,
        top=top,
        title=f"{_('Previous period')} · {report.previous_period.label()}",
    )
    right.set_yticklabels([])
    return _png(fig)
