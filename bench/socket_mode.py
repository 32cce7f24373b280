"""Socket Mode recovery: `python bench/socket_mode.py [--rounds 5] [--watch/--no-watch]`.

A Bolt app on Handoff's Socket Mode set-up (slack_sdk's built-in client, PING_INTERVAL, and the
SocketWatch unless --no-watch) against the Socket Mode server double; the connection is lost each way a
network loses it — a close frame, a TCP cut without one, silence — and the time until the next
connection is opened, and the CPU this process burned meanwhile, are printed per way (median and max).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402
from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.slack.socket import PING_INTERVAL, SocketWatch  # noqa: E402
from tests.slack_double import SlackDouble  # noqa: E402
from tests.socket_double import SocketModeDouble  # noqa: E402

BOT, APP_TOKEN = "xoxb-bench", "xapp-1-bench"
WAYS = ("close_with_frame", "cut", "go_silent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-watch", action="store_true", help="the built-in client alone")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    socket_mode = SocketModeDouble().start()
    slack = SlackDouble(tokens=(BOT, APP_TOKEN)).start()
    slack.socket_url = lambda: socket_mode.url
    app = App(client=WebClient(token=BOT, base_url=slack.api_url), signing_secret="x", token_verification_enabled=False)
    handler = SocketModeHandler(app, APP_TOKEN, ping_interval=PING_INTERVAL)
    handler.connect()
    watch = None if args.no_watch else SocketWatch(handler.client).start()
    socket_mode.wait_connections(1)
    figures: dict[str, list[tuple[float, float]]] = {w: [] for w in WAYS}
    for _ in range(args.rounds):
        for way in WAYS:
            time.sleep(PING_INTERVAL * 2)  # a pong or two on the new connection first
            cpu, lost = time.process_time(), time.monotonic()
            getattr(socket_mode, way)()
            back = socket_mode.wait_connections(len(socket_mode.opened) + 1, timeout=120)
            figures[way].append((back - lost, time.process_time() - cpu))
    if watch is not None:
        watch.stop()
    handler.close()
    socket_mode.stop()
    slack.stop()
    how = "built-in client alone" if args.no_watch else "with SocketWatch"
    print(f"Socket Mode reconnect, {args.rounds} rounds, {how}")
    print(f"{'way':<18}{'median s':>10}{'max s':>8}{'CPU s (median)':>16}")
    for way, rows in figures.items():
        times, cpus = [r[0] for r in rows], [r[1] for r in rows]
        print(f"{way:<18}{statistics.median(times):>10.2f}{max(times):>8.2f}{statistics.median(cpus):>16.2f}")


if __name__ == "__main__":
    main()
