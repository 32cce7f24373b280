"""The deals-per-day roll-ups (DealDay by channel and campaign, RepDay by product and rep): recounted
from the deal table for the UTC days a write touches, read by the long reports.

A deal's row in them depends on more than the deal: whether it is its customer's first
(storage.rollups.customers) and its lead's channel (storage.rollups.attribution). So every write that
changes a deal, or those marks, names the days of the deals it touched, and those days are counted
again from the deals as they now are, in the same transaction: never added up from deltas that could
drift.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, instant, mark, marks
from storage.models import Deal
from storage.rollups import before, remembered
from storage.rollups.leadday import utc_day_sql

# The days a write touched; None: every day of the workspace.
Days = set[date] | None

# What a deal's own rows count; its first-won mark and its channel follow their own writes.
_COUNTED = ("status", "closed_at", "amount", "product", "rep")
# Past this many days, counting the workspace again at once is cheaper than day by day.
_ALL_DAYS = 400

_ROLLUPS = {
    "dealday": (
        "channel, campaign, deals, revenue, first_won",
        "coalesce(lead_channel, ''), coalesce(lead_campaign, '')",
        ", sum(CASE WHEN first_won THEN 1 ELSE 0 END)",
    ),
    "repday": ("product, rep, deals, revenue", "coalesce(product, ''), coalesce(rep, '')", ""),
}


def days_of(conn: Connection, team_id: str, scope: str, params: Iterable[Any]) -> set[date]:
    """The UTC days of the workspace's closed deals matching `scope` (SQL on table `deal`)."""
    day = utc_day_sql(conn.dialect.name, "closed_at")
    rows = conn.exec_driver_sql(
        f"SELECT DISTINCT {day} FROM deal WHERE team_id = {mark(conn)} AND status IN ('won', 'lost') "
        f"AND closed_at IS NOT NULL AND {scope}",
        (team_id, *params),
    )
    return {_as_date(d) for (d,) in rows}


def union(*days: Days) -> Days:
    out: set[date] = set()
    for d in days:
        if d is None:
            return None
        out |= d
    return out


def recount(conn: Connection, team_id: str, days: Days = None) -> None:
    """Count the roll-ups of these days (every day when None) again from the deal table."""
    m = mark(conn)
    if days is None or len(days) > _ALL_DAYS:
        for table in _ROLLUPS:
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE team_id = {m}", (team_id,))
        _insert(conn, team_id, "", ())
        return
    for first, last in _runs(sorted(days)):
        bounds = (datetime.combine(first, time(0), UTC), datetime.combine(last + timedelta(days=1), time(0), UTC))
        for table in _ROLLUPS:
            conn.exec_driver_sql(
                f"DELETE FROM {table} WHERE team_id = {m} AND day >= {m} AND day <= {m}",
                (team_id, *(_day_param(conn, d) for d in (first, last))),
            )
        _insert(conn, team_id, f" AND closed_at >= {m} AND closed_at < {m}", [instant(conn, t) for t in bounds])


def _insert(conn: Connection, team_id: str, scope: str, params: Iterable[Any]) -> None:
    m = mark(conn)
    day = utc_day_sql(conn.dialect.name, "closed_at")
    params = tuple(params)
    for table, (columns, keys, extra) in _ROLLUPS.items():
        conn.exec_driver_sql(
            f"INSERT INTO {table} (team_id, day, status, {columns}) "
            f"SELECT team_id, {day}, status, {keys}, count(*), sum(amount){extra} FROM deal "
            f"WHERE team_id = {m} AND status IN ('won', 'lost') AND closed_at IS NOT NULL{scope} "
            f"GROUP BY team_id, {day}, status, {keys}",
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


def _as_date(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def _day_param(conn: Connection, d: date) -> Any:
    return d.isoformat() if conn.dialect.name == "sqlite" else d


def _day(t: datetime | None) -> set[date]:
    return set() if t is None else {t.astimezone(UTC).date()}


def of_deals(conn: Connection, team_id: str, external_ids: Iterable[str]) -> set[date]:
    """The days of the stored deals with these external ids (read before a load changes them)."""
    out: set[date] = set()
    for batch in batches(sorted(external_ids)):
        out |= days_of(conn, team_id, f"external_id IN ({marks(conn, len(batch))})", batch)
    return out


remembered(Deal, "closed_at")


@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_delete")
def _written(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    recount(conn, deal.team_id, _day(deal.closed_at) | _day(before(deal, "closed_at")))


@event.listens_for(Deal, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    state = instance_state(deal)
    if any(state.attrs[f].history.has_changes() for f in _COUNTED):
        recount(conn, deal.team_id, _day(deal.closed_at) | _day(before(deal, "closed_at")))
