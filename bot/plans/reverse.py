"""What sales' goal for a month needs of marketing: the month's plan worked back through the funnel's
trailing rates, for the workspace and each channel with a plan of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.kpi.rates import cohort_days, trailing_rates
from bot.kpi.required import Needs, required
from bot.plans.store import MonthPlans, month_plans
from bot.workspace.store import load

MARKETING = ("leads", "target_leads")


def shortfall(needs: Needs, plan: dict[str, float]) -> dict[str, float | None]:
    """Marketing's planned numbers less what sales' goal needs: below zero, the plan falls short."""
    needed = {"leads": needs.leads, "target_leads": needs.target_leads}
    return {k: (plan[k] - v) if k in plan and (v := needed[k]) is not None else None for k in MARKETING}


@dataclass(frozen=True)
class Required:
    month: str
    cohort: dict[str, str]
    workspace: Needs
    channels: dict[str, Needs] = field(default_factory=dict)
    plans: MonthPlans | None = None

    def planned(self, channel: str | None) -> dict[str, float]:
        if self.plans is None:
            return {}
        return self.plans.channels.get(channel, {}) if channel else self.plans.workspace

    def _json(self, needs: Needs, channel: str | None) -> dict[str, Any]:
        plan = self.planned(channel)
        return {
            **needs.to_json(),
            "planned": {k: plan.get(k) for k in MARKETING},
            "plan_minus_needs": shortfall(needs, plan),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "cohort": self.cohort,
            "workspace": self._json(self.workspace, None),
            "channels": {c: self._json(n, c) for c, n in self.channels.items()},
        }


def needs_for(
    deps: Deps,
    team_id: str,
    month: str,
    *,
    now: datetime,
    sales: float | None,
    revenue: float | None,
    channel: str | None = None,
) -> Needs:
    """The needs of a goal given here (the modal's typed, unsaved numbers)."""
    return required(sales, revenue, trailing_rates(deps, team_id, month, now=now, channel=channel))


def required_for(deps: Deps, team_id: str, month: str, *, now: datetime) -> Required:
    """The needs of a month's saved plan: the workspace's, and each channel's that has a plan."""
    plans = month_plans(deps, team_id, month)
    today = now.astimezone(ZoneInfo(load(deps, team_id).timezone)).date()
    cohort, as_of = cohort_days(month, today)

    def needs(values: dict[str, float], channel: str | None) -> Needs:
        return needs_for(
            deps, team_id, month, now=now, sales=values.get("sales"), revenue=values.get("revenue"), channel=channel
        )

    return Required(
        month=month,
        cohort={"start": cohort.start.isoformat(), "end": cohort.last_day.isoformat(), "as_of": as_of.isoformat()},
        workspace=needs(plans.workspace, None),
        channels={c: needs(v, c) for c, v in plans.channels.items()},
        plans=plans,
    )
