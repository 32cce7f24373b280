"""The bench's workspace: N leads over two years with proportionate deals, verdicts, activities, spend,
traffic, lead cards with their verdict history and a month's plan, written through the product's own
storage layer (the bulk writer the import uses)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEAM = "TBENCH"
CHANNELS = np.array(["google_ads", "facebook", "seo", "email", "referral", "events", "display"])
END = date(2026, 11, 30)
CARDED = 0.2  # of the last 30 days' leads


def build(db: str, leads: int, seed: int = 1) -> None:
    from bot.deps import Deps
    from bot.kpi.periods import Period
    from bot.plans.store import set_plan
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
    # The last 30 days' leads that came in live got a card; a few of those still wait for a verdict.
    carded = (created >= pd.Timestamp(END - timedelta(days=30), tz="UTC")) & (rng.random(leads) < CARDED)
    verdict = np.where(carded & (rng.random(leads) < 0.03), None, verdict)
    posted = (created + pd.Timedelta(seconds=20)).where(carded).astype("datetime64[us, UTC]")
    lead_df = pd.DataFrame(
        {
            "external_id": ext,
            "created_at": created.astype("datetime64[us, UTC]"),
            "channel": channel,
            "campaign": pd.Series(channel).str.cat(rng.integers(0, 4, leads).astype(str), sep="-"),
            "owner": owner,
            "verdict": verdict,
            "card_channel": np.where(carded, "CLEADS", None),
            "card_ts": pd.Series(np.where(carded, (created.astype("int64") // 10**3).astype(str), None)),
            "card_posted_at": posted,
        }
    )
    judged = carded & (lead_df["verdict"].notna().to_numpy())
    history = pd.DataFrame(
        {
            "external_id": ext[judged],
            "verdict": lead_df["verdict"][judged],
            "reason": None,
            "user_id": owner[judged],
            "created_at": (posted[judged] + pd.to_timedelta(rng.integers(60, 30 * 3600, int(judged.sum())), unit="s")),
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
        w.verdict_history(TEAM, history)
    month = Period.containing("month", END - timedelta(days=3))
    per_day = leads / 730
    set_plan(deps, TEAM, month.key(), {"leads": round(per_day * 30), "sales": round(per_day * 30 * 0.09)})
    engine.dispose()
    print(
        f"built {leads:,} leads, {len(activities):,} activities, {len(deals):,} deals, "
        f"{len(spend):,} spend and traffic rows, {int(carded.sum()):,} cards"
    )
