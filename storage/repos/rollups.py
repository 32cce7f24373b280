"""Recounting the kept-up aggregates (storage.rollups) from the stored rows."""

from __future__ import annotations

from sqlalchemy import CompoundSelect, union
from sqlmodel import Session, col, select

from storage.models import LeadDay, Spend
from storage.rollups import attribution, customers, leadday, margins, perday, reach, verdicts


def channels(session: Session, *, team_id: str) -> list[str]:
    """The acquisition channels a workspace has leads or spend in, by name."""
    names: CompoundSelect = union(
        select(col(LeadDay.channel)).where(LeadDay.team_id == team_id, LeadDay.channel != ""),
        select(col(Spend.channel)).where(Spend.team_id == team_id, col(Spend.channel).is_not(None)),
    )
    return sorted(str(name) for (name,) in session.execute(names))


def recount(session: Session, *, team_id: str) -> int:
    """Leads and deals per day, the won deals' places and channels, the leads' first meetings, sales and
    verdicts and the margins of a workspace, recounted; how many leads-per-day rows it has."""
    conn = session.connection()
    days = leadday.rebuild_all(conn, team_id)
    customers.refresh(conn, team_id)
    attribution.of_deals(conn, team_id)
    perday.recount(conn, "deal", team_id)
    perday.recount(conn, "activity", team_id)
    reach.refresh(conn, team_id)
    verdicts.refresh(conn, team_id)
    margins.refresh(conn, team_id)
    return days
