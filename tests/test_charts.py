"""The funnel and trend pictures: valid PNGs of the expected size that are not blank, for ordinary,
empty and gappy data, in English and Russian. Decoded with matplotlib.image; no timings."""

from __future__ import annotations

import gc
import io
import warnings
from datetime import date

import matplotlib.image
import numpy as np
import pytest

from bot.kpi.catalog import HEADLINE, PERIOD_KPIS
from bot.kpi.charts import render_funnel_png, render_trend_png
from bot.kpi.engine import Kpi, Report
from bot.kpi.funnel import Funnel, FunnelStage, build_funnel
from bot.kpi.periods import Period
from tests.blockkit import EVIL

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WEEK = Period.containing("week", date(2026, 11, 23))
STAGES = ("visitors", "leads", "target_leads", "meetings", "sales")
# figsize × dpi: the funnel is 11 × 5.6 inches at 110 dpi, the trend 12 × 6.2 at 100.
FUNNEL_SIZE = (616, 1210)
TREND_SIZE = (620, 1200)

FUNNEL = build_funnel(
    {"visitors": 100_000, "leads": 1234, "target_leads": 500, "meetings": 100, "sales": 40},
    {"visitors": 80_000, "leads": 1000, "target_leads": 400, "meetings": 90, "sales": 50},
    {"leads": 850, "target_leads": 400, "meetings": 120, "sales": 30},
    period=WEEK,
)


def trend_point(i: int, **values) -> dict:
    return {"period": f"2026-W{41 + i}", "label": f"W{41 + i}"} | values


def make_report(*, language: str = "en", workspace: str = "Acme", funnel=FUNNEL, trend=None) -> Report:
    return Report(
        kind="weekly",
        team_id="T1",
        workspace=workspace,
        language=language,
        tz="Europe/Berlin",
        period=WEEK,
        previous_period=WEEK.previous(),
        kpis={k: Kpi(None, None, None) for k in PERIOD_KPIS},
        funnel=funnel,
        trend=trend or [],
    )


GAPPY_TREND = [
    trend_point(
        i,
        leads=None if i in (2, 5) else 100 + 10 * i,
        target_leads=None if i == 0 else 40 + i,
        sales=None,  # never known
        revenue=12_345.5 * (i + 1),
        customers=None if i == 7 else i,  # the last point missing
        cac=None if i % 2 else 250.0 + i,
    )
    for i in range(8)
]


def decoded(png: bytes) -> np.ndarray:
    """The picture as an array (height × width × RGBA), after checking it is a PNG."""
    assert png[:8] == PNG_SIGNATURE
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def more_than_one_colour(image: np.ndarray) -> bool:
    return bool((image != image[0, 0]).any())


def assert_picture(png: bytes, size: tuple[int, int]) -> np.ndarray:
    """A PNG of `size` (height, width) pixels with more than one colour in it."""
    image = decoded(png)
    assert image.shape[:2] == size
    assert image.size > 0
    assert more_than_one_colour(image)
    return image


# --- the funnel -----------------------------------------------------------------------------------


def test_funnel_png_is_a_picture():
    """A funnel of five stages and its previous period: a 1210 × 616 PNG that is not blank."""
    assert_picture(render_funnel_png(make_report()), FUNNEL_SIZE)


def test_funnel_of_all_zeros_is_still_a_picture():
    """A period with no data at all (every count 0, no conversions) still draws its frame."""
    empty = build_funnel({}, {}, {}, period=WEEK)
    image = assert_picture(render_funnel_png(make_report(funnel=empty)), FUNNEL_SIZE)
    full = decoded(render_funnel_png(make_report()))
    assert not np.array_equal(image, full)  # the bars of the full funnel are drawn


def test_funnel_with_unknown_conversions_and_previous_counts():
    """Counts with no conversion and no previous period (None everywhere it may be) still draw."""
    stages = [FunnelStage(s, 10 * (5 - i)) for i, s in enumerate(STAGES)]
    funnel = Funnel(stages, FUNNEL.cohort, FUNNEL.as_of)
    assert_picture(render_funnel_png(make_report(funnel=funnel)), FUNNEL_SIZE)


def test_funnel_with_one_stage_far_larger_than_the_rest():
    """A billion visitors and a cohort of a million leads with one sale: still a picture."""
    cohort = {"leads": 1_000_000, "target_leads": 1, "meetings": 1, "sales": 1}
    funnel = build_funnel({"visitors": 1e9, "leads": 1, "sales": 1}, {}, cohort, period=WEEK)
    assert_picture(render_funnel_png(make_report(funnel=funnel)), FUNNEL_SIZE)


def test_funnel_in_russian_draws_every_glyph():
    """Russian labels and numbers (with a narrow no-break space) render with no missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_funnel_png(make_report(language="ru", workspace="Рога и копыта"))
    assert_picture(png, FUNNEL_SIZE)
    assert not [w for w in caught if "missing" in str(w.message).lower()]


def test_funnel_with_a_hostile_workspace_name_renders():
    """Slack markup in the title is only text to a picture."""
    assert_picture(render_funnel_png(make_report(workspace=EVIL)), FUNNEL_SIZE)


def test_funnel_and_trend_with_a_200_character_workspace_name():
    """A very long title: the funnel shortens it to fit (tests/test_funnel_chart.py), both pictures are made."""
    report = make_report(workspace="W" * 200, trend=GAPPY_TREND)
    assert_picture(render_funnel_png(report), FUNNEL_SIZE)
    assert_picture(render_trend_png(report), TREND_SIZE)


@pytest.mark.parametrize("render", [render_funnel_png, render_trend_png])
def test_a_workspace_name_with_dollar_signs_is_drawn_as_text(render):
    """A workspace called `$$ Money $$` gets its pictures like any other."""
    report = make_report(workspace="$$ Money $$", trend=GAPPY_TREND)
    assert_picture(render(report), FUNNEL_SIZE if render is render_funnel_png else TREND_SIZE)


# --- the trend ------------------------------------------------------------------------------------


def test_trend_png_of_eight_points_with_gaps():
    """Eight periods with missing values here and there (one KPI never known): a 1200 × 620 PNG."""
    assert set(GAPPY_TREND[0]) == {"period", "label", *HEADLINE}
    assert_picture(render_trend_png(make_report(trend=GAPPY_TREND)), TREND_SIZE)


def test_trend_with_no_known_value_still_draws_its_axes():
    """Eight periods where nothing is known: six empty charts, not a blank picture."""
    trend = [trend_point(i, **dict.fromkeys(HEADLINE)) for i in range(8)]
    assert_picture(render_trend_png(make_report(trend=trend)), TREND_SIZE)


def test_trend_in_russian_draws_every_glyph():
    """Russian titles and numbers render with no missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_trend_png(make_report(language="ru", trend=GAPPY_TREND))
    assert_picture(png, TREND_SIZE)
    assert not [w for w in caught if "missing" in str(w.message).lower()]


def test_trend_of_a_single_point():
    """One period (a workspace's first week) draws a point, not an error."""
    trend = [trend_point(0, **dict.fromkeys(HEADLINE, 5.0))]
    assert_picture(render_trend_png(make_report(trend=trend)), TREND_SIZE)


# --- the collector --------------------------------------------------------------------------------


def test_rendering_leaves_the_garbage_collector_as_it_found_it():
    """The collector is paused while drawing and restored after, also when drawing fails."""
    assert gc.isenabled()
    render_funnel_png(make_report())
    assert gc.isenabled()
    broken = make_report()
    broken.kind = "no-such-kind"
    with pytest.raises(KeyError):
        render_trend_png(broken)
    assert gc.isenabled()
    gc.disable()
    try:
        render_funnel_png(make_report())
        assert not gc.isenabled()
    finally:
        gc.enable()
