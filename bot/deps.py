"""The long-lived objects every part of the bot shares, built once by main() or a test: the settings, the
database (units of work through read() and write()), the one clock and the Slack client."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.settings import Settings
from bot.slack.client import HandoffClient, make_client
from bot.slack.install import Installations, NotInstalled
from storage.db import joined_read, make_engine, read_scope, session_scope
from storage.types import utcnow


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = field(default=utcnow)
    # True when a card worker process posts lead cards (`handoff run`); else they are posted here.
    card_worker: bool = False
    # OAuth: the installed workspaces and their tokens (None: one workspace, SLACK_BOT_TOKEN's).
    installations: Installations | None = None
    _client: HandoffClient | None = field(default=None, repr=False)
    _clients: dict[str, HandoffClient] = field(default_factory=dict, repr=False)
    _clients_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Deps:
        engine = make_engine(settings.database_url)
        installations = Installations(settings, engine) if settings.oauth else None
        return cls(settings=settings, engine=engine, installations=installations)

    def read(self) -> AbstractContextManager[Session]:
        """A unit of work that only reads (on SQLite it never waits for a writer)."""
        return read_scope(self.engine)

    def joined_read(self) -> AbstractContextManager[Session]:
        """One read for a computation of many reads (a report): the reads inside it join it."""
        return joined_read(self.engine)

    def write(self) -> AbstractContextManager[Session]:
        """A unit of work that writes: committed when the block ends, rolled back on an error."""
        return session_scope(self.engine)

    def client(self, team_id: str) -> HandoffClient:
        """The Web API client for a workspace: its installation's bot token (rotated when due), or in
        single-workspace mode SLACK_BOT_TOKEN's. Raises NotInstalled for a workspace without Handoff."""
        if self.installations is None:
            if self._client is None:
                self._client = make_client(self.settings)
            return self._client
        token = self.installations.bot_token(team_id) if team_id else None
        if token is None:
            raise NotInstalled(team_id)
        with self._clients_lock:
            client = self._clients.get(team_id)
            if client is None or client.token != token:  # first use, or a rotated token
                client = self._clients[team_id] = make_client(self.settings, token=token)
            return client

    def run_after(self, seconds: float, fn: Callable[..., object], *args: object) -> None:
        """Work to try again in a while (an event about a card whose place is not recorded yet)."""
        timer = threading.Timer(seconds, self.run_later, args=(fn, *args))
        timer.daemon = True
        timer.start()

    def run_later(self, fn: Callable[..., object], *args: object) -> Future:
        """Work that must not hold up an HTTP answer (posting a lead card after the webhook replied)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="later")
        future = self._pool.submit(fn, *args)
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: Future) -> None:
    exc = future.exception()
    if exc is not None:
        logging.getLogger(__name__).error("background work failed", exc_info=exc)


def freeze_startup_objects() -> None:
    """Call when a long-running process has started: what start-up made (modules, the app, the ORM's
    mappers) is kept out of the collector's full passes from then on. Those passes walked it all and
    stopped every thread of the process for 60-120 ms a few times a minute while serving, a writer
    holding SQLite's write lock included, so every other writer waited as well."""
    gc.collect()
    gc.freeze()
