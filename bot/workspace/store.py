"""Which workspace a command acts on, and changing a workspace's settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.workspace.keys import KEYS, display
from storage.db import read_scope, session_scope
from storage.models import Workspace
from storage.repos import workspaces as repo

LOCAL_TEAM = "local"


class WorkspaceError(ValueError):
    pass


def resolve_team(engine: Engine, team: str | None) -> str:
    """The workspace named, or the only one, or a local default one before any Slack install."""
    with session_scope(engine) as s:
        known = repo.team_ids(s)
        if team:
            if team not in known and team != LOCAL_TEAM:
                hint = f" (known: {', '.join(known)})" if known else ""
                raise WorkspaceError(f"unknown workspace '{team}'{hint}")
            repo.get_or_create(s, team)
            return team
        if len(known) > 1:
            raise WorkspaceError(f"several workspaces: choose one with --team ({', '.join(known)})")
        if known:
            return known[0]
        repo.get_or_create(s, LOCAL_TEAM)
        return LOCAL_TEAM


def ensure(engine: Engine, team_id: str, name: str | None = None) -> Workspace:
    with session_scope(engine) as s:
        return repo.get_or_create(s, team_id, name=name)


def all_workspaces(engine: Engine) -> list[Workspace]:
    with read_scope(engine) as s:
        return [ws for t in repo.team_ids(s) if (ws := repo.get(s, t)) is not None]


def load(engine: Engine, team_id: str) -> Workspace:
    """The workspace's settings (a read; the row is created on first use)."""
    with read_scope(engine) as s:
        ws = repo.get(s, team_id)
    return ws if ws is not None else ensure(engine, team_id)


def save_settings(engine: Engine, team_id: str, values: dict[str, Any]) -> Workspace:
    with session_scope(engine) as s:
        return repo.update(s, team_id, values)


def settings_table(ws: Workspace) -> list[tuple[str, str]]:
    return [(key, display(getattr(ws, key), key)) for key in KEYS]
