"""The KPI catalogue: one row per KPI — what it is called, its unit, which direction is good, what it
is counted from and what it means. The engine derives the ratios from it, the renderers take labels,
units and directions from it, and the README's KPI table is checked against `markdown_table()`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.i18n import N_, translator

Unit = Literal["count", "money", "percent"]
Good = Literal["up", "down", "none"]  # "none": neither way is good in itself (spend)
# Where a KPI is shown: among a period's KPIs, in the channel and campaign tables, in the lead-quality report,
# in the digests' sales block.
Scope = Literal["period", "channel", "quality", "sales"]


@dataclass(frozen=True)
class KpiDef:
    key: str
    label: str  # English; translated at render time
    unit: Unit
    good: Good
    source: str  # the aggregate it is counted from, or its formula over other KPIs
    definition: str  # English, one line
    # A ratio of two counts: (numerator, denominator, scale); None for a counted KPI.
    ratio_of: tuple[str, str, float] | None = None
    scope: Scope = "period"


def ratio(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    """a ÷ b, or None when it has no value (b missing or zero): never inf or NaN."""
    if a is None or b is None or b == 0 or (isinstance(a, float) and math.isnan(a)):
        return None
    return a / b * scale


CATALOG: tuple[KpiDef, ...] = (
    KpiDef(
        "customers",
        N_("Customers"),
        "count",
        "up",
        "won deals closed in the period: distinct customers",
        N_("Distinct customers with a won sale in the period."),
    ),
    KpiDef(
        "new_customers",
        N_("New customers"),
        "count",
        "up",
        "won deals marked as the customer's first (deal.first_won)",
        N_("Customers whose first won sale ever is in the period; per channel, the channel of that sale."),
    ),
    KpiDef(
        "cac",
        N_("CAC"),
        "money",
        "down",
        "spend ÷ new_customers",
        N_("Customer acquisition cost: marketing spend per new customer."),
        ratio_of=("spend", "new_customers", 1.0),
    ),
    KpiDef(
        "repeat_customers",
        N_("Repeat customers"),
        "count",
        "up",
        "won deals in the period that are not the customer's first",
        N_("Customers with a won sale in the period that is not their first."),
    ),
    KpiDef(
        "positive_reviews",
        N_("Positive reviews"),
        "count",
        "up",
        "feedback of kind review with a rating of 4–5 or marked positive",
        N_("Customer reviews rated 4–5 or marked positive."),
    ),
    KpiDef(
        "visitors",
        N_("Visitors"),
        "count",
        "up",
        "traffic.visitors summed over the period's days",
        N_("Site visitors, from the traffic data."),
    ),
    KpiDef("leads", N_("Leads"), "count", "up", "leads created in the period", N_("Leads that arrived in the period.")),
    KpiDef(
        "target_leads",
        N_("Target leads"),
        "count",
        "up",
        "leads of the period whose latest verdict is target",
        N_("Leads of the period that sales judged target (latest verdict)."),
    ),
    KpiDef(
        "target_share_pct",
        N_("Target share of all leads, %"),
        "percent",
        "up",
        "target_leads ÷ leads × 100",
        N_("Share of all the period's leads that sales judged target; a lead still waiting counts as not target."),
        ratio_of=("target_leads", "leads", 100.0),
    ),
    KpiDef(
        "spend",
        N_("Marketing spend"),
        "money",
        "none",
        "spend.amount summed over the period's days",
        N_("Marketing spend, from the spend data."),
    ),
    KpiDef(
        "revenue",
        N_("Revenue"),
        "money",
        "up",
        "amount of won deals closed in the period",
        N_("Revenue of the sales closed in the period."),
    ),
    KpiDef(
        "requests",
        N_("Requests"),
        "count",
        "up",
        "activities of kind request in the period",
        N_("Requests and calls, from the activity data."),
    ),
    KpiDef(
        "meetings",
        N_("Meetings"),
        "count",
        "up",
        "activities of kind meeting in the period",
        N_("Meetings held, from the activity data."),
    ),
    KpiDef(
        "sales", N_("Sales"), "count", "up", "won deals closed in the period", N_("Won deals closed in the period.")
    ),
    KpiDef(
        "request_to_meeting_pct",
        N_("Requests → meetings, %"),
        "percent",
        "up",
        "meetings ÷ requests × 100",
        N_("Meetings per request in the period."),
        ratio_of=("meetings", "requests", 100.0),
    ),
    KpiDef(
        "meeting_to_sale_pct",
        N_("Meetings → sales, %"),
        "percent",
        "up",
        "sales ÷ meetings × 100",
        N_("Sales per meeting in the period."),
        ratio_of=("sales", "meetings", 100.0),
    ),
    KpiDef(
        "lead_to_sale_pct",
        N_("Leads → sales, %"),
        "percent",
        "up",
        "sales ÷ leads × 100",
        N_("Sales per lead in the period."),
        ratio_of=("sales", "leads", 100.0),
    ),
    KpiDef(
        "judged_target_share_pct",
        N_("Target share of judged leads, %"),
        "percent",
        "up",
        "target_leads ÷ judged × 100, judged = leads with a verdict",
        N_("Share of the leads sales has judged that are target: waiting leads say nothing yet."),
        ratio_of=("target_leads", "judged", 100.0),
        scope="quality",
    ),
    KpiDef(
        "sla_kept_pct",
        N_("Judged within the SLA, %"),
        "percent",
        "up",
        "judged_in_sla ÷ due × 100; due = carded leads of the period judged or past sla_hours working hours",
        N_("Share of the period's carded leads that sales judged within the SLA; one still inside it is not counted."),
        ratio_of=("judged_in_sla", "due", 100.0),
        scope="sales",
    ),
    KpiDef(
        "waiting_leads",
        N_("Waiting for a verdict"),
        "count",
        "down",
        "leads with a card and no verdict, at the time of the report",
        N_("Leads sales has not judged yet, whenever they came in."),
        scope="sales",
    ),
    KpiDef(
        "cost_per_lead",
        N_("Cost per lead"),
        "money",
        "down",
        "spend ÷ leads",
        N_("Spend of a channel or campaign per lead."),
        ratio_of=("spend", "leads", 1.0),
        scope="channel",
    ),
    KpiDef(
        "cost_per_target_lead",
        N_("Cost per target lead"),
        "money",
        "down",
        "spend ÷ target_leads",
        N_("Spend of a channel or campaign per target lead."),
        ratio_of=("spend", "target_leads", 1.0),
        scope="channel",
    ),
    KpiDef(
        "romi_pct",
        N_("ROMI, %"),
        "percent",
        "up",
        "(revenue − spend) ÷ spend × 100",
        N_("Return on marketing investment of a channel or campaign."),
        scope="channel",
    ),
    KpiDef(
        "conversion_pct",
        N_("Conversion, %"),
        "percent",
        "up",
        "sales ÷ leads × 100",
        N_("Sales per lead of a channel or campaign."),
        ratio_of=("sales", "leads", 100.0),
        scope="channel",
    ),
)
KPIS: Mapping[str, KpiDef] = {k.key: k for k in CATALOG}
# The period's KPIs, in the order reports list them.
PERIOD_KPIS: tuple[str, ...] = tuple(k.key for k in CATALOG if k.scope == "period")

# Which KPIs each surface shows.
HEADLINE = ("leads", "target_leads", "sales", "revenue", "customers", "cac")  # the digest's tiles, the trend
AGENDA = ("leads", "target_leads", "sales", "revenue")  # the sync agenda's first lines
SYNC_PACK = ("visitors", "leads", "target_leads", "meetings", "sales", "revenue", "new_customers", "cac")
CHANNEL_COLUMNS = (
    "leads",
    "target_leads",
    "target_share_pct",
    "spend",
    "cost_per_lead",
    "cost_per_target_lead",
    "customers",
    "new_customers",
    "cac",
    "revenue",
    "romi_pct",
    "sales",
    "conversion_pct",
)

# The funnel, top to bottom: each stage is a KPI counted for the period.
FUNNEL_STAGES = ("visitors", "leads", "target_leads", "meetings", "sales")


def label(key: str, language: str) -> str:
    return translator(language)(KPIS[key].label)


def name(key: str, language: str) -> str:
    """A KPI's label as words in a sentence: "Target share of judged leads", without the column's ", %"."""
    return label(key, language).removesuffix(", %")


def value(key: str, counts: Mapping[str, float | None]) -> float | None:
    """One KPI from counts: the count itself, or its ratio as the catalogue defines it."""
    kpi = KPIS[key]
    if kpi.ratio_of is None:
        return counts.get(key)
    num, den, scale = kpi.ratio_of
    return ratio(counts.get(num), counts.get(den), scale)


def derive(totals: Mapping[str, float | None]) -> dict[str, float | None]:
    """A period's counted totals → every period KPI it has (the ratios computed from the catalogue)."""
    return {k: value(k, totals) for k in PERIOD_KPIS if k in totals or KPIS[k].ratio_of is not None}


def markdown_table() -> str:
    """The README's KPI table."""
    rows = ["| KPI | unit | good | shown | counted from | meaning |", "|---|---|---|---|---|---|"]
    shown = {"period": "digests", "channel": "channel tables", "quality": "lead quality", "sales": "sales block"}
    for k in CATALOG:
        rows.append(f"| `{k.key}` | {k.unit} | {k.good} | {shown[k.scope]} | {k.source} | {k.definition} |")
    return "\n".join(rows) + "\n"
