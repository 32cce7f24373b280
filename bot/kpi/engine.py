"""The KPI engine: pure functions from small aggregates to a typed report. No SQL, no drawing."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from bot.kpi.catalog import HEADLINE, KPIS, PERIOD_KPIS, Unit, derive, ratio
from bot.kpi.funnel import Funnel
from bot.kpi.pace import PaceLine
from bot.kpi.periods import Period

# A count or amount below this before says nothing in percent (1 → 3 would be "+200%"): no change_pct.
SMALL_BASE = 5


def change_pct(value: float | None, previous: float | None) -> float | None:
    """The relative change of a count or amount, in percent; None on a small or missing base."""
    if value is None or previous is None or abs(previous) < SMALL_BASE:
        return None
    return (value - previous) / abs(previous) * 100.0


def change_pp(value: float | None, previous: float | None) -> float | None:
    """The change of a rate, in percentage points (9.1% after 23.3% is −14.2 pp, not −61%)."""
    if value is None or previous is None:
        return None
    return value - previous


@dataclass(frozen=True)
class Kpi:
    value: float | None
    previous: float | None
    change_pct: float | None  # counts and money
    change_pp: float | None = None  # rates

    @classmethod
    def of(cls, value: float | None, previous: float | None, unit: Unit = "count") -> Kpi:
        if unit == "percent":
            return cls(value, previous, None, change_pp(value, previous))
        return cls(value, previous, change_pct(value, previous))


@dataclass(frozen=True)
class Alert:
    """A finding: about one subject, with the facts it rests on and one kind of advice (bot.kpi.alerts)."""

    kind: str
    text: str  # plain text, the values in it as they are; Slack gets `template` with the values escaped
    subject_type: str = "kpi"  # channel, campaign, product, rep, kpi
    subject: str = ""
    advice: str = "watch"  # more_budget, cut_or_fix, coach, watch
    severity: str = "medium"  # high, medium, low
    facts: dict[str, Any] = field(default_factory=dict, hash=False)
    stake: float = 0.0  # the money at stake, to rank findings by
    status: str = "new"  # new (fired now), ongoing (also in the period before), ended (only before)
    template: str = field(default="", repr=False)
    values: dict[str, Any] = field(default_factory=dict, repr=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        keys = ("kind", "subject_type", "subject", "advice", "severity", "status", "facts", "stake", "text")
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class Shown:
    """What a digest tells of its findings: the ones that fired, the ones now over, how many still hold."""

    fired: list[Alert]
    over: list[Alert]
    still: int


def shown(alerts: list[Alert], *, everything: bool = False) -> Shown:
    """A scheduled digest tells the transitions; `everything` (an answer to /kpi) tells all that holds
    now. Coaching never goes to a channel: it is for the head of sales (bot.kpi.coaching)."""
    public = [a for a in alerts if a.advice != "coach"]
    if everything:
        return Shown([a for a in public if a.status != "ended"], [], 0)
    return Shown(
        [a for a in public if a.status == "new"],
        [a for a in public if a.status == "ended"],
        sum(a.status == "ongoing" for a in public),
    )


@dataclass
class Report:
    kind: str
    team_id: str
    workspace: str
    language: str
    tz: str
    period: Period
    previous_period: Period
    kpis: dict[str, Kpi]
    funnel: Funnel
    channels: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    products: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reps: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    # Headline KPIs over the last periods, oldest first: [{"period": key, "label": …, kpi: value}].
    trend: list[dict[str, Any]] = field(default_factory=list)
    cohort: list[dict[str, Any]] = field(default_factory=list)
    channel: str | None = None  # narrowed to this acquisition channel
    # The ISO 4217 code of every amount (spend, revenue, CAC…); None: the workspace has set none.
    currency: str | None = None
    sales: dict[str, Any] = field(default_factory=dict)  # the sales block (bot.kpi.sales)
    pace: list[PaceLine] = field(default_factory=list)  # the month's plan, worst first (bot.kpi.pacing)

    def to_json(self) -> dict[str, Any]:
        def period(p: Period) -> dict[str, str]:
            return {
                "start": p.start.isoformat(),
                "end": p.last_day.isoformat(),
                "tz": self.tz,
                "key": p.key(),
            }

        return _clean(
            {
                "kind": self.kind,
                "team_id": self.team_id,
                "workspace": self.workspace,
                "channel": self.channel,
                "currency": self.currency,
                "period": period(self.period),
                "previous_period": period(self.previous_period),
                "kpis": {k: asdict(v) for k, v in self.kpis.items()},
                "funnel": self.funnel.to_json(),
                "channels": self.channels,
                "campaigns": self.campaigns,
                "products": self.products,
                "reps": self.reps,
                "alerts": [a.to_json() for a in self.alerts],
                "trend": self.trend,
                "cohort": self.cohort,
                "sales": self.sales,
                **({"plan": {p.kpi: p.to_json() for p in self.pace}} if self.pace else {}),
            }
        )


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf → None, numpy scalars → Python numbers."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def trend_point(period: Period, totals: dict[str, Any], language: str = "en") -> dict[str, Any]:
    values = derive(totals)
    return {"period": period.key(), "label": period.short_label(language), **{k: values.get(k) for k in HEADLINE}}


def build_kpis(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Kpi]:
    cur, prev = derive(current), derive(previous)
    return {k: Kpi.of(cur.get(k), prev.get(k), KPIS[k].unit) for k in PERIOD_KPIS}


def build_cohort(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The month's leads and the share of them that reached each later stage (so far)."""
    leads = counts.get("leads", 0)
    return [
        {"stage": stage, "count": counts.get(stage, 0), "share_of_leads_pct": ratio(counts.get(stage, 0), leads, 100)}
        for stage in ("leads", "target_leads", "meetings", "sales")
    ]


_CHANNEL_SUMS = ("leads", "target_leads", "sales", "revenue", "customers", "new_customers")


def build_channels(leads: list[tuple], sales: list[tuple], spend: list[tuple], by: str = "channel") -> pd.DataFrame:
    """Per channel (or campaign): leads, target share, spend, cost per (target) lead, customers, CAC, ROMI.
    Summed in Python (a few rows: cheaper than pandas), one frame at the end; a channel without spend
    has its costs unknown (NaN), not zero."""
    at = 0 if by == "channel" else 1
    rows: dict[Any, dict[str, float]] = {}
    for source, names in (
        (leads, ("leads", "target_leads")),
        (sales, ("sales", "revenue", "customers", "new_customers")),
        (spend, ("spend",)),
    ):
        for r in source:
            key = None if r[at] is None or (isinstance(r[at], float) and math.isnan(r[at])) else r[at]
            row = rows.setdefault(key, {})
            for name, v in zip(names, r[2:], strict=True):
                if v is not None:
                    row[name] = row.get(name, 0.0) + float(v)
    if not rows:
        return pd.DataFrame(columns=["channel"])

    def div(a: float, b: float | None, scale: float = 1.0) -> float:
        return a / b * scale if b and not math.isnan(a) and not math.isnan(b) else math.nan

    out = []
    for key in sorted(rows, key=lambda k: (k is None, "" if k is None else str(k))):
        sums = rows[key]
        n, target, new = (sums.get(k, 0.0) for k in ("leads", "target_leads", "new_customers"))
        money = sums.get("spend", math.nan)
        revenue, sold = sums.get("revenue", 0.0), sums.get("sales", 0.0)
        out.append(
            {by: key}
            | {k: sums.get(k, 0.0) for k in _CHANNEL_SUMS}
            | {
                "spend": money,
                "target_share_pct": div(target, n, 100),
                "cost_per_lead": div(money, n),
                "cost_per_target_lead": div(money, target),
                "cac": div(money, new),
                "romi_pct": div(revenue - money, money, 100),
                "conversion_pct": div(sold, n, 100),
            }
        )
    out.sort(key=lambda r: (-r["revenue"], -r["leads"]))  # stable: ties keep the names' order
    return pd.DataFrame(out)


def frame_records(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (missing values → None); row by row, cheaper than pandas on a few rows."""
    rows = df.reindex(columns=columns).itertuples(index=False, name=None)
    return [{c: None if pd.isna(v) else _clean(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def build_reps(deals: list[tuple], leads: list[tuple]) -> list[dict[str, Any]]:
    d = pd.DataFrame(deals, columns=["rep", "won", "lost", "revenue"]).set_index("rep")
    lead_df = pd.DataFrame(leads, columns=["rep", "leads"]).set_index("rep")
    df = pd.concat([lead_df, d], axis=1)
    df = df[df.index.notna()].fillna(0)
    if df.empty:
        return []
    df["win_rate_pct"] = (df["won"] / (df["won"] + df["lost"]).where(lambda s: s != 0)) * 100
    df["conversion_pct"] = (df["won"] / df["leads"].where(lambda s: s != 0)) * 100
    # Most won first, then most revenue, then by rep id: the same order on every database.
    df = df.reset_index(names="rep").sort_values(["rep"], kind="stable")
    df = df.sort_values(["won", "revenue"], ascending=False, kind="stable")
    return frame_records(df, ["rep", "leads", "won", "lost", "revenue", "win_rate_pct", "conversion_pct"])


def build_products(
    current: list[tuple], previous: list[tuple], margins: list[tuple], margin_threshold: float | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Leaders by revenue; high-margin products (top quartile or above the threshold) with no or falling demand."""
    cur = pd.DataFrame(current, columns=["product", "sales", "revenue"]).dropna(subset=["product"])
    prev = pd.DataFrame(previous, columns=["product", "sales", "revenue"]).dropna(subset=["product"])
    ranked = cur.sort_values(["revenue", "sales"], ascending=False, kind="stable")
    leaders = ranked.head(3)
    m = pd.DataFrame(margins, columns=["product", "margin"]).dropna()
    weak: list[dict[str, Any]] = []
    if not m.empty:
        cut = margin_threshold if margin_threshold is not None else m["margin"].quantile(0.75)
        high = m[m["margin"] >= cut].set_index("product")
        now = cur.set_index("product")["sales"].reindex(high.index).fillna(0)
        before = prev.set_index("product")["sales"].reindex(high.index).fillna(0)
        falling = (now == 0) | (now < before)
        weak = [
            {
                "product": p,
                "margin_pct": float(high.at[p, "margin"]) * 100,
                "sales": int(now[p]),
                "previous": int(before[p]),
            }
            for p in high.index[falling]
        ]
    return {
        "leaders": frame_records(leaders, ["product", "sales", "revenue"]),
        "high_margin_no_demand": _clean(weak),
        "by_product": frame_records(ranked, ["product", "sales", "revenue"]),
    }
