"""When digests go out: working days, first working day of week and month, time zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.kpi.schedule import daily_period, due, occurrences
from storage.models import Workspace


def ws(**kw) -> Workspace:
    base = dict(team_id="T1", timezone="Europe/Berlin", digest_channel="C1", workdays="mon,tue,wed,thu,fri")
    return Workspace(**{**base, **kw})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_0900_digest_stays_at_0900_local_across_dst():
    """Berlin leaves summer time on 25 Oct 2026: 09:00 local is 07:00 UTC before and 08:00 after."""
    items = [o for o in occurrences(ws(), utc(2026, 10, 22), utc(2026, 10, 28)) if o.kind == "daily"]
    assert [(o.local.strftime("%a %H:%M"), o.utc.strftime("%d %H:%M")) for o in items] == [
        ("Thu 09:00", "22 07:00"),
        ("Fri 09:00", "23 07:00"),
        ("Mon 09:00", "26 08:00"),
        ("Tue 09:00", "27 08:00"),
    ]


def test_weekly_and_monthly_on_the_first_working_day():
    """1 Nov 2026 is a Sunday: the monthly report goes out on Monday 2 Nov, with the weekly."""
    items = occurrences(ws(), utc(2026, 10, 30), utc(2026, 11, 3))
    got = [(o.kind, o.period.key(), o.local.strftime("%Y-%m-%d %H:%M")) for o in items]
    assert ("weekly", "2026-W44", "2026-11-02 09:30") in got
    assert ("monthly", "2026-10", "2026-11-02 10:00") in got
    assert [g for g in got if g[0] == "monthly"] == [("monthly", "2026-10", "2026-11-02 10:00")]


def test_monday_daily_covers_the_weekend():
    workdays = {0, 1, 2, 3, 4}
    assert daily_period(date(2026, 11, 30), workdays).key() == "2026-11-27..2026-11-29"
    assert daily_period(date(2026, 12, 1), workdays).key() == "2026-11-30"


def test_sunday_to_thursday_week_and_switched_off_digests():
    w = ws(workdays="sun,mon,tue,wed,thu", timezone="Asia/Jerusalem", weekly_digest=False, daily_digest_time="08:15")
    items = occurrences(w, utc(2026, 12, 3), utc(2026, 12, 8))
    assert [(o.kind, o.local.strftime("%a %H:%M")) for o in items] == [
        ("daily", "Thu 08:15"),
        ("daily", "Sun 08:15"),
        ("daily", "Mon 08:15"),
    ]


def test_due_gives_one_post_per_kind_after_downtime():
    """Down from Thursday to Monday 11:00: only Monday's daily and weekly are due, once each."""
    got = due(ws(), utc(2026, 11, 30, 10, 0), grace=timedelta(days=5))
    assert sorted((o.kind, o.period.key()) for o in got) == [
        ("daily", "2026-11-27..2026-11-29"),
        ("weekly", "2026-W48"),
    ]
    assert due(ws(), utc(2026, 11, 30, 7, 59)) == []  # nothing before 09:00 local (08:00 UTC)


def test_app_home_lists_the_next_post_of_each_kind():
    from bot.home import schedule_lines

    lines = schedule_lines(ws(marketing_channel="C2"), utc(2026, 11, 30, 8, 15))  # Monday 09:15 in Berlin
    assert lines == [
        "• Weekly digest: 30.11 09:30 (Europe/Berlin) → <#C1>",
        "• Lead quality: 30.11 10:30 (Europe/Berlin) → <#C2>",
        "• Daily digest: 01.12 09:00 (Europe/Berlin) → <#C1>",
        "• Monthly report: 01.12 10:00 (Europe/Berlin) → <#C1>",
    ]


def test_the_ticker_runs_on_the_whole_minute(tmp_path):
    """The every-minute job's next run is at second 0: what falls due at 09:00 goes at 09:00, and every
    instance on the database ticks at the same moment."""
    from bot.deps import Deps
    from bot.scheduler import TICK_JOB_ID, create_scheduler
    from bot.settings import Settings
    from storage.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'tick.db'}")
    migrate(engine)
    scheduler = create_scheduler(Deps(settings=Settings(_env_file=None), engine=engine), key="tick-test")
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job(TICK_JOB_ID)
        first = job.trigger.get_next_fire_time(None, datetime.now(UTC))
        assert (first.second, first.microsecond) == (0, 0)
        assert job.trigger.interval.total_seconds() == 60
    finally:
        scheduler.shutdown(wait=False)
        engine.dispose()
