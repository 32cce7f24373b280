"""The sync series, its meetings, participants and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.driver import insert_into
from storage.models import (
    Meeting,
    MeetingAnswer,
    MeetingParticipant,
    SyncSeries,
    table_of,
)
from storage.repos.quality import during

# --- the series ---------------------------------------------------------------------------------


def series(session: Session, *, team_id: str) -> SyncSeries | None:
    return session.get(SyncSeries, team_id)


def active_series(session: Session) -> list[SyncSeries]:
    return list(session.exec(select(SyncSeries).where(col(SyncSeries.active).is_(True))).all())


def save_series(
    session: Session, *, team_id: str, values: dict[str, Any], defaults: dict[str, Any], now: datetime
) -> SyncSeries:
    """Update the series with `values`; a new series takes `defaults` for what `values` leaves out."""
    row = session.get(SyncSeries, team_id)
    if row is None:
        row = SyncSeries(team_id=team_id, **{**defaults, **values})
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    session.add(row)
    session.flush()
    return row


# --- meetings -----------------------------------------------------------------------------------


def ensure_meeting(session: Session, *, team_id: str, starts: datetime, ends: datetime, status: str) -> Meeting:
    """The meeting starting at `starts`, created on first sight (the unique key settles a race)."""
    table = table_of(Meeting)
    session.execute(
        insert_into(session.get_bind().dialect.name, table)
        .values(team_id=team_id, starts_at=starts, ends_at=ends, status=status)
        .on_conflict_do_nothing(index_elements=["team_id", "starts_at"])
    )
    return session.exec(select(Meeting).where(Meeting.team_id == team_id, Meeting.starts_at == starts)).one()


def meeting(session: Session, *, team_id: str, meeting_id: int) -> Meeting | None:
    row = session.get(Meeting, meeting_id)
    return row if row is not None and row.team_id == team_id else None


def unfinished_meetings(session: Session, *, team_id: str) -> list[Meeting]:
    return list(
        session.exec(
            select(Meeting)
            .where(Meeting.team_id == team_id, col(Meeting.status).in_(("planned", "open")))
            .order_by(col(Meeting.starts_at))
        ).all()
    )


def set_status(
    session: Session, *, team_id: str, meeting_id: int, status: str, only_from: tuple[str, ...], **values: Any
) -> bool:
    """Move a meeting of the workspace to `status` (with `values`, e.g. who closed it) if it is in one
    of `only_from`; False when someone else moved it first, or it is no meeting of this workspace."""
    done = session.exec(
        update(Meeting)
        .where(col(Meeting.id) == meeting_id, col(Meeting.team_id) == team_id, col(Meeting.status).in_(only_from))
        .values(status=status, **values)
    )
    return bool(done.rowcount == 1)


def previous_meeting(session: Session, *, team_id: str, before: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.starts_at < before, Meeting.status != "skipped")
        .order_by(col(Meeting.starts_at).desc())
    ).first()


def current_meeting(session: Session, *, team_id: str) -> Meeting | None:
    """The meeting notes and action items belong to: the one in progress, else the next one planned."""
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, col(Meeting.status).in_(("open", "planned")))
        .order_by((col(Meeting.status) == "open").desc(), col(Meeting.starts_at))
    ).first()


def meeting_on(session: Session, *, team_id: str, start: datetime, end: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(col(Meeting.starts_at).desc())
    ).first()


# --- participants ---------------------------------------------------------------------------------


def add_participant(session: Session, *, team_id: str, meeting_id: int, user_id: str, department: str) -> bool:
    """Someone to ask before the meeting; False when they are on its list already."""
    table = table_of(MeetingParticipant)
    done = session.exec(
        insert_into(session.get_bind().dialect.name, table)
        .values(team_id=team_id, meeting_id=meeting_id, user_id=user_id, department=department, status="claimed")
        .on_conflict_do_nothing(index_elements=["meeting_id", "user_id"])
    )
    return bool(done.rowcount)


def mark_participant(session: Session, *, meeting_id: int, user_id: str, **values: Any) -> None:
    session.execute(
        update(MeetingParticipant)
        .where(col(MeetingParticipant.meeting_id) == meeting_id, col(MeetingParticipant.user_id) == user_id)
        .values(**values)
    )


def participants(session: Session, *, meeting_id: int) -> list[MeetingParticipant]:
    return list(
        session.exec(
            select(MeetingParticipant)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .order_by(col(MeetingParticipant.id))
        ).all()
    )


def participant(session: Session, *, meeting_id: int, user_id: str) -> MeetingParticipant | None:
    return session.exec(
        select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == meeting_id, MeetingParticipant.user_id == user_id
        )
    ).first()


def unanswered_for(session: Session, *, team_id: str, user_id: str) -> list[Meeting]:
    """Meetings not yet started where this person was asked and has not answered."""
    return list(
        session.exec(
            select(Meeting)
            .join(MeetingParticipant, col(MeetingParticipant.meeting_id) == Meeting.id)
            .where(
                Meeting.team_id == team_id,
                Meeting.status == "planned",
                MeetingParticipant.user_id == user_id,
                MeetingParticipant.status == "asked",
                col(MeetingParticipant.answered_at).is_(None),
            )
            .order_by(col(Meeting.starts_at))
        ).all()
    )


# --- answers --------------------------------------------------------------------------------------


def save_answers(
    session: Session,
    *,
    team_id: str,
    meeting_id: int,
    user_id: str,
    department: str | None,
    answers: dict[str, tuple[str, str]],
    now: datetime,
) -> None:
    """answers: question key → (question text, answer). An empty answer removes the stored one."""
    stored = {
        a.question: a
        for a in session.exec(
            select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id, MeetingAnswer.user_id == user_id)
        ).all()
    }
    for key, (question, text) in answers.items():
        row = stored.get(key)
        if not text:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = MeetingAnswer(team_id=team_id, meeting_id=meeting_id, user_id=user_id, question=key)
        row.question_text, row.answer, row.department, row.updated_at = question, text, department, now
        session.add(row)
    session.execute(
        update(MeetingParticipant)
        .where(col(MeetingParticipant.meeting_id) == meeting_id, col(MeetingParticipant.user_id) == user_id)
        .values(answered_at=now if any(text for _q, text in answers.values()) else None)
    )


def answers(session: Session, *, meeting_id: int) -> list[MeetingAnswer]:
    return list(
        session.exec(
            select(MeetingAnswer).where(MeetingAnswer.meeting_id == meeting_id).order_by(col(MeetingAnswer.id))
        ).all()
    )


def answer_rows(
    session: Session, *, team_id: str, first: date | None, last: date | None, tz: str
) -> tuple[list[str], list[tuple]]:
    # SQLAlchemy's select: SQLModel's is typed for at most four columns.
    q = (
        sa.select(
            col(Meeting.starts_at),
            col(MeetingAnswer.question),
            col(MeetingAnswer.question_text),
            col(MeetingAnswer.department),
            col(MeetingAnswer.user_id),
            col(MeetingAnswer.answer),
            col(MeetingAnswer.updated_at),
        )
        .join(Meeting, col(Meeting.id) == MeetingAnswer.meeting_id)
        .where(col(MeetingAnswer.team_id) == team_id)
        .order_by(
            col(Meeting.starts_at), col(MeetingAnswer.question), col(MeetingAnswer.department), col(MeetingAnswer.id)
        )
    )
    q = during(q, col(Meeting.starts_at), first, last, tz)
    header = ["meeting", "question", "question_text", "department", "user", "answer", "updated_at"]
    return header, [tuple(r) for r in session.execute(q).all()]
