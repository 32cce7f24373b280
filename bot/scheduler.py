"""APScheduler 3 with its jobs kept in the database.

Stored jobs are pickled by reference, so they cannot carry the engine or the Slack client. A job
names a runtime key instead, and the running process registers its Deps under that key before the
scheduler starts. One ticker job runs the jobs each minute; each reads the schedule (which is data)
and decides what is due (see jobs/).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from jobs import run_due

log = logging.getLogger(__name__)

TICK_JOB_ID = "handoff-tick"
_runtimes: dict[str, Deps] = {}


def runtime(key: str) -> Deps | None:
    return _runtimes.get(key)


def tick(runtime_key: str = "default") -> None:
    """The every-minute job APScheduler runs (by reference, from its database job store)."""
    deps = runtime(runtime_key)
    if deps is None:
        log.warning("tick: no runtime registered under %r; skipped", runtime_key)
        return
    run_due(deps=deps, now=deps.clock())


def create_scheduler(deps: Deps, key: str = "default") -> BackgroundScheduler:
    _runtimes[key] = deps
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=deps.engine, tablename="apscheduler_jobs")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC",
    )
    # On the minute: a 09:00 digest goes at 09:00, and every instance sharing the database starts on what
    # is due at the same moment, so they share it.
    on_the_minute = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    scheduler.add_job(
        "bot.scheduler:tick",
        trigger=IntervalTrigger(minutes=1, start_date=on_the_minute, timezone="UTC"),
        id=TICK_JOB_ID,
        kwargs={"runtime_key": key},
        replace_existing=True,
    )
    return scheduler


def start_scheduler(deps: Deps, key: str = "default") -> BackgroundScheduler:
    scheduler = create_scheduler(deps, key)
    scheduler.start()
    log.info("scheduler started")
    return scheduler
