"""A plan and its reverse funnel as text: plain lines for the command line and the modal (Slack escaping
is the caller's, at the boundary)."""

from __future__ import annotations

from bot.i18n import translator
from bot.kpi.catalog import label
from bot.kpi.render import fmt_kpi_value, fmt_number, fmt_pct
from bot.kpi.required import Needs
from bot.plans.reverse import Required, shortfall
from bot.plans.store import MonthPlans


def plan_lines(values: dict[str, float], language: str, currency: str | None) -> list[str]:
    """One line a KPI: `Leads: 500`."""
    return [f"{label(k, language)}: {fmt_kpi_value(k, v, language, currency)}" for k, v in values.items()]


def plan_text(plans: MonthPlans, language: str, currency: str | None) -> str:
    _ = translator(language)
    if plans.empty:
        return _("No plan for {month} yet.").format(month=plans.month) + "\n"
    out = [_("Plan for {month}").format(month=plans.month)]
    if plans.workspace:
        out += ["  " + _("Whole workspace")] + [
            "    " + line for line in plan_lines(plans.workspace, language, currency)
        ]
    for channel, values in plans.channels.items():
        out += ["  " + _("Channel {channel}").format(channel=channel)]
        out += ["    " + line for line in plan_lines(values, language, currency)]
    return "\n".join(out) + "\n"


def needs_sentence(needs: Needs, language: str, currency: str | None) -> str:
    """ "40 sales at 11.2% lead→sale need ≈358 leads, ≈165 target leads at 46.0% target share" — or why not."""
    _ = translator(language)
    r = needs.rates
    if needs.missing == "no_goal":
        return _("No sales or revenue goal to work back from.")
    if needs.missing == "no_deal_size":
        return _("No won deals in the trailing days to take an average deal from: set a sales goal.")
    if needs.missing == "few_leads":
        return _("Too few leads in the cohort ({n}) to judge the conversion rates.").format(n=r.leads)
    if needs.missing == "no_sales":
        return _("No sales from the cohort's {n} leads: no conversion rate to work back from.").format(n=r.leads)
    goal = ""
    if needs.source == "revenue":
        goal = _("(the revenue goal at an average deal of {deal}) ").format(
            deal=fmt_kpi_value("revenue", r.avg_deal, language, currency)
        )
    return _(
        "{sales} sales {goal}at {lead_to_sale} lead→sale need ≈{leads} leads, ≈{target} target leads "
        "at {share} target share."
    ).format(
        sales=fmt_number(needs.sales, language),
        goal=goal,
        lead_to_sale=fmt_pct(r.lead_to_sale_pct, language),
        leads=fmt_number(needs.leads, language),
        target=fmt_number(needs.target_leads, language),
        share=fmt_pct(r.target_share_pct, language),
    )


def required_text(req: Required, language: str, currency: str | None) -> str:
    _ = translator(language)
    c = req.cohort
    out = [
        _("What the plan for {month} needs").format(month=req.month),
        "  " + _("Rates of the leads of {start} – {end}, as far as they got by {as_of}.").format(**c),
        "  " + _("Whole workspace") + ": " + needs_sentence(req.workspace, language, currency),
    ]
    out += _gap_lines(req, None, language)
    for channel, needs in req.channels.items():
        out.append(
            "  " + _("Channel {channel}").format(channel=channel) + ": " + needs_sentence(needs, language, currency)
        )
        out += _gap_lines(req, channel, language)
    return "\n".join(out) + "\n"


def _gap_lines(req: Required, channel: str | None, language: str) -> list[str]:
    """Marketing's plan beside the need: `Leads planned 300: 37 short`."""
    _ = translator(language)
    needs = req.channels[channel] if channel else req.workspace
    planned = req.planned(channel)
    out = []
    for kpi, gap in shortfall(needs, planned).items():
        if gap is None:
            continue
        verdict = _("{n} short").format(n=fmt_number(-gap, language)) if gap < 0 else _("enough")
        out.append(
            "    "
            + _("{kpi} planned {planned}: {verdict}").format(
                kpi=label(kpi, language), planned=fmt_number(planned[kpi], language), verdict=verdict
            )
        )
    return out
