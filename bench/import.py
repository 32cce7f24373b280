"""Import speed: `python bench/import.py [--rows N] [--db URL]` prints rows/s and peak memory.

Writes a CRM-like leads CSV of N rows (default 1,000,000), then imports it twice through
`handoff import`'s own code path: the first run adds every row, the second finds them unchanged.
Peak memory is the process's peak resident set size (VmHWM), measured in a fresh child
process per run so that the figures do not include the CSV generation.
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
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import peak_rss_mb  # noqa: E402

CHANNELS = ["google_ads", "facebook", "seo", "email", "referral", "events", "display"]


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


def child(db: str, path: str) -> None:
    """One import in this process; prints a JSON line with the figures."""
    from bot.deps import Deps
    from bot.imports.run import Mapping, run_import
    from bot.settings import Settings
    from bot.workspace.store import ensure
    from storage.db import make_engine, migrate

    engine = make_engine(db)
    migrate(engine)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    ensure(deps, "TBENCH")
    mapping = Mapping(columns={"external_id": "lead_id", "created_at": "created", "channel": "source"})
    t0 = time.perf_counter()
    result = run_import(deps, team_id="TBENCH", kind="leads", path=path, mapping=mapping, tz="UTC", progress=False)
    elapsed = time.perf_counter() - t0
    peak_mb = peak_rss_mb()
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "summary": result.summary(), "rows": result.rows}))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    p.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leads.csv"
        t0 = time.perf_counter()
        write_csv(path, args.rows)
        print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        db = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        for label in ("first import (all new)", "second import (all unchanged)"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", db, str(path)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "LOG_LEVEL": "WARNING"},
            )
            fig = json.loads(out.stdout.strip().splitlines()[-1])
            rate = fig["rows"] / fig["seconds"]
            print(f"{label}: {fig['seconds']:.1f} s, {rate:,.0f} rows/s, peak memory {fig['peak_mb']:.0f} MB")
            print(f"  {fig['summary']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
