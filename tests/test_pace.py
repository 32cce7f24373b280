"""Pace math against hand computations: March 2026 in Berlin, with a holiday on Thursday the 19th and the
clocks going forward on Sunday the 29th (CET +1 → CEST +2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.kpi.pace import (
    WorkCalendar,
    elapsed_fraction,
    pace_lines,
    period_plan,
    project,
    seasonal_fraction,
    share_of_month,
    status,
    weekday_shares,
    working_days,
)
from bot.kpi.periods import Period

CAL = WorkCalendar.of(tz="Europe/Berlin", workdays="mon-fri", work_hours="09:00-18:00", holidays=["2026-03-19"])
MARCH = Period.containing("month", date(2026, 3, 1))
# Mon 30 Mar 07:30 UTC is 09:30 in Berlin (summer time since the 29th): half an hour of the day worked.
AFTER_DST = datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
# Fri 27 Mar 08:30 UTC is 09:30 in Berlin (still winter time).
BEFORE_DST = datetime(2026, 3, 27, 8, 30, tzinfo=UTC)


def test_march_2026_has_21_working_days_with_the_holiday():
    """22 weekdays (1 Mar is a Sunday; 30 and 31 are Mon and Tue) less the holiday on the 19th."""
    days = working_days(CAL, MARCH.start, MARCH.end)
    assert len(days) == 21
    assert date(2026, 3, 19) not in days and date(2026, 3, 30) in days


def test_elapsed_working_time_reads_the_clock_in_the_zone_across_the_dst_change():
    """189 working hours (21 × 9); by Mon 30 Mar 09:30 CEST 19 days and half an hour: 171.5 / 189. A fixed
    +1 offset would read 08:30 there and count 171 / 189."""
    assert elapsed_fraction(CAL, MARCH, AFTER_DST) == pytest.approx(171.5 / 189)
    assert elapsed_fraction(CAL, MARCH, BEFORE_DST) == pytest.approx((18 * 9 + 0.5) / 189)
    assert elapsed_fraction(CAL, MARCH, datetime(2026, 2, 28, tzinfo=UTC)) == 0.0
    assert elapsed_fraction(CAL, MARCH, datetime(2026, 3, 31, 22, tzinfo=UTC)) == 1.0  # 1 Apr 00:00 CEST


def test_the_share_of_a_day_week_and_month_by_working_days():
    """The week of the holiday has 4 of 21 working days, the holiday none, a Friday 1, the month all."""
    assert share_of_month(CAL, Period.containing("week", date(2026, 3, 18)), MARCH) == pytest.approx(4 / 21)
    assert share_of_month(CAL, Period.containing("day", date(2026, 3, 19)), MARCH) == 0.0
    assert share_of_month(CAL, Period.containing("day", date(2026, 3, 20)), MARCH) == pytest.approx(1 / 21)
    assert share_of_month(CAL, MARCH, MARCH) == 1.0


def test_a_week_across_two_months_takes_its_share_of_each_plan():
    """Mon 30 Mar – Sun 5 Apr: 2 of March's 21 working days of 500 leads, 3 of April's 22 of 440."""
    week = Period.containing("week", date(2026, 3, 30))
    plans = {"2026-03": {"leads": 500.0, "cac": 200.0}, "2026-04": {"leads": 440.0, "cac": 180.0}}
    assert period_plan("leads", CAL, week, plans) == pytest.approx(2 / 21 * 500 + 3 / 22 * 440)
    assert period_plan("cac", CAL, week, plans) == 180.0  # a cap is the cap of the month the week ends in
    assert period_plan("leads", CAL, week, {"2026-03": {"leads": 500.0}}) is None


def test_run_rate_projection_and_status_of_a_goal():
    """400 leads of 500 by Mon 30 Mar 09:30: 400 × 189 / 171.5 = 440.8 projected, 11.8% short: at risk."""
    [line] = pace_lines({"leads": 500.0}, {"leads": 400.0}, elapsed=elapsed_fraction(CAL, MARCH, AFTER_DST))
    assert line.projected == pytest.approx(400 * 189 / 171.5)
    assert line.pct_of_plan == pytest.approx(80.0)
    assert line.elapsed_pct == pytest.approx(171.5 / 189 * 100)
    assert (line.status, line.method) == ("at_risk", "run_rate")


def weeks_of(until: date, per_weekday: dict[int, float], weeks: int = 8) -> dict[date, float]:
    days = [until - timedelta(days=d) for d in range(1, 7 * weeks + 1)]
    return {d: per_weekday.get(d.weekday(), 0.0) for d in days}


def test_weekday_seasonality_weights_the_month():
    """Mondays 20, Tue–Fri 10, Saturdays 5, Sundays 0 over 8 weeks: March weighs 280 (Mondays 5×20, Tue 50,
    Wed 40, Thu 3×10 and the holiday as a Sunday, Fri 40, Sat 20); by Mon 30 Mar 09:30, 250 and 0.5/9 of a
    Monday's 20 → 251.11 / 280; 400 leads project to 400 × 280 / 251.11 = 446.0."""
    shares = weekday_shares(weeks_of(date(2026, 3, 30), {0: 20, 1: 10, 2: 10, 3: 10, 4: 10, 5: 5}), date(2026, 3, 30))
    assert shares is not None
    assert shares[0] == pytest.approx(20 / 65) and shares[6] == 0.0
    f = seasonal_fraction(CAL, MARCH, AFTER_DST, shares)
    done = 250 + 20 * 0.5 / 9
    assert f == pytest.approx(done / 280)
    [line] = pace_lines({"leads": 500.0}, {"leads": 400.0}, elapsed=0.9, seasonal={"leads": f})
    assert line.projected == pytest.approx(400 * 280 / done)
    assert line.method == "seasonal"


def test_too_little_history_falls_back_to_the_run_rate():
    """Eight weeks of 4 leads a Monday (32 < 40) give no weekday shares; nor do 60 leads all in the last
    week (a workspace a week old has no weekday pattern yet)."""
    until = date(2026, 3, 30)
    assert weekday_shares(weeks_of(until, {0: 4}), until) is None
    last_week = {d: 12.0 for d in (until - timedelta(days=n) for n in range(1, 6))}
    assert weekday_shares(last_week, until) is None
    assert weekday_shares(weeks_of(until, {0: 5}), until) == {0: 1.0, **dict.fromkeys(range(1, 7), 0.0)}


@pytest.mark.parametrize(
    ("kpi", "projected", "expected"),
    [
        ("leads", 95.0, "on_track"),
        ("leads", 94.9, "at_risk"),
        ("leads", 85.0, "at_risk"),
        ("leads", 84.9, "behind"),
        ("revenue", 130.0, "on_track"),
        ("spend", 105.0, "on_track"),
        ("spend", 105.1, "at_risk"),
        ("spend", 115.1, "behind"),
        ("spend", 50.0, "on_track"),
        ("cac", 116.0, "behind"),
    ],
)
def test_status_thresholds_for_goals_and_ceilings(kpi: str, projected: float, expected: str):
    """Against a plan of 100: a goal is on track down to 95, behind under 85; a ceiling on track up to 105,
    over beyond 115."""
    assert status(kpi, projected, 100.0, elapsed_pct=50.0) == expected


def test_too_early_in_the_month_is_on_track():
    """Under a tenth of the working time the status waits, whatever the projection."""
    assert status("leads", 10.0, 100.0, elapsed_pct=9.9) == "on_track"
    assert status("leads", 10.0, 100.0, elapsed_pct=10.0) == "behind"
    assert project(5.0, 0.0) is None


def test_cac_projects_from_projected_spend_and_new_customers_and_lines_go_worst_first():
    """Half the month: 6,000 spent on 20 new customers projects 12,000 on 40, a CAC of 300 against a cap of
    250 (20% over: behind); then the on-track ones by their margin: new customers exactly on plan, spend 7.7%
    under its budget (12,000 of 13,000), leads 10% over (110 of 100)."""
    lines = pace_lines(
        {"leads": 100.0, "spend": 13000.0, "new_customers": 40.0, "cac": 250.0},
        {"leads": 55.0, "spend": 6000.0, "new_customers": 20.0, "cac": 300.0},
        elapsed=0.5,
    )
    assert [(p.kpi, p.status) for p in lines] == [
        ("cac", "behind"),
        ("new_customers", "on_track"),
        ("spend", "on_track"),
        ("leads", "on_track"),
    ]
    assert lines[0].projected == pytest.approx(300.0)
    assert lines[0].pct_of_plan == pytest.approx(120.0)


def test_a_finished_month_projects_its_actual():
    """At 100% of the working time the projection is the actual: 90 of 100 is behind (10% short: at risk)."""
    [line] = pace_lines({"sales": 100.0}, {"sales": 90.0}, elapsed=1.0)
    assert (line.projected, line.status, line.elapsed_pct) == (90.0, "at_risk", 100.0)


def test_the_pace_block_comes_after_the_tiles_and_funnel_focus_still_finds_the_funnel():
    """A report with a plan: the digest's pace section follows the tiles, a cap reads `against a cap` (no
    projection without spend and new customers to run on); the /funnel answer keeps the funnel line."""
    from bot.kpi.blocks import build_digest, build_on_demand
    from tests.test_blocks_kpi import FUNNEL_LINE, make_report

    lines = pace_lines({"leads": 100.0, "cac": 250.0}, {"leads": 30.0, "cac": 240.0}, elapsed=0.5, month="2026-11")
    report = make_report(pace=lines)
    blocks = [b.to_dict() for b in build_digest(report).blocks]
    assert blocks[3]["text"]["text"] == (
        "*Plan · November 2026 · 50% of the working time gone*\n"
        "🔴 Leads: 30 of 100 (30%), heading for 60 — behind\n"
        "🟢 CAC: 240 against a cap of 250 (96%) — on track"
    )
    funnel = build_on_demand(report, file_id=None, focus="funnel", post_value="v")
    assert [b.to_dict()["text"]["text"] for b in funnel.blocks if b.to_dict()["type"] == "section"] == [
        "*Funnel*\n" + FUNNEL_LINE
    ]
