"""SQLite writers wait their turn for the write lock: a writer finding it taken goes on as soon as it
is free, gives up with "database is locked" after the busy timeout, and keeps SQLite's own patient
handler for the statements inside its transaction."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import db
from storage.db import make_engine, session_scope


def _hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    started.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def test_a_writer_goes_on_once_the_lock_is_free_and_gives_up_after_the_timeout(tmp_path: Path, monkeypatch):
    """Held for 0.3 s: the writer waits and succeeds, with SQLite's handler back inside; held past a
    shortened timeout: "database is locked"."""
    path = tmp_path / "w.db"
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(engine) as s:
        s.execute(text("CREATE TABLE note (body TEXT)"))
    started = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 0.3, started))
    holder.start()
    started.wait()
    t0 = time.monotonic()
    with session_scope(engine) as s:  # the transaction, and the wait, begin with the first statement
        inside = s.execute(text("PRAGMA busy_timeout")).scalar()
        waited = time.monotonic() - t0
        s.execute(text("INSERT INTO note (body) VALUES ('written after the wait')"))
    holder.join()
    assert waited >= 0.25 and inside == db.BUSY_TIMEOUT * 1000

    monkeypatch.setattr(db, "BUSY_TIMEOUT", 0.3)
    started.clear()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.5, started))
    holder.start()
    started.wait()
    with pytest.raises(Exception, match="locked"), session_scope(engine) as s:
        s.execute(text("SELECT 1"))
    holder.join()
    with session_scope(engine) as s:  # the lock free again, the next writer goes straight through
        assert s.execute(text("SELECT count(*) FROM note")).scalar() == 1
    engine.dispose()
