"""Import speed: `python bench/import.py [--rows N] [--db URL]` prints seconds, rows/s, peak memory and
the ratio to a raw load of the same file.

Writes a CRM-like leads CSV of N rows (default 1,000,000), then imports it twice through
`handoff import`'s own code path: the first run adds every row, the second finds them unchanged.
Beside each import it times the reference, a raw load of the same file: pandas `read_csv` and
`DataFrame.to_sql` (in chunks of 200,000 rows) into a fresh table of the same database kind, with
the two indexes a lead table needs (team + external id unique, team + created_at), in one
transaction.

Each figure comes from a fresh child process, so that it does not include the CSV generation; peak
memory is that process's peak resident set size (VmHWM). With `--db` naming a PostgreSQL database,
the run works in a scratch database it creates on that server and drops at the end; without it, in
temporary SQLite files.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import peak_rss_mb  # noqa: E402

CHANNELS = ["google_ads", "facebook", "seo", "email", "referral", "events", "display"]
TEAM = "TBENCH"


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["lead_id", "created", "name", "company", "email", "source", "campaign", "utm_source", "product", "owner"]
        )
        for i in range(rows):
            ch = rng.choice(CHANNELS)
            w.writerow(
                [
                    f"L{i:08d}",
                    (start + timedelta(seconds=rng.randrange(0, 730 * 86400))).strftime("%Y-%m-%d %H:%M:%S"),
                    f"Contact {i}",
                    f"Company {rng.randrange(50000)}",
                    f"c{i}@example.com",
                    ch,
                    f"{ch}-{rng.randrange(5)}",
                    ch,
                    rng.choice(["CRM Starter", "CRM Pro", "Analytics"]),
                    f"U0REP{rng.randrange(20):02d}",
                ]
            )


REFERENCE_CHUNK = 200_000


def handoff_child(db: str, path: str) -> dict:
    """One import through `handoff import`'s code path."""
    from bot.deps import Deps
    from bot.imports.run import Mapping, run_import
    from bot.settings import Settings
    from bot.workspace.store import ensure
    from storage.db import make_engine, migrate

    engine = make_engine(db)
    migrate(engine)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    ensure(deps, TEAM)
    mapping = Mapping(columns={"external_id": "lead_id", "created_at": "created", "channel": "source"})
    t0 = time.perf_counter()
    result = run_import(deps, team_id=TEAM, kind="leads", path=path, mapping=mapping, tz="UTC", progress=False)
    return {"seconds": time.perf_counter() - t0, "summary": result.summary(), "rows": result.rows}


def reference_child(db: str, path: str) -> dict:
    """The raw load: read_csv, to_sql into a new table and its two indexes, one transaction."""
    import pandas as pd
    from sqlalchemy import create_engine

    engine = create_engine(db)
    schema = None if engine.dialect.name == "sqlite" else f"reference_{uuid.uuid4().hex[:8]}"
    try:
        with engine.begin() as conn:
            if schema:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        t0 = time.perf_counter()
        rows = 0
        table = f"{schema}.reference_lead" if schema else "reference_lead"
        with engine.begin() as conn:
            # In chunks, as Handoff reads: ten million rows at once would not fit this machine's memory.
            for df in pd.read_csv(path, chunksize=REFERENCE_CHUNK):
                df = df.rename(columns={"lead_id": "external_id", "created": "created_at"})
                df.insert(0, "team_id", TEAM)
                df.to_sql("reference_lead", conn, schema=schema, index=False, if_exists="append")
                rows += len(df)
            conn.exec_driver_sql(f"CREATE UNIQUE INDEX ix_reference_key ON {table} (team_id, external_id)")
            conn.exec_driver_sql(f"CREATE INDEX ix_reference_created ON {table} (team_id, created_at)")
        seconds = time.perf_counter() - t0
    finally:
        if schema:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()
    return {"seconds": seconds, "rows": rows}


def run_child(what: str, db: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, db, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@contextmanager
def scratch_database(url: str | None, tmp: Path) -> Iterator[tuple[str, str]]:
    """(Handoff's database URL, a URL factory for each reference load's fresh database)."""
    if url is None:
        yield f"sqlite:///{tmp / 'handoff.db'}", f"sqlite:///{tmp}/reference-{{n}}.db"
        return
    from sqlalchemy import create_engine, make_url

    name = f"handoff_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    scratch = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        yield scratch, scratch  # each reference load has a schema of its own in it
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--db", default=None, help="a PostgreSQL URL (default: temporary SQLite files)")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        what, db, path = args.child
        fig = (handoff_child if what == "handoff" else reference_child)(db, path)
        print(json.dumps({**fig, "peak_mb": peak_rss_mb()}))
        return 0
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        path = tmp / "leads.csv"
        t0 = time.perf_counter()
        write_csv(path, args.rows)
        print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        with scratch_database(args.db, tmp) as (db, reference_db):
            for n, label in enumerate(("first import (all new)", "second import (all unchanged)")):
                ref = run_child("reference", reference_db.format(n=n), path)
                fig = run_child("handoff", db, path)
                rate = fig["rows"] / fig["seconds"]
                print(f"{label}: {fig['seconds']:.1f} s, {rate:,.0f} rows/s, peak memory {fig['peak_mb']:.0f} MB")
                print(f"  {fig['summary']}")
                print(
                    f"  reference (read_csv + to_sql + 2 indexes): {ref['seconds']:.1f} s, "
                    f"peak memory {ref['peak_mb']:.0f} MB; Handoff/reference {fig['seconds'] / ref['seconds']:.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
