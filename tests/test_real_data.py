"""Reports over the real data sets, checked against counts computed here straight from the CSV."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import Engine

from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from tests.runtime import deps_for
from tests.test_import import MAVEN, MAVEN_DEALS, OLIST, OLIST_DEALS, OLIST_LEADS, _import


def _rows(path):
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_olist_conversion_overall_and_per_channel(engine: Engine):
    _import(engine, "leads", OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST_LEADS)
    _import(engine, "deals", OLIST / "olist_closed_deals_dataset.csv", OLIST_DEALS)
    leads = _rows(OLIST / "olist_marketing_qualified_leads_dataset.csv")
    deals = _rows(OLIST / "olist_closed_deals_dataset.csv")
    first = min(date.fromisoformat(r["first_contact_date"]) for r in leads)
    last = max(date.fromisoformat(r["won_date"][:10]) for r in deals)
    report = compute_report(deps_for(engine), "T1", "range", Period.between(first, last))
    channel_of = {r["mql_id"]: r["origin"] or None for r in leads}
    lead_count = Counter(r["origin"] or None for r in leads)
    sale_count = Counter(channel_of.get(d["mql_id"]) for d in deals)
    assert report.kpis["leads"].value == len(leads) == 8000
    assert report.kpis["sales"].value == len(deals) == 842
    assert report.kpis["lead_to_sale_pct"].value == pytest.approx(100 * 842 / 8000)
    got = {c["channel"]: c for c in report.channels}
    assert set(got) == set(lead_count)
    for channel, n in lead_count.items():
        assert got[channel]["leads"] == n
        assert got[channel]["sales"] == sale_count.get(channel, 0)
        assert got[channel]["conversion_pct"] == pytest.approx(100 * sale_count.get(channel, 0) / n)


def test_maven_revenue_and_win_rate_per_rep_and_product(engine: Engine):
    _import(engine, "deals", MAVEN / "sales_pipeline.csv", MAVEN_DEALS)
    rows = _rows(MAVEN / "sales_pipeline.csv")
    closed = [r for r in rows if r["deal_stage"] in ("Won", "Lost")]
    first = min(date.fromisoformat(r["close_date"]) for r in closed)
    last = max(date.fromisoformat(r["close_date"]) for r in closed)
    report = compute_report(deps_for(engine), "T1", "range", Period.between(first, last))
    won, lost, revenue = Counter(), Counter(), defaultdict(float)
    product_revenue = defaultdict(float)
    for r in closed:
        if r["deal_stage"] == "Won":
            won[r["sales_agent"]] += 1
            revenue[r["sales_agent"]] += float(r["close_value"])
            product_revenue[r["product"]] += float(r["close_value"])
        else:
            lost[r["sales_agent"]] += 1
    reps = {r["rep"]: r for r in report.reps}
    assert set(reps) == set(won) | set(lost)
    for rep in reps:
        assert (reps[rep]["won"], reps[rep]["lost"]) == (won[rep], lost[rep])
        assert reps[rep]["revenue"] == pytest.approx(revenue[rep])
        assert reps[rep]["win_rate_pct"] == pytest.approx(100 * won[rep] / (won[rep] + lost[rep]))
    assert report.kpis["revenue"].value == pytest.approx(sum(product_revenue.values()))
    by_product = {p["product"]: p["revenue"] for p in report.products["by_product"]}
    assert by_product == pytest.approx(dict(product_revenue))
    assert report.products["leaders"][0]["product"] == max(product_revenue, key=product_revenue.get)
