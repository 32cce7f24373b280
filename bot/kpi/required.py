"""The reverse funnel: from a sales or revenue goal and the funnel's conversion rates, what each stage
before the sale needs. Pure: a goal and rates in, needs out.

Every need is rounded up: 357.1 leads needed is 358 leads, since 357 would fall short. A revenue goal
becomes sales at the trailing average won deal; when a month has both a sales and a revenue goal, the
larger number of sales is what both need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from bot.kpi.catalog import ratio, value
from bot.kpi.funnel import MIN_BASE

# Why a month's needs cannot be worked out.
Missing = Literal["no_goal", "few_leads", "no_sales", "no_deal_size"]
Source = Literal["sales", "revenue"]


@dataclass(frozen=True)
class Rates:
    """How one cohort of leads went: its leads, those that became target leads and those sold to; and
    the average won deal of the same trailing days (revenue ÷ sales)."""

    leads: int
    target_leads: int
    sales: int
    avg_deal: float | None = None

    @property
    def counts(self) -> dict[str, float | None]:
        return {"leads": self.leads, "target_leads": self.target_leads, "sales": self.sales}

    @property
    def lead_to_sale_pct(self) -> float | None:
        return value("lead_to_sale_pct", self.counts)

    @property
    def target_share_pct(self) -> float | None:
        return value("target_share_pct", self.counts)

    @property
    def target_to_sale_pct(self) -> float | None:
        return ratio(self.sales, self.target_leads, 100.0)


@dataclass(frozen=True)
class Needs:
    """What a goal needs of each stage; `missing` says why there are no needs."""

    sales: int | None  # the sales the goal comes to
    leads: int | None
    target_leads: int | None
    source: Source | None
    rates: Rates
    missing: Missing | None = None

    def to_json(self) -> dict[str, Any]:
        r = self.rates
        return {
            "needs": {"sales": self.sales, "target_leads": self.target_leads, "leads": self.leads},
            "goal_from": self.source,
            "missing": self.missing,
            "rates": {
                "lead_to_sale_pct": r.lead_to_sale_pct,
                "target_share_pct": r.target_share_pct,
                "target_to_sale_pct": r.target_to_sale_pct,
                "avg_deal": r.avg_deal,
                "cohort_leads": r.leads,
                "cohort_target_leads": r.target_leads,
                "cohort_sales": r.sales,
            },
        }


def up(x: float) -> int:
    """Rounded up, but a product that is whole up to float noise (40 ÷ 0.1 = 400.00000000000006) stays."""
    return math.ceil(round(x, 6))


def sales_goal(sales: float | None, revenue: float | None, avg_deal: float | None) -> tuple[int | None, Source | None]:
    """The sales a month's goal comes to, and which goal decides it: the sales planned, or the sales the
    revenue planned takes at the average deal — the larger when both are planned."""
    from_revenue = up(revenue / avg_deal) if revenue and avg_deal else None
    from_sales = up(sales) if sales else None
    if from_sales is None and from_revenue is None:
        return None, None
    if from_revenue is not None and (from_sales is None or from_revenue > from_sales):
        return from_revenue, "revenue"
    return from_sales, "sales"


def required(sales: float | None, revenue: float | None, rates: Rates) -> Needs:
    """The leads and target leads a sales or revenue goal needs at the cohort's rates: each stage's need
    is the goal × (that stage's cohort count ÷ the cohort's sales)."""
    goal, source = sales_goal(sales, revenue, rates.avg_deal)
    missing: Missing | None = None
    if goal is None:
        missing = "no_deal_size" if revenue and not sales else "no_goal"
    elif rates.leads < MIN_BASE:
        missing = "few_leads"
    elif rates.sales == 0:
        missing = "no_sales"
    if missing is not None or goal is None:
        return Needs(goal, None, None, source, rates, missing)
    return Needs(
        sales=goal,
        leads=up(goal * rates.leads / rates.sales),
        target_leads=up(goal * rates.target_leads / rates.sales),
        source=source,
        rates=rates,
    )
