"""Once an hour: what is kept only for a while is removed — the personal data of leads older than a
workspace keeps it, handled Slack event ids, claims on posts long made."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.deps import Deps
from bot.leads.privacy import erase_expired
from bot.leads.threads import purge_handled_events
from bot.slack import once
from bot.workspace.store import all_workspaces

log = logging.getLogger(__name__)
MINUTE = 30  # of every hour, away from the digests' round hours


def purge(*, deps: Deps, now: datetime) -> int:
    """At MINUTE past each hour: erase and remove what is due; how many leads were erased."""
    if now.minute != MINUTE:
        return 0
    erased = 0
    for ws in all_workspaces(deps):
        try:
            erased += erase_expired(deps, ws, now)
        except Exception:  # one workspace's failure leaves the others their purge
            log.exception("%s: erasing expired personal data failed", ws.team_id)
    events, claims = purge_handled_events(deps, now), once.purge(deps, now)
    if events or claims:
        log.info("removed %d handled event ids and %d claims on old posts", events, claims)
    return erased
