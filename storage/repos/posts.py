"""Claims on posts: the unique (team_id, key) makes every post happen once across restarts,
retried jobs and several instances."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Connection, Engine, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import read_scope, session_scope
from storage.models import PostedMessage
from storage.repos.driver import insert_into
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


def claim_many(session: Session, team_id: str, keys: list[str], kind: str) -> dict[str, int]:
    """Insert the claims not held yet, in the caller's unit of work: key → claim id of those taken now."""
    if not keys:
        return {}
    table = PostedMessage.__table__
    now = utcnow()
    stmt = (
        insert_into(session.get_bind().dialect.name, table)
        .values(
            [
                {"team_id": team_id, "key": k, "kind": kind, "status": "claimed", "created_at": now, "updated_at": now}
                for k in keys
            ]
        )
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(table.c.key, table.c.id)
    )
    return {key: post_id for key, post_id in session.execute(stmt).all()}


def in_flight(session: Session, team_id: str, kind: str, since: datetime) -> bool:
    """Whether a post of this kind was claimed since `since` and is not recorded as done or failed."""
    return (
        session.exec(
            select(PostedMessage.id)
            .where(
                PostedMessage.team_id == team_id,
                PostedMessage.kind == kind,
                PostedMessage.status == "claimed",
                PostedMessage.created_at >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


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


def mark_outcomes(conn: Connection, done: list[tuple[int, str, str]], failed: list[tuple[int, str]]) -> None:
    """Several claims' outcomes in one prepared statement: done as (claim id, channel, ts), failed as
    (claim id, error)."""
    now = utcnow()
    rows = [{"pid": i, "status": "done", "ch": ch, "ts": ts, "err": None, "now": now} for i, ch, ts in done]
    rows += [{"pid": i, "status": "failed", "ch": None, "ts": None, "err": err, "now": now} for i, err in failed]
    if rows:
        conn.execute(_mark_outcome(), rows)


@cache
def _mark_outcome():
    t = PostedMessage.__table__
    return (
        update(t)
        .where(t.c.id == bindparam("pid"))
        .values(
            status=bindparam("status"),
            channel=bindparam("ch"),
            ts=bindparam("ts"),
            error=bindparam("err"),
            updated_at=bindparam("now", type_=t.c.updated_at.type),
        )
    )
