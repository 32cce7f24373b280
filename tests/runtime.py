"""The bot's runtime (Deps) around a test's database."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, insert, inspect

from bot.deps import Deps
from bot.settings import Settings
from storage.db import session_scope
from storage.models import Workspace, table_of
from storage.repos import posts
from storage.types import utcnow


def deps_for(engine: Engine, **kw: object) -> Deps:
    """Deps on this engine, with no Slack settings (offline work: reports, imports, settings)."""
    return Deps(settings=Settings(database_url="sqlite://", _env_file=None), engine=engine, **kw)  # type: ignore[arg-type]


def claim(engine: Engine, team_id: str, key: str, kind: str, channel: str | None = None) -> int | None:
    """Take a post's claim as another process posting it would; its id, or None when it is held."""
    with session_scope(engine) as s:
        return posts.claim_many(s, team_id=team_id, claims=[(key, kind, None, channel)], now=utcnow()).get(key)


def add_workspace_to_an_older_schema(engine: Engine, team_id: str) -> None:
    """A workspace row in a database migrated to an earlier revision: the columns it has, with the
    model's defaults (the ORM would write the columns of the newest revision)."""
    ws = Workspace(team_id=team_id)
    have = {c["name"] for c in inspect(engine).get_columns("workspace")}
    # The model's table would add the defaults of its newer columns to the insert: a copy with these only.
    older = Table("workspace", MetaData(), *(c._copy() for c in table_of(Workspace).c if c.name in have))
    with engine.begin() as conn:
        conn.execute(insert(older).values({c: getattr(ws, c) for c in have}))
