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
from bot.leads.cards import post_cards
from bot.settings import Settings
from storage.db import read_scope
from storage.repos import leads

log = logging.getLogger(__name__)
IDLE_SLEEP = 0.05
BATCH = 50
# Cards posted between two records of where they are: a crash in between leaves at most this many cards
# in Slack without their place noted (never posted twice: their claims are held).
CHUNK = 10
NICENESS = 10


def drain(deps: Deps, limit: int = BATCH) -> int:
    """Post the cards of up to `limit` queued leads, a few at a time per workspace; how many were taken
    off the queue."""
    with read_scope(deps.engine) as s:
        queued = leads.queued_cards(s, limit)
    by_team: dict[str, list[int]] = {}
    for team_id, lead_id in queued:
        by_team.setdefault(team_id, []).append(lead_id)
    for team_id, lead_ids in by_team.items():
        for i in range(0, len(lead_ids), CHUNK):
            try:
                post_cards(deps, team_id, lead_ids[i : i + CHUNK])
            except Exception:
                log.exception("cards for leads %s failed", lead_ids[i : i + CHUNK])
    return len(queued)


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
