"""What to do: findings from a computed report (products to push, channels that spend without result,
a CAC rise, a falling target share, reps below the team)."""

from __future__ import annotations

import pandas as pd

from bot.i18n import translator
from bot.kpi.engine import Alert, Report
from bot.kpi.render import fmt_number

# Money advice rests on enough money: a channel below this share of the period's spend is not told to
# grow or stop (78 spent of thousands says nothing). A day is too short for it: only longer reports.
MIN_SPEND_SHARE = 0.05


def _channel_money(report: Report, channels: pd.DataFrame) -> list[Alert]:
    """Stop-or-fix for channels whose spend brought neither target leads nor customers; more budget for
    the best return among the others. One subject never gets both, and each text says the facts it
    rests on."""
    _ = translator(report.language)
    lang = report.language
    total = float(channels["spend"].fillna(0).sum())
    enough = channels[(channels["spend"].fillna(0) > 0) & (channels["spend"].fillna(0) >= total * MIN_SPEND_SHARE)]
    nothing = enough[(enough["target_leads"].fillna(0) == 0) & (enough["customers"].fillna(0) == 0)]
    out = [
        Alert(
            "channel_no_result",
            _("{channel}: {spend} spent, no target leads and no customers — switch it off or fix it.").format(
                channel=row["channel"] or "—", spend=fmt_number(row["spend"], lang)
            ),
        )
        for _i, row in nothing.head(3).iterrows()
    ]
    rest = enough[~enough.index.isin(nothing.index) & enough["romi_pct"].notna() & (enough["romi_pct"] > 0)]
    for _i, row in rest.sort_values("romi_pct", ascending=False).head(1).iterrows():
        out.append(
            Alert(
                "channel_best",
                _(
                    "{channel} returns the most per unit spent (ROMI {romi}% on {spend} spent, {revenue} revenue): "
                    "a candidate for more budget."
                ).format(
                    channel=row["channel"] or "—",
                    romi=fmt_number(row["romi_pct"], lang),
                    spend=fmt_number(row["spend"], lang),
                    revenue=fmt_number(row["revenue"], lang),
                ),
            )
        )
    return out


def build_alerts(report: Report, channels: pd.DataFrame, prev_channels: pd.DataFrame) -> list[Alert]:
    _ = translator(report.language)
    alerts: list[Alert] = []
    for p in report.products.get("leaders", [])[:1]:
        alerts.append(
            Alert(
                "product_leader",
                _("{product} leads sales: give it more advertising.").format(product=p["product"]),
            )
        )
    for p in report.products.get("high_margin_no_demand", [])[:2]:
        alerts.append(
            Alert(
                "high_margin_no_demand",
                _("{product} has a high margin but little demand: build a campaign around it.").format(
                    product=p["product"]
                ),
            )
        )
    if not channels.empty and "spend" in channels and report.kind != "daily":
        alerts += _channel_money(report, channels)
    cac = report.kpis.get("cac")
    if cac and cac.change_pct is not None and cac.change_pct >= 20:
        alerts.append(Alert("cac_up", _("CAC rose by {pct:.0f}%.").format(pct=cac.change_pct)))
    if not channels.empty and not prev_channels.empty:
        before = prev_channels.set_index("channel")[["target_share_pct"]].add_suffix("_prev")
        both = channels.set_index("channel")[["target_share_pct", "leads"]].join(before, how="inner")
        drop = both[(both["leads"] >= 5) & (both["target_share_pct"] <= both["target_share_pct_prev"] - 15)]
        for ch, row in drop.head(2).iterrows():
            alerts.append(
                Alert(
                    "target_share_down",
                    _("{channel}: target share fell from {before:.0f}% to {now:.0f}%.").format(
                        channel=ch or "—", before=row["target_share_pct_prev"], now=row["target_share_pct"]
                    ),
                )
            )
    if report.kind == "monthly" and report.reps:
        rates = [r["conversion_pct"] for r in report.reps if r["conversion_pct"] is not None]
        if len(rates) >= 3:
            team = sorted(rates)[len(rates) // 2]
            for r in report.reps:
                if r["conversion_pct"] is not None and r["conversion_pct"] < team * 0.5:
                    alerts.append(
                        Alert(
                            "rep_below_team",
                            _("{rep} converts {pct:.0f}% of leads against {team:.0f}% for the team: coaching?").format(
                                rep=r["rep"], pct=r["conversion_pct"], team=team
                            ),
                        )
                    )
    return alerts
