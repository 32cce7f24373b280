"""Where a report's time goes: `python bench/profile.py --db URL --report monthly [--runs N] [--code DIR]`
prints the report's computation time (median of N, back to back, no reference in between) and, for the
last run, each statement's time grouped by the product function that asked it.

The data is bench/digest.py's, kept with `--keep` (a SQLite file or a PostgreSQL database). `--code`
runs another checkout of Handoff on the same data: a before-and-after measured in the same minutes,
which on a shared machine says more than figures taken an hour apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import traceback
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from data import END, TEAM


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="the bench data: sqlite:///FILE or a PostgreSQL URL")
    p.add_argument("--report", choices=("daily", "weekly", "monthly"), default="monthly")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1], help="a Handoff checkout")
    args = p.parse_args()
    code = str(args.code.resolve())
    sys.path.insert(0, code)
    from sqlalchemy import event

    from bot.deps import Deps
    from bot.kpi.periods import Period
    from bot.kpi.report import compute_report
    from bot.settings import Settings
    from storage.db import make_engine

    pk = {"daily": "day", "weekly": "week", "monthly": "month"}[args.report]
    day = END - timedelta(days=3)
    period = Period.containing(pk, day) if pk == "day" else Period.containing(pk, day).previous()
    engine = make_engine(args.db)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    spent: dict[str, list[float]] = defaultdict(list)
    started: list[tuple[float, str]] = []

    def asker() -> str:
        for frame in reversed(traceback.extract_stack()[:-3]):
            if frame.filename.startswith(code) and not any(d in frame.filename for d in ("/bench/", "/.venv/")):
                return f"{Path(frame.filename).relative_to(code)}:{frame.name}"
        return "?"

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: object) -> None:
        started.append((time.perf_counter(), asker()))

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: object) -> None:
        t0, where = started.pop()
        spent[where].append(time.perf_counter() - t0)

    compute_report(deps, TEAM, args.report, period)  # warm the caches once
    times = []
    for _ in range(args.runs):
        spent.clear()
        t0 = time.perf_counter()
        compute_report(deps, TEAM, args.report, period)
        times.append(time.perf_counter() - t0)
    in_sql = sum(sum(v) for v in spent.values())
    print(
        f"{args.report} report: {statistics.median(times) * 1000:.0f} ms (median of {args.runs}); last run "
        f"{sum(len(v) for v in spent.values())} statements, {in_sql * 1000:.0f} ms in them"
    )
    for where, t in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:15]:
        print(f"{sum(t) * 1000:9.1f} ms {len(t):4d}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
