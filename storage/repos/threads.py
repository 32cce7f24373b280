"""What is said about a lead in Slack: the replies kept from its card's thread, and the Slack events
already handled (a retried event does nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import HandledEvent, ThreadReply


def first_event(session: Session, *, team_id: str, event_id: str) -> bool:
    """Note a Slack event id; False when it was handled before (a retry). Part of the caller's
    transaction, so the note and the event's effect are committed together."""
    if session.get(HandledEvent, event_id) is not None:
        return False
    session.add(HandledEvent(event_id=event_id, team_id=team_id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def add_reply(
    session: Session, *, team_id: str, lead_id: int, channel: str, ts: str, user_id: str | None, text: str, at: datetime
) -> bool:
    exists = session.exec(
        select(ThreadReply).where(ThreadReply.team_id == team_id, ThreadReply.channel == channel, ThreadReply.ts == ts)
    ).first()
    if exists is not None:
        return False
    session.add(
        ThreadReply(team_id=team_id, lead_id=lead_id, channel=channel, ts=ts, user_id=user_id, text=text, created_at=at)
    )
    session.flush()
    return True


def edit_reply(session: Session, *, team_id: str, channel: str, ts: str, text: str, at: datetime) -> int:
    return session.exec(
        update(ThreadReply)
        .where(col(ThreadReply.team_id) == team_id, col(ThreadReply.channel) == channel, col(ThreadReply.ts) == ts)
        .values(text=text, edited_at=at)
    ).rowcount


def delete_reply(session: Session, *, team_id: str, channel: str, ts: str) -> int:
    return session.exec(
        delete(ThreadReply).where(
            col(ThreadReply.team_id) == team_id, col(ThreadReply.channel) == channel, col(ThreadReply.ts) == ts
        )
    ).rowcount
