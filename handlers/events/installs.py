"""Handoff uninstalled from a workspace, or its bot token revoked: its tokens go, its jobs stop."""

from __future__ import annotations

import logging

from bot.deps import Deps
from bot.workspace.store import uninstalled

log = logging.getLogger(__name__)


def handle_app_uninstalled(context: dict, deps: Deps) -> None:
    _gone(deps, context.get("team_id") or "")


def handle_tokens_revoked(event: dict, context: dict, deps: Deps) -> None:
    if (event.get("tokens") or {}).get("bot"):  # user tokens alone: Handoff keeps none
        _gone(deps, context.get("team_id") or "")


def _gone(deps: Deps, team_id: str) -> None:
    deleted = uninstalled(deps, team_id)
    rows = ", ".join(f"{table} {n}" for table, n in (deleted or {}).items())
    log.info("workspace %s uninstalled Handoff; %s", team_id, f"its data deleted: {rows}" if deleted else "data kept")
