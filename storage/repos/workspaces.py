"""Workspaces and their settings."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from storage.models import Deal, Lead, Spend, Traffic, Workspace
from storage.types import utcnow


def get(session: Session, *, team_id: str) -> Workspace | None:
    return session.get(Workspace, team_id)


def webhook_settings(session: Session, *, team_id: str) -> tuple[str | None, str | None]:
    """The workspace's webhook secret (None for an unknown workspace or one without a secret) and its
    leads channel."""
    row = session.execute(
        select(Workspace.webhook_secret, Workspace.leads_channel).where(Workspace.team_id == team_id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def get_or_create(session: Session, *, team_id: str, name: str | None = None) -> Workspace:
    ws = session.get(Workspace, team_id)
    if ws is None:
        ws = Workspace(team_id=team_id, name=name)
        session.add(ws)
        session.flush()
    return ws


def team_ids(session: Session) -> list[str]:
    return list(session.exec(select(Workspace.team_id).order_by(Workspace.team_id)))


def all_workspaces(session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(Workspace.team_id)))


def update(session: Session, *, team_id: str, values: dict[str, Any]) -> Workspace:
    ws = get_or_create(session, team_id=team_id)
    for key, value in values.items():
        setattr(ws, key, value)
    ws.updated_at = utcnow()
    session.add(ws)
    session.flush()
    return ws


def data_counts(session: Session, *, team_id: str) -> dict[str, int]:
    """How much of each kind of data the workspace holds (for App Home and the CLI)."""
    out = {}
    for label, model in (("leads", Lead), ("deals", Deal), ("spend_days", Spend), ("traffic_days", Traffic)):
        out[label] = session.exec(select(func.count()).select_from(model).where(model.team_id == team_id)).one()
    out["awaiting_verdict"] = session.exec(
        select(func.count()).where(Lead.team_id == team_id, col(Lead.card_ts).is_not(None), col(Lead.verdict).is_(None))
    ).one()
    return out
