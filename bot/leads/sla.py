"""The feedback SLA: one nudge in a card's thread after N working hours without a verdict, one
escalation after 2N."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import once
from bot.slack.kit import Mrkdwn, is_user, md, mention, notice, principals
from bot.workspace.store import load
from bot.workspace.worktime import working_hours_between
from storage.models import Lead, PostedMessage, Workspace
from storage.repos import leads as repo

LOOKBACK = timedelta(days=14)
NUDGE, ESCALATE = "sla-nudge", "sla-escalate"
GROUP_SHOWN = 5


def _text(ws: Workspace, step: str, lead: Lead) -> Mrkdwn:
    _ = translator(ws.language)
    if step == NUDGE:
        who = mention(lead.owner) if is_user(lead.owner) else principals(ws.sales[:GROUP_SHOWN], " ")
        return md(_("{who} this lead has waited {n} working hours for a verdict."), who=who, n=ws.sla_hours)
    head = mention(ws.head_of_sales) if is_user(ws.head_of_sales) else principals(ws.admins[:GROUP_SHOWN], " ")
    return md(_("{who} no verdict after {n} working hours: please see to it."), who=head, n=2 * ws.sla_hours)


def sla_post(ws: Workspace, step: str, lead: Lead) -> once.Post:
    text = _text(ws, step, lead).strip()
    return once.Post(
        key=f"{step}/{lead.id}",
        kind=SLA,
        channel=lead.card_channel or "",
        thread_ts=lead.card_ts,
        build=lambda: notice(text),
    )


def nudge_overdue(deps: Deps, ws: Workspace, now: datetime) -> int:
    """The nudges and escalations due at `now`, each once; how many went out now."""
    with deps.read() as s:
        waiting = repo.awaiting_verdict(s, team_id=ws.team_id, since=now - LOOKBACK)
    sent = 0
    for lead in waiting:
        if lead.card_posted_at is None:
            continue
        hours = working_hours_between(
            lead.card_posted_at,
            now,
            tz=ws.timezone,
            workdays=ws.workdays,
            work_hours=ws.work_hours,
            holidays=ws.holidays,
        )
        steps = [step for step, after in ((NUDGE, ws.sla_hours), (ESCALATE, 2 * ws.sla_hours)) if hours >= after]
        for step in steps:
            sent += once.deliver(deps, ws.team_id, sla_post(ws, step, lead)).status == "posted"
    return sent


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    step, _sep, lead_id = held.key.partition("/")
    with deps.read() as s:
        lead = repo.get(s, team_id=held.team_id, lead_id=int(lead_id)) if lead_id.isdigit() else None
    if lead is None or step not in (NUDGE, ESCALATE) or not lead.card_ts:
        return None
    return sla_post(load(deps, held.team_id), step, lead)


SLA = once.Kind("sla", rebuild=_rebuild)
