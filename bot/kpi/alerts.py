"""What to do: findings from a period's numbers. Each is about one subject (a channel, a product, a
rep, a KPI), states the facts it rests on in the words it uses, gives one kind of advice, and is
ranked by the money at stake. A subject never gets two findings, so never opposite advice.
Whether a finding is new, ongoing or over is bot.kpi.transitions'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bot.i18n import translator
from bot.kpi.engine import Alert, Kpi
from bot.kpi.pace import PaceLine
from bot.kpi.pace_view import off_pace
from bot.kpi.render import fmt_money, fmt_number, fmt_pct

# Money advice rests on enough money: a channel below this share of the period's spend is not told to
# grow or stop (78 spent of thousands says nothing). A day is too short for it: only longer reports.
MIN_SPEND_SHARE = 0.05
# A share is judged on at least this many leads; a rep's conversion on at least this many.
MIN_LEADS = 5
MIN_REP_LEADS = 10
CAC_RISE_PCT = 20.0
CAC_RISE_HIGH_PCT = 50.0
SHARE_DROP_PP = 15.0
# When one subject has several findings, the one kept: a warning before an opportunity.
ADVICE_ORDER = ("cut_or_fix", "coach", "watch", "more_budget")
SEVERITY_ORDER = ("high", "medium", "low")


@dataclass
class Evidence:
    """The numbers findings are drawn from, for one period (and, for changes, the one it is compared with)."""

    kind: str  # daily, weekly, monthly, range
    language: str
    kpis: dict[str, Kpi]
    channels: pd.DataFrame
    prev_channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    products: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reps: list[dict[str, Any]] = field(default_factory=list)
    currency: str | None = None
    pace: list[PaceLine] = field(default_factory=list)  # the month's plan as of the period's end

    def money(self, value: float | None) -> str:
        return fmt_money(value, self.language, self.currency)


def _name(value: Any) -> str:
    """A channel's or product's name as a subject: missing (None or NaN from pandas) is ""."""
    return "" if value is None or pd.isna(value) else str(value)


def _shown(value: Any, language: str) -> str:
    return _name(value) or translator(language)("(not set)")  # a channel name as the text says it


def _finding(template: str, values: dict[str, Any], **kw: Any) -> Alert:
    return Alert(text=template.format(**values), template=template, values=values, **kw)


def _channel_money(ev: Evidence) -> list[Alert]:
    """Stop-or-fix for channels whose spend brought neither target leads nor customers; more budget for
    the best return among the others; the channel with the most revenue, when it is another one."""
    _ = translator(ev.language)
    lang, ch = ev.language, ev.channels
    spend = ch["spend"].fillna(0)
    total = float(spend.sum())
    enough = ch[(spend > 0) & (spend >= total * MIN_SPEND_SHARE)]
    nothing = enough[(enough["target_leads"].fillna(0) == 0) & (enough["customers"].fillna(0) == 0)]
    out = [
        _finding(
            _("{channel}: {spend} spent, no target leads and no customers — switch it off or fix it."),
            {"channel": _shown(row["channel"], lang), "spend": ev.money(row["spend"])},
            kind="channel_no_result",
            subject_type="channel",
            subject=_name(row["channel"]),
            advice="cut_or_fix",
            severity="high",
            facts={"spend": row["spend"], "leads": row["leads"], "target_leads": 0, "customers": 0},
            stake=float(row["spend"]),
        )
        for _i, row in nothing.iterrows()
    ]
    rest = enough[~enough.index.isin(nothing.index) & enough["romi_pct"].notna() & (enough["romi_pct"] > 0)]
    best = rest.sort_values(["romi_pct", "revenue"], ascending=False, kind="stable").head(1)
    for _i, row in best.iterrows():
        out.append(
            _finding(
                _(
                    "{channel} returns the most per unit spent (ROMI {romi} on {spend} spent, {revenue} revenue): "
                    "a candidate for more budget."
                ),
                {
                    "channel": _shown(row["channel"], lang),
                    "romi": fmt_pct(row["romi_pct"], lang, 0),
                    "spend": ev.money(row["spend"]),
                    "revenue": ev.money(row["revenue"]),
                },
                kind="channel_best_return",
                subject_type="channel",
                subject=_name(row["channel"]),
                advice="more_budget",
                severity="low",
                facts={"romi_pct": row["romi_pct"], "spend": row["spend"], "revenue": row["revenue"]},
                stake=float(row["revenue"]),
            )
        )
    revenue_total = float(ch["revenue"].fillna(0).sum())
    top = ch[ch["revenue"].fillna(0) > 0].sort_values("revenue", ascending=False, kind="stable").head(1)
    for _i, row in top.iterrows():
        if not best.empty and _name(row["channel"]) == _name(best.iloc[0]["channel"]):
            continue  # the same channel: its best-return finding already names its revenue
        values = {
            "channel": _shown(row["channel"], lang),
            "revenue": ev.money(row["revenue"]),
            "share": fmt_pct(row["revenue"] / revenue_total * 100, lang, 0),
            "romi": fmt_pct(row["romi_pct"], lang, 0),
        }
        out.append(
            _finding(
                # Without spend (organic, referral) its return is unknown and it has no budget to keep.
                _("{channel} brings the most revenue ({revenue}, {share} of all; ROMI {romi}): keep it funded.")
                if pd.notna(row["romi_pct"])
                else _("{channel} brings the most revenue ({revenue}, {share} of all) with no spend recorded."),
                values,
                kind="channel_most_revenue",
                subject_type="channel",
                subject=_name(row["channel"]),
                advice="watch",
                severity="low",
                facts={"revenue": row["revenue"], "revenue_share_pct": row["revenue"] / revenue_total * 100},
                stake=float(row["revenue"]),
            )
        )
    return out


def _share_drops(ev: Evidence) -> list[Alert]:
    _ = translator(ev.language)
    if ev.channels.empty or ev.prev_channels.empty or "target_share_pct" not in ev.prev_channels:
        return []
    before = ev.prev_channels.set_index("channel")[["target_share_pct"]].add_suffix("_prev")
    both = ev.channels.set_index("channel")[["target_share_pct", "leads", "spend"]].join(before, how="inner")
    fell = both["target_share_pct"] <= both["target_share_pct_prev"] - SHARE_DROP_PP
    drop = both[(both["leads"] >= MIN_LEADS) & fell]
    return [
        _finding(
            _("{channel}: target share fell from {before} to {now} on {leads} leads — check its targeting."),
            {
                "channel": _shown(ch, ev.language),
                "before": fmt_pct(row["target_share_pct_prev"], ev.language, 0),
                "now": fmt_pct(row["target_share_pct"], ev.language, 0),
                "leads": fmt_number(row["leads"], ev.language),
            },
            kind="target_share_down",
            subject_type="channel",
            subject=_name(ch),
            advice="cut_or_fix",
            severity="medium",
            facts={"target_share_pct": row["target_share_pct"], "previous_pct": row["target_share_pct_prev"]},
            stake=0.0 if pd.isna(row["spend"]) else float(row["spend"]),
        )
        for ch, row in drop.iterrows()
    ]


def _products(ev: Evidence) -> list[Alert]:
    _ = translator(ev.language)
    out = [
        _finding(
            _("{product} leads sales ({sales} sold, {revenue} revenue): give it more advertising."),
            {
                "product": p["product"],
                "sales": fmt_number(p["sales"], ev.language),
                "revenue": ev.money(p["revenue"]),
            },
            kind="product_leader",
            subject_type="product",
            subject=p["product"],
            advice="more_budget",
            severity="low",
            facts={"sales": p["sales"], "revenue": p["revenue"]},
            stake=float(p["revenue"] or 0),
        )
        for p in ev.products.get("leaders", [])[:1]
    ]
    for p in ev.products.get("high_margin_no_demand", [])[:2]:
        out.append(
            _finding(
                _("{product} has a {margin} margin but sold {sales} (was {previous}): build a campaign around it."),
                {
                    "product": p["product"],
                    "margin": fmt_pct(p.get("margin_pct"), ev.language, 0),
                    "sales": fmt_number(p.get("sales"), ev.language),
                    "previous": fmt_number(p.get("previous"), ev.language),
                },
                kind="high_margin_no_demand",
                subject_type="product",
                subject=p["product"],
                advice="more_budget",
                severity="medium",
                facts={k: p.get(k) for k in ("margin_pct", "sales", "previous")},
            )
        )
    return out


def _cac(ev: Evidence) -> list[Alert]:
    _ = translator(ev.language)
    cac, new = ev.kpis.get("cac"), ev.kpis.get("new_customers")
    if not cac or cac.change_pct is None or cac.change_pct < CAC_RISE_PCT or cac.value is None:
        return []
    customers = (new.value if new else None) or 0
    return [
        _finding(
            _("CAC rose by {pct}, from {before} to {now} per new customer: find the channel that drove it."),
            {
                "pct": fmt_pct(cac.change_pct, ev.language, 0),
                "before": ev.money(cac.previous),
                "now": ev.money(cac.value),
            },
            kind="cac_up",
            subject_type="kpi",
            subject="cac",
            advice="watch",
            severity="high" if cac.change_pct >= CAC_RISE_HIGH_PCT else "medium",
            facts={"cac": cac.value, "previous": cac.previous, "change_pct": cac.change_pct},
            stake=(cac.value - (cac.previous or 0)) * customers,
        )
    ]


def _reps(ev: Evidence) -> list[Alert]:
    """Reps converting under half the team's median, on enough leads to judge: coaching, for the head of
    sales only (sent by DM, never to a channel)."""
    if ev.kind != "monthly":
        return []
    _ = translator(ev.language)
    judged = [r for r in ev.reps if r["conversion_pct"] is not None and (r["leads"] or 0) >= MIN_REP_LEADS]
    if len(judged) < 3:
        return []
    rates = sorted(r["conversion_pct"] for r in judged)
    team = rates[len(rates) // 2]
    revenue = sum(r["revenue"] or 0 for r in judged)
    won = sum(r["won"] or 0 for r in judged)
    per_sale = revenue / won if won else 0.0
    return [
        _finding(
            _("{rep} converts {pct} of {leads} leads against {team} for the team: worth a coaching talk."),
            {
                "rep": r["rep"],
                "pct": fmt_pct(r["conversion_pct"], ev.language, 0),
                "leads": fmt_number(r["leads"], ev.language),
                "team": fmt_pct(team, ev.language, 0),
            },
            kind="rep_below_team",
            subject_type="rep",
            subject=r["rep"],
            advice="coach",
            severity="medium",
            facts={"conversion_pct": r["conversion_pct"], "leads": r["leads"], "team_pct": team},
            stake=(team - r["conversion_pct"]) / 100 * r["leads"] * per_sale,
        )
        for r in judged
        if r["conversion_pct"] < team * 0.5
    ]


def build_alerts(ev: Evidence) -> list[Alert]:
    """Every finding of one period, one per subject, the most money at stake first."""
    found = _products(ev) + _cac(ev) + _reps(ev)
    if not ev.channels.empty and "spend" in ev.channels and ev.kind != "daily":
        found += _channel_money(ev) + _share_drops(ev)
    found += off_pace(ev.pace, ev.language, ev.currency)
    kept: dict[tuple[str, str], Alert] = {}
    for a in sorted(found, key=lambda a: (ADVICE_ORDER.index(a.advice), -a.stake)):
        kept.setdefault((a.subject_type, a.subject), a)
    return sorted(kept.values(), key=lambda a: (-a.stake, SEVERITY_ORDER.index(a.severity), a.kind, a.subject))
