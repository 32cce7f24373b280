"""The card worker: a process of its own that posts queued lead cards.

`handoff run` starts it beside the HTTP server, so a webhook or a click is answered without waiting
behind card posting for the interpreter lock. The queue is a table written with the lead, so nothing
is lost when either process restarts; the card's claim keeps every card to one post.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event

from bot.deps import Deps, freeze_startup_objects
from bot.leads.cards import CHUNK, drain
from bot.settings import Settings

log = logging.getLogger(__name__)
IDLE_SLEEP = 0.05
NICENESS = 10


def run(settings: Settings, stop: Event) -> None:
    """The worker's loop: drain the queue, pause briefly while it is short, until `stop` is set."""
    settings.configure_logging()
    # Behind the HTTP server for the CPU: Slack wants its answer within 3 s, a card may wait a moment.
    os.nice(NICENESS)
    deps = Deps.from_settings(settings)
    freeze_startup_objects()
    log.info("card worker started")
    parent = multiprocessing.parent_process()
    while not stop.is_set() and (parent is None or parent.is_alive()):
        try:
            # A short queue waits a moment to fill: each pass costs the same database visits and
            # process wake-ups whether it posts one card or ten.
            if drain(deps) < CHUNK:
                stop.wait(IDLE_SLEEP)
        except Exception:
            log.exception("card worker pass failed")
            time.sleep(1)
    deps.engine.dispose()


def start(settings: Settings) -> tuple[BaseProcess, Event]:
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    proc = ctx.Process(target=run, args=(settings, stop), name="handoff-cards", daemon=True)
    proc.start()
    return proc, stop
