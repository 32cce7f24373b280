"""The funnel's trailing conversion rates a plan is worked back from: the matured cohort of leads the
funnel of the last complete month before the planned one follows (bot.kpi.funnel), and the average
won deal of the same trailing days.

Planning December on 3 December reads November's funnel: the leads of 3 August – 31 October as far as
they had got by 30 November. Planning a month further ahead reads the same: there is nothing newer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.kpi.catalog import ratio
from bot.kpi.funnel import COHORT_DAYS, cohort_of
from bot.kpi.periods import Period
from bot.kpi.required import Rates
from bot.workspace.store import load
from storage.repos import funnel as funnel_repo
from storage.repos import metrics


def base_period(month: str, today: date) -> Period:
    """The month whose funnel a plan of `month` is worked back from: the last one complete before it
    (or before this month, when planning ahead)."""
    first = date.fromisoformat(month + "-01")
    return Period.containing("month", min(first, today)).previous()


def deal_window(base: Period) -> Period:
    """The trailing days the average deal is taken over: as many as a cohort has, up to the base's end."""
    return Period.between(base.end - timedelta(days=COHORT_DAYS), base.last_day)


def trailing_rates(deps: Deps, team_id: str, month: str, *, now: datetime, channel: str | None = None) -> Rates:
    """The cohort's counts (leads, target leads, sales) and the average won deal, for the workspace or
    one acquisition channel."""
    tz = load(deps, team_id).timezone
    base = base_period(month, now.astimezone(ZoneInfo(tz)).date())
    with deps.read() as s:
        counts = funnel_repo.progress(
            s, window=cohort_of(base).window(team_id, tz, channel), as_of=base.window(team_id, tz, channel).end
        )
        money = metrics.totals(s, window=deal_window(base).window(team_id, tz, channel), trend_only=True)
    return Rates(
        leads=counts["leads"],
        target_leads=counts["target_leads"],
        sales=counts["sales"],
        avg_deal=ratio(money["revenue"], money["sales"]) or None,
    )


def cohort_days(month: str, today: date) -> tuple[Period, date]:
    """The cohort the rates of a plan of `month` follow, and the last day its sales are counted to."""
    base = base_period(month, today)
    return cohort_of(base), base.last_day
