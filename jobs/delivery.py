"""Every tick: posts cut off before Slack's answer was recorded, or with their thread unfinished, are
finished (bot.slack.once)."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.kpi.agreement_post import SCORECARD
from bot.kpi.coaching import COACHING
from bot.kpi.delivery import DIGEST
from bot.leads.cards import CARD
from bot.leads.export import QUALITY_EXPORT
from bot.leads.report import QUALITY
from bot.leads.sla import SLA
from bot.slack import once
from bot.sync.agenda import SYNC_AGENDA
from bot.sync.asking import SYNC_ASK, SYNC_REMINDER
from bot.sync.closing import SYNC_ACTION_DM, SYNC_SUMMARY
from bot.workspace.admins import NOTICE

KINDS = {
    k.name: k
    for k in (
        DIGEST,
        COACHING,
        QUALITY,
        QUALITY_EXPORT,
        CARD,
        SLA,
        SYNC_ASK,
        SYNC_REMINDER,
        SYNC_AGENDA,
        SYNC_SUMMARY,
        SYNC_ACTION_DM,
        NOTICE,
        SCORECARD,
    )
}


def resume_posts(*, deps: Deps, now: datetime) -> int:
    return once.resume(deps, KINDS)
