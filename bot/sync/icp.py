"""The ideal customer profile and the indicators of readiness to buy: versioned, diffed for the sync."""

from __future__ import annotations

import difflib

from bot.deps import Deps
from storage.models import IcpVersion
from storage.repos import actions as repo


def latest_icp(deps: Deps, team_id: str) -> IcpVersion | None:
    with deps.read() as s:
        versions = repo.icp_versions(s, team_id=team_id, limit=1)
    return versions[0] if versions else None


def save_icp(deps: Deps, team_id: str, profile: str, indicators: str, author: str) -> IcpVersion | None:
    """A new version when something changed; None when the text is the same as the newest."""
    newest = latest_icp(deps, team_id)
    if newest and newest.profile == profile and newest.indicators == indicators:
        return None
    with deps.write() as s:
        return repo.add_icp(s, team_id=team_id, profile=profile, indicators=indicators, author=author, now=deps.clock())


def icp_changes(before: IcpVersion | None, after: IcpVersion | None) -> list[str]:
    """Lines added (+) and removed (−) between two versions, profile then indicators."""
    if after is None or (before is not None and before.version == after.version):
        return []
    out = []
    for attr in ("profile", "indicators"):
        old = (getattr(before, attr) if before else "").splitlines()
        new = getattr(after, attr).splitlines()
        for line in difflib.ndiff(old, new):
            if line[:2] in ("+ ", "- ") and line[2:].strip():
                out.append(("+ " if line[0] == "+" else "− ") + line[2:].strip())
    return out
