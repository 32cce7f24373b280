"""Scheduled work. The ticker asks what is due now and hands each item to its job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.deps import Deps
from jobs.delivery import resume_posts
from jobs.digests import post_due_digests
from jobs.leads import feedback_sla, post_missing_cards, weekly_quality_report
from jobs.retention import purge
from jobs.sync import run_sync
from jobs.tokens import rotate_tokens

log = logging.getLogger(__name__)

JOBS: tuple[tuple[str, Callable[..., object]], ...] = (
    ("tokens", rotate_tokens),  # first: the jobs below post with the tokens
    ("resume", resume_posts),
    ("digests", post_due_digests),
    ("lead-cards", post_missing_cards),
    ("sla", feedback_sla),
    ("quality", weekly_quality_report),
    ("sync", run_sync),
    ("retention", purge),
)


def run_due(*, deps: Deps, now: datetime) -> list[str]:
    """Run every job at `now` (each decides what is due); one failing job does not stop the others."""
    ran = []
    for name, job in JOBS:
        try:
            job(deps=deps, now=now)
            ran.append(name)
        except Exception:
            log.exception("job %s failed", name)
    return ran
