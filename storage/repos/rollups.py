"""Recounting the kept-up aggregates (storage.rollups) from the stored rows."""

from __future__ import annotations

from sqlmodel import Session

from storage.rollups import customers, leadday


def recount(session: Session, *, team_id: str) -> int:
    """Leads per day and the first won deals of a workspace, recounted; how many roll-up rows it has."""
    conn = session.connection()
    days = leadday.rebuild_all(conn, team_id)
    customers.refresh(conn, team_id)
    return days
