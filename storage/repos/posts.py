"""Claims on posts: the unique (team_id, key) makes every post happen once across restarts,
retried jobs and several instances."""

from __future__ import annotations

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import read_scope, session_scope
from storage.models import PostedMessage
from storage.types import utcnow


def claim(engine: Engine, team_id: str, key: str, kind: str, period: str | None) -> PostedMessage | None:
    """Insert the claim; None when someone already holds it."""
    try:
        with session_scope(engine) as s:
            row = PostedMessage(team_id=team_id, key=key, kind=kind, period=period)
            s.add(row)
            s.flush()
            return row
    except IntegrityError:
        return None


def get(session: Session, team_id: str, key: str) -> PostedMessage | None:
    return session.exec(select(PostedMessage).where(PostedMessage.team_id == team_id, PostedMessage.key == key)).first()


def find(engine: Engine, team_id: str, key: str) -> PostedMessage | None:
    with read_scope(engine) as s:
        return get(s, team_id, key)


def mark(engine: Engine, post_id: int, status: str, **values: object) -> None:
    with session_scope(engine) as s:
        mark_in(s, post_id, status, **values)


def mark_in(session: Session, post_id: int, status: str, **values: object) -> None:
    """`mark` inside the caller's unit of work."""
    session.execute(
        update(PostedMessage).where(PostedMessage.id == post_id).values(status=status, updated_at=utcnow(), **values)
    )
