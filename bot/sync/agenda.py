"""The agenda of a sync: posted once in the sync channel an hour before, with the answers, the data
pack, the funnel picture and the ideal customer profile in its thread."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.charts import render_funnel_png
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.leads.quality import compute_quality
from bot.slack import once
from bot.slack.kit import md
from bot.sync import goal
from bot.sync.blocks.agenda import build_agenda, build_agenda_thread
from bot.sync.icp import icp_changes
from bot.sync.model import Agenda, DataPack, response_rate
from bot.sync.series import load_series, questions, shown
from bot.workspace.admins import tell_admins
from bot.workspace.store import load
from storage.models import Feedback, Meeting, PostedMessage, SyncSeries, Workspace
from storage.repos import actions as actions_repo
from storage.repos import meetings as repo

log = logging.getLogger(__name__)
PREFIX = "sync-agenda/"


def since_last_sync(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting) -> Period:
    """From the day of the previous meeting to the day before this one (local days)."""
    zone = ZoneInfo(ws.timezone)
    last_day = m.starts_at.astimezone(zone).date() - timedelta(days=1)
    with deps.read() as s:
        prev = repo.previous_meeting(s, team_id=ws.team_id, before=m.starts_at)
    first = prev.starts_at.astimezone(zone).date() if prev else last_day - timedelta(weeks=series.every_weeks, days=-1)
    return Period.between(min(first, last_day), last_day)


def data_pack(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting) -> DataPack:
    period = since_last_sync(deps, ws, series, m)
    report = compute_report(deps, ws.team_id, "range", period)
    quality = compute_quality(deps, ws.team_id, period)
    w = period.window(ws.team_id, ws.timezone)
    with deps.read() as s:
        # Feedback counts up to the meeting itself, not only up to the last whole day.
        items = actions_repo.feedback_between(s, team_id=ws.team_id, start=w.start, end=m.starts_at)
        actions = actions_repo.open_actions(s, team_id=ws.team_id)
        prev = repo.previous_meeting(s, team_id=ws.team_id, before=m.starts_at)
        newest_two = actions_repo.icp_versions(s, team_id=ws.team_id, limit=2)
        # Changes since the last sync; before the first sync, since the version before the newest.
        if prev:
            before = actions_repo.icp_at(s, team_id=ws.team_id, when=prev.starts_at)
        else:
            before = newest_two[1] if len(newest_two) > 1 else None
    icp = newest_two[0] if newest_two else None
    feedback: dict[str, list[Feedback]] = {"review": [], "complaint": [], "wish": []}
    for f in items:
        feedback.setdefault(f.kind, []).append(f)
    return DataPack(period, report, quality, feedback, actions, icp, icp_changes(before, icp))


def agenda(deps: Deps, team_id: str, meeting_id: int) -> Agenda:
    ws, series = load_series(deps, team_id)
    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=meeting_id)
        parts = repo.participants(s, meeting_id=meeting_id)
        answers = repo.answers(s, meeting_id=meeting_id)
    if m is None:
        raise LookupError(f"no meeting {meeting_id}")
    answered = {a.user_id for a in answers}
    pack = data_pack(deps, ws, series, m)
    return Agenda(
        ws=shown(ws, series),
        meeting=m,
        participants=parts,
        answers=answers,
        questions=questions(ws, series),
        rate=response_rate(parts, answered),
        pack=pack,
        goal=goal.goal_for(deps, ws, m, pack),
    )


def agenda_post(deps: Deps, team_id: str, meeting_id: int, channel: str) -> once.Post:
    """The agenda and its thread; the data is gathered only when something is to be posted."""

    @cache
    def data() -> Agenda:
        return agenda(deps, team_id, meeting_id)

    def thread() -> Sequence[tuple[str, once.Part]]:
        _ = translator(data().ws.language)
        parts: list[tuple[str, once.Part]] = [(str(i), msg) for i, msg in enumerate(build_agenda_thread(data()))]
        png = render_funnel_png(data().pack.report)
        parts.append(
            ("funnel", once.Files((once.Attachment("sync-funnel.png", png, _("Funnel since the last sync")),)))
        )
        return parts

    def failed(error: str) -> None:
        ws = load(deps, team_id)
        _ = translator(ws.language)
        text = md(
            _(
                "I could not post the sync agenda in <#{channel}>: Slack answered “{error}”. "
                "Type /invite @Handoff there."
            ),
            channel=channel,
            error=error,
        )
        tell_admins(deps, ws, f"{PREFIX}{meeting_id}", text)

    return once.Post(
        key=f"{PREFIX}{meeting_id}",
        kind=SYNC_AGENDA,
        channel=channel,
        build=lambda: build_agenda(data()),
        thread=thread,
        on_failure=failed,
    )


def post_agenda(deps: Deps, team_id: str, meeting_id: int) -> str | None:
    """The agenda once; an agenda whose thread was cut off is finished. Its ts, when it is out."""
    ws = load(deps, team_id)
    if not ws.sync_channel:
        log.warning("sync agenda for %s: no sync channel set", team_id)
        return None
    with deps.write() as s:
        repo.set_status(s, team_id=team_id, meeting_id=meeting_id, status="open", only_from=("planned",))
    return once.deliver(deps, team_id, agenda_post(deps, team_id, meeting_id, ws.sync_channel)).ts


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    meeting_id = held.key.removeprefix(PREFIX)
    if not held.channel or not meeting_id.isdigit():
        return None
    return agenda_post(deps, held.team_id, int(meeting_id), held.channel)


SYNC_AGENDA = once.Kind("sync-agenda", rebuild=_rebuild)
