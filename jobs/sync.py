"""The sync job: questions, reminders, agenda, closing and action-item reminders for every series."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.sync.ticker import run


def run_sync(*, deps: Deps, now: datetime) -> None:
    run(deps, now)
