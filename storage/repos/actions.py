"""What comes out of the sync: notes, action items, ICP versions; and the customer feedback it reads."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    ActionItem,
    Feedback,
    IcpVersion,
    Meeting,
    MeetingNote,
)
from storage.repos.quality import during

# --- notes and action items -----------------------------------------------------------------------


def add_note(
    session: Session,
    *,
    team_id: str,
    meeting_id: int | None,
    author: str,
    text: str,
    now: datetime,
    item: str | None = None,
) -> MeetingNote:
    row = MeetingNote(team_id=team_id, meeting_id=meeting_id, author=author, text=text, created_at=now, item=item)
    session.add(row)
    session.flush()
    return row


def notes(session: Session, *, meeting_id: int) -> list[MeetingNote]:
    return list(
        session.exec(select(MeetingNote).where(MeetingNote.meeting_id == meeting_id).order_by(col(MeetingNote.id)))
    )


def add_action(
    session: Session,
    *,
    team_id: str,
    meeting_id: int | None,
    owner: str,
    text: str,
    due: date | None,
    author: str,
    now: datetime,
) -> ActionItem:
    row = ActionItem(
        team_id=team_id, meeting_id=meeting_id, owner=owner, text=text, due=due, created_by=author, created_at=now
    )
    session.add(row)
    session.flush()
    return row


def action(session: Session, *, team_id: str, action_id: int) -> ActionItem | None:
    row = session.get(ActionItem, action_id)
    return row if row is not None and row.team_id == team_id else None


def mark_done(session: Session, *, team_id: str, action_id: int, now: datetime) -> bool:
    """False when there is no such open item."""
    done = session.exec(
        update(ActionItem)
        .where(col(ActionItem.id) == action_id, col(ActionItem.team_id) == team_id, col(ActionItem.status) == "open")
        .values(status="done", done_at=now)
    )
    return bool(done.rowcount == 1)


def open_actions(session: Session, *, team_id: str, owner: str | None = None) -> list[ActionItem]:
    q = select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.status == "open")
    if owner:
        q = q.where(ActionItem.owner == owner)
    return list(session.exec(q.order_by(col(ActionItem.due).is_(None), col(ActionItem.due), col(ActionItem.id))).all())


def actions_created(session: Session, *, team_id: str, meeting_id: int) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem)
            .where(ActionItem.team_id == team_id, ActionItem.meeting_id == meeting_id)
            .order_by(col(ActionItem.id))
        ).all()
    )


def actions_done(session: Session, *, team_id: str, start: datetime, end: datetime) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem)
            .where(
                ActionItem.team_id == team_id,
                ActionItem.status == "done",
                col(ActionItem.done_at) >= start,
                col(ActionItem.done_at) < end,
            )
            .order_by(col(ActionItem.done_at))
        ).all()
    )


def due_on(session: Session, *, team_id: str, day: date) -> list[ActionItem]:
    return list(
        session.exec(
            select(ActionItem).where(ActionItem.team_id == team_id, ActionItem.status == "open", ActionItem.due == day)
        ).all()
    )


def action_rows(
    session: Session, *, team_id: str, first: date | None, last: date | None, tz: str
) -> tuple[list[str], list[tuple]]:
    # SQLAlchemy's select: SQLModel's is typed for at most four columns.
    q = (
        sa.select(
            col(ActionItem.id),
            col(Meeting.starts_at),
            col(ActionItem.owner),
            col(ActionItem.text),
            col(ActionItem.due),
            col(ActionItem.status),
            col(ActionItem.created_by),
            col(ActionItem.created_at),
            col(ActionItem.done_at),
        )
        .outerjoin(Meeting, col(Meeting.id) == ActionItem.meeting_id)
        .where(col(ActionItem.team_id) == team_id)
        .order_by(col(ActionItem.id))
    )
    q = during(q, col(ActionItem.created_at), first, last, tz)
    header = ["id", "meeting", "owner", "text", "due", "status", "created_by", "created_at", "done_at"]
    return header, [tuple(r) for r in session.execute(q).all()]


# --- the ideal customer profile -------------------------------------------------------------------


def add_icp(session: Session, *, team_id: str, profile: str, indicators: str, author: str, now: datetime) -> IcpVersion:
    """A new version numbered after the newest; two saves at once get consecutive numbers (the one
    that loses the race for a number takes the next, in a savepoint)."""
    for _attempt in range(3):
        top: int | None = session.exec(select(func.max(IcpVersion.version)).where(IcpVersion.team_id == team_id)).one()
        row = IcpVersion(
            team_id=team_id,
            version=(top or 0) + 1,
            profile=profile,
            indicators=indicators,
            author=author,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
            return row
        except IntegrityError:
            continue
    raise RuntimeError("ICP version could not be saved")


def icp_versions(session: Session, *, team_id: str, limit: int = 2) -> list[IcpVersion]:
    """The newest versions first."""
    return list(
        session.exec(
            select(IcpVersion)
            .where(IcpVersion.team_id == team_id)
            .order_by(col(IcpVersion.version).desc())
            .limit(limit)
        ).all()
    )


def icp_at(session: Session, *, team_id: str, when: datetime) -> IcpVersion | None:
    """The version that was current at `when`."""
    return session.exec(
        select(IcpVersion)
        .where(IcpVersion.team_id == team_id, IcpVersion.created_at <= when)
        .order_by(col(IcpVersion.version).desc())
    ).first()


def icp_rows(
    session: Session, *, team_id: str, first: date | None, last: date | None, tz: str
) -> tuple[list[str], list[tuple]]:
    # SQLAlchemy's select: SQLModel's is typed for at most four columns.
    q = (
        sa.select(
            col(IcpVersion.version),
            col(IcpVersion.profile),
            col(IcpVersion.indicators),
            col(IcpVersion.author),
            col(IcpVersion.created_at),
        )
        .where(col(IcpVersion.team_id) == team_id)
        .order_by(col(IcpVersion.version))
    )
    q = during(q, col(IcpVersion.created_at), first, last, tz)
    return ["version", "profile", "indicators", "author", "saved_at"], [tuple(r) for r in session.execute(q).all()]


# --- customer feedback ----------------------------------------------------------------------------


def add_feedback(session: Session, *, row: Feedback) -> bool:
    """False when feedback with this external id is already kept (a repeated shortcut or command)."""
    try:
        with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False


def feedback_between(session: Session, *, team_id: str, start: datetime, end: datetime) -> list[Feedback]:
    return list(
        session.exec(
            select(Feedback)
            .where(Feedback.team_id == team_id, Feedback.created_at >= start, Feedback.created_at < end)
            .order_by(col(Feedback.created_at).desc())
        ).all()
    )
