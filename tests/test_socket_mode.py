"""`handoff run` in Socket Mode against a Socket Mode server double: envelopes acked, a command answered,
a lost connection replaced within seconds however it was lost, and /healthz failing while it is down."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, TEAM
from tests.http import get, post
from tests.slack_double import SlackDouble
from tests.socket_double import SAMPLES, SocketModeDouble

HOST = "127.0.0.3"
APP_TOKEN = "xapp-1-A0TEST-1-test"
RECONNECT_WITHIN = 5.0  # seconds: the aim for every way of losing the connection


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _help(socket_mode: SocketModeDouble) -> dict:
    """`/handoff help` as Slack sends it over the socket; the ack that came back."""
    payload = json.loads((SAMPLES / "envelope.slash_commands.json").read_text())["payload"]
    payload.update({"command": "/handoff", "text": "help", "team_id": TEAM, "user_id": "U1", "channel_id": "C1"})
    return socket_mode.wait_ack(socket_mode.send("slash_commands", payload))


def _health(url: str) -> tuple[int, dict]:
    reply = get(url + "/healthz")
    return reply.status, json.loads(reply.body)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[SlackDouble, SocketModeDouble, str, subprocess.Popen]]:
    socket_mode = SocketModeDouble().start()
    slack = SlackDouble(tokens=(BOT_TOKEN, APP_TOKEN), team_id=TEAM).start()
    slack.socket_url = lambda: socket_mode.url
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
        "HOST": HOST,
        "PORT": str(port),
        "CARD_WORKER": "false",
        "SOCKET_DOWN_AFTER": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        socket_mode.wait_connections(1, timeout=60)
        yield slack, socket_mode, f"http://{HOST}:{port}", proc
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
        socket_mode.stop()
        slack.stop()
    assert APP_TOKEN not in out and BOT_TOKEN not in out


def test_a_command_over_the_socket_is_acked_with_its_answer(running):
    """The slash command envelope is acked with the command's answer; /slack/events is not served."""
    _, socket_mode, url, _ = running
    assert "/handoff config" in json.dumps(_help(socket_mode)["payload"])
    assert _health(url) == (200, {"ok": True, "socket_mode": "connected"})
    assert post(url + "/slack/events", b"{}", {"Content-Type": "application/json"}).status == 404


@pytest.mark.parametrize("lose", ["close_with_frame", "cut", "go_silent"])
def test_a_lost_connection_is_replaced_within_seconds(running, lose: str):
    """A close frame, a TCP connection cut without one, or a connection gone silent: a new connection is
    opened (through apps.connections.open) within RECONNECT_WITHIN seconds and commands are answered."""
    slack, socket_mode, _, _ = running
    _help(socket_mode)
    opened = len(slack.calls_to("apps.connections.open"))
    lost_at = time.monotonic()
    getattr(socket_mode, lose)()
    back_at = socket_mode.wait_connections(2, timeout=30)
    assert back_at - lost_at < RECONNECT_WITHIN, f"reconnected after {back_at - lost_at:.1f} s"
    assert len(slack.calls_to("apps.connections.open")) > opened
    assert "/handoff config" in json.dumps(_help(socket_mode)["payload"])


def test_healthz_fails_while_the_socket_is_down_and_recovers(running):
    """While Slack refuses new connections /healthz answers 503 naming the socket; once Slack answers again
    the bot reconnects by itself and /healthz is 200."""
    slack, socket_mode, url, _ = running
    slack.fail("apps.connections.open", "internal_error", times=10_000)
    socket_mode.cut()
    deadline = time.monotonic() + 15
    while (health := _health(url))[0] == 200:
        assert time.monotonic() < deadline, health
        time.sleep(0.2)
    status, body = health
    assert status == 503 and body["socket_mode"] == "down" and "Socket Mode" in body["error"]
    slack.heal("apps.connections.open")
    socket_mode.wait_connections(2, timeout=40)
    deadline = time.monotonic() + 10
    while (health := _health(url))[0] != 200:
        assert time.monotonic() < deadline, health
        time.sleep(0.2)
    assert health == (200, {"ok": True, "socket_mode": "connected"})
    assert "/handoff config" in json.dumps(_help(socket_mode)["payload"])
