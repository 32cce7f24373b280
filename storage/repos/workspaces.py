"""Workspaces and their settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, SQLModel, col, func, select

from storage.models import Deal, Lead, Spend, Traffic, Workspace, table_of
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


# A workspace's own columns that are not settings: they stay with the workspace they describe.
_NOT_SETTINGS = ("team_id", "name", "created_at", "updated_at")


def _team_tables() -> list[Table]:
    """Every table holding a workspace's rows (a `team_id` column), the workspace table aside."""
    tables = SQLModel.metadata.sorted_tables
    return [t for t in tables if "team_id" in t.columns and t.name != Workspace.__tablename__]


def holds_rows(session: Session, *, team_id: str) -> bool:
    """Whether any table holds a row of the workspace (data, claims, handled events: anything)."""
    for t in _team_tables():
        if session.execute(select(t.c.team_id).where(t.c.team_id == team_id).limit(1)).first() is not None:
            return True
    return False


def move_team(session: Session, *, source: str, target: str, name: str | None = None) -> dict[str, int]:
    """Everything of workspace `source` becomes `target`'s, in the caller's transaction: every table's rows,
    and the settings `target` still holds at their defaults (none it was given is overwritten); `source`
    is removed. Table name → rows moved. For a `target` that holds no rows yet (no key can clash)."""
    src = session.get(Workspace, source)
    if src is None:
        return {}
    dst = get_or_create(session, team_id=target, name=name)
    if name and not dst.name:
        dst.name = name
    fresh = Workspace(team_id=target)
    for column in (c.name for c in table_of(Workspace).columns):
        if column not in _NOT_SETTINGS and getattr(dst, column) == getattr(fresh, column):
            setattr(dst, column, getattr(src, column))
    dst.updated_at = utcnow()
    session.add(dst)
    session.flush()  # the target's row exists before rows point at it
    moved = {}
    for t in _team_tables():
        result = session.execute(sql_update(t).where(t.c.team_id == source).values(team_id=target))
        moved[t.name] = result.rowcount  # type: ignore[attr-defined]
    session.delete(src)
    session.flush()
    return {k: v for k, v in moved.items() if v}


def delete_everything(session: Session, *, team_id: str) -> dict[str, int]:
    """Every row the workspace has, in every table (rows that point at others first); rows per table."""
    deleted = {}
    for table in reversed(SQLModel.metadata.sorted_tables):
        if "team_id" in table.c:
            n = session.exec(delete(table).where(table.c.team_id == team_id)).rowcount
            if n:
                deleted[table.name] = n
    return deleted
