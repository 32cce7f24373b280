"""Knowing when the running app's background work is over, so a test waits on that work, not a clock.

The app answers an HTTP request and goes on working: Bolt runs listeners on its executor after ack(),
the webhook posts a lead's card through `Deps.run_later`, and an event about a card whose place is not
recorded yet is tried again through `Deps.run_after`'s timers. `Background` counts each of these from
the moment it is handed over (before the HTTP answer leaves) until it has finished, so "nothing more
happened" can be checked once the work that could have made it happen is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from bot.deps import Deps


class Background:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0  # handed to an executor and not finished
        self._timers = 0  # waiting in a run_after timer
        self._closed = False

    def watch(self, deps: Deps, executor: Executor) -> Background:
        """Count what goes through `executor` (Bolt's listeners) and through `deps` (run_later, run_after)."""
        executor.submit = self._counted(executor.submit)  # type: ignore[method-assign]
        deps.run_later = self._counted(deps.run_later)  # type: ignore[method-assign]
        run_after = deps.run_after

        def counted_run_after(seconds: float, fn: Callable[..., object], *args: object) -> None:
            def fired(*a: object) -> object:
                # By now the timer has handed this to run_later, so it is counted as running.
                self._add(timers=-1)
                return None if self._closed else fn(*a)

            self._add(timers=1)
            run_after(seconds, fired, *args)

        deps.run_after = counted_run_after  # type: ignore[method-assign]
        return self

    def _counted(self, submit: Callable[..., Future]) -> Callable[..., Future]:
        def counted(fn: Callable[..., object], /, *args: Any, **kwargs: Any) -> Future:
            self._add(running=1)  # before the work can start, so it can never finish uncounted
            try:
                future = submit(fn, *args, **kwargs)
            except BaseException:
                self._add(running=-1)
                raise
            future.add_done_callback(lambda _: self._add(running=-1))
            return future

        return counted

    def _add(self, *, running: int = 0, timers: int = 0) -> None:
        with self._changed:
            self._running += running
            self._timers += timers
            self._changed.notify_all()

    def wait_idle(self, *, timers: bool = True, timeout: float = 15.0) -> None:
        """Until no background work is running and, with `timers`, none is waiting to be tried again."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._running or (timers and self._timers):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"background work not done after {timeout} s: {self._running} running, {self._timers} timed"
                    )
                self._changed.wait(left)

    def close(self) -> None:
        """At the test's end: retries still timed do nothing when they fire, and what runs is waited for,
        so no work of this test reaches the next test's database."""
        self._closed = True
        self.wait_idle(timers=False)
