"""Shared fixtures: databases (SQLite and PostgreSQL), the Slack double and the running HTTP app.

The migrations run once per test session (per worker process), not per test: each test gets a copy of
a migrated database, a file on SQLite, a database made from a migrated template on PostgreSQL.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from bot.deps import Deps
from bot.settings import Settings
from storage.db import make_engine, migrate
from tests.background import Background
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


def _require_postgres(postgres_reason: str | None) -> None:
    if postgres_reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable in CI: {postgres_reason}")
        pytest.skip(f"PostgreSQL unreachable: {postgres_reason}")


def _postgres_engine(schema: str) -> Engine:
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


def _engine_for(kind: str, tmp_path: Path, postgres_reason: str | None) -> Iterator[Engine]:
    """A new, empty database of its own (nothing migrated), for tests of the migrations themselves."""
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
        yield engine
        engine.dispose()
        return
    _require_postgres(postgres_reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = _postgres_engine(schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once for the session; each test works on a copy of it."""
    path = tmp_path_factory.mktemp("template") / "handoff.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the template's log still holds pages"
    return path


def _sqlite_copy(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "handoff.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


class PostgresTemplate:
    """A database migrated once for the session, copied for each test (CREATE DATABASE … TEMPLATE) and
    the copy dropped after it. A copy is as new as a freshly migrated database, down to the planner's
    statistics (the bulk import runs ANALYZE, and emptying tables would keep what it learnt), for
    about what emptying every table of one shared schema costs."""

    def __init__(self) -> None:
        self._url = make_url(POSTGRES_URL)
        self.name = f"handoff_test_{uuid.uuid4().hex[:12]}"
        self._copies = itertools.count(1)
        self._admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine = make_engine(self.url(self.name))
        try:
            migrate(engine)
        finally:
            engine.dispose()  # nobody may be connected to a database being copied

    def url(self, database: str) -> str:
        return self._url.set(database=database).render_as_string(hide_password=False)

    def copy(self) -> str:
        name = f"{self.name}_{next(self._copies)}"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
        return name

    def drop(self, database: str) -> None:
        # FORCE: should work of the test still hold a connection, it ends here, not in the next test.
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

    def close(self) -> None:
        self.drop(self.name)
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_reason: str | None) -> Iterator[PostgresTemplate]:
    _require_postgres(postgres_reason)
    template = PostgresTemplate()
    yield template
    template.close()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path: Path, postgres_reason: str | None) -> Iterator[Engine]:
    """A migrated database of the test's own, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    _require_postgres(postgres_reason)
    yield from postgres_copy(request.getfixturevalue("postgres_template"))


def postgres_copy(template: PostgresTemplate) -> Iterator[Engine]:
    """An engine on a fresh copy of the migrated PostgreSQL template, dropped afterwards."""
    database = template.copy()
    engine = make_engine(template.url(database))
    try:
        yield engine
    finally:
        engine.dispose()
        template.drop(database)


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    yield from _sqlite_copy(sqlite_template, tmp_path)


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
    background: Background


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
    background = Background().watch(deps, app.listener_runner.listener_executor)
    server = HttpServer(build_wsgi(app, deps), "127.0.0.1", 0, loop_timeout=0.05).start()
    yield RunningApp(f"http://127.0.0.1:{server.port}", deps, slack, background)
    server.stop()
    background.close()
