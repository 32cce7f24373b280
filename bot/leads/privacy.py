"""Erasing a person's data: `handoff forget`."""

from __future__ import annotations

from bot.deps import Deps
from storage.repos import leads as repo


def forget(deps: Deps, team_id: str, *, lead_id: int | None = None, email: str | None = None) -> list[int]:
    """Erase the personal data of a lead, or of every lead with this email; the lead, its channel,
    campaign and verdicts stay for the numbers. The ids erased."""
    with deps.write() as s:
        return repo.forget(s, team_id=team_id, lead_id=lead_id, email=email, now=deps.clock())
