"""The SLA's working-time table (WorkClock), for one pair of instants or arrays of them, and the SLA's
account built on it answer as the day-by-day count does, across daylight-saving changes, holidays,
weekends and instants at the edges of the working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kpi.sales import Sla, sla_of
from bot.workspace.worktime import WorkClock, micros, working_hours_between
from storage.models import Workspace

FIRST, LAST = date(2026, 3, 20), date(2026, 4, 10)  # Berlin and New York change their clocks inside
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC")
SETTINGS = [
    {"workdays": "mon-fri", "work_hours": "09:00-18:00", "holidays": ["2026-04-03", "2026-04-06"]},
    {"workdays": "mon,tue,wed,thu,fri,sat", "work_hours": "00:00-23:59", "holidays": []},
    {"workdays": "sun-thu", "work_hours": "08:30-17:15", "holidays": ["2026-03-29"]},
]
# The span's instants, with a weight on whole hours and the edges of the working hours.
INSTANTS = st.one_of(
    st.integers(0, (LAST - FIRST).days * 86400 - 1).map(
        lambda s: datetime(2026, 3, 20, tzinfo=UTC) + timedelta(seconds=s)
    ),
    st.integers(0, (LAST - FIRST).days * 24 - 1).map(lambda h: datetime(2026, 3, 20, tzinfo=UTC) + timedelta(hours=h)),
)


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), setting=st.sampled_from(SETTINGS), a=INSTANTS, b=INSTANTS)
def test_the_table_answers_as_the_day_by_day_count(zone: str, setting: dict, a: datetime, b: datetime):
    clock = WorkClock(FIRST - timedelta(days=1), LAST + timedelta(days=1), tz=zone, **setting)
    assert clock.hours_between(a, b) == working_hours_between(a, b, tz=zone, **setting)


def test_a_day_with_the_clock_change_counts_its_real_hours():
    """Sunday 2026-03-29 in Berlin has 23 hours; a seven-day week working 00:00-23:59 counts 23 h less 1 min."""
    clock = WorkClock(
        date(2026, 3, 28), date(2026, 3, 30), tz="Europe/Berlin", workdays="mon-sun", work_hours="00:00-23:59"
    )
    start = datetime(2026, 3, 28, 23, tzinfo=UTC)  # Sunday 00:00 in Berlin (UTC+1)
    end = datetime(2026, 3, 29, 22, tzinfo=UTC)  # Monday 00:00 in Berlin (UTC+2)
    assert clock.hours_between(start, end) == 23 - 1 / 60
    hours = {"tz": "Europe/Berlin", "workdays": "mon-sun", "work_hours": "00:00-23:59"}
    assert working_hours_between(start, end, **hours) == 23 - 1 / 60


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), setting=st.sampled_from(SETTINGS), instants=st.lists(INSTANTS, min_size=2))
def test_the_table_counts_arrays_of_instants_to_the_microsecond(zone: str, setting: dict, instants: list[datetime]):
    clock = WorkClock(FIRST - timedelta(days=1), LAST + timedelta(days=1), tz=zone, **setting)
    worked = clock.worked(np.array([micros(t) for t in instants], dtype=np.int64))
    for (a, wa), (b, wb) in pairwise(zip(instants, worked, strict=True)):
        if b > a:
            assert timedelta(microseconds=int(wb - wa)).total_seconds() / 3600 == clock.hours_between(a, b)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    setting=st.sampled_from(SETTINGS),
    sla=st.integers(1, 30),
    leads=st.lists(st.tuples(INSTANTS, st.one_of(st.none(), st.integers(0, 200 * 3600))), max_size=30),
)
def test_the_sla_account_equals_a_count_lead_by_lead(zone: str, setting: dict, sla: int, leads: list):
    """Kept, due and pending against each lead's working hours counted day by day: judged within the SLA
    (its bound included), judged late or waiting past it, waiting inside it."""
    now = datetime(2026, 4, 9, 12, tzinfo=UTC)
    times = [(posted, None if wait is None else min(posted + timedelta(seconds=wait), now)) for posted, wait in leads]
    ws = Workspace(team_id="T1", timezone=zone, sla_hours=sla, **setting)
    kept = due = pending = 0
    for posted, first in times:
        hours = working_hours_between(posted, first or now, tz=zone, **setting)
        if first is None and hours < sla:
            pending += 1
        else:
            due += 1
            kept += first is not None and hours <= sla
    assert sla_of(times, ws, now) == Sla(sla, kept, due, pending)
