"""The digests' sales block, computed: the leads waiting for a verdict now (how long the oldest has
waited, who holds the most) and the share of the period's carded leads judged within the SLA. The
steps requests → meetings → sales are the report's own KPIs (catalogue: requests, meetings, sales and
their ratios); this adds what only the leads' cards can tell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from bot.deps import Deps
from bot.kpi.catalog import value
from bot.workspace.worktime import EPOCH, WorkClock, micros
from storage.models import Workspace
from storage.repos import quality as repo
from storage.repos.metrics import Window

OWNERS_SHOWN = 3
NAT = repo.NAT  # a missing instant among microseconds (pandas' NaT)
# The stages of the sales block, each with the catalogue's ratio from the stage before.
STEPS = (("requests", None), ("meetings", "request_to_meeting_pct"), ("sales", "meeting_to_sale_pct"))


@dataclass(frozen=True)
class Sla:
    """Carded leads of a period against the SLA: judged within it (kept), judged late or still waiting
    past it (due but not kept), still waiting inside it (pending: neither kept nor missed yet)."""

    hours: int
    kept: int = 0
    due: int = 0
    pending: int = 0

    @property
    def kept_pct(self) -> float | None:
        return value("sla_kept_pct", {"judged_in_sla": self.kept, "due": self.due}) if self.hours > 0 else None


def sla_of(times: Iterable[tuple[datetime, datetime | None]], ws: Workspace, now: datetime) -> Sla:
    """(card posted at, first verdict at or None) → the SLA's account; an SLA of 0 hours is none."""
    pairs = list(times)
    posted = np.array([micros(a) for a, _b in pairs], dtype=np.int64)
    judged = np.array([NAT if b is None else micros(b) for _a, b in pairs], dtype=np.int64)
    return sla_of_arrays(posted, judged, ws, now)


def sla_of_arrays(posted: np.ndarray, judged: np.ndarray, ws: Workspace, now: datetime) -> Sla:
    """sla_of for a period's thousands of leads: when each card was posted and first judged, in UTC
    microseconds since the epoch (NAT: not yet), counted as arrays."""
    if ws.sla_hours <= 0:
        return Sla(0)
    if not len(posted):
        return Sla(ws.sla_hours)
    waiting = judged == NAT
    end = np.where(waiting, micros(now), judged)
    zone = ZoneInfo(ws.timezone)
    instants = np.concatenate([posted, end])
    first, last = (EPOCH + timedelta(microseconds=int(v)) for v in (instants.min(), instants.max()))
    clock = WorkClock(
        first.astimezone(zone).date(),
        last.astimezone(zone).date(),
        tz=ws.timezone,
        workdays=ws.workdays,
        work_hours=ws.work_hours,
        holidays=ws.holidays or (),
    )
    worked = np.maximum(clock.worked(end) - clock.worked(posted), 0)
    limit = ws.sla_hours * 3_600_000_000
    pending = waiting & (worked < limit)
    kept = ~waiting & (worked <= limit)
    return Sla(ws.sla_hours, int(kept.sum()), int((~pending).sum()), int(pending.sum()))


def waiting_of(rows: Iterable[tuple[str | None, int, datetime]], now: datetime) -> dict[str, Any]:
    """(owner, leads, oldest card posted at) of the waiting leads per owner → how many, since when the
    oldest, who holds most."""
    rows = list(rows)
    owners = {owner: n for owner, n, _at in rows if owner}
    oldest = min((at for _owner, _n, at in rows), default=None)
    return {
        "count": sum(n for _owner, n, _at in rows),
        "as_of": now.isoformat(),
        "oldest_since": oldest.isoformat() if oldest else None,
        "oldest_hours": round((now - oldest).total_seconds() / 3600, 1) if oldest else None,
        # The most first; a tie in the order of the owners' ids, so the block reads the same each time.
        "by_owner": [
            {"owner": o, "count": n} for o, n in sorted(owners.items(), key=lambda x: (-x[1], x[0]))[:OWNERS_SHOWN]
        ],
        "unassigned": sum(n for owner, n, _at in rows if not owner),
    }


def steps_of(kpis: dict[str, Any]) -> list[dict[str, Any]]:
    """Requests → meetings → sales from the report's KPIs: each count and its conversion from the step before."""
    out = []
    for stage, rate in STEPS:
        k, r = kpis[stage], kpis[rate] if rate else None
        out.append(
            {
                "stage": stage,
                "count": k.value,
                "previous": k.previous,
                "conversion_pct": r.value if r else None,
                "conversion_change_pp": r.change_pp if r else None,
            }
        )
    return out


def compute_sales(deps: Deps, ws: Workspace, window: Window, kpis: dict[str, Any]) -> dict[str, Any]:
    """The report JSON's `sales` object: steps, the leads waiting now, the period's SLA account."""
    now = deps.clock()
    with deps.read() as s:
        waiting = repo.waiting(s, team_id=ws.team_id, channel=window.channel)
        posted, judged = repo.response_times(s, window=window)
    sla = sla_of_arrays(posted, judged, ws, now)
    return {
        "steps": steps_of(kpis),
        "waiting": waiting_of(waiting, now),
        "sla": {"hours": sla.hours, "kept": sla.kept, "due": sla.due, "pending": sla.pending, "kept_pct": sla.kept_pct},
    }
