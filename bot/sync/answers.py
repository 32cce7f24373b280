"""Answers to the sync's questions: the Answer modal's content, saving it, and reading them back."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.i18n import translator
from bot.sync.blocks.dms import build_ask_dm
from bot.sync.series import SyncError, load_series, questions, roster, shown
from storage.models import Meeting, MeetingAnswer, Workspace
from storage.repos import meetings as repo

log = logging.getLogger(__name__)


def answer_form(
    deps: Deps, team_id: str, meeting_id: int, user_id: str
) -> tuple[Workspace, Meeting, list[tuple[str, str]], dict[str, str]]:
    """What the Answer modal needs: the workspace, the meeting, the questions and this person's answers."""
    ws, series = load_series(deps, team_id)
    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=meeting_id)
        mine = (
            {a.question: a.answer for a in repo.answers(s, meeting_id=meeting_id) if a.user_id == user_id} if m else {}
        )
    if m is None:
        raise SyncError(translator(ws.language)("This meeting no longer exists."))
    return shown(ws, series), m, questions(ws, series), mine


def save_answers(deps: Deps, team_id: str, meeting_id: int, user_id: str, texts: dict[str, str]) -> None:
    """Keep the answers (empty ones clear a stored answer); refused once the meeting has started."""
    ws, series = load_series(deps, team_id)
    _ = translator(ws.language)
    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=meeting_id)
        p = repo.participant(s, meeting_id=meeting_id, user_id=user_id)
    if m is None:
        raise SyncError(_("This meeting no longer exists."))
    if deps.clock() >= m.starts_at or m.status != "planned":
        raise SyncError(_("The meeting has started: answers can no longer be changed. Bring them to the meeting."))
    dept = p.department if p else roster(deps.client(team_id), series).get(user_id)
    asked = questions(ws, series)
    values = {k: (text, (texts.get(k) or "").strip()) for k, text in asked}
    with deps.write() as s:
        repo.save_answers(
            s,
            team_id=team_id,
            meeting_id=meeting_id,
            user_id=user_id,
            department=dept,
            answers=values,
            now=deps.clock(),
        )
    if p is not None and p.dm_channel and p.dm_ts:
        answered = any(text for _q, text in values.values())
        try:
            deps.client(team_id).chat_update(
                channel=p.dm_channel,
                ts=p.dm_ts,
                **build_ask_dm(shown(ws, series), m, asked, answered=answered).to_kwargs(),
            )
        except SlackApiError as exc:
            log.warning("could not mark the question DM answered: %s", exc.response.get("error"))


def answer_sheet(deps: Deps, team_id: str, meeting_id: int) -> tuple[list[tuple[str, str]], list[MeetingAnswer]]:
    """The questions and every answer given for a meeting."""
    ws, series = load_series(deps, team_id)
    with deps.read() as s:
        return questions(ws, series), repo.answers(s, meeting_id=meeting_id)
