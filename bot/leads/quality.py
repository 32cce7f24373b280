"""Lead quality for marketing, computed: target share per channel and campaign with its change, the
top rejection reasons with quotes from the threads, leads still waiting, SLA compliance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.catalog import value
from bot.kpi.engine import change_pp
from bot.kpi.periods import Period
from bot.kpi.sales import Sla, sla_of_arrays
from bot.leads.verdicts import reason_label
from bot.workspace.store import load
from storage.repos import quality as repo

# Target share here is of the leads sales has judged (the catalogue's judged_target_share_pct):
# waiting leads say nothing yet about a channel's quality.
SHARE = "judged_target_share_pct"


@dataclass
class Quality:
    team_id: str
    language: str
    period: Period
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel / campaign rows
    reasons: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    leads: int = 0
    judged: int = 0
    target: int = 0
    waiting: int = 0
    sla: Sla = field(default_factory=lambda: Sla(0))

    @property
    def judged_target_share_pct(self) -> float | None:
        return value(SHARE, {"target_leads": self.target, "judged": self.judged})

    def to_json(self, tz: str) -> dict[str, Any]:
        """The report as `handoff report quality --format json` prints it (README, "Reports offline")."""
        p = self.period
        return {
            "kind": "quality",
            "team_id": self.team_id,
            "period": {"start": p.start.isoformat(), "end": p.last_day.isoformat(), "tz": tz, "key": p.key()},
            "leads": self.leads,
            "judged": self.judged,
            "target": self.target,
            "waiting": self.waiting,
            SHARE: self.judged_target_share_pct,
            "sla": {"hours": self.sla.hours, "kept": self.sla.kept, "due": self.sla.due, "kept_pct": self.sla.kept_pct},
            "channels": self.groups.get("channel", []),
            "campaigns": self.groups.get("campaign", []),
            "reasons": self.reasons,
            "quotes": self.quotes,
        }


def _share(target: int | None, judged: int | None) -> float | None:
    return value(SHARE, {"target_leads": target or 0, "judged": judged or 0})


def _rows(current: list[tuple], previous: list[tuple]) -> list[dict[str, Any]]:
    before = {r[0]: _share(r[3], r[2]) for r in previous}
    out = []
    for key, leads, judged, target in sorted(current, key=lambda r: -r[1]):
        share = _share(target, judged)
        out.append(
            {
                "name": key,
                "leads": leads,
                "judged": judged or 0,
                "target": target or 0,
                SHARE: share,
                "previous_share_pct": before.get(key),
                "change_pp": change_pp(share, before.get(key)),
            }
        )
    return out


def compute_quality(deps: Deps, team_id: str, period: Period) -> Quality:
    ws = load(deps, team_id)
    w, pw = period.window(team_id, ws.timezone), period.previous().window(team_id, ws.timezone)
    q = Quality(team_id, ws.language, period)
    with deps.read() as s:
        for by in ("channel", "campaign"):
            q.groups[by] = _rows(repo.by_group(s, window=w, by=by), repo.by_group(s, window=pw, by=by))
        reasons = sorted(repo.by_group(s, window=w, by="reason"), key=lambda r: -r[1])
        q.quotes = [{"channel": c, "verdict": v, "text": t} for c, v, t in repo.quotes(s, window=w)]
        times = repo.response_times(s, window=w)
    _ = translator(ws.language)
    none = _("(no reason given)")  # Spam and Duplicate may go without one
    q.reasons = [{"code": r[0], "reason": reason_label(ws, r[0]) or none, "count": r[1]} for r in reasons]
    rows = q.groups["channel"]
    q.leads = sum(r["leads"] for r in rows)
    q.judged = sum(r["judged"] for r in rows)
    q.target = sum(r["target"] for r in rows)
    q.waiting = q.leads - q.judged
    q.sla = sla_of_arrays(*times, ws, deps.clock())
    return q
