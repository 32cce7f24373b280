"""The trend's grouped queries give the same numbers as the per-period totals, on generated data."""

from __future__ import annotations

from datetime import date

import pytest

from bot.demo import TEAM, TZ, generate
from bot.periods import Period
from storage.db import read_scope
from storage.repos import metrics

KEYS = ("leads", "target_leads", "sales", "revenue", "customers", "new_customers", "spend")


@pytest.mark.parametrize("kind", ["week", "month"])
def test_trend_totals_match_totals_per_period(engine, kind: str):
    generate(engine, seed=11, today=date(2026, 11, 30))
    last = Period.containing(kind, date(2026, 11, 20))
    periods = [last.shifted(back) for back in range(7, -1, -1)]
    windows = [p.window(TEAM, TZ) for p in periods]
    with read_scope(engine) as s:
        fast = metrics.trend_totals(s, windows)
        slow = [metrics.totals(s, w) for w in windows]
    assert sum(t["leads"] for t in slow) > 100 and sum(t["new_customers"] for t in slow) > 5
    for got, want in zip(fast, slow, strict=True):
        assert {k: got[k] for k in KEYS} == pytest.approx({k: want[k] for k in KEYS})
