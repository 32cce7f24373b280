"""Which workspace a command acts on, and reading and changing a workspace's settings."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.workspace.keys import KEYS, display
from storage.models import Workspace
from storage.repos import workspaces as repo

LOCAL_TEAM = "local"


class WorkspaceError(ValueError):
    pass


def resolve_team(deps: Deps, team: str | None) -> str:
    """The workspace named, or the only one, or a local default one before any Slack install."""
    with deps.write() as s:
        known = repo.team_ids(s)
        if team:
            if team not in known and team != LOCAL_TEAM:
                hint = f" (known: {', '.join(known)})" if known else ""
                raise WorkspaceError(f"unknown workspace '{team}'{hint}")
            repo.get_or_create(s, team_id=team)
            return team
        if len(known) > 1:
            raise WorkspaceError(f"several workspaces: choose one with --team ({', '.join(known)})")
        if known:
            return known[0]
        repo.get_or_create(s, team_id=LOCAL_TEAM)
        return LOCAL_TEAM


def adopt_local(deps: Deps, team_id: str, name: str | None = None) -> dict[str, int] | None:
    """Data imported before Slack was connected (workspace `local`) becomes the Slack workspace's, in one
    transaction, when `local` is the only other workspace and `team_id` holds nothing yet: table → rows
    moved, or None when nothing was to move (run again, it moves nothing)."""
    with deps.write() as s:
        known = set(repo.team_ids(s))
        if team_id == LOCAL_TEAM or LOCAL_TEAM not in known or known - {LOCAL_TEAM, team_id}:
            return None
        if repo.holds_rows(s, team_id=team_id):
            return None
        return repo.move_team(s, source=LOCAL_TEAM, target=team_id, name=name)


def ensure(deps: Deps, team_id: str, name: str | None = None) -> Workspace:
    with deps.write() as s:
        return repo.get_or_create(s, team_id=team_id, name=name)


def all_workspaces(deps: Deps) -> list[Workspace]:
    """The workspaces the bot works for: with OAuth, those that have Handoff installed (an uninstalled
    workspace's data stays, and its jobs stop)."""
    with deps.read() as s:
        found = repo.all_workspaces(s)
    if deps.installations is None:
        return found
    installed = deps.installations.teams()
    return [ws for ws in found if ws.team_id in installed]


def load(deps: Deps, team_id: str) -> Workspace:
    """The workspace's settings (a read; the row is created on first use)."""
    with deps.read() as s:
        ws = repo.get(s, team_id=team_id)
    return ws if ws is not None else ensure(deps, team_id)


def save_settings(deps: Deps, team_id: str, values: dict[str, Any]) -> Workspace:
    with deps.write() as s:
        return repo.update(s, team_id=team_id, values=values)


def settings_table(ws: Workspace) -> list[tuple[str, str]]:
    return [(key, display(getattr(ws, key), key)) for key in KEYS]


def uninstalled(deps: Deps, team_id: str) -> dict[str, int] | None:
    """Handoff was uninstalled from the workspace, or its bot token revoked: the installation's tokens
    are deleted (its jobs stop); with UNINSTALLED_DATA=delete its data too (rows deleted per table)."""
    if deps.installations is not None:
        deps.installations.forget(team_id)
    if deps.settings.uninstalled_data != "delete":
        return None
    with deps.write() as s:
        return repo.delete_everything(s, team_id=team_id)
