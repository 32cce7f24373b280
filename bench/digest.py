"""Digest speed: `python bench/digest.py [--leads N]` prints computation times and peak memory.

Builds a workspace of N leads (default 1,000,000) over two years, with proportionate deals, verdicts,
activities, spend and traffic, through the product's own storage layer (the bulk writer the import
uses). Then, in a fresh process, times the daily, weekly and monthly report computation and the PNG
rendering separately (median of several runs), and prints that process's peak memory.
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
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from common import peak_rss_mb  # noqa: E402

TEAM = "TBENCH"
CHANNELS = np.array(["google_ads", "facebook", "seo", "email", "referral", "events", "display"])
END = date(2026, 11, 30)


def build(db: str, leads: int, seed: int = 1) -> None:
    from bot.deps import Deps
    from bot.settings import Settings
    from bot.workspace.store import save_settings
    from storage.db import make_engine, migrate
    from storage.repos.imports import bulk

    rng = np.random.default_rng(seed)
    engine = make_engine(db)
    migrate(engine)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    save_settings(deps, TEAM, {"timezone": "Europe/Berlin", "name": "Bench"})
    start = pd.Timestamp(END - timedelta(days=730), tz="UTC")
    created = start + pd.to_timedelta(np.sort(rng.integers(0, 730 * 86400, leads)), unit="s")
    ext = pd.Series([f"L{i:08d}" for i in range(leads)])
    channel = CHANNELS[rng.integers(0, len(CHANNELS), leads)]
    owner = np.array([f"U0REP{i:02d}" for i in range(20)])[rng.integers(0, 20, leads)]
    verdict = rng.choice(
        ["target", "not_target", "spam", "cant_reach", "not_now"], leads, p=[0.45, 0.3, 0.1, 0.1, 0.05]
    )
    lead_df = pd.DataFrame(
        {
            "external_id": ext,
            "created_at": created.astype("datetime64[us, UTC]"),
            "channel": channel,
            "campaign": pd.Series(channel).str.cat(rng.integers(0, 4, leads).astype(str), sep="-"),
            "owner": owner,
            "verdict": verdict,
        }
    )
    met = (verdict == "target") & (rng.random(leads) < 0.5)
    req = rng.random(leads) < 0.6
    later = created + pd.to_timedelta(rng.integers(86400, 10 * 86400, leads), unit="s")
    activities = pd.concat(
        [
            pd.DataFrame(
                {
                    "external_id": "R" + ext[req],
                    "kind": "request",
                    "occurred_at": created[req],
                    "rep": owner[req],
                    "lead_external_id": ext[req],
                }
            ),
            pd.DataFrame(
                {
                    "external_id": "M" + ext[met],
                    "kind": "meeting",
                    "occurred_at": later[met],
                    "rep": owner[met],
                    "lead_external_id": ext[met],
                }
            ),
        ],
        ignore_index=True,
    )
    activities["occurred_at"] = activities["occurred_at"].astype("datetime64[us, UTC]")
    won = met & (rng.random(leads) < 0.4)
    lost = met & ~won & (rng.random(leads) < 0.5)
    dealt = won | lost
    closed = (later + pd.to_timedelta(rng.integers(86400, 20 * 86400, leads), unit="s")).astype("datetime64[us, UTC]")
    deals = pd.DataFrame(
        {
            "external_id": "D" + ext[dealt],
            "lead_external_id": ext[dealt],
            "customer": pd.Series([f"C{i}" for i in rng.integers(0, leads // 8, leads)])[dealt],
            "product": pd.Series(rng.choice(["A", "B", "C", "D", "E"], leads))[dealt],
            "amount": rng.uniform(500, 9000, leads)[dealt].round(2),
            "margin": rng.uniform(0.1, 0.7, leads)[dealt].round(3),
            "status": np.where(won, "won", "lost")[dealt],
            "closed_at": closed[dealt],
            "rep": owner[dealt],
        }
    )
    days = pd.date_range(END - timedelta(days=730), END, freq="D")
    grid = pd.MultiIndex.from_product([days, CHANNELS], names=["day", "channel"]).to_frame(index=False)
    key = grid["day"].dt.strftime("%Y-%m-%d") + "|" + grid["channel"]
    spend = grid.assign(external_id=key, amount=rng.uniform(50, 900, len(grid)).round(2))
    traffic = grid.assign(external_id=key, visitors=rng.integers(100, 3000, len(grid)))
    with deps.write() as s, bulk(s) as w:
        for kind, df in (
            ("leads", lead_df),
            ("activities", activities),
            ("deals", deals),
            ("spend", spend),
            ("traffic", traffic),
        ):
            w.expect(kind, len(df))
            w.upsert(kind, TEAM, df)
    engine.dispose()
    print(
        f"built {leads:,} leads, {len(activities):,} activities, {len(deals):,} deals, "
        f"{len(spend):,} spend and traffic rows"
    )


def child(db: str, runs: int) -> None:
    from bot.deps import Deps
    from bot.kpi.charts import render_funnel_png, render_trend_png
    from bot.kpi.periods import Period
    from bot.kpi.report import compute_report
    from bot.settings import Settings
    from storage.db import make_engine

    engine = make_engine(db)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    day = END - timedelta(days=3)
    figures: dict[str, float] = {}
    reports = {}
    for kind, pk in (("daily", "day"), ("weekly", "week"), ("monthly", "month")):
        period = Period.containing(pk, day).previous() if pk != "day" else Period.containing("day", day)
        compute_report(deps, TEAM, kind, period)  # warm the caches once
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            reports[kind] = compute_report(deps, TEAM, kind, period)
            times.append(time.perf_counter() - t0)
        figures[f"{kind} report"] = statistics.median(times)
    render_funnel_png(reports["daily"])  # load matplotlib's fonts once
    for name, fn in (("funnel PNG", render_funnel_png), ("trend PNG", render_trend_png)):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn(reports["monthly"])
            times.append(time.perf_counter() - t0)
        figures[name] = statistics.median(times)
    figures["peak_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, args.runs)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        build(db, args.leads)
        print(f"data built in {time.perf_counter() - t0:.1f} s")
        out = subprocess.run(
            [sys.executable, __file__, "--child", db, "--runs", str(args.runs)],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "LOG_LEVEL": "WARNING"},
        )
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        fig = json.loads(out.stdout.strip().splitlines()[-1])
        for name, value in fig.items():
            if name == "peak_mb":
                print(f"peak memory of the reporting process: {value:.0f} MB")
            else:
                print(f"{name}: {value * 1000:.0f} ms (median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
