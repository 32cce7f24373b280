"""Claims on posts: the unique (team_id, key) makes every post happen once across restarts, retried
jobs and several instances. The protocol that uses them is bot.slack.once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, func, update
from sqlmodel import Session, col, select

from storage.driver import insert_into
from storage.models import PostedMessage, table_of

CLAIMED, UNSURE, POSTED, DONE, FAILED = "claimed", "unsure", "posted", "done", "failed"
PART = "part"  # the kind of a claim on a part of a post's thread; the post itself drives it


def claim_many(
    session: Session, *, team_id: str, claims: Sequence[tuple[str, str, str | None, str | None]], now: datetime
) -> dict[str, int]:
    """Insert the claims (key, kind, period, channel) not held yet: key → claim id of those taken now.
    The channel is where the post goes (a user id for a DM): a cut-off post is looked up there."""
    if not claims:
        return {}
    table = table_of(PostedMessage)
    rows = [
        {"team_id": team_id, "key": key, "kind": kind, "period": period, "channel": channel, "status": CLAIMED}
        | {"created_at": now, "updated_at": now, "attempts": 1}
        for key, kind, period, channel in claims
    ]
    stmt = (
        insert_into(session.get_bind().dialect.name, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["team_id", "key"])
        .returning(table.c.key, table.c.id)
    )
    return {key: post_id for key, post_id in session.execute(stmt).all()}


def get(session: Session, *, team_id: str, key: str) -> PostedMessage | None:
    return session.exec(select(PostedMessage).where(PostedMessage.team_id == team_id, PostedMessage.key == key)).first()


def refused(
    session: Session, *, team_id: str, keys: Sequence[str], before: datetime, not_like: str
) -> list[PostedMessage]:
    """The claims among `keys` that failed before `before` with an error not starting with `not_like`,
    in key order."""
    return list(
        session.exec(
            select(PostedMessage)
            .where(
                PostedMessage.team_id == team_id,
                col(PostedMessage.key).in_(keys),
                PostedMessage.status == FAILED,
                col(PostedMessage.updated_at) < before,
                func.coalesce(PostedMessage.error, "").not_like(f"{not_like}%"),
            )
            .order_by(col(PostedMessage.id))
        )
    )


def retake(session: Session, *, held: PostedMessage, now: datetime) -> bool:
    """Take a claim over from the state it was read in (a cut-off or refused post to be tried again);
    False when someone else changed it meanwhile."""
    result = session.exec(
        update(PostedMessage)
        .where(
            col(PostedMessage.id) == held.id,
            col(PostedMessage.status) == held.status,
            col(PostedMessage.updated_at) == held.updated_at,
        )
        .values(status=CLAIMED, updated_at=now, attempts=PostedMessage.attempts + 1)
    )
    return bool(result.rowcount)


def touch(session: Session, *, claim_id: int, since: datetime, now: datetime) -> bool:
    """Renew a claim taken at `since` that is still being posted; False when someone took it over."""
    result = session.exec(
        update(PostedMessage)
        .where(
            col(PostedMessage.id) == claim_id,
            col(PostedMessage.status) == CLAIMED,
            col(PostedMessage.updated_at) == since,
        )
        .values(updated_at=now)
    )
    return bool(result.rowcount)


def record(
    session: Session, *, outcomes: Sequence[tuple[int, str, str | None, str | None, str | None]], now: datetime
) -> None:
    """Claims' outcomes (claim id, status, channel, ts, error) in one prepared statement; a channel or
    ts given as None keeps what the claim has."""
    if outcomes:
        session.connection().execute(
            _record(),
            [{"pid": i, "status": st, "ch": ch, "ts": ts, "err": err, "now": now} for i, st, ch, ts, err in outcomes],
        )


@cache
def _record() -> Update:
    t = table_of(PostedMessage)
    return (
        update(t)
        .where(t.c.id == bindparam("pid"))
        .values(
            status=bindparam("status"),
            channel=_keep(t.c.channel, "ch"),
            ts=_keep(t.c.ts, "ts"),
            error=bindparam("err"),
            updated_at=bindparam("now", type_=t.c.updated_at.type),
        )
    )


def _keep(column: Any, name: str) -> Any:
    return func.coalesce(bindparam(name, type_=column.type), column)


def unfinished(session: Session, *, before: datetime, since: datetime, limit: int = 200) -> list[PostedMessage]:
    """Posts (not thread parts) claimed since `since` and left unfinished since before `before`: claimed
    with no answer recorded, unsure whether Slack has them, or out with their thread not finished."""
    return _unfinished(
        session, col(PostedMessage.updated_at) < before, col(PostedMessage.created_at) >= since, limit=limit
    )


def expired(session: Session, *, before: datetime, limit: int = 200) -> list[PostedMessage]:
    """Posts (not thread parts) claimed before `before` and still unfinished: too old to be taken up."""
    return _unfinished(session, col(PostedMessage.created_at) < before, limit=limit)


def _unfinished(session: Session, *where: Any, limit: int) -> list[PostedMessage]:
    return list(
        session.exec(
            select(PostedMessage)
            .where(col(PostedMessage.status).in_((CLAIMED, UNSURE, POSTED)), PostedMessage.kind != PART, *where)
            .order_by(col(PostedMessage.id))
            .limit(limit)
        ).all()
    )


def in_flight(session: Session, *, team_id: str, kind: str, since: datetime) -> bool:
    """Whether a post of this kind was claimed since `since` and its place is not recorded yet."""
    return (
        session.exec(
            select(PostedMessage.id)
            .where(
                PostedMessage.team_id == team_id,
                PostedMessage.kind == kind,
                col(PostedMessage.status).in_((CLAIMED, UNSURE)),
                col(PostedMessage.created_at) >= since,
            )
            .limit(1)
        ).first()
        is not None
    )
