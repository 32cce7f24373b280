"""The sync's standing agenda items: pinned by admins to every agenda until unpinned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import StandingItem


def add_pin(session: Session, *, team_id: str, text: str, by: str | None, now: datetime) -> StandingItem:
    row = StandingItem(team_id=team_id, text=text, pinned_by=by, created_at=now)
    session.add(row)
    session.flush()
    return row


def pinned(session: Session, *, team_id: str) -> list[StandingItem]:
    """The items pinned now, in the order they were pinned."""
    return list(
        session.exec(
            select(StandingItem)
            .where(StandingItem.team_id == team_id, col(StandingItem.unpinned_at).is_(None))
            .order_by(col(StandingItem.id))
        ).all()
    )


def pin(session: Session, *, team_id: str, pin_id: int) -> StandingItem | None:
    """A standing item of this workspace, pinned now or once."""
    row = session.get(StandingItem, pin_id)
    return row if row is not None and row.team_id == team_id else None


def unpin(session: Session, *, team_id: str, pin_id: int, now: datetime) -> bool:
    """False when this workspace has no such item pinned now."""
    done = session.exec(
        update(StandingItem)
        .where(
            col(StandingItem.id) == pin_id,
            col(StandingItem.team_id) == team_id,
            col(StandingItem.unpinned_at).is_(None),
        )
        .values(unpinned_at=now)
    )
    return bool(done.rowcount == 1)
