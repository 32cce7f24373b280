"""The trend's points are the headline numbers of each of the last periods, checked against the
generated rows counted here, and the report's own period closes the trend."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from bot.demo.data import TEAM, TZ, generate
from bot.kpi.periods import Period
from bot.kpi.report import compute_report, compute_trend
from storage.models import Deal, Lead
from tests.runtime import deps_for


@pytest.mark.parametrize("kind", ["week", "month"])
def test_trend_points_match_the_rows_counted_per_period(engine, kind: str):
    generate(deps_for(engine), seed=11, today=date(2026, 11, 30))
    last = Period.containing(kind, date(2026, 11, 20))
    periods = [last.shifted(back) for back in range(7, -1, -1)]
    with Session(engine) as s:
        leads = s.exec(select(Lead.created_at, Lead.verdict).where(Lead.team_id == TEAM)).all()
        won = s.exec(select(Deal.closed_at, Deal.amount).where(Deal.team_id == TEAM, Deal.status == "won")).all()
    points = compute_trend(deps_for(engine), TEAM, TZ, last, periods=8)
    assert [p["period"] for p in points] == [p.key() for p in periods]
    for period, point in zip(periods, points, strict=True):
        w = period.window(TEAM, TZ)
        inside = [v for t, v in leads if w.start <= t < w.end]
        sold = [a for t, a in won if t is not None and w.start <= t < w.end]
        assert point["leads"] == len(inside) and point["target_leads"] == inside.count("target")
        assert point["sales"] == len(sold) and point["revenue"] == pytest.approx(sum(sold))
    assert sum(p["leads"] for p in points) > 100 and sum(p["sales"] for p in points) > 5
    report = compute_report(deps_for(engine), TEAM, {"week": "weekly", "month": "monthly"}[kind], last)
    assert report.trend == points  # the period's own totals, reused, give the same last point
