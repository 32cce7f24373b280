"""What is removed by age: the personal data of leads older than a workspace keeps it, Slack event ids
once Slack no longer retries them, and claims on posts long finished."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.models import HandledEvent, Lead, PostedMessage, Workspace
from storage.repos.leads import erase
from storage.repos.posts import CLAIMED, DONE, FAILED, POSTED, UNSURE


def erase_aged(
    session: Session, *, team_id: str, since: datetime | None, before: datetime, now: datetime, limit: int
) -> tuple[int, datetime]:
    """Erase the personal data of up to `limit` leads created in [since, before) and not erased yet,
    oldest first: (how many, the time before which every lead is now erased)."""
    q = select(col(Lead.id), col(Lead.created_at)).where(
        Lead.team_id == team_id, col(Lead.created_at) < before, col(Lead.forgotten_at).is_(None)
    )
    if since is not None:
        q = q.where(col(Lead.created_at) >= since)
    rows = session.execute(q.order_by(col(Lead.created_at), col(Lead.id)).limit(limit)).all()
    erase(session, ids=[i for i, _c in rows], now=now)
    return len(rows), rows[-1][1] if len(rows) == limit else before


def erased_until(session: Session, *, team_id: str) -> datetime | None:
    return session.execute(select(Workspace.erased_until).where(Workspace.team_id == team_id)).scalar()


def advance(session: Session, *, team_id: str, was: datetime | None, to: datetime) -> bool:
    """Move the erasure's mark from `was` to `to` unless a write of an older lead moved it meanwhile
    (a compare-and-set: that lead is taken up on the next run)."""
    mark = col(Workspace.erased_until)
    same = mark.is_(None) if was is None else mark == was
    done = session.execute(update(Workspace).where(col(Workspace.team_id) == team_id, same).values(erased_until=to))
    return bool(getattr(done, "rowcount", 0))


def purge_events(session: Session, *, before: datetime) -> int:
    done = session.execute(delete(HandledEvent).where(col(HandledEvent.created_at) < before))
    return int(getattr(done, "rowcount", 0))


def purge_claims(session: Session, *, before: datetime) -> int:
    """Claims on posts (and thread parts) last touched before `before`, whatever became of them."""
    statuses = (CLAIMED, UNSURE, POSTED, DONE, FAILED)  # all of them: the (status, updated_at) index serves
    done = session.execute(
        delete(PostedMessage).where(col(PostedMessage.status).in_(statuses), col(PostedMessage.updated_at) < before)
    )
    return int(getattr(done, "rowcount", 0))
