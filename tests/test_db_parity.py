"""The KPI reports give the same answer on SQLite and PostgreSQL for the same data, loaded through the
import's bulk writer into both (tests/parity_data.py generates it): a Berlin and a New York workspace,
the periods around the DST changes of 2026, rows at the edges of local and UTC days. Floats agree to
1e-9 relative; everything else exactly. The counted KPIs are also checked against pandas counts of the
generated rows, so both databases being wrong alike does not pass."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.deps import Deps
from bot.kpi.agreement import scorecard
from bot.kpi.pacing import month_pace
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.workspace.store import save_settings
from storage.db import make_engine
from storage.repos import plans, rollups
from storage.repos.imports import bulk
from tests import parity_data as data
from tests.conftest import PostgresTemplate, _sqlite_copy
from tests.runtime import deps_for

BERLIN_DAYS = [date(2026, *md) for md in ((3, 1), (3, 23), (3, 29), (3, 30), (4, 1), (10, 1), (10, 19), (10, 25))]
BERLIN_DAYS += [date(2026, 10, 26), date(2026, 11, 1)]
NY_DAYS = [date(2026, *md) for md in ((3, 1), (3, 2), (3, 8), (3, 9), (4, 1), (10, 1), (10, 26), (11, 1), (11, 2))]
DST_DAYS = {
    "berlin": [date(2026, 3, 29), date(2026, 10, 25)],
    "newyork": [date(2026, 3, 8), date(2026, 11, 1)],
}
SETS = {
    "berlin": data.generate("T0BERLIN", "Europe/Berlin", BERLIN_DAYS, seed=2026),
    "newyork": data.generate("T0NEWYORK", "America/New_York", NY_DAYS, seed=2027),
}
SETS_NAMES = {ds.team: name for name, ds in SETS.items()}
SETTINGS: dict[str, dict[str, Any]] = {
    "berlin": {"name": "Berlin", "currency": "EUR", "holidays": ["2026-10-03"]},
    "newyork": {"name": "New York", "currency": "USD", "workdays": "mon,tue,wed,thu,fri,sat"},
}
AGREEMENT = {
    "sla_hours": 4,
    "agreement_leads_per_week": 55,
    "agreement_target_share_pct": 45.0,
    "agreement_first_touch_hours": 8,
    "agreement_on_time_pct": 60.0,
}


def _day(kind: str, d: str) -> Period:
    return Period.containing({"daily": "day", "weekly": "week", "monthly": "month"}[kind], date.fromisoformat(d))


def _range(a: str, b: str) -> Period:
    return Period.between(date.fromisoformat(a), date.fromisoformat(b))


# (workspace, kind, period, channel): the DST days and the days after them, their weeks and months,
# ranges across them, the day, week and month still running at NOW; some narrowed to one channel.
CASES: list[tuple[str, str, Period, str | None]] = [
    *[("berlin", "daily", _day("daily", d), None) for d in ("2026-03-29", "2026-03-30")],
    *[("berlin", "daily", _day("daily", d), None) for d in ("2026-10-25", "2026-10-26")],
    ("berlin", "daily", _day("daily", "2026-03-29"), "google_ads"),
    ("berlin", "daily", _day("daily", "2026-10-25"), "facebook"),
    ("berlin", "weekly", _day("weekly", "2026-03-29"), None),
    ("berlin", "weekly", _day("weekly", "2026-10-25"), None),
    ("berlin", "weekly", _day("weekly", "2026-10-25"), "facebook"),
    ("berlin", "monthly", _day("monthly", "2026-03-01"), None),
    ("berlin", "monthly", _day("monthly", "2026-10-01"), None),
    ("berlin", "monthly", _day("monthly", "2026-10-01"), "google_ads"),
    ("berlin", "monthly", _day("monthly", "2026-03-01"), "seo"),
    ("berlin", "range", _range("2026-03-25", "2026-04-02"), None),
    ("berlin", "range", _range("2026-10-20", "2026-11-03"), "email"),
    *[("newyork", "daily", _day("daily", d), None) for d in ("2026-03-08", "2026-03-09")],
    *[("newyork", "daily", _day("daily", d), None) for d in ("2026-11-01", "2026-11-02")],
    ("newyork", "daily", _day("daily", "2026-11-04"), None),  # the day still running at NOW
    ("newyork", "daily", _day("daily", "2026-11-01"), "seo"),
    ("newyork", "weekly", _day("weekly", "2026-03-08"), None),
    ("newyork", "weekly", _day("weekly", "2026-11-01"), None),
    ("newyork", "weekly", _day("weekly", "2026-11-01"), "google_ads"),
    ("newyork", "weekly", _day("weekly", "2026-11-04"), None),
    ("newyork", "monthly", _day("monthly", "2026-03-01"), None),
    ("newyork", "monthly", _day("monthly", "2026-10-01"), None),
    ("newyork", "monthly", _day("monthly", "2026-11-01"), None),
    ("newyork", "monthly", _day("monthly", "2026-03-01"), "email"),
    ("newyork", "range", _range("2026-02-26", "2026-03-10"), None),
    ("newyork", "range", _range("2026-10-28", "2026-11-03"), "facebook"),
]


def _load(deps: Deps, name: str) -> None:
    ds = SETS[name]
    save_settings(deps, ds.team, {"timezone": ds.tz, **SETTINGS[name], **AGREEMENT})
    with deps.write() as s, bulk(s) as w:
        for kind in ("leads", "activities", "deals", "spend", "traffic", "feedback"):
            df = getattr(ds, kind)
            w.expect(kind, len(df))
            w.upsert(kind, ds.team, df)
        w.verdict_history(ds.team, ds.verdicts)
    with deps.write() as s:
        for (month, channel), values in ds.plans.items():
            plans.set_values(s, team_id=ds.team, month=month, channel=channel, values=values)


@pytest.fixture(scope="module")
def dbs(
    sqlite_template: Path, postgres_template: PostgresTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Deps]]:
    """Both databases, loaded once for the module (the reports only read)."""
    sqlite = _sqlite_copy(sqlite_template, tmp_path_factory.mktemp("parity"))
    database = postgres_template.copy()
    engines = {"sqlite": next(sqlite), "postgres": make_engine(postgres_template.url(database))}
    try:
        out = {k: deps_for(e, clock=lambda: data.NOW) for k, e in engines.items()}
        for deps in out.values():
            for name in SETS:
                _load(deps, name)
        yield out
    finally:
        engines["postgres"].dispose()
        postgres_template.drop(database)
        next(sqlite, None)


_REPORTS: dict[tuple, Any] = {}


def report(dbs: dict[str, Deps], engine: str, name: str, kind: str, period: Period, channel: str | None = None) -> Any:
    """A report, computed once per database for the module (several tests read the same ones)."""
    key = (engine, name, kind, period, channel)
    if key not in _REPORTS:
        _REPORTS[key] = compute_report(dbs[engine], SETS[name].team, kind, period, channel=channel)
    return _REPORTS[key]


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON values differ: floats beyond 1e-9 relative, anything else at all (types too)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}.{k}: only in {'sqlite' if k in a else 'postgres'}" for k in a.keys() ^ b.keys()]
        return out + [d for k in a.keys() & b.keys() for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items on sqlite, {len(b)} on postgres: {a!r} vs {b!r}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return []
    if type(a) is not type(b) or a != b:
        return [f"{path}: sqlite {a!r} ({type(a).__name__}), postgres {b!r} ({type(b).__name__})"]
    return []


def _case_id(case: tuple[str, str, Period, str | None]) -> str:
    name, kind, period, channel = case
    return f"{name}-{kind}-{period.key()}" + (f"-{channel}" if channel else "")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_report_is_the_same_on_both_databases(dbs: dict[str, Deps], case: tuple) -> None:
    """A report's JSON from SQLite equals PostgreSQL's, and its counts equal the generated rows' counts."""
    name, kind, period, channel = case
    ds = SETS[name]
    reports = {k: report(dbs, k, name, kind, period, channel) for k in dbs}
    want = data.expected(ds, period.start, period.end, channel)
    before = period.comparison()
    want_before = data.expected(ds, before.start, before.end, channel)
    for engine, r in reports.items():
        assert {k: r.kpis[k].value for k in want} == pytest.approx(want, rel=1e-9), engine
        assert {k: r.kpis[k].previous for k in want} == pytest.approx(want_before, rel=1e-9), engine
        assert r.sales["waiting"]["count"] == data.waiting(ds, channel), engine
        got_reps = {(x["rep"], k): x[k] for x in r.reps for k in ("leads", "won", "lost", "revenue")}
        want_reps = data.reps(ds, period.start, period.end, channel)
        assert got_reps == pytest.approx(want_reps, rel=1e-9), engine
        if kind == "monthly" and channel is None:
            cohort = {c["stage"]: c["count"] for c in r.cohort}
            assert cohort == data.cohort(ds, period.start, period.end), engine
    # Last, so that a difference between the databases shows after the counts above held on both.
    assert differences(reports["sqlite"].to_json(), reports["postgres"].to_json()) == []


def test_the_dst_days_are_23_and_25_hours_long_and_hold_their_edge_leads(dbs: dict[str, Deps]) -> None:
    """Berlin's 29 March has 23 hours, its 25 October 25; New York's 8 March 23, 1 November 25. Each
    day's report counts the leads between its local midnights, the edge instants among them."""
    for name, d, hours in (
        ("berlin", "2026-03-29", 23),
        ("berlin", "2026-10-25", 25),
        ("newyork", "2026-03-08", 23),
        ("newyork", "2026-11-01", 25),
    ):
        ds, day = SETS[name], date.fromisoformat(d)
        assert ds.midnight(day + timedelta(days=1)) - ds.midnight(day) == timedelta(hours=hours)
        inside = [
            e for e in data.edge_instants(ds.tz, [day]) if ds.midnight(day) <= e < ds.midnight(day + timedelta(1))
        ]
        assert len(inside) >= 6  # local midnight, UTC midnight, the change and around it, the last instant
        for engine in dbs:
            daily = report(dbs, engine, name, "daily", Period.containing("day", day))
            assert daily.kpis["leads"].value == data.expected(ds, day, day + timedelta(days=1))["leads"]


def test_won_revenue_of_the_october_week_and_the_months_cohorts(dbs: dict[str, Deps]) -> None:
    """Pinned: Berlin's week of 25 October (won revenue, new customers) and March's cohort, by hand
    from the generated rows with the first won deal of each customer chosen in pandas."""
    ds = SETS["berlin"]
    week = Period.containing("week", date(2026, 10, 25))
    won = ds.deals[(ds.deals["status"] == "won")]
    won = won[(won["closed_at"] >= ds.midnight(week.start)) & (won["closed_at"] < ds.midnight(week.end))]
    month = Period.containing("month", date(2026, 3, 1))
    for engine in dbs:
        weekly = report(dbs, engine, "berlin", "weekly", week)
        assert weekly.kpis["revenue"].value == pytest.approx(float(won["amount"].sum()), rel=1e-9)
        assert weekly.kpis["new_customers"].value == int(data.first_won(ds.deals)[won.index].sum())
        monthly = report(dbs, engine, "berlin", "monthly", month)
        assert {c["stage"]: c["count"] for c in monthly.cohort} == data.cohort(ds, month.start, month.end)


@pytest.mark.parametrize("name", SETS)
def test_scorecard_pace_and_channels_are_the_same_on_both_databases(dbs: dict[str, Deps], name: str) -> None:
    """The agreement's scorecard of the DST weeks and of the week running, the month's pace at the DST
    days' edges, at October's end and now, and the workspace's channels agree between the databases
    (the channels also with the generated rows)."""
    ds = SETS[name]
    got: dict[str, dict[str, Any]] = {k: {} for k in dbs}
    for engine, deps in dbs.items():
        out = got[engine]
        for d in [*DST_DAYS[name], data.NOW.date()]:
            out[f"scorecard {d}"] = scorecard(deps, ds.team, d).to_json()
        paced = [(ds.midnight(d), None) for d in DST_DAYS[name]]
        paced += [(ds.midnight(d) + timedelta(hours=12), "google_ads") for d in DST_DAYS[name]]
        paced += [(ds.midnight(date(2026, 11, 1)), None), (ds.midnight(date(2026, 11, 1)), "google_ads")]
        for at, channel in [*paced, (data.NOW, None)]:
            out[f"pace {at} {channel}"] = [asdict(p) for p in month_pace(deps, ds.team, at, channel=channel)]
        with deps.read() as s:
            out["channels"] = rollups.channels(s, team_id=ds.team)
    assert differences(got["sqlite"], got["postgres"]) == []
    out = got["sqlite"]
    assert all(len(v["commitments"]) == 4 for k, v in out.items() if k.startswith("scorecard"))
    # Not empty: a plan for March, October (the workspace's and google_ads') and November.
    assert out[f"pace {ds.midnight(date(2026, 11, 1))} google_ads"] and out[f"pace {data.NOW} None"]
    assert all(out[f"pace {ds.midnight(d)} None"] for d in DST_DAYS[name] if d.month != 11)
    assert out["channels"] == sorted(set(ds.leads["channel"].dropna()) | set(ds.spend["channel"].dropna()))


def test_the_generated_data_reaches_the_edges() -> None:
    """The data holds what the parity is about: leads without channel or campaign, deals without a
    customer or a lead, a tie for a customer's first won deal, waiting leads, rows at day edges."""
    for ds in SETS.values():
        leads, deals = ds.leads, ds.deals
        assert leads["channel"].isna().any() and (leads["channel"].notna() & leads["campaign"].isna()).any()
        assert deals["customer"].isna().any() and deals["lead_external_id"].isna().any()
        tie = deals[deals["customer"] == "CTIE"]
        assert len(tie) == 2 and tie["closed_at"].nunique() == 1
        assert list(data.first_won(deals)[tie.index]) == [True, False]
        assert data.waiting(ds) > 0
        assert (deals["amount"] * 100 % 100).round(6).ne(0).any()  # cents
        created = set(leads["created_at"])
        for d in DST_DAYS[SETS_NAMES[ds.team]]:
            m, u = ds.midnight(d), datetime.combine(d, time(0), UTC)
            assert {m, m - data.US, u, u - data.US, ds.midnight(d + timedelta(days=1)) - data.US} <= created
