"""Socket Mode that notices a dead connection within seconds, and says how the connection is for /healthz.

slack_sdk's built-in client pings every `ping_interval` and gives a connection up only after four missed
pongs, or after five failed pings when the TCP connection was cut without a close frame — meanwhile its
receiving thread spins on the closed socket (measured with the test double: ~5 CPU-seconds at a 1 s
interval, about a minute at Bolt's default of 10 s). The watch below looks four times a second: a
connection whose peer has hung up, or whose last pong is older than STALE_AFTER, is replaced at once.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable

from slack_sdk.socket_mode.builtin import SocketModeClient

log = logging.getLogger(__name__)

PING_INTERVAL = 1.0  # seconds between the client's pings (and its own checks of the connection)
STALE_AFTER = 3.0  # no pong for this long: the connection is dead, though nothing closed it
WATCH_EVERY = 0.25  # seconds between the watch's looks
RETRY_AFTER_MAX = 30.0  # a failing reconnect is tried again after 1, 2, 4 … seconds, at most this
# The peer hung up or the socket failed (POLLRDHUP is Linux's; elsewhere only the pongs tell).
_HUNG_UP = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR


class SocketWatch:
    """Watches a Socket Mode client's connection, replaces a dead one, and knows how long it has been down."""

    def __init__(self, client: SocketModeClient, *, clock: Callable[[], float] = time.time) -> None:
        self.socket_mode = client
        self._clock = clock
        self._session: tuple[str | None, float] = (None, 0.0)  # the session watched, when it was first seen
        self._down_since: float | None = None
        self._retry_at = 0.0
        self._failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="socket-watch", daemon=True)

    def start(self) -> SocketWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def down_for(self) -> float:
        """Seconds the connection has been down, 0 while it is up."""
        since = self._down_since
        return 0.0 if since is None else max(0.0, self._clock() - since)

    def _run(self) -> None:
        while not self._stop.wait(WATCH_EVERY):
            try:
                self.check()
            except Exception:  # the watch must outlive whatever one look runs into
                log.exception("Socket Mode: checking the connection failed")

    def check(self) -> None:
        """One look: note whether the connection is up; replace it when it is dead and a retry is due."""
        now = self._clock()
        why = self._dead(now)
        if why is None:
            self._down_since, self._failures = None, 0
            return
        if self._down_since is None:
            self._down_since = now
        if self.socket_mode.closed or now < self._retry_at:
            return
        log.warning("Socket Mode: the connection to Slack is lost (%s); reconnecting", why)
        try:
            self.socket_mode.connect_to_new_endpoint(force=True)
        except Exception as exc:
            self._failures += 1
            delay = min(RETRY_AFTER_MAX, 2.0 ** (self._failures - 1))
            self._retry_at = now + delay
            log.warning("Socket Mode: reconnecting failed (%s); next try in %.0f s", type(exc).__name__, delay)
            return
        self._failures, self._retry_at = 0, 0.0
        if self._dead(self._clock()) is None:
            self._down_since = None

    def _dead(self, now: float) -> str | None:
        """Why the current connection is dead, or None while it works."""
        session = self.socket_mode.current_session
        if session is None or not session.is_active():
            return "not connected"
        if self._session[0] != session.session_id:
            self._session = (session.session_id, now)
        sock = session.sock
        if sock is not None and _hung_up(sock.fileno()):
            return "closed without a close frame"
        answered = session.last_ping_pong_time or self._session[1]
        if now - answered > STALE_AFTER:
            return f"no answer to pings for {now - answered:.0f} s"
        return None


def _hung_up(fd: int) -> bool:
    if fd < 0:
        return True
    poll = select.poll()
    poll.register(fd, _HUNG_UP)
    return any(events & _HUNG_UP for _, events in poll.poll(0))
