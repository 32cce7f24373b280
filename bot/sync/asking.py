"""Before a sync: the questions DM'd to every participant, and reminders to those who have not answered."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlmodel import Session

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import once
from bot.slack.kit import join, md, mention
from bot.sync.blocks.dms import build_ask_dm, build_reminder_dm
from bot.sync.calendar import Timeline
from bot.sync.series import find_series, questions, roster, shown
from bot.workspace.admins import tell_admins
from bot.workspace.store import load
from storage.models import Meeting, PostedMessage, SyncSeries, Workspace
from storage.repos import meetings as repo

log = logging.getLogger(__name__)
# Late joiners of a user group are looked up this often while the questions are open.
ROSTER_REFRESH_MINUTES = 30
ASK_PREFIX, REMIND_PREFIX = "sync-ask/", "sync-remind/"


def ask_post(
    deps: Deps,
    ws: Workspace,
    series: SyncSeries,
    m: Meeting,
    user: str,
    *,
    unreachable: list[tuple[str, str]] | None = None,
) -> once.Post:
    """The question DM to one participant. Refused by Slack: they are unreachable (`unreachable`
    collects them for one notice). Cut off before Slack answered: it may have arrived; they are kept
    as asked (the reminders carry the Answer button too) and the admins are told to check."""

    def failed(error: str) -> None:
        with deps.write() as s:
            if error.startswith(once.INTERRUPTED):
                repo.mark_participant(
                    s, meeting_id=_id(m), user_id=user, status="asked", asked_at=deps.clock(), error=error
                )
            else:
                repo.mark_participant(s, meeting_id=_id(m), user_id=user, status="unreachable", error=error)
        if error.startswith(once.INTERRUPTED):
            _ = translator(ws.language)
            text = md(
                _(
                    "The sync questions to {who} were cut off while being sent: they may not have arrived. "
                    "Please check with them."
                ),
                who=mention(user),
            )
            tell_admins(deps, ws, f"{ASK_PREFIX}{m.id}/{user}", text)
        elif unreachable is not None:
            unreachable.append((user, error))

    return once.Post(
        key=f"{ASK_PREFIX}{m.id}/{user}",
        kind=SYNC_ASK,
        channel=user,
        build=lambda: build_ask_dm(shown(ws, series), m, questions(ws, series)),
        on_failure=failed,
    )


def ask(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting, tl: Timeline, now: datetime) -> int:
    """DM the questions to every participant not asked yet; returns how many were asked now."""
    with deps.read() as s:
        known = {p.user_id for p in repo.participants(s, meeting_id=_id(m))}
    if known and now.minute % ROSTER_REFRESH_MINUTES:
        return 0
    asked = 0
    unreachable: list[tuple[str, str]] = []
    for user, dept in roster(deps.client(ws.team_id), series).items():
        if user in known:
            continue
        post = ask_post(deps, ws, series, m, user, unreachable=unreachable)

        def listed(s: Session, user: str = user, dept: str = dept) -> None:
            # With the claim, in one transaction: a participant on the list always has a claim the
            # sweep can finish, however the process dies.
            repo.add_participant(s, team_id=ws.team_id, meeting_id=_id(m), user_id=user, department=dept)

        (outcome,) = once.deliver_all(deps, ws.team_id, [post], on_claim=listed)
        asked += outcome.status == "posted"
    if unreachable:
        _tell_admins_unreachable(deps, ws, m, unreachable)
    return asked


def _asked(session: Session, team_id: str, sent: list[once.Sent], now: datetime) -> None:
    for x in sent:
        meeting_id, _sep, user = x.post.key.removeprefix(ASK_PREFIX).partition("/")
        repo.mark_participant(
            session,
            meeting_id=int(meeting_id),
            user_id=user,
            status="asked",
            asked_at=now,
            dm_channel=x.channel,
            dm_ts=x.ts,
        )


def _tell_admins_unreachable(deps: Deps, ws: Workspace, m: Meeting, who: list[tuple[str, str]]) -> None:
    _ = translator(ws.language)
    lines = join(md("• {} — {}", mention(u), e) for u, e in who)
    text = md(
        _(
            "I could not send the sync questions to these people (left the workspace or closed DMs with apps). "
            "They will not be asked again for this meeting:\n{lines}"
        ),
        lines=lines,
    )
    log.warning("sync questions undeliverable to %d people", len(who))
    batch = hashlib.sha1(",".join(sorted(u for u, _e in who)).encode()).hexdigest()[:12]
    tell_admins(deps, ws, f"sync-unreachable/{m.id}/{batch}", text)


def reminder_post(ws: Workspace, m: Meeting, index: int, user: str) -> once.Post:
    return once.Post(
        key=f"{REMIND_PREFIX}{m.id}/{index}/{user}",
        kind=SYNC_REMINDER,
        channel=user,
        build=lambda: build_reminder_dm(ws, m),
    )


def remind(deps: Deps, ws: Workspace, m: Meeting, tl: Timeline, now: datetime) -> int:
    """The latest reminder due, once, to those asked before it who have not answered (`ws` as
    `shown`: the reminder names the meeting's time)."""
    due = [i for i, at in enumerate(tl.reminders) if at <= now]
    if not due:
        return 0
    index, at = due[-1], tl.reminders[due[-1]]
    with deps.read() as s:
        waiting = [
            p
            for p in repo.participants(s, meeting_id=_id(m))
            if p.status == "asked" and p.answered_at is None and p.asked_at and p.asked_at < at
        ]
    posts = [reminder_post(ws, m, index, p.user_id) for p in waiting]
    return sum(once.deliver(deps, ws.team_id, post).status == "posted" for post in posts)


def _meeting_and_series(deps: Deps, team_id: str, meeting_id: str) -> tuple[Workspace, SyncSeries, Meeting] | None:
    series = find_series(deps, team_id)
    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=int(meeting_id)) if meeting_id.isdigit() else None
    if series is None or m is None:
        return None
    return load(deps, team_id), series, m


def _rebuild_ask(deps: Deps, held: PostedMessage) -> once.Post | None:
    meeting_id, _sep, user = held.key.removeprefix(ASK_PREFIX).partition("/")
    found = _meeting_and_series(deps, held.team_id, meeting_id)
    return ask_post(deps, *found, user) if found else None


def _rebuild_reminder(deps: Deps, held: PostedMessage) -> once.Post | None:
    meeting_id, index, user = [*held.key.removeprefix(REMIND_PREFIX).split("/"), "", ""][:3]
    found = _meeting_and_series(deps, held.team_id, meeting_id)
    if found is None or not index.isdigit():
        return None
    ws, series, m = found
    return reminder_post(shown(ws, series), m, int(index), user)


def _id(m: Meeting) -> int:
    assert m.id is not None
    return m.id


SYNC_ASK = once.Kind("sync-ask", rebuild=_rebuild_ask, on_sent=_asked)
SYNC_REMINDER = once.Kind("sync-remind", rebuild=_rebuild_reminder)
