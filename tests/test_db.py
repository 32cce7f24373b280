"""SQLite writers wait their turn for the write lock: a writer finding it taken goes on as soon as it
is free, gives up with "database is locked" after the busy timeout, and keeps SQLite's own patient
handler for the statements inside its transaction."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import db, driver
from storage.db import make_engine, session_scope
from storage.repos import workspaces


def _hold_write_lock(path: Path, seconds: float, started: threading.Event, release: threading.Event) -> None:
    """Hold SQLite's write lock for `seconds`, or until `release` is set if that comes first."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    started.set()
    release.wait(seconds)
    con.execute("COMMIT")
    con.close()


def test_a_writer_goes_on_once_the_lock_is_free_and_gives_up_after_the_timeout(tmp_path: Path, monkeypatch):
    """A writer waits out a 0.3 s lock and succeeds; past a shortened timeout it fails with "database is locked"."""
    path = tmp_path / "w.db"
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(engine) as s:
        s.execute(text("CREATE TABLE note (body TEXT)"))
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 0.3, started, release))
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
    # Held for 1.5 s at most, so a writer still waiting by then gets the lock and the test fails, but
    # given back as soon as the writer has given up.
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.5, started, release))
    holder.start()
    started.wait()
    try:
        with pytest.raises(Exception, match="locked"), session_scope(engine) as s:
            s.execute(text("SELECT 1"))
    finally:
        release.set()
    holder.join()
    with session_scope(engine) as s:  # the lock free again, the next writer goes straight through
        assert s.execute(text("SELECT count(*) FROM note")).scalar() == 1
    engine.dispose()


def test_writers_of_one_process_take_turns_for_sqlites_lock(tmp_path: Path, monkeypatch):
    """Eight threads writing at once: every write lands, one at a time tries SQLite's lock, failures pass the turn."""
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with session_scope(engine) as s:
        s.execute(text("CREATE TABLE note (body TEXT)"))
    trying, most = [0], [0]
    guard = threading.Lock()
    real = db._begin_immediate

    def counted(driver, deadline):
        with guard:
            trying[0] += 1
            most[0] = max(most[0], trying[0])
        try:
            real(driver, deadline)
        finally:
            with guard:
                trying[0] -= 1

    monkeypatch.setattr(db, "_begin_immediate", counted)
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        barrier.wait()
        for i in range(25):
            with session_scope(engine) as s:
                s.execute(text("INSERT INTO note (body) VALUES (:b)"), {"b": f"{n}-{i}"})
                time.sleep(0.0005)  # long enough for the others to arrive meanwhile

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    with pytest.raises(ZeroDivisionError), session_scope(engine) as s:
        s.execute(text("INSERT INTO note (body) VALUES ('rolled back')"))
        1 / 0  # noqa: B018
    with engine.connect() as conn:  # begun, written, closed without a commit: rolled back
        conn.execute(text("INSERT INTO note (body) VALUES ('never committed')"))
    done = threading.Event()

    def next_writer() -> None:
        with session_scope(engine) as s:
            s.execute(text("INSERT INTO note (body) VALUES ('next')"))
        done.set()

    threading.Thread(target=next_writer).start()
    assert done.wait(5)
    with session_scope(engine) as s:
        assert s.execute(text("SELECT count(*) FROM note")).scalar() == 8 * 25 + 1
    engine.dispose()


def test_postgresql_plans_each_statement_for_its_values(engine):
    """A PostgreSQL connection compiles no JIT, and plans every statement for the values at hand, though
    psycopg prepares it after five runs: a report's list of spans (storage.driver.listed) is one text
    for any number of rows."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"


def test_reads_inside_a_joined_read_share_its_session(engine):
    """A report's reads join its one read: the same session (one connection, one state of the data); a
    read of another database, a read in another thread, or one after the block, begins its own."""
    other = make_engine("sqlite://")
    seen: list[object] = []
    with db.joined_read(engine) as joined:
        with db.read_scope(engine) as inner, db.joined_read(engine) as again, db.read_scope(other) as elsewhere:
            assert inner is joined and again is joined and elsewhere is not joined
            assert inner.execute(text("SELECT 1")).scalar() == 1
        assert joined.execute(text("SELECT 2")).scalar() == 2  # an inner read's end does not end it

        def read_in_a_thread() -> None:
            with db.read_scope(engine) as own:
                seen.append(own)

        worker = threading.Thread(target=read_in_a_thread)
        worker.start()
        worker.join()
        assert seen[0] is not joined
    with db.read_scope(engine) as after:
        assert after is not joined
    other.dispose()


def test_a_joined_read_sees_one_state_of_the_data(engine):
    """A row committed meanwhile by another unit of work is not seen by the joined read that began before
    it, on either database (PostgreSQL's is REPEATABLE READ), and is seen by the next read."""
    count = text("SELECT count(*) FROM workspace")
    with db.joined_read(engine) as joined:
        before = joined.execute(count).scalar()
        with session_scope(engine) as w:
            workspaces.get_or_create(w, team_id="TNEW")
        with db.read_scope(engine) as inner:
            assert inner.execute(count).scalar() == before
    with db.read_scope(engine) as after:
        assert after.execute(count).scalar() == before + 1


def test_a_list_of_spans_holds_only_numbers_days_and_zoned_instants():
    """On PostgreSQL a list of spans is written as the text of an array, which holds what it is given
    as is: text, or an instant without its zone, is refused rather than written."""
    start = datetime(2026, 3, 29, 1, 0, 0, 5, tzinfo=UTC)
    assert driver.listed_params(True, [(0, date(2026, 3, 29), start), (1, date(2026, 3, 30), start)]) == [
        "{0,1}",
        "{2026-03-29,2026-03-30}",
        "{2026-03-29T01:00:00.000005+00:00,2026-03-29T01:00:00.000005+00:00}",
    ]
    assert driver.listed_params(False, [(0, "a"), (1, "b")]) == [0, "a", 1, "b"]
    for bad in ("x,y}", start.replace(tzinfo=None), True, 1.5):
        with pytest.raises(TypeError):
            driver.listed_params(True, [(0, bad)])
