"""Answering Slack the moment a listener calls ack().

Bolt (process_before_response=False) runs each listener on its executor while the request's thread
checks every 10 ms whether ack() has been called, so every click, command and form answer waited at
least 10 ms. Here ack() also sets an event that the request's thread waits on instead, so the answer
leaves as soon as ack() returns; the listener goes on in the background as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt.context.ack import Ack
from slack_bolt.response import BoltResponse

ACK_TIMEOUT = 3.0  # Bolt's own limit for a listener's ack(); Slack gives up after 3 s


class _SignallingAck(Ack):
    def __init__(self, called: threading.Event) -> None:
        super().__init__()
        self._called = called

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return super().__call__(*args, **kwargs)
        finally:
            self._called.set()


class AckWaitingExecutor(ThreadPoolExecutor):
    """The listeners' executor. `middleware` (registered first) gives each request an ack() that
    signals; `submit`, called from the request's thread to start its listener, returns once the
    listener has called ack() or ended, whichever comes first."""

    def __init__(self, max_workers: int = 10) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._local = threading.local()

    def middleware(self, context: dict, next: Callable[[], object]) -> object:
        called = threading.Event()
        context["ack"] = _SignallingAck(called)
        self._local.called = called
        return next()

    def submit(self, fn: Callable[..., object], /, *args: Any, **kwargs: Any) -> Future:
        future = super().submit(fn, *args, **kwargs)
        called: threading.Event | None = getattr(self._local, "called", None)
        if called is not None:
            self._local.called = None
            future.add_done_callback(lambda _: called.set())
            called.wait(ACK_TIMEOUT)
        return future
