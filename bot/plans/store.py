"""A workspace's plans: set by the /plan modal, the CLI and the CSV import; read by everything that
compares a month with its plan. Channel None (or "") is the whole workspace's plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.deps import Deps
from bot.kpi.plan import PLANNED
from storage.repos import plans as repo


@dataclass(frozen=True)
class MonthPlans:
    """A month's plan for the workspace and each channel that has one of its own."""

    month: str
    workspace: dict[str, float] = field(default_factory=dict)
    channels: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.workspace and not self.channels

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "workspace": ordered(self.workspace),
            "channels": {c: ordered(v) for c, v in self.channels.items()},
        }


def ordered(values: Mapping[str, float]) -> dict[str, float]:
    """A plan's values in the order plans are shown (marketing, sales, money)."""
    return {k: values[k] for k in PLANNED if k in values}


def set_plan(
    deps: Deps,
    team_id: str,
    month: str,
    values: Mapping[str, float | None],
    *,
    channel: str | None = None,
    set_by: str | None = None,
) -> dict[str, float]:
    """Sets the given KPIs of a month's plan (None removes one); the plan as it now stands."""
    with deps.write() as s:
        repo.set_values(s, team_id=team_id, month=month, values=values, channel=channel or "", set_by=set_by)
        return ordered(repo.month_plan(s, team_id=team_id, month=month, channel=channel or ""))


def plan_of(deps: Deps, team_id: str, month: str, channel: str | None = None) -> dict[str, float]:
    """{kpi: value} of a month for the workspace, or for one channel."""
    with deps.read() as s:
        return ordered(repo.month_plan(s, team_id=team_id, month=month, channel=channel or ""))


def month_plans(deps: Deps, team_id: str, month: str) -> MonthPlans:
    with deps.read() as s:
        workspace = repo.month_plan(s, team_id=team_id, month=month)
        channels = repo.channel_plans(s, team_id=team_id, month=month)
    return MonthPlans(month, ordered(workspace), {c: ordered(v) for c, v in channels.items()})


def set_many(
    deps: Deps, team_id: str, rows: list[tuple[str, str, dict[str, float | None]]], *, set_by: str | None = None
) -> int:
    """Several (month, channel, values) in one transaction: all stored, or none. How many values were set."""
    with deps.write() as s:
        for month, channel, values in rows:
            repo.set_values(s, team_id=team_id, month=month, values=values, channel=channel, set_by=set_by)
    return sum(len(v) for _m, _c, v in rows)
