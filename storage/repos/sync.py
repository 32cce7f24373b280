"""The sync series, its meetings, participants, answers, notes, action items, ICP versions and feedback."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import session_scope
from storage.models import (
    ActionItem,
    Feedback,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    SyncSeries,
)
from storage.repos.quality import during
from storage.types import utcnow

# --- the series ---------------------------------------------------------------------------------


def series(session: Session, team_id: str) -> SyncSeries | None:
    return session.get(SyncSeries, team_id)


def active_series(session: Session) -> list[SyncSeries]:
    return list(session.exec(select(SyncSeries).where(SyncSeries.active.is_(True))).all())


def save_series(engine: Engine, team_id: str, values: dict[str, Any], defaults: dict[str, Any]) -> SyncSeries:
    """Update the series with `values`; a new series takes `defaults` for what `values` leaves out."""
    with session_scope(engine) as s:
        row = s.get(SyncSeries, team_id)
        if row is None:
            row = SyncSeries(team_id=team_id, **{**defaults, **values})
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
        s.add(row)
        s.flush()
        return row


# --- meetings -----------------------------------------------------------------------------------


def ensure_meeting(engine: Engine, team_id: str, starts: datetime, ends: datetime, status: str) -> Meeting:
    """The meeting starting at `starts`, created on first sight (the unique key settles a race)."""
    for _attempt in range(2):
        with session_scope(engine) as s:
            row = s.exec(select(Meeting).where(Meeting.team_id == team_id, Meeting.starts_at == starts)).first()
            if row is not None:
                return row
        try:
            with session_scope(engine) as s:
                row = Meeting(team_id=team_id, starts_at=starts, ends_at=ends, status=status)
                s.add(row)
                s.flush()
                return row
        except IntegrityError:
            continue
    raise RuntimeError("meeting could not be created")


def meeting(session: Session, team_id: str, meeting_id: int) -> Meeting | None:
    row = session.get(Meeting, meeting_id)
    return row if row is not None and row.team_id == team_id else None


def unfinished_meetings(session: Session, team_id: str) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.status.in_(("planned", "open")))
            .order_by(Meeting.starts_at)
        ).all()
    )


def set_status(engine: Engine, meeting_id: int, status: str, *, only_from: tuple[str, ...]) -> bool:
    """Move a meeting to `status` if it is in one of `only_from`; False when someone else moved it first."""
    with session_scope(engine) as s:
        done = s.execute(
            update(Meeting).where(Meeting.id == meeting_id, Meeting.status.in_(only_from)).values(status=status)
        )
        return done.rowcount == 1


def previous_meeting(session: Session, team_id: str, before: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.starts_at < before, Meeting.status != "skipped")
        .order_by(Meeting.starts_at.desc())
    ).first()


def current_meeting(session: Session, team_id: str) -> Meeting | None:
    """The meeting notes and action items belong to: the one in progress, else the next one planned."""
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.status.in_(("open", "planned")))
        .order_by((Meeting.status == "open").desc(), Meeting.starts_at)
    ).first()


def meeting_on(session: Session, team_id: str, start: datetime, end: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at.desc())
    ).first()


# --- participants ---------------------------------------------------------------------------------


def claim_participant(engine: Engine, team_id: str, meeting_id: int, user_id: str, department: str) -> int | None:
    """The claim on asking this person for this meeting; None when they were already asked."""
    try:
        with session_scope(engine) as s:
            row = MeetingParticipant(team_id=team_id, meeting_id=meeting_id, user_id=user_id, department=department)
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


def mark_participant(engine: Engine, participant_id: int, **values: Any) -> None:
    with session_scope(engine) as s:
        s.execute(update(MeetingParticipant).where(MeetingParticipant.id == participant_id).values(**values))


def participants(session: Session, meeting_id: int) -> list[MeetingParticipant]:
    return list(
        session.exec(
            select(MeetingParticipant)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .order_by(MeetingParticipant.id)
        ).all()
    )


def participant(session: Session, meeting_id: int, user_id: str) -> MeetingParticipant | None:
    return session.exec(
        select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == meeting_id, MeetingParticipant.user_id == user_id
        )
    ).first()


def unanswered_for(session: Session, team_id: str, user_id: str) -> list[Meeting]:
    """Meetings not yet started where this person was asked and has not answered."""
    return list(
        session.exec(
            select(Meeting)
            .join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id)
            .where(
                Meeting.team_id == team_id,
                Meeting.status == "planned",
                MeetingParticipant.user_id == user_id,
                MeetingParticipant.status == "asked",
                MeetingParticipant.answered_at.is_(None),
            )
            .order_by(Meeting.starts_at)
        ).all()
    )


# --- answers --------------------------------------------------------------------------------------


def save_answers(
    engine: Engine,
    team_id: str,
    meeting_id: int,
    user_id: str,
    department: str | None,
    answers: dict[str, tuple],
    now: datetime,
) -> None:
    """answers: question key → (question text, answer). An empty answer removes the stored one."""
    with session_scope(engine) as s:
        stored = {
            a.question: a
            for a in s.exec(
                select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.user_id == user_id)
            ).all()
        }
        for key, (question, text) in answers.items():
            row = stored.get(key)
            if not text:
                if row is not None:
                    s.delete(row)
                continue
            if row is None:
                row = MeetingAnswer(team_id=team_id, meeting_id=meeting_id, user_id=user_id, question=key)
            row.question_text, row.answer, row.department, row.updated_at = question, text, department, now
            s.add(row)
        s.execute(
            update(MeetingParticipant)
            .where(MeetingParticipant.meeting_id == meeting_id, MeetingParticipant.user_id == user_id)
            .values(answered_at=now if any(text for _q, text in answers.values()) else None)
        )


def answers(session: Session, meeting_id: int) -> list[MeetingAnswer]:
    return list(
        session.exec(
            select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id).order_by(MeetingAnswer.id)
        ).all()
    )


def answer_rows(session: Session, team_id: str, first: date | None, last: date | None, tz: str):
    q = (
        select(
            Meeting.starts_at,
            MeetingAnswer.question,
            MeetingAnswer.question_text,
            MeetingAnswer.department,
            MeetingAnswer.user_id,
            MeetingAnswer.answer,
            MeetingAnswer.updated_at,
        )
        .join(Meeting, Meeting.id == MeetingAnswer.meeting_id)
        .where(MeetingAnswer.team_id == team_id)
        .order_by(Meeting.starts_at, MeetingAnswer.question, MeetingAnswer.department, MeetingAnswer.id)
    )
    q = during(q, Meeting.starts_at, first, last, tz)
    header = ["meeting", "question", "question_text", "department", "user", "answer", "updated_at"]
    return header, [tuple(r) for r in session.execute(q).all()]


# --- notes and action items -----------------------------------------------------------------------


def add_note(
    engine: Engine, team_id: str, meeting_id: int | None, author: str, text: str, now: datetime
) -> MeetingNote:
    with session_scope(engine) as s:
        row = MeetingNote(team_id=team_id, meeting_id=meeting_id, author=author, text=text, created_at=now)
        s.add(row)
        s.flush()
        return row


def notes(session: Session, meeting_id: int) -> list[MeetingNote]:
    return list(session.exec(select(MeetingNote).where(MeetingNote.meeting_id == meeting_id).order_by(MeetingNote.id)))


def add_action(
    engine: Engine,
    team_id: str,
    meeting_id: int | None,
    owner: str,
    text: str,
    due: date | None,
    author: str,
    now: datetime,
) -> ActionItem:
    with session_scope(engine) as s:
        row = ActionItem(
            team_id=team_id, meeting_id=meeting_id, owner=owner, text=text, due=due, created_by=author, created_at=now
        )
        s.add(row)
        s.flush()
        return row


def action(session: Session, team_id: str, action_id: int) -> ActionItem | None:
    row = session.get(ActionItem, action_id)
    return row if row is not None and row.team_id == team_id else None


def mark_done(engine: Engine, team_id: str, action_id: int, now: datetime) -> bool:
    """False when there is no such open item."""
    with session_scope(engine) as s:
        done = s.execute(
            update(ActionItem)
            .where(ActionItem.id == action_id, ActionItem.team_id == team_id, ActionItem.status == "open")
            .values(status="done", done_at=now)
        )
        return done.rowcount == 1


def open_actions(session: Session, team_id: str, owner: str | None = None) -> list[ActionItem]:
    q = select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.status == "open")
    if owner:
        q = q.where(ActionItem.owner == owner)
    return list(session.exec(q.order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)).all())


def actions_created(session: Session, team_id: str, meeting_id: int) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem)
            .where(ActionItem.team_id == team_id, ActionItem.meeting_id == meeting_id)
            .order_by(ActionItem.id)
        ).all()
    )


def actions_done(session: Session, team_id: str, start: datetime, end: datetime) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem)
            .where(
                ActionItem.team_id == team_id,
                ActionItem.status == "done",
                ActionItem.done_at >= start,
                ActionItem.done_at < end,
            )
            .order_by(ActionItem.done_at)
        ).all()
    )


def due_on(session: Session, team_id: str, day: date) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.status == "open", ActionItem.due == day)
        ).all()
    )


def action_rows(session: Session, team_id: str, first: date | None, last: date | None, tz: str):
    q = (
        select(
            ActionItem.id,
            Meeting.starts_at,
            ActionItem.owner,
            ActionItem.text,
            ActionItem.due,
            ActionItem.status,
            ActionItem.created_by,
            ActionItem.created_at,
            ActionItem.done_at,
        )
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.team_id == team_id)
        .order_by(ActionItem.id)
    )
    q = during(q, ActionItem.created_at, first, last, tz)
    header = ["id", "meeting", "owner", "text", "due", "status", "created_by", "created_at", "done_at"]
    return header, [tuple(r) for r in session.execute(q).all()]


# --- the ideal customer profile -------------------------------------------------------------------


def add_icp(engine: Engine, team_id: str, profile: str, indicators: str, author: str, now: datetime) -> IcpVersion:
    """A new version numbered after the newest; two saves at once get consecutive numbers."""
    for _attempt in range(3):
        try:
            with session_scope(engine) as s:
                top = s.exec(select(func.max(IcpVersion.version)).where(IcpVersion.team_id == team_id)).one()
                row = IcpVersion(
                    team_id=team_id,
                    version=(top or 0) + 1,
                    profile=profile,
                    indicators=indicators,
                    author=author,
                    created_at=now,
                )
                s.add(row)
                s.flush()
                return row
        except IntegrityError:
            continue
    raise RuntimeError("ICP version could not be saved")


def icp_versions(session: Session, team_id: str, limit: int = 2) -> list[IcpVersion]:
    """The newest versions first."""
    return list(
        session.exec(
            select(IcpVersion).where(IcpVersion.team_id == team_id).order_by(IcpVersion.version.desc()).limit(limit)
        ).all()
    )


def icp_at(session: Session, team_id: str, when: datetime) -> IcpVersion | None:
    """The version that was current at `when`."""
    return session.exec(
        select(IcpVersion)
        .where(IcpVersion.team_id == team_id, IcpVersion.created_at <= when)
        .order_by(IcpVersion.version.desc())
    ).first()


def icp_rows(session: Session, team_id: str, first: date | None, last: date | None, tz: str):
    q = (
        select(IcpVersion.version, IcpVersion.profile, IcpVersion.indicators, IcpVersion.author, IcpVersion.created_at)
        .where(IcpVersion.team_id == team_id)
        .order_by(IcpVersion.version)
    )
    q = during(q, IcpVersion.created_at, first, last, tz)
    return ["version", "profile", "indicators", "author", "saved_at"], [tuple(r) for r in session.execute(q).all()]


# --- customer feedback ----------------------------------------------------------------------------


def add_feedback(engine: Engine, row: Feedback) -> bool:
    """False when feedback with this external id is already kept (a repeated shortcut or command)."""
    try:
        with session_scope(engine) as s:
            s.add(row)
        return True
    except IntegrityError:
        return False


def feedback_between(session: Session, team_id: str, start: datetime, end: datetime) -> list[Feedback]:
    return list(
        session.exec(
            select(Feedback)
            .where(Feedback.team_id == team_id, Feedback.created_at >= start, Feedback.created_at < end)
            .order_by(Feedback.created_at.desc())
        ).all()
    )
