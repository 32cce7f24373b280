"""Plans: a month's planned KPIs, for the workspace ("") or per acquisition channel."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from storage.models import Plan
from storage.types import utcnow


def _rows(session: Session, team_id: str, month: str, channel: str) -> dict[str, Plan]:
    query = select(Plan).where(Plan.team_id == team_id, Plan.month == month, Plan.channel == channel)
    return {r.kpi: r for r in session.exec(query).all()}


def month_plan(session: Session, *, team_id: str, month: str, channel: str = "") -> dict[str, float]:
    """{kpi: value} of one month (`2026-12`) for the workspace, or for one channel."""
    return {kpi: r.value for kpi, r in _rows(session, team_id, month, channel).items()}


def channel_plans(session: Session, *, team_id: str, month: str) -> dict[str, dict[str, float]]:
    """{channel: {kpi: value}} of the channels that have a plan of their own in a month."""
    rows = session.exec(
        select(Plan).where(Plan.team_id == team_id, Plan.month == month, Plan.channel != "").order_by(col(Plan.channel))
    ).all()
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        out.setdefault(r.channel, {})[r.kpi] = r.value
    return out


def set_values(
    session: Session,
    *,
    team_id: str,
    month: str,
    values: Mapping[str, float | None],
    channel: str = "",
    set_by: str | None = None,
) -> None:
    """Sets each KPI's planned value; None removes that KPI from the plan."""
    existing = _rows(session, team_id, month, channel)
    now = utcnow()
    for kpi, value in values.items():
        row = existing.get(kpi)
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = Plan(team_id=team_id, month=month, channel=channel, kpi=kpi, value=value)
        row.value, row.set_by, row.updated_at = value, set_by, now
        session.add(row)
    session.flush()
