"""Lead intake under load: `python bench/webhook.py [--rate 200] [--seconds 60]`.

Starts `handoff run` (HTTP mode, SQLite or `--db` PostgreSQL) in its own process, pointed at the Slack
Web API double on loopback (in a process of its own, as Slack is elsewhere: sharing the load
generator's interpreter lock, the double's work on the card posts delayed the measured answers),
then sends signed lead webhooks at a steady rate mixed with signed "Target" clicks on cards already
posted (one in five requests), from this process. Prints throughput, p50/p99 of the HTTP answer per
kind, the time from webhook to card post, and checks that no lead was lost or doubled (leads stored,
cards posted and verdicts recorded, against what was sent).
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.signing import slack_headers  # noqa: E402
from tests.slack_double import SlackDouble  # noqa: E402

TEAM, TOKEN, SECRET, SALES = "TBENCH", "xoxb-bench", "bench-signing-secret", "U0SALES"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))] if values else float("nan")


class Client(threading.local):
    """One keep-alive connection per worker thread."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn.request("POST", path, body=body, headers=headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()


class RemoteDouble:
    """The Slack double in its own process, asked over a pipe for what it saw."""

    def __init__(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_double, args=(child,), daemon=True)
        self._proc.start()
        self.api_url, self._response_url = self._conn.recv()

    def response_url(self) -> str:
        return self._response_url

    def _ask(self, what: str):
        self._conn.send(what)
        return self._conn.recv()

    def apps(self) -> int:
        """How many app instances have checked their token (one per HTTP process)."""
        return self._ask("apps")

    def card_count(self) -> int:
        return self._ask("count")

    def cards(self) -> list[tuple[str, float]]:
        """(text, monotonic time) of every chat.postMessage."""
        return self._ask("cards")

    def stop(self) -> None:
        self._ask("stop")
        self._proc.join(timeout=10)


def _serve_double(conn) -> None:
    slack = SlackDouble(tokens=(TOKEN,), team_id=TEAM).start()
    gc.collect()
    gc.freeze()  # its collector pauses would delay the answers measured (Slack's own are not ours)
    conn.send((slack.api_url, slack.response_url()))
    while True:
        what = conn.recv()
        if what == "apps":
            conn.send(len(slack.calls_to("auth.test")))
        elif what == "count":
            conn.send(len(slack.calls_to("chat.postMessage")))
        elif what == "cards":
            conn.send([(c.args["text"], c.at) for c in slack.calls_to("chat.postMessage")])
        else:
            slack.stop()
            conn.send(None)
            return


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=200.0, help="requests per second")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=32)
    p.add_argument(
        "--db",
        default=None,
        help="a PostgreSQL URL to run against (a fresh schema is made in it and dropped after); "
        "default: a temporary SQLite file",
    )
    args = p.parse_args()

    from bot.deps import Deps
    from bot.leads.webhook import sign, webhook_secret
    from bot.settings import Settings
    from bot.workspace.store import save_settings
    from storage.db import make_engine, migrate

    slack = RemoteDouble()
    tmp = Path(tempfile.mkdtemp())
    url, schema = f"sqlite:///{tmp / 'bench.db'}", None
    if args.db:
        schema = f"bench_{os.getpid()}"
        with make_engine(args.db).begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in args.db else "?"
        url = f"{args.db}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    deps = Deps(settings=Settings(_env_file=None), engine=engine)
    save_settings(deps, TEAM, {"leads_channel": "C0LEADS", "sales": [SALES], "timezone": "UTC"})
    secret = webhook_secret(deps, TEAM)
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
            if time.monotonic() > deadline:
                raise SystemExit("handoff run did not come up")
        # Every HTTP process listening before the client connects: the kernel spreads connections
        # over the processes listening when each connection is made, and the client keeps its own.
        while slack.apps() < Settings(_env_file=None).web_processes:
            if time.monotonic() > deadline:
                raise SystemExit("not every HTTP process came up")
            time.sleep(0.2)
        time.sleep(1.0)
        # This process's own collector pauses would be counted as the server's latency.
        gc.collect()
        gc.freeze()
        client = Client(port)
        lock = threading.Lock()
        lead_ids: list[int] = []
        sent_at: dict[str, float] = {}
        lat: dict[str, list[float]] = {"webhook": [], "click": []}
        bad: list[tuple[str, int, bytes]] = []
        clicked: set[int] = set()

        def webhook(i: int) -> None:
            ext = f"bench-{i:07d}"
            body = json.dumps(
                {"external_id": ext, "name": ext, "company": "Bench", "channel": "ads", "email": f"{ext}@example.com"}
            ).encode()
            ts = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "X-Handoff-Timestamp": str(ts),
                "X-Handoff-Signature": sign(secret, ts, body),
            }
            t0 = time.monotonic()
            status, raw = client.post(f"/webhooks/{TEAM}/leads", body, headers)
            t1 = time.monotonic()
            with lock:
                lat["webhook"].append(t1 - t0)
                sent_at[ext] = t0
                if status == 201:
                    lead_ids.append(json.loads(raw)["lead_id"])
                else:
                    bad.append(("webhook", status, raw[:200]))

        def click(lead_id: int) -> None:
            payload = {
                "type": "block_actions",
                "team": {"id": TEAM, "domain": "bench"},
                "user": {"id": SALES, "username": "sales", "name": "sales", "team_id": TEAM},
                "api_app_id": "A0BENCH",
                "token": "x",
                "trigger_id": "1.2.3",
                "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0LEADS"},
                "channel": {"id": "C0LEADS", "name": "leads"},
                "response_url": slack.response_url(),
                "actions": [
                    {
                        "action_id": "verdict:target",
                        "block_id": f"verdict-{lead_id}",
                        "type": "button",
                        "value": str(lead_id),
                        "action_ts": str(time.time()),
                    }
                ],
            }
            body = urllib.parse.urlencode({"payload": json.dumps(payload)})
            headers = slack_headers(SECRET, int(time.time()), body, "application/x-www-form-urlencoded")
            t0 = time.monotonic()
            status, raw = client.post("/slack/events", body.encode(), headers)
            with lock:
                lat["click"].append(time.monotonic() - t0)
                if status != 200:
                    bad.append(("click", status, raw[:200]))

        total = int(args.rate * args.seconds)
        start = time.monotonic() + 0.5
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            n_leads = 0
            for k in range(total):
                when = start + k / args.rate
                delay = when - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with lock:
                    candidates = [x for x in lead_ids[-200:] if x not in clicked]
                if k % 5 == 4 and candidates:
                    clicked.add(candidates[0])
                    pool.submit(click, candidates[0])
                else:
                    pool.submit(webhook, n_leads)
                    n_leads += 1
        elapsed = time.monotonic() - start
        # Cards are posted after the answer: wait while they keep coming (a backlog is not a loss).
        last, idle_since = -1, time.monotonic()
        while slack.card_count() < len(lead_ids) and time.monotonic() - idle_since < 15:
            now_count = slack.card_count()
            if now_count != last:
                last, idle_since = now_count, time.monotonic()
            time.sleep(0.2)
        time.sleep(1.0)
        cards = slack.cards()
        to_card = [at - sent_at[text.split(": ", 1)[1].split(" · ")[0]] for text, at in cards]
        names = [text for text, _ in cards]
        with engine.connect() as con:
            stored = con.exec_driver_sql("SELECT count(*), count(DISTINCT external_id) FROM lead").one()
            verdicts = con.exec_driver_sql("SELECT count(*), count(DISTINCT lead_id) FROM leadverdict").one()
        done = len(lat["webhook"]) + len(lat["click"])
        print(
            f"sent {done} requests in {elapsed:.1f} s: {done / elapsed:.0f} requests/s "
            f"({len(lat['webhook'])} webhooks, {len(lat['click'])} clicks), {len(bad)} not answered 2xx"
        )
        for kind, values in lat.items():
            if values:
                print(
                    f"{kind:8} HTTP answer: p50 {pct(values, 50) * 1000:.1f} ms, p99 {pct(values, 99) * 1000:.1f} ms, "
                    f"max {max(values) * 1000:.1f} ms"
                )
        if to_card:
            print(
                f"webhook → card posted: p50 {statistics.median(to_card) * 1000:.0f} ms, "
                f"p99 {pct(to_card, 99) * 1000:.0f} ms"
            )
        print(
            f"leads stored {stored[0]} (distinct {stored[1]}), cards posted {len(cards)} (distinct "
            f"{len(set(names))}) for {len(lead_ids)} new leads; verdicts {verdicts[0]} on {verdicts[1]} leads "
            f"for {len(lat['click'])} clicks"
        )
        ok = stored[0] == stored[1] == len(lead_ids) == len(cards) == len(set(names)) and verdicts[0] == verdicts[1]
        print("no lost or doubled lead" if ok else "MISMATCH: lost or doubled work")
        for b in bad[:5]:
            print("  not 2xx:", b)
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=20)
        slack.stop()
        engine.dispose()
        if schema:
            with make_engine(args.db).begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    sys.exit(main())
