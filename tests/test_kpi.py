"""The KPI engine against a small workspace counted by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from bot.kpi import engine as kpi
from bot.kpi.blocks import build_digest
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Activity, Deal, Feedback, Lead, Spend, Traffic
from tests.runtime import deps_for

T = "T1"
WEEK = Period.containing("week", date(2024, 3, 6))  # Mon 4 – Sun 10 March 2024


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def lead(ext, created, channel, verdict=None, owner=None):
    return Lead(team_id=T, external_id=ext, created_at=created, channel=channel, verdict=verdict, owner=owner)


@pytest.fixture
def workspace(engine: Engine) -> Engine:
    save_settings(deps_for(engine), T, {"timezone": "UTC"})
    rows = [
        lead("L1", at(4), "ads", "target", "R1"),
        lead("L2", at(5), "ads", "not_target", "R1"),
        lead("L3", at(6), "ads", "target", "R2"),
        lead("L4", at(7), "seo", "target", "R2"),
        lead("L5", at(10, 23), "seo"),
        lead("P1", at(27, month=2), "ads", "target"),
        lead("P2", at(28, month=2), "ads", "spam"),
        Traffic(team_id=T, external_id="t1", day=date(2024, 3, 4), channel="ads", visitors=100),
        Traffic(team_id=T, external_id="t2", day=date(2024, 3, 10), channel="seo", visitors=50),
        Traffic(team_id=T, external_id="t3", day=date(2024, 3, 3), channel="ads", visitors=80),
        Spend(team_id=T, external_id="s1", day=date(2024, 3, 4), channel="ads", amount=100),
        Spend(team_id=T, external_id="s2", day=date(2024, 3, 5), channel="ads", amount=200),
        Spend(team_id=T, external_id="s3", day=date(2024, 2, 26), channel="ads", amount=100),
        Deal(team_id=T, external_id="D0", customer="C2", status="won", amount=700, closed_at=at(10, month=1)),
        Deal(
            team_id=T,
            external_id="D1",
            lead_external_id="L1",
            customer="C1",
            product="P",
            status="won",
            amount=1000,
            closed_at=at(5),
            rep="R1",
        ),
        Deal(
            team_id=T,
            external_id="D2",
            lead_external_id="L4",
            customer="C2",
            product="Q",
            status="won",
            amount=500,
            closed_at=at(8),
            rep="R2",
        ),
        Deal(
            team_id=T, external_id="D3", lead_external_id="L2", customer="C3", status="lost", closed_at=at(6), rep="R1"
        ),
        Deal(team_id=T, external_id="D4", lead_external_id="L3", customer="C4", status="open", rep="R2"),
        Feedback(team_id=T, external_id="f1", kind="review", rating=5, created_at=at(4)),
        Feedback(team_id=T, external_id="f2", kind="review", rating=2, created_at=at(5)),
        Feedback(team_id=T, external_id="f3", kind="complaint", created_at=at(5)),
    ]
    for i, (kind, day) in enumerate(
        [
            ("request", 4),
            ("request", 5),
            ("request", 6),
            ("request", 9),
            ("meeting", 6),
            ("meeting", 8),
            ("request", 28),
        ]
    ):
        rows.append(
            Activity(team_id=T, external_id=f"a{i}", kind=kind, occurred_at=at(day, month=2 if day == 28 else 3))
        )
    with session_scope(engine) as s:
        s.add_all(rows)
    return engine


def test_weekly_kpis_match_the_hand_count(workspace: Engine):
    r = compute_report(deps_for(workspace), T, "weekly", WEEK)
    v = {k: x.value for k, x in r.kpis.items()}
    assert v["leads"] == 5 and v["target_leads"] == 3 and v["visitors"] == 150
    assert v["customers"] == 2 and v["new_customers"] == 1 and v["repeat_customers"] == 1
    assert v["sales"] == 2 and v["revenue"] == 1500 and v["spend"] == 300
    assert v["cac"] == 300 and v["positive_reviews"] == 1
    assert v["requests"] == 4 and v["meetings"] == 2
    assert v["target_share_pct"] == pytest.approx(60)
    assert v["lead_to_sale_pct"] == pytest.approx(40)
    assert v["request_to_meeting_pct"] == pytest.approx(50)
    assert v["meeting_to_sale_pct"] == pytest.approx(100)
    # 2 leads the week before: too small a base for a percent change (5 after 2 would read "+150%").
    assert r.kpis["leads"].previous == 2 and r.kpis["leads"].change_pct is None
    # Previous week: 100 spent and no new customer: CAC has no value, so neither has its change.
    assert r.kpis["cac"].previous is None and r.kpis["cac"].change_pct is None
    assert r.kpis["sales"].previous == 0 and r.kpis["sales"].change_pct is None


def test_funnel_counts_the_period_and_judges_no_step_without_a_cohort(workspace: Engine):
    """The week's counts (and the week before's) at each stage; its cohort, the leads of 12 Nov 2023 –
    9 Feb 2024, is empty here, so no step is judged (tests/test_funnel.py counts a real cohort)."""
    r = compute_report(deps_for(workspace), T, "weekly", WEEK)
    got = [(s.stage, s.count, s.previous_count, s.cohort_count, s.conversion_pct) for s in r.funnel.stages]
    assert got == [
        ("visitors", 150, 80, None, None),
        ("leads", 5, 2, 0, None),
        ("target_leads", 3, 1, 0, None),
        ("meetings", 2, 0, 0, None),
        ("sales", 2, 0, 0, None),
    ]
    assert (r.funnel.cohort.start, r.funnel.cohort.last_day) == (date(2023, 11, 12), date(2024, 2, 9))
    assert r.funnel.visitors_to_leads_pct == pytest.approx(100 * 5 / 150)


def test_channels_with_and_without_spend(workspace: Engine):
    r = compute_report(deps_for(workspace), T, "weekly", WEEK)
    ch = {c["channel"]: c for c in r.channels}
    ads, seo = ch["ads"], ch["seo"]
    assert (ads["leads"], ads["target_leads"], ads["spend"], ads["sales"], ads["revenue"]) == (3, 2, 300, 1, 1000)
    assert ads["cost_per_lead"] == 100 and ads["cost_per_target_lead"] == 150 and ads["cac"] == 300
    assert ads["romi_pct"] == pytest.approx(700 / 3)
    assert ads["target_share_pct"] == pytest.approx(200 / 3)
    # No spend known for seo: its costs are unknown, not zero.
    assert seo["spend"] is None and seo["cac"] is None and seo["romi_pct"] is None and seo["cost_per_lead"] is None
    assert (seo["leads"], seo["sales"], seo["revenue"], seo["customers"]) == (2, 1, 500, 1)


def test_reps_and_products(workspace: Engine):
    r = compute_report(deps_for(workspace), T, "weekly", WEEK)
    reps = {x["rep"]: x for x in r.reps}
    assert (reps["R1"]["leads"], reps["R1"]["won"], reps["R1"]["lost"]) == (2, 1, 1)
    assert reps["R1"]["win_rate_pct"] == 50 and reps["R1"]["conversion_pct"] == 50
    assert reps["R2"]["win_rate_pct"] == 100 and reps["R2"]["conversion_pct"] == 50
    assert [p["product"] for p in r.products["leaders"]] == ["P", "Q"]


def test_an_empty_period_has_no_values_not_errors(workspace: Engine):
    r = compute_report(deps_for(workspace), T, "weekly", Period.containing("week", date(2023, 6, 7)))
    assert r.kpis["leads"].value == 0 and r.kpis["cac"].value is None
    assert r.kpis["target_share_pct"].value is None and r.kpis["leads"].change_pct is None
    assert [s.conversion_pct for s in r.funnel.stages] == [None] * 5
    assert r.channels == [] and r.reps == []
    doc = r.to_json()
    assert doc["kpis"]["cac"] == {"value": None, "previous": None, "change_pct": None, "change_pp": None}
    assert doc["kpis"]["target_share_pct"] == {"value": None, "previous": None, "change_pct": None, "change_pp": None}


def test_local_day_boundaries(workspace: Engine):
    """L5 (23:00 UTC on Sunday) is Monday in Moscow: it leaves the week there."""
    save_settings(deps_for(workspace), T, {"timezone": "Europe/Moscow"})
    assert compute_report(deps_for(workspace), T, "weekly", WEEK).kpis["leads"].value == 4
    save_settings(deps_for(workspace), T, {"timezone": "America/New_York"})
    assert compute_report(deps_for(workspace), T, "weekly", WEEK).kpis["leads"].value == 5


def test_ratio_and_change_never_give_inf_or_nan():
    assert kpi.ratio(5, 0) is None and kpi.ratio(None, 3) is None and kpi.ratio(1, 4, 100) == 25
    assert kpi.change_pct(5, 0) is None and kpi.change_pct(None, 1) is None and kpi.change_pct(15, 10) == 50


@pytest.mark.parametrize(
    "previous,value,pct",
    [(4, 12, None), (0, 3, None), (5, 10, 100.0), (200, 150, -25.0), (-4, 3, None), (1000, 1000, 0.0)],
)
def test_a_percent_change_needs_a_base_of_five(previous, value, pct):
    """Counted by hand: below 5 before, no percent change is told (4 → 12 is not "+200%")."""
    assert kpi.change_pct(value, previous) == pct


def test_a_rate_changes_in_percentage_points():
    """9.1% after 23.3% is −14.2 pp (the issue's "−61.0%"); counts keep their percent change."""
    share = kpi.Kpi.of(9.1, 23.3, "percent")
    assert share.change_pct is None and share.change_pp == pytest.approx(-14.2)
    assert kpi.Kpi.of(12, 10, "count") == kpi.Kpi(12, 10, 20.0, None)
    assert kpi.Kpi.of(None, 23.3, "percent").change_pp is None


def test_a_day_is_compared_with_the_same_weekday_a_week_before():
    monday = Period.containing("day", date(2026, 11, 30))
    assert monday.comparison() == Period.containing("day", date(2026, 11, 23))
    assert Period.containing("week", date(2026, 11, 30)).comparison() == Period.containing("week", date(2026, 11, 23))
    assert Period.containing("month", date(2026, 3, 31)).comparison() == Period.containing("month", date(2026, 2, 1))


def test_channel_table_from_literal_frames():
    leads = [("a", None, 10, 4), ("b", "x", 5, 0)]
    sales = [("a", None, 2, 300.0, 2, 1)]
    spend = [("a", None, 100.0), ("b", "x", 50.0)]
    df = kpi.build_channels(leads, sales, spend).set_index("channel")
    assert df.loc["a", "cac"] == 100 and df.loc["a", "cost_per_target_lead"] == 25
    assert pd.isna(df.loc["b", "cost_per_target_lead"]) and df.loc["b", "romi_pct"] == -100


def test_monthly_cohort_follows_the_months_leads(workspace: Engine):
    """March's five leads: three judged target, two of them (L1, L4) since won; none met."""
    r = compute_report(deps_for(workspace), T, "monthly", Period.containing("month", date(2024, 3, 1)))
    assert [(c["stage"], c["count"]) for c in r.cohort] == [
        ("leads", 5),
        ("target_leads", 3),
        ("meetings", 0),
        ("sales", 2),
    ]
    assert r.cohort[3]["share_of_leads_pct"] == 40


def test_a_report_for_one_channel(workspace: Engine):
    """Only ads: three leads, one sale (D1 from L1), the ads spend; seo's sale and traffic left out."""
    r = compute_report(deps_for(workspace), T, "weekly", WEEK, channel="ads")
    v = {k: x.value for k, x in r.kpis.items()}
    assert (v["leads"], v["target_leads"], v["sales"], v["revenue"], v["spend"], v["visitors"]) == (
        3,
        2,
        1,
        1000,
        300,
        100,
    )
    assert [c["channel"] for c in r.channels] == ["ads"]
    # Everything narrows: products and reps of ads leads only (seo's sale of Q by R2 is left out), and
    # reviews, which have no channel, are not counted rather than shown for the whole workspace.
    assert [p["product"] for p in r.products["by_product"]] == ["P"]
    assert [(x["rep"], x["leads"], x["won"], x["lost"]) for x in r.reps] == [("R1", 2, 1, 1), ("R2", 1, 0, 0)]
    assert v["positive_reviews"] is None and r.to_json()["channel"] == "ads"
    assert "only the leads, spend and sales of ads" in str(build_digest(r).to_kwargs()["blocks"][1])


def test_high_margin_products_without_demand_by_quartile_or_threshold():
    current = [("B", 5, 500.0), ("C", 9, 900.0), ("D", 1, 100.0)]
    previous = [("A", 3, 300.0), ("B", 2, 200.0), ("D", 4, 400.0)]
    margins = [("A", 0.6), ("B", 0.5), ("C", 0.2), ("D", 0.3)]
    # Top quartile of 0.2, 0.3, 0.5, 0.6 starts at 0.525: only A, which sold nothing this period.
    weak = kpi.build_products(current, previous, margins)["high_margin_no_demand"]
    assert weak == [{"product": "A", "margin_pct": 60.0, "sales": 0, "previous": 3}]
    # From 25 %: A (no sales) and D (1 after 4) are weak; B grew and C is below the threshold.
    weak = kpi.build_products(current, previous, margins, margin_threshold=0.25)["high_margin_no_demand"]
    assert [(w["product"], w["sales"], w["previous"]) for w in weak] == [("A", 0, 3), ("D", 1, 4)]


def test_the_margin_threshold_setting_reaches_the_report(workspace: Engine):
    with session_scope(workspace) as s:
        for ext, product, margin in (("M1", "Z", 0.35), ("M2", "Y", 0.8)):
            s.add(
                Deal(
                    team_id=T,
                    external_id=ext,
                    product=product,
                    margin=margin,
                    status="won",
                    amount=1,
                    closed_at=at(1, month=1),
                )
            )
    save_settings(deps_for(workspace), T, {"margin_threshold": 30})
    weak = compute_report(deps_for(workspace), T, "weekly", WEEK).products["high_margin_no_demand"]
    assert [w["product"] for w in weak] == ["Y", "Z"]
    save_settings(deps_for(workspace), T, {"margin_threshold": None})
    weak = compute_report(deps_for(workspace), T, "weekly", WEEK).products["high_margin_no_demand"]
    assert [w["product"] for w in weak] == ["Y"]  # the top quartile of 35 % and 80 % starts above 35 %


def test_a_channel_whose_target_share_falls_is_an_alert(engine: Engine):
    """ads falls from 8 of 10 target leads to 2 of 10, seo stays at 50%: one alert, for ads, with both shares."""
    save_settings(deps_for(engine), T, {"timezone": "UTC"})
    rows = []
    for month, ads_target in ((2, 8), (3, 2)):
        for i in range(10):
            rows.append(lead(f"A{month}-{i}", at(i + 1, month=month), "ads", "target" if i < ads_target else "spam"))
            rows.append(lead(f"S{month}-{i}", at(i + 1, month=month), "seo", "target" if i < 5 else "spam"))
    with session_scope(engine) as s:
        s.add_all(rows)
    report = compute_report(deps_for(engine), T, "monthly", Period.containing("month", date(2024, 3, 1)))
    alerts = [a for a in report.alerts if a.kind == "target_share_down"]
    assert [a.text for a in alerts] == ["ads: target share fell from 80% to 20% on 10 leads — check its targeting."]


@pytest.mark.parametrize(
    "period,language,label,short",
    [
        (Period.containing("day", date(2026, 11, 30)), "en", "Mon 30 Nov 2026", "30 Nov"),
        (Period.containing("week", date(2026, 11, 23)), "en", "Week 48 · 23\u2009–\u200929 Nov 2026", "W48"),
        (Period.containing("month", date(2026, 11, 1)), "en", "November 2026", "Nov '26"),
        (Period.between(date(2026, 11, 28), date(2026, 12, 4)), "en", "28 Nov\u2009–\u20094 Dec 2026", "28 Nov"),
        (Period.containing("day", date(2026, 11, 30)), "ru", "пн 30 нояб. 2026", "30 нояб."),
        (Period.containing("week", date(2026, 11, 23)), "ru", "Неделя 48 · 23—29 нояб. 2026\u202fг.", "Н48"),
        (Period.containing("month", date(2026, 11, 1)), "ru", "ноябрь 2026", "нояб. '26"),
    ],
)
def test_periods_read_as_people_write_them(period: Period, language: str, label: str, short: str):
    """No codes (`11.2026`, `2026-W48`, `04.26`): a day, a week, a month and a range in English and Russian."""
    assert (period.label(language), period.short_label(language)) == (label, short)
