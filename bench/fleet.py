"""The fleet: `python bench/fleet.py [--workspaces 1000] [--instances 2] [--db POSTGRES_URL]`.

N workspaces installed by OAuth (a fresh schema in PostgreSQL: tokens in the encrypted installation
store, each workspace with a month of generated leads, meetings, deals and spend), the Slack Web API
double in a process of its own, and `--instances` `handoff run` processes on that database. Every
workspace's daily digest is due at the same minute; the bench prints how long after that minute the
first and the last digest were posted (the messages; their threads' pictures follow, timed too), and
checks that each workspace got exactly one, with its own token. The processes' tickers run on the
minute, so all instances start on the digests together.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.slack_double import SlackDouble  # noqa: E402

CLIENT_ID, CLIENT_SECRET, SECRET = "1111.2222", "fleet-client-secret", "fleet-signing-secret"
CHANNELS = np.array(["google_ads", "facebook", "seo", "email", "referral"])


def team(n: int) -> str:
    return f"T{n:05d}"


def token(n: int) -> str:
    return f"xoxb-fleet-{n:05d}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RemoteDouble:
    """The Slack double in its own process (it answers for every workspace's token)."""

    def __init__(self, workspaces: int) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_double, args=(child, workspaces), daemon=True)
        self._proc.start()
        self.api_url = self._conn.recv()

    def digests(self) -> list[tuple[str, str, float]]:
        """(channel, token, wall time) of every top-level chat.postMessage."""
        self._conn.send("digests")
        return self._conn.recv()

    def parts(self) -> list[float]:
        """Wall time of every thread part: a reply, or files shared in a thread."""
        self._conn.send("parts")
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._conn.recv()
        self._proc.join(timeout=10)


def _serve_double(conn, workspaces: int) -> None:
    slack = SlackDouble(tokens=tuple(token(n) for n in range(workspaces))).start()
    slack.token_teams.update({token(n): team(n) for n in range(workspaces)})
    gc.collect()
    gc.freeze()
    conn.send(slack.api_url)
    while True:
        what = conn.recv()
        if what == "digests":
            calls = [c for c in slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
            wall = time.time() - time.monotonic()
            conn.send([(c.args["channel"], c.headers.get("authorization", ""), wall + c.at) for c in calls])
        elif what == "parts":
            wall = time.time() - time.monotonic()
            parts = slack.calls_to("chat.postMessage") + slack.calls_to("files.completeUploadExternal")
            conn.send([wall + c.at for c in parts if c.args.get("thread_ts")])
        else:
            slack.stop()
            conn.send(None)
            return


def seed(url: str, key: str, workspaces: int, leads: int, today: datetime) -> None:
    from slack_sdk.oauth.installation_store import Installation

    from bot.deps import Deps
    from bot.settings import Settings
    from bot.slack.install import Installations
    from bot.workspace.store import save_settings
    from storage.db import make_engine, migrate
    from storage.repos.imports import bulk

    engine = make_engine(url)
    migrate(engine)
    settings = Settings(
        slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, token_encryption_key=key, _env_file=None
    )
    deps = Deps(settings=settings, engine=engine)
    store = Installations(settings, engine).store
    rng = np.random.default_rng(7)
    end = pd.Timestamp(today.date(), tz="UTC")
    t0 = time.monotonic()
    for n in range(workspaces):
        save_settings(
            deps,
            team(n),
            {
                "timezone": "UTC",
                "digest_channel": f"C{n:05d}",
                "workdays": "mon,tue,wed,thu,fri,sat,sun",
                "weekly_digest": False,
                "monthly_digest": False,
            },
        )
        store.save(
            Installation(
                app_id="A0FLEET",
                team_id=team(n),
                bot_token=token(n),
                bot_id="B0FLEET",
                bot_user_id="U0BOT",
                bot_scopes="chat:write,commands",
                user_id="U0INSTALLER",
            )
        )
        created = end - pd.to_timedelta(np.sort(rng.integers(1, 30 * 86400, leads)), unit="s")
        ext = pd.Series([f"L{i:05d}" for i in range(leads)])
        channel = CHANNELS[rng.integers(0, len(CHANNELS), leads)]
        verdict = rng.choice(["target", "not_target", "spam"], leads, p=[0.5, 0.4, 0.1])
        lead_df = pd.DataFrame(
            {
                "external_id": ext,
                "created_at": created.astype("datetime64[us, UTC]"),
                "channel": channel,
                "campaign": channel,
                "owner": "U0REP",
                "verdict": verdict,
            }
        )
        met = verdict == "target"
        meetings = pd.DataFrame(
            {
                "external_id": "M" + ext[met],
                "kind": "meeting",
                "occurred_at": (created[met] + pd.Timedelta(hours=5)).astype("datetime64[us, UTC]"),
                "rep": "U0REP",
                "lead_external_id": ext[met],
            }
        )
        won = met & (rng.random(leads) < 0.4)
        deals = pd.DataFrame(
            {
                "external_id": "D" + ext[won],
                "lead_external_id": ext[won],
                "customer": "C" + ext[won],
                "product": "A",
                "amount": rng.uniform(500, 9000, leads)[won].round(2),
                "margin": 0.3,
                "status": "won",
                "closed_at": (created[won] + pd.Timedelta(days=1)).astype("datetime64[us, UTC]"),
                "rep": "U0REP",
            }
        )
        days = pd.date_range(end - pd.Timedelta(days=30), end - pd.Timedelta(days=1), freq="D")
        grid = pd.MultiIndex.from_product([days, CHANNELS], names=["day", "channel"]).to_frame(index=False)
        spend = grid.assign(
            external_id=grid["day"].dt.strftime("%Y-%m-%d") + "|" + grid["channel"],
            amount=rng.uniform(50, 400, len(grid)).round(2),
        )
        with deps.write() as s, bulk(s) as w:
            for kind, df in (("leads", lead_df), ("activities", meetings), ("deals", deals), ("spend", spend)):
                w.expect(kind, len(df))
                w.upsert(kind, team(n), df)
    engine.dispose()
    print(f"seeded {workspaces:,} workspaces × {leads} leads in {time.monotonic() - t0:.0f} s")


def main() -> int:
    from cryptography.fernet import Fernet

    from storage.db import make_engine

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workspaces", type=int, default=1000)
    p.add_argument("--instances", type=int, default=2)
    p.add_argument("--leads", type=int, default=60, help="leads per workspace, over the last 30 days")
    p.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--timeout", type=float, default=900)
    args = p.parse_args()
    key = Fernet.generate_key().decode()

    schema = f"fleet_{os.getpid()}"
    with make_engine(args.db).begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in args.db else "?"
    url = f"{args.db}{sep}options=-csearch_path%3D{schema}"
    slack = RemoteDouble(args.workspaces)
    procs: list[subprocess.Popen] = []
    try:
        seed(url, key, args.workspaces, args.leads, datetime.now(UTC))
        # The digests fall due at the second whole minute after the seeding: the instances are up by then.
        due = (datetime.now(UTC) + timedelta(minutes=2)).replace(second=0, microsecond=0)
        with make_engine(url).begin() as conn:
            conn.exec_driver_sql(f"UPDATE workspace SET daily_digest_time = '{due:%H:%M}'")
        tmp = Path(tempfile.mkdtemp())
        for _ in range(args.instances):
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
                "SLACK_CLIENT_ID": CLIENT_ID,
                "SLACK_CLIENT_SECRET": CLIENT_SECRET,
                "TOKEN_ENCRYPTION_KEY": key,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": url,
                "PORT": str(free_port()),
                "WEB_PROCESSES": "1",
                "CARD_WORKER": "false",
                "LOG_LEVEL": "WARNING",
            }
            procs.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp, env=env))
        print(f"{args.instances} instances started; {args.workspaces:,} daily digests due at {due:%H:%M:%S} UTC")
        deadline = time.time() + (due - datetime.now(UTC)).total_seconds() + args.timeout
        posts: list[tuple[str, str, float]] = []
        while time.time() < deadline:
            posts = slack.digests()
            if len({c for c, _, _ in posts}) >= args.workspaces:
                break
            time.sleep(1)
        parts, quiet_since = slack.parts(), time.time()
        while time.time() < deadline and time.time() - quiet_since < 15:  # the threads: until none comes
            time.sleep(1)
            more = slack.parts()
            if len(more) > len(parts):
                parts, quiet_since = more, time.time()
        at = due.timestamp()
        times = sorted(t - at for _, _, t in posts)
        per_channel = pd.Series([c for c, _, _ in posts]).value_counts()
        wrong_token = sum(1 for c, auth, _ in posts if auth != f"Bearer {token(int(c[1:]))}")
        print(f"digests posted: {len(per_channel):,} of {args.workspaces:,} workspaces")
        if times:
            print(f"first {times[0]:.1f} s, median {np.median(times):.1f} s, last {times[-1]:.1f} s after {due:%H:%M}")
        if parts:
            print(
                f"thread parts (pictures, tables): {len(parts):,}, the last {max(parts) - at:.1f} s after {due:%H:%M}"
            )
        print(f"posted more than once: {int((per_channel > 1).sum())}; with another workspace's token: {wrong_token}")
        return 0 if len(per_channel) == args.workspaces and (per_channel == 1).all() and not wrong_token else 1
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        slack.stop()
        with make_engine(args.db).begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    raise SystemExit(main())
