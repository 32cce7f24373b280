"""Engine creation and migrations."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT = 30  # seconds a writer waits for SQLite's write lock


def normalize_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, **kw: Any) -> Engine:
    """The engine for a database URL. An error's message (and so the log) names the statement, never
    its values: those are a lead's e-mail and phone."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT}, hide_parameters=True, **kw
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        _WriteGate().watch(engine)
        return engine
    # No JIT: the reports' statements run in milliseconds, and compiling one of them past the planner's
    # JIT threshold (a month of a large workspace) took longer than running it. Plans for the values at
    # hand: psycopg prepares a statement run five times on a connection, and PostgreSQL may then plan it
    # once for any values; a report's list of spans (storage.driver.listed) is one text for any number of
    # rows, and its plan must know how many there are and which days they hold.
    connect_args = dict(kw.pop("connect_args", {}))
    own = "-c jit=off -c plan_cache_mode=force_custom_plan"
    connect_args["options"] = " ".join([own, connect_args.get("options", "")]).strip()
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args, **kw)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # SQLAlchemy, not the driver, decides when a transaction begins (see _WriteGate).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class _WriteGate:
    """Takes SQLite's write lock when a transaction starts, one thread of this process at a time.

    Up front: a WAL reader that later writes fails at once with "database is locked" if another
    writer committed meanwhile; waiting first makes check-then-insert sequences (claims, handled
    events) safe between threads and processes. Read-only work (read_scope) begins deferred and never
    waits for writers.

    One thread at a time: the process's other writers wait on a Python lock, asleep, instead of each
    trying SQLite's lock every millisecond. Those tries took the interpreter lock from the thread
    holding the write lock, which then held it longer, so more writers queued: at 200 requests/s
    one web process tipped into answering in 100+ ms and stayed there. Writers in other processes
    still wait in `_begin_immediate`."""

    _KEY = "handoff_write_gate"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.end)
        event.listen(engine, "rollback", self.end)
        # Should a transaction end without either (a connection invalidated in it), the pool still
        # gives the gate back when the connection returns or is thrown away.
        event.listen(engine, "checkin", self._end_record)
        event.listen(engine, "invalidate", self._end_record)

    def begin(self, conn: Connection) -> None:
        if conn.get_execution_options().get("read_only"):
            conn.exec_driver_sql("BEGIN")
            return
        deadline = time.monotonic() + BUSY_TIMEOUT
        if not self._lock.acquire(timeout=BUSY_TIMEOUT):
            raise sqlite3.OperationalError("database is locked (this process's other writers held it)")
        try:
            driver = conn.connection.driver_connection
            assert driver is not None  # a connection beginning a transaction is open
            _begin_immediate(driver, deadline)
        except BaseException:
            self._lock.release()
            raise
        conn.info[self._KEY] = True

    def end(self, conn: Connection) -> None:
        self._release(conn.info)

    def _end_record(self, _dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry, *_exc: object) -> None:
        self._release(record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(self._KEY, False):
            self._lock.release()


# SQLite's own busy handler sleeps 1, 2, 5, 10 … up to 100 ms between tries however soon the lock is
# free; with many short writers (webhooks, clicks, the card worker) those sleeps were nearly all of a
# request's time. Waiting for the write lock here instead tries again after at most a millisecond.
_RETRY_FIRST, _RETRY_MAX = 0.0002, 0.001


def _begin_immediate(driver: sqlite3.Connection, deadline: float) -> None:
    delay = _RETRY_FIRST
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _RETRY_MAX)
    finally:  # statements inside the transaction keep the patient handler
        driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT * 1000}")


def alembic_config(engine: Engine) -> Config:
    # Imported here: Alembic is only needed to migrate, and costs a reporting process ~11 MB.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def ping(engine: Engine) -> None:
    """Raises when the database does not answer."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


# The read a computation's reads join (joined_read): its engine and session, in this thread.
_joined: ContextVar[tuple[Engine, Session] | None] = ContextVar("joined_read", default=None)


@contextmanager
def joined_read(engine: Engine) -> Iterator[Session]:
    """One read for a whole computation: every read_scope of this engine inside the block, in this
    thread, joins it instead of beginning its own. A report's twenty queries then see one state of the
    database (on PostgreSQL its transaction is REPEATABLE READ: each statement sees the data as of the
    first, as SQLite's read transaction does), on one connection taken from the pool once (on PostgreSQL
    each unit of work costs a check-out, a BEGIN and a ROLLBACK, half a millisecond). Not for work that
    writes and then reads what it wrote: it keeps seeing the state it began with."""
    joined = _joined.get()
    if joined is not None and joined[0] is engine:
        yield joined[1]
        return
    with _read(engine, snapshot=True) as session:
        token = _joined.set((engine, session))
        try:
            yield session
        finally:
            _joined.reset(token)


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work that only reads: on SQLite it does not take the write lock. Inside a joined_read
    of the same engine, that read's session."""
    joined = _joined.get()
    if joined is not None and joined[0] is engine:
        yield joined[1]
    else:
        with _read(engine) as session:
            yield session


@contextmanager
def _read(engine: Engine, *, snapshot: bool = False) -> Iterator[Session]:
    options: dict[str, Any] = {"read_only": True}
    if snapshot and engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with Session(engine.execution_options(**options), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.expunge_all()  # loaded objects stay usable after the session ends (nothing expires)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on an error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
