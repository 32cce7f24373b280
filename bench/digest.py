"""Report speed: `python bench/digest.py [--leads N …] [--db sqlite|URL …]` prints, per database and size,
each report's computation time beside its reference, the ratio, and the reporting memory.

Builds a workspace of N leads (default 1,000,000) over two years, with proportionate deals, verdicts,
activities, spend, traffic, lead cards with their verdict history and a month's plan, through the
product's own storage layer (the bulk writer the import uses); `--keep DIR` keeps the built data for
the next run (a SQLite file in DIR, a PostgreSQL database per size). Then, in a fresh process, times
the daily, weekly and monthly report and, on the same connection, the reference: the same numbers
asked of the base tables with hand-written SQL (bench/reference.py), alternating, median of several
runs. Memory is the process's peak resident memory above what it held once its imports were done.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import peak_rss_mb, reset_peak, rss_mb  # noqa: E402
from data import END, TEAM, build  # noqa: E402

KINDS = (("daily", "day"), ("weekly", "week"), ("monthly", "month"))


def _period(pk: str):  # the product is imported in the child only
    from bot.kpi.periods import Period

    day = END - timedelta(days=3)
    return Period.containing(pk, day).previous() if pk != "day" else Period.containing("day", day)


def child(db: str, runs: int) -> None:
    """Times each report and its reference, alternating on one connection; prints a JSON line."""
    from reference import report as reference

    from bot.deps import Deps
    from bot.kpi.charts import render_funnel_png, render_trend_png
    from bot.kpi.report import compute_report
    from bot.settings import Settings
    from storage.db import make_engine

    base = rss_mb()  # pandas, matplotlib, SQLAlchemy and the product are loaded
    reset_peak()
    engine = make_engine(db)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    out: dict[str, object] = {"imports_mb": base}
    reports = {}
    with engine.connect() as conn:
        for kind, pk in KINDS:
            period = _period(pk)
            compute_report(deps, TEAM, kind, period)  # warm the caches once
            reference(conn, TEAM, "Europe/Berlin", kind, period)
            mine, theirs = [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                reports[kind] = compute_report(deps, TEAM, kind, period)
                mine.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                reference(conn, TEAM, "Europe/Berlin", kind, period)
                theirs.append(time.perf_counter() - t0)
            out[kind] = [statistics.median(mine), statistics.median(theirs)]
    out["above_imports_mb"] = peak_rss_mb() - base
    render_funnel_png(reports["daily"])  # load matplotlib's fonts once
    for name, fn in (("funnel PNG", render_funnel_png), ("trend PNG", render_trend_png)):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn(reports["monthly"])
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times)
    out["peak_mb"] = peak_rss_mb() - base
    print(json.dumps(out))


def _built(db: str, leads: int) -> bool:
    """Whether the database already holds the bench's workspace of this size (`--keep`)."""
    from sqlalchemy import text

    from storage.db import make_engine, migrate

    engine = make_engine(db)
    try:
        migrate(engine)
        with engine.connect() as conn:
            n = conn.execute(text("SELECT sum(leads) FROM leadday WHERE team_id = :t"), {"t": TEAM}).scalar()
    finally:
        engine.dispose()
    return n == leads


def _postgres_database(url: str, name: str, *, drop: bool = False) -> str:
    """The URL of database `name` on the server of `url`, created if missing (dropped with `drop`)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if drop:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        elif not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _settle(db: str) -> None:
    """What autovacuum does to a PostgreSQL database some minutes after a large load: VACUUM marks the
    pages all-visible (index-only scans) and ANALYZE counts the rows. SQLite needs neither."""
    from sqlalchemy import create_engine

    if db.startswith("sqlite"):
        return
    engine = create_engine(db, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")
    engine.dispose()


def measure(db: str, leads: int, runs: int) -> dict | None:
    if not _built(db, leads):
        t0 = time.perf_counter()
        build(db, leads)
        _settle(db)
        print(f"  data built in {time.perf_counter() - t0:.0f} s", flush=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", db, "--runs", str(runs)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: list[tuple[str, int, dict]], runs: int) -> None:
    print(f"\nreport computation, median of {runs} (reference: the same numbers, hand-written SQL, bench/reference.py)")
    print(f"{'database':<11}{'leads':>11}  {'report':<8}{'Handoff':>10}{'reference':>11}{'ratio':>7}")
    for name, leads, fig in results:
        for kind, _pk in KINDS:
            mine, theirs = fig[kind]
            print(
                f"{name:<11}{leads:>11,}  {kind:<8}{mine * 1000:>8.0f} ms{theirs * 1000:>8.0f} ms{mine / theirs:>7.2f}"
            )
    figures = {(name, leads): fig for name, leads, fig in results}
    both = [leads for name, leads, _fig in results if name == "postgresql" and ("sqlite", leads) in figures]
    if both:
        print("\nPostgreSQL's time ÷ SQLite's, the same data (measured one after the other)")
        for leads in both:
            pg, lite = figures[("postgresql", leads)], figures[("sqlite", leads)]
            print(f"{leads:>22,}  " + "  ".join(f"{kind} {pg[kind][0] / lite[kind][0]:.2f}" for kind, _pk in KINDS))
    print("\nmemory of the reporting process above its imports (pandas, matplotlib, SQLAlchemy, the product)")
    for name, leads, fig in results:
        print(
            f"{name:<11}{leads:>11,}  reports {fig['above_imports_mb']:.0f} MB, with the PNGs {fig['peak_mb']:.0f} MB"
            f" (imports {fig['imports_mb']:.0f} MB); funnel PNG {fig['funnel PNG'] * 1000:.0f} ms,"
            f" trend PNG {fig['trend PNG'] * 1000:.0f} ms"
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--db", nargs="+", default=["sqlite"], help="sqlite (a file) or a PostgreSQL URL (a database per size)"
    )
    p.add_argument("--keep", type=Path, help="keep the built data in this directory (SQLite) or database (PostgreSQL)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.runs)
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        for target in args.db:
            for leads in args.leads:
                name = "sqlite" if target == "sqlite" else "postgresql"
                print(f"{name}, {leads:,} leads", flush=True)
                if target == "sqlite":
                    db = f"sqlite:///{where / f'bench-{leads}.db'}"
                else:
                    db = _postgres_database(target, f"handoff_bench_{leads}")
                fig = measure(db, leads, args.runs)
                if target != "sqlite" and not args.keep:
                    _postgres_database(target, f"handoff_bench_{leads}", drop=True)
                if fig is None:
                    return 1
                results.append((name, leads, fig))
    table(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
