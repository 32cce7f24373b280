"""The reverse funnel: a goal worked back through the funnel's rates, by hand and on the Olist data."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from bot.kpi.required import Rates, required, sales_goal
from bot.plans.reverse import required_for
from bot.plans.store import set_plan
from bot.plans.text import needs_sentence, required_text
from tests.runtime import deps_for
from tests.test_import import OLIST, OLIST_DEALS, OLIST_LEADS, _import


def test_the_issue_example_rounds_every_need_up():
    """11.2% lead→sale and 46% target share: 40 sales need 40 ÷ 0.112 = 357.1 → 358 leads and
    357.1 × 0.46 = 164.3 → 165 target leads."""
    rates = Rates(leads=1000, target_leads=460, sales=112)
    needs = required(40, None, rates)
    assert (needs.sales, needs.leads, needs.target_leads, needs.source) == (40, 358, 165, "sales")
    assert needs_sentence(needs, "en", None) == (
        "40 sales at 11.2% lead→sale need ≈358 leads, ≈165 target leads at 46.0% target share."
    )


def test_a_need_that_is_whole_stays_whole():
    """10% lead→sale: 40 sales need exactly 400 leads, not 401 from float noise."""
    needs = required(40, None, Rates(leads=1000, target_leads=500, sales=100))
    assert (needs.leads, needs.target_leads) == (400, 200)


def test_a_revenue_goal_becomes_sales_at_the_average_deal():
    """2,000,000 at an average deal of 45,000 is 44.4 → 45 sales; with a sales goal of 40 the larger wins,
    with one of 50 the sales goal does."""
    assert sales_goal(None, 2_000_000, 45_000) == (45, "revenue")
    assert sales_goal(40, 2_000_000, 45_000) == (45, "revenue")
    assert sales_goal(50, 2_000_000, 45_000) == (50, "sales")
    needs = required(40, 2_000_000, Rates(leads=1000, target_leads=460, sales=112, avg_deal=45_000))
    assert (needs.sales, needs.leads, needs.target_leads) == (45, 402, 185)  # 45×1000/112=401.8, 45×460/112=184.8


def test_no_needs_without_a_goal_enough_leads_or_sales():
    """No goal, fewer than MIN_BASE leads, no sales, or a revenue goal without deals: each says which."""
    assert required(None, None, Rates(100, 50, 10)).missing == "no_goal"
    assert required(40, None, Rates(9, 5, 1)).missing == "few_leads"
    assert required(40, None, Rates(100, 50, 0)).missing == "no_sales"
    assert required(None, 1000, Rates(100, 50, 10)).missing == "no_deal_size"
    assert required(40, None, Rates(100, 50, 0)).leads is None


def test_olist_needs_by_hand(engine: Engine):
    """Planning June 2018 on 15 July 2018 reads May's funnel: the Olist leads first contacted 1 Feb – 1 May
    2018 and the deals won from them before 1 June. Rates counted here with pandas from the CSV; needs by
    hand: 40 sales at 425 of 3,579 leads (11.87%) need 40 × 3579 ÷ 425 = 336.8 → 337 leads; paid search's
    10 sales at 102 of 752 need 10 × 752 ÷ 102 = 73.7 → 74. Olist has no verdicts, so every lead sold to
    counts as a target lead: target leads needed = sales needed."""
    _import(engine, "leads", OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST_LEADS)
    _import(engine, "deals", OLIST / "olist_closed_deals_dataset.csv", OLIST_DEALS)
    leads = pd.read_csv(OLIST / "olist_marketing_qualified_leads_dataset.csv", parse_dates=["first_contact_date"])
    deals = pd.read_csv(OLIST / "olist_closed_deals_dataset.csv", parse_dates=["won_date"])
    cohort = leads[leads.first_contact_date.between("2018-02-01", "2018-05-01")]
    won = deals[(deals.won_date >= "2018-02-01") & (deals.won_date < "2018-06-01") & deals.mql_id.isin(cohort.mql_id)]
    paid = cohort[cohort.origin == "paid_search"]
    paid_won = won[won.mql_id.isin(paid.mql_id)]
    assert (len(cohort), len(won), len(paid), len(paid_won)) == (3579, 425, 752, 102)

    deps = deps_for(engine, clock=lambda: datetime(2018, 7, 15, 9, tzinfo=UTC))
    set_plan(deps, "T1", "2018-06", {"leads": 300, "sales": 40, "revenue": 500_000})
    set_plan(deps, "T1", "2018-06", {"sales": 10}, channel="paid_search")
    req = required_for(deps, "T1", "2018-06", now=deps.clock())
    got = json.loads(json.dumps(req.to_json()))
    assert got["cohort"] == {"start": "2018-02-01", "end": "2018-05-01", "as_of": "2018-05-31"}
    ws = got["workspace"]
    assert ws["rates"]["cohort_leads"] == len(cohort) and ws["rates"]["cohort_sales"] == len(won)
    assert ws["rates"]["lead_to_sale_pct"] == pytest.approx(100 * len(won) / len(cohort))
    # Olist's declared revenue of the deals won 3 March – 31 May is all zero: no average deal, so the
    # revenue goal says nothing and the sales goal decides.
    assert ws["rates"]["avg_deal"] is None
    assert (
        ws["needs"]
        == {"sales": 40, "leads": math.ceil(40 * 3579 / 425), "target_leads": 40}
        == {
            "sales": 40,
            "leads": 337,
            "target_leads": 40,
        }
    )
    # Marketing's plan of 300 leads is 337 − 300 = 37 short of what sales' goal needs.
    assert ws["planned"] == {"leads": 300, "target_leads": None}
    assert ws["plan_minus_needs"] == {"leads": -37, "target_leads": None}
    assert "Leads planned 300: 37 short" in required_text(req, "en", None)
    assert got["channels"]["paid_search"]["needs"] == {"sales": 10, "leads": 74, "target_leads": 10}
    assert got["channels"]["paid_search"]["rates"]["lead_to_sale_pct"] == pytest.approx(100 * 102 / 752)
