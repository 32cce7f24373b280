"""The funnel picture's layout, measured on its figure: every text inside the picture in English and
Russian with the longest labels, bars in proportion to the cohort, steps as `→ 46%`, the leak marked."""

from __future__ import annotations

from datetime import date

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.kpi.catalog import FUNNEL_STAGES, PERIOD_KPIS, label
from bot.kpi.charts import LEAK, funnel_figure
from bot.kpi.engine import Kpi, Report
from bot.kpi.funnel import build_funnel
from bot.kpi.periods import Period
from tests.blockkit import EVIL

# The longest period labels: a range across a year end (`18 дек. 2025 г. — 7 янв. 2026 г.`), a week.
PERIODS = {
    "daily": Period.containing("day", date(2026, 11, 30)),
    "weekly": Period.containing("week", date(2026, 12, 28)),
    "monthly": Period.containing("month", date(2026, 9, 1)),  # сентябрь, the longest month in Russian
    "range": Period.between(date(2025, 12, 18), date(2026, 1, 7)),
}
BIG = {"visitors": 123_456_789, "leads": 12_345_678, "target_leads": 5_000_000, "meetings": 1_000_000, "sales": 99}
# 850 leads: 400 target (47.1%), 120 met (30.0%), 30 sold (25.0%, the leak).
COHORT = {"leads": 850, "target_leads": 400, "meetings": 120, "sales": 30}
# The widest numbers beside the bars; and a cohort too small to judge (with its note).
WIDE = {"leads": 12_345_678, "target_leads": 12_345_678, "meetings": 123_456, "sales": 99_999}
SMALL = {"leads": 9, "target_leads": 5, "meetings": 2, "sales": 1}


def report_for(kind: str, language: str, workspace: str = "Acme", cohort: dict | None = None) -> Report:
    period = PERIODS[kind]
    funnel = build_funnel(BIG, BIG, COHORT if cohort is None else cohort, period=period)
    kpis = {k: Kpi(None, None, None) for k in PERIOD_KPIS}
    return Report(kind, "T1", workspace, language, "Europe/Berlin", period, period.previous(), kpis, funnel)


def texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("kind", sorted(PERIODS))
@pytest.mark.parametrize(("workspace", "cohort"), [("Рога и копыта «Восток» " * 8, WIDE), (EVIL, SMALL)])
def test_every_text_lies_inside_the_picture(language: str, kind: str, workspace: str, cohort: dict):
    """Titles, subtitles, labels, counts and notes: each text's window extent is inside the figure, and
    the cohort's texts stay left of the period's table."""
    fig = funnel_figure(report_for(kind, language, workspace, cohort))
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    right = fig.axes[1].get_window_extent(renderer).x0
    shown = texts(fig)
    assert len(shown) > 20
    for t in shown:
        box = t.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, t.get_text()
    for t in texts(fig.axes[0]):  # type: ignore[arg-type]
        assert t.get_window_extent(renderer).x1 < right, t.get_text()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_stage_labels_and_cohort_caption_are_whole(language: str):
    """No label is shortened: `Целевые лиды` and `Target leads` whole in both panels; the caption names
    the cohort's days and the day it is counted to."""
    fig = funnel_figure(report_for("range", language))
    shown = [t.get_text() for t in texts(fig)]
    for stage in FUNNEL_STAGES:
        assert shown.count(label(stage, language)) == (1 if stage == "visitors" else 2)
    caption = fig.axes[0].get_title(loc="left")
    assert (
        caption
        == {
            "en": "Leads of 10 Sept\u2009–\u20098 Dec 2025: how far they got by 7 Jan 2026",
            "ru": "Лиды за 10 сент. — 8 дек. 2025\u202fг.: докуда дошли к 7 янв. 2026",
        }[language]
    )
    assert not any("…" in t for t in shown)


def test_bars_in_proportion_to_the_cohort_and_the_leak_in_red():
    """Bar widths 850 : 400 : 120 : 30; the sales bar (the 25% step) is red, its step reads
    `→ 25.0%  biggest leak`; the other steps `→ 47.1%`, `→ 30.0%`; no falling arrow anywhere."""
    fig = funnel_figure(report_for("weekly", "en"))
    bars = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    widths = [b.get_width() for b in bars]
    assert [w / widths[0] for w in widths] == pytest.approx([1, 400 / 850, 120 / 850, 30 / 850])
    assert [to_hex(b.get_facecolor()) for b in bars][3] == LEAK
    assert LEAK not in [to_hex(b.get_facecolor()) for b in bars][:3]
    steps = [t.get_text() for t in texts(fig.axes[0]) if t.get_text().startswith("→")]  # type: ignore[arg-type]
    assert steps == ["→ 47.1%", "→ 30.0%", "→ 25.0%  biggest leak"]
    assert not any("↓" in t.get_text() for t in texts(fig))


def test_steps_too_small_to_judge_are_left_out_and_said_so():
    """Nine leads at the first stage: no step drawn, no leak, a note saying why."""
    fig = funnel_figure(report_for("weekly", "en", cohort={"leads": 9, "target_leads": 5, "meetings": 2, "sales": 1}))
    shown = [t.get_text() for t in texts(fig)]
    assert not [t for t in shown if t.startswith("→")]
    assert "A step from fewer than 10 leads is not shown." in shown
    assert not any("leak" in t for t in shown)
