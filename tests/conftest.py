"""Shared fixtures: databases (SQLite and PostgreSQL), the Slack double and the running HTTP app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.deps import Deps
from bot.settings import Settings
from storage.db import make_engine, migrate
from tests.slack_double import SHARED, SlackDouble

POSTGRES_URL = os.environ.get("HANDOFF_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0TEST"


def _postgres_available() -> str | None:
    try:
        eng = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return _postgres_available()


def _engine_for(kind: str, tmp_path: Path, postgres_reason: str | None) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
        yield engine
        engine.dispose()
        return
    if postgres_reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable in CI: {postgres_reason}")
        pytest.skip(f"PostgreSQL unreachable: {postgres_reason}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path: Path, postgres_reason: str | None) -> Iterator[Engine]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    for eng in _engine_for(request.param, tmp_path, postgres_reason):
        migrate(eng)
        yield eng


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def shared() -> Path:
    return SHARED


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    double = SlackDouble(tokens=(BOT_TOKEN,), team_id=TEAM).start()
    yield double
    double.stop()


@dataclass
class RunningApp:
    url: str
    deps: Deps
    slack: SlackDouble


@pytest.fixture
def running_app(engine: Engine, slack: SlackDouble) -> Iterator[RunningApp]:
    """The real HTTP app (waitress, Bolt, handlers) on a free port, talking to the Slack double."""
    from bot.app import create_app
    from bot.server import HttpServer, build_wsgi

    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url="sqlite://",
        _env_file=None,
    )
    deps = Deps(settings=settings, engine=engine)
    app = create_app(settings, deps)
    server = HttpServer(build_wsgi(app, deps), "127.0.0.1", 0, loop_timeout=0.05).start()
    yield RunningApp(f"http://127.0.0.1:{server.port}", deps, slack)
    server.stop()
