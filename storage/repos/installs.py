"""The workspaces that installed Handoff, from slack_sdk's bots table (bot.slack.install)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Table, select


def installed_teams(engine: Engine, bots: Table, client_id: str) -> set[str]:
    query = select(bots.c.team_id).where(bots.c.client_id == client_id, bots.c.team_id.is_not(None)).distinct()
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


def due_teams(engine: Engine, bots: Table, client_id: str, expiring_before: datetime) -> list[str]:
    """Workspaces with a rotating token that expires before `expiring_before` (naive UTC, as slack_sdk
    stores it)."""
    c = bots.c
    query = (
        select(c.team_id)
        .where(c.client_id == client_id, c.bot_refresh_token.is_not(None), c.bot_token_expires_at < expiring_before)
        .distinct()
    )
    with engine.connect() as conn:
        return sorted(row[0] for row in conn.execute(query) if row[0])
