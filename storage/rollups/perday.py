"""The per-day roll-ups of deals (DealDay by channel and campaign, RepDay by product and rep) and of
meetings and requests (ActivityDay): recounted from their table for the UTC days a write touches, read
by the long reports (storage.rollups.windows).

A deal's row in them depends on more than the deal: whether it is its customer's first
(storage.rollups.customers) and its lead's channel (storage.rollups.attribution). So every write that
changes a row, or those marks, names the days of the rows it touched, and those days are counted again
from the rows as they now are, in the same transaction: never added up from deltas that could drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, instant, mark, marks
from storage.models import Activity, Deal
from storage.rollups import before, remembered, serialized
from storage.rollups.leadday import utc_day_sql

# The days a write touched; None: every day of the workspace.
Days = set[date] | None


@dataclass(frozen=True)
class RollUp:
    source: str  # the table it counts
    at: str  # the source's time column, whose UTC day is the roll-up's day
    kind: str | None  # the column a read narrows by, in both tables (a deal's status, a meeting's kind)
    keys: tuple[tuple[str, str], ...]  # (roll-up column, the source's expression it holds)
    counts: tuple[tuple[str, str], ...]  # (roll-up column, the source's aggregate it holds)


_FIRST = "sum(CASE WHEN first_won THEN 1 ELSE 0 END)"
ROLLUPS = {
    "dealday": RollUp(
        "deal",
        "closed_at",
        "status",
        (("channel", "coalesce(lead_channel, '')"), ("campaign", "coalesce(lead_campaign, '')")),
        (("deals", "count(*)"), ("revenue", "sum(amount)"), ("first_won", _FIRST)),
    ),
    "repday": RollUp(
        "deal",
        "closed_at",
        "status",
        (("product", "coalesce(product, '')"), ("rep", "coalesce(rep, '')")),
        (("deals", "count(*)"), ("revenue", "sum(amount)")),
    ),
    "activityday": RollUp("activity", "occurred_at", "kind", (), (("activities", "count(*)"),)),
}
# The rows of a source the roll-ups count.
COUNTED = {"deal": "status IN ('won', 'lost') AND closed_at IS NOT NULL", "activity": "occurred_at IS NOT NULL"}
# What a row's own writes change in them (a deal's first-won mark and channel follow their own writes).
_FIELDS = {Deal: ("status", "closed_at", "amount", "product", "rep"), Activity: ("kind", "occurred_at")}
# Past this many days, counting the workspace again at once is cheaper than day by day.
_ALL_DAYS = 400


def days_of(conn: Connection, source: str, team_id: str, scope: str, params: Iterable[Any]) -> set[date]:
    """The UTC days of the workspace's counted `source` rows matching `scope` (SQL on that table)."""
    at = next(r.at for r in ROLLUPS.values() if r.source == source)
    rows = conn.exec_driver_sql(
        f"SELECT DISTINCT {utc_day_sql(conn.dialect.name, at)} FROM {source} "
        f"WHERE team_id = {mark(conn)} AND {COUNTED[source]} AND {scope}",
        (team_id, *params),
    )
    return {as_date(d) for (d,) in rows}


def of_rows(conn: Connection, source: str, team_id: str, external_ids: Iterable[str]) -> set[date]:
    """The days of the stored `source` rows with these external ids (read before a load changes them)."""
    out: set[date] = set()
    for batch in batches(sorted(external_ids)):
        out |= days_of(conn, source, team_id, f"external_id IN ({marks(conn, len(batch))})", batch)
    return out


def union(*days: Days) -> Days:
    out: set[date] = set()
    for d in days:
        if d is None:
            return None
        out |= d
    return out


def recount(conn: Connection, source: str, team_id: str, days: Days = None) -> None:
    """Count the roll-ups of `source` for these days (every day when None) again from its rows."""
    for table, r in ROLLUPS.items():
        if r.source == source:
            recount_days(conn, team_id, days, table, r.at, partial(_insert, conn, table, team_id))


# Inserts a roll-up's rows again from its source rows within a scope: SQL after the workspace's condition,
# and its parameters.
Insert = Callable[[str, tuple[Any, ...]], None]


def recount_days(conn: Connection, team_id: str, days: Days, table: str, at: str, insert: Insert) -> None:
    """Delete the workspace's rows of roll-up `table` for these UTC days (every day when None) and have
    `insert` count them again from the source rows whose `at` falls on them, a run of days at a time."""
    if days is not None and not days:
        return
    serialized(conn, team_id)
    m = mark(conn)
    if days is None or len(days) > _ALL_DAYS:
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE team_id = {m}", (team_id,))
        insert("", ())
        return
    for first, last in _runs(sorted(days)):
        conn.exec_driver_sql(
            f"DELETE FROM {table} WHERE team_id = {m} AND day >= {m} AND day <= {m}",
            (team_id, *(_day_param(conn, d) for d in (first, last))),
        )
        start, end = (instant(conn, datetime.combine(d, time(0), UTC)) for d in (first, last + timedelta(days=1)))
        insert(f" AND {at} >= {m} AND {at} < {m}", (start, end))


def _insert(conn: Connection, table: str, team_id: str, scope: str, params: tuple[Any, ...]) -> None:
    r = ROLLUPS[table]
    assert r.kind is not None  # every roll-up recounted here has one
    day = utc_day_sql(conn.dialect.name, r.at)
    keys = [r.kind, *(e for _c, e in r.keys)]
    columns = ", ".join(["team_id", "day", r.kind, *(c for c, _e in r.keys), *(c for c, _e in r.counts)])
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({columns}) SELECT team_id, {day}, {', '.join(keys)}, "
        f"{', '.join(e for _c, e in r.counts)} FROM {r.source} "
        f"WHERE team_id = {mark(conn)} AND {COUNTED[r.source]}{scope} GROUP BY team_id, {day}, {', '.join(keys)}",
        (team_id, *params),
    )


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for d in days:
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def as_date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def _day_param(conn: Connection, d: date) -> Any:
    return d.isoformat() if conn.dialect.name == "sqlite" else d


def _days(row: Deal | Activity) -> set[date]:
    at = "closed_at" if isinstance(row, Deal) else "occurred_at"
    return {t.astimezone(UTC).date() for t in (getattr(row, at), before(row, at)) if t is not None}


remembered(Deal, "closed_at")
remembered(Activity, "occurred_at")


@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_delete")
@event.listens_for(Activity, "after_insert")
@event.listens_for(Activity, "after_delete")
def _written(_mapper: Mapper[Any], conn: Connection, row: Deal | Activity) -> None:
    recount(conn, "deal" if isinstance(row, Deal) else "activity", row.team_id, _days(row))


@event.listens_for(Deal, "after_update")
@event.listens_for(Activity, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, row: Deal | Activity) -> None:
    state = instance_state(row)
    if any(state.attrs[f].history.has_changes() for f in _FIELDS[type(row)]):
        _written(_mapper, conn, row)
