"""A lock held across processes, by name: a PostgreSQL advisory lock, or on SQLite (one machine) a lock
file beside the database. It guards work that must not run twice at once anywhere, such as using a
workspace's refresh token, which Slack accepts once."""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text

_IN_MEMORY = threading.Lock()  # an in-memory SQLite database lives in one process


def _key(name: str) -> int:
    """A signed 64-bit key for pg_advisory_lock, the same in every process."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Held by one process of all those on this database at a time, until the block ends."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _key(name)})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _IN_MEMORY:
            yield
        return
    path = Path(f"{database}.locks") / hashlib.blake2b(name.encode(), digest_size=12).hexdigest()
    path.parent.mkdir(exist_ok=True)
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def for_transaction(conn: Connection, name: str) -> None:
    """Held by the connection's transaction until it ends, against every other transaction asking for
    it: a PostgreSQL transaction-scoped advisory lock. SQLite runs one writing transaction at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _key(name)})
