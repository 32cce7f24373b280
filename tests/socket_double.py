"""A Socket Mode server double on loopback: Slack's side of the WebSocket that Socket Mode apps keep open.

Modelled on python-slack-sdk's mock Socket Mode server: `apps.connections.open` (answered by the Web API
double) hands out this server's URL; each connection gets Slack's `hello`; `send()` pushes an envelope
and `wait_ack()` waits for the app's acknowledgement. A relay sits between the app and the server so a
test can break the connection the ways a network does: a close frame, a cut TCP connection (no close
frame), or silence (nothing gets through either way, nothing is closed).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.slack_double import SLACK

SAMPLES = SLACK / "payloads" / "socket_mode"


class _Pipe:
    """One relayed TCP connection: two pumps, each copying one direction while the pipe flows."""

    def __init__(self, outer: socket.socket, inner: socket.socket) -> None:
        self.outer, self.inner = outer, inner
        self.silent = threading.Event()

    def start(self) -> None:
        for src, dst in ((self.outer, self.inner), (self.inner, self.outer)):
            threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := src.recv(65536):
                if not self.silent.is_set():
                    dst.sendall(chunk)
        self.cut()

    def cut(self) -> None:
        for s in (self.outer, self.inner):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


class SocketModeDouble:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections: list[ServerConnection] = []
        self.opened: list[float] = []  # monotonic time of each connection's hello
        self._pipes: list[_Pipe] = []
        self._cond = threading.Condition()
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self._relay = socket.create_server(("127.0.0.1", 0))
        self._threads = [
            threading.Thread(target=self._server.serve_forever, daemon=True),
            threading.Thread(target=self._accept, daemon=True),
        ]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._relay.getsockname()[1]}/link/?ticket={uuid.uuid4()}"

    def start(self) -> SocketModeDouble:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._relay.close()
        for pipe in self._pipes:
            pipe.cut()

    # -- the relay -------------------------------------------------------------------------------
    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                outer, _ = self._relay.accept()
                inner = socket.create_connection(self._server.socket.getsockname()[:2])
                pipe = _Pipe(outer, inner)
                self._pipes.append(pipe)  # before a byte flows: the connection's hello comes after
                pipe.start()

    # -- Slack's side ----------------------------------------------------------------------------
    def _handle(self, conn: ServerConnection) -> None:
        hello = json.loads((SAMPLES / "hello_message.json").read_text())
        conn.send(json.dumps(hello))
        with self._cond:
            self.connections.append(conn)
            self.opened.append(time.monotonic())
            self._cond.notify_all()
        with contextlib.suppress(ConnectionClosed):
            for message in conn:
                ack = json.loads(message)
                with self._cond:
                    self.acks[ack["envelope_id"]] = ack
                    self._cond.notify_all()

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = True) -> str:
        """Push an envelope over the newest connection; its id comes back in the ack."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        self.connections[-1].send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout} s")
            return self.acks[envelope_id]

    def wait_connections(self, count: int, timeout: float = 10.0) -> float:
        """Wait until `count` connections have been opened; the monotonic time the last one was."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.opened) >= count, timeout):
                raise AssertionError(f"{len(self.opened)} connections within {timeout} s, not {count}")
            return self.opened[count - 1]

    # -- what a network does ---------------------------------------------------------------------
    def close_with_frame(self) -> None:
        """Slack ends the connection properly (as it does every few hours, or to rebalance)."""
        self.connections[-1].close(code=1001, reason="going away")

    def cut(self) -> None:
        """The TCP connection ends with no close frame (a proxy or load balancer restarting)."""
        self._pipes[-1].cut()

    def go_silent(self) -> None:
        """Nothing more gets through and nothing is closed (a NAT entry dropped, a cable pulled)."""
        self._pipes[-1].silent.set()
