"""Scheduled work. The ticker asks what is due now and hands each item to its job."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.deps import Deps

log = logging.getLogger(__name__)


def tick(runtime_key: str = "default") -> None:
    """The every-minute job APScheduler runs (by reference, from its database job store)."""
    from bot.scheduler import runtime

    deps = runtime(runtime_key)
    if deps is None:
        log.warning("tick: no runtime registered under %r; skipped", runtime_key)
        return
    run_due(deps=deps, now=deps.clock())


def run_due(*, deps: Deps, now: datetime) -> list[str]:
    """Run every job at `now` (each decides what is due); one failing job does not stop the others."""
    from jobs.digests import post_due_digests
    from jobs.leads import feedback_sla, post_missing_cards, weekly_quality_report
    from jobs.sync import run_sync

    jobs = (
        ("digests", post_due_digests),
        ("lead-cards", post_missing_cards),
        ("sla", feedback_sla),
        ("quality", weekly_quality_report),
        ("sync", run_sync),
    )
    ran = []
    for name, job in jobs:
        try:
            job(deps=deps, now=now)
            ran.append(name)
        except Exception:
            log.exception("job %s failed", name)
    return ran
