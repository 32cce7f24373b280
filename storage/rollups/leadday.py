"""The leads-per-day roll-up (LeadDay): kept in step with the lead table, read by the long reports.

Days are UTC days, so the roll-up never depends on a workspace's time zone: a report window in local
time is its whole UTC days from the roll-up plus the leads of its two partial edge days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, Connection, Select, bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql import func
from sqlmodel import col

from storage.driver import batches, insert_into, mark, marks
from storage.models import Lead, LeadDay, table_of

if TYPE_CHECKING:
    from storage.repos.metrics import Window

KEY = ("team_id", "day", "channel", "campaign")


def utc_day_sql(dialect: str, column: str) -> str:
    """SQL for the UTC calendar day of a timestamp column (SQLite keeps naive UTC text)."""
    if dialect == "sqlite":
        return f"date({column})"
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def _key(team_id: str, created_at: datetime, channel: str | None, campaign: str | None) -> tuple:
    return team_id, created_at.astimezone(UTC).date(), channel or "", campaign or ""


def add(conn: Connection, deltas: dict[tuple, list[int]]) -> None:
    """Add (leads, target leads) to the roll-up rows of the given keys, creating them as needed."""
    rows = [dict(zip(KEY, k, strict=True), leads=d[0], target_leads=d[1]) for k, d in deltas.items() if any(d)]
    if rows:  # one statement per row shape, built once: this runs inside every lead's insert
        conn.execute(_upsert(conn.dialect.name), rows)


@cache
def _upsert(dialect: str) -> sqlite.Insert | postgresql.Insert:
    table = table_of(LeadDay)
    stmt = insert_into(dialect, table).values({c: bindparam(c) for c in (*KEY, "leads", "target_leads")})
    return stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            "leads": table.c.leads + stmt.excluded.leads,
            "target_leads": table.c.target_leads + stmt.excluded.target_leads,
        },
    )


def rebuild(conn: Connection, team_id: str, first: date, last: date) -> None:
    """Recount the roll-up of the days first … last (inclusive) from the lead table."""
    m = mark(conn)
    day = utc_day_sql(conn.dialect.name, "created_at")
    start = datetime.combine(first, time(0), UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), UTC)
    if conn.dialect.name == "sqlite":  # naive UTC text, as the column stores it
        bounds: tuple[Any, Any] = (start.strftime("%Y-%m-%d %H:%M:%S"), end.strftime("%Y-%m-%d %H:%M:%S"))
        days: tuple[Any, Any] = (first.isoformat(), last.isoformat())
    else:
        bounds, days = (start, end), (first, last)
    conn.exec_driver_sql(f"DELETE FROM leadday WHERE team_id = {m} AND day >= {m} AND day <= {m}", (team_id, *days))
    conn.exec_driver_sql(
        "INSERT INTO leadday (team_id, day, channel, campaign, leads, target_leads) "
        f"SELECT team_id, {day}, coalesce(channel, ''), coalesce(campaign, ''), count(*), "
        "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) "
        f"FROM lead WHERE team_id = {m} AND created_at >= {m} AND created_at < {m} "
        f"GROUP BY team_id, {day}, coalesce(channel, ''), coalesce(campaign, '')",
        (team_id, *bounds),
    )


def rebuild_all(conn: Connection, team_id: str) -> int:
    """Recount the workspace's whole roll-up from its leads; how many roll-up rows it has now."""
    m = mark(conn)
    conn.exec_driver_sql(f"DELETE FROM leadday WHERE team_id = {m}", (team_id,))
    day = utc_day_sql(conn.dialect.name, "created_at")
    first, last = conn.exec_driver_sql(f"SELECT min({day}), max({day}) FROM lead WHERE team_id = {m}", (team_id,)).one()
    if first is not None:
        rebuild(conn, team_id, date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10]))
    return conn.exec_driver_sql(f"SELECT count(*) FROM leadday WHERE team_id = {m}", (team_id,)).scalar_one()


def counts_of(conn: Connection, team_id: str, external_ids: list[str]) -> dict[tuple, list[int]]:
    """Roll-up key → [leads, target leads] of the stored leads with these external ids (one GROUP BY
    per batch): what they add to the roll-up now."""
    day = utc_day_sql(conn.dialect.name, "created_at")
    out: dict[tuple, list[int]] = {}
    for batch in batches(external_ids):
        rows = conn.exec_driver_sql(
            f"SELECT {day}, coalesce(channel, ''), coalesce(campaign, ''), count(*), "
            "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) FROM lead "
            f"WHERE team_id = {mark(conn)} AND external_id IN ({marks(conn, len(batch))}) "
            f"GROUP BY {day}, coalesce(channel, ''), coalesce(campaign, '')",
            (team_id, *batch),
        )
        for d, channel, campaign, leads, target in rows:
            counts = out.setdefault((team_id, date.fromisoformat(str(d)[:10]), channel, campaign), [0, 0])
            counts[0] += leads
            counts[1] += target
    return out


def split(window: Window) -> tuple[tuple[date, date] | None, list[Window]]:
    """A window as (its whole UTC days [first, end) or None, the windows of its partial edges)."""
    first = window.start.astimezone(UTC).date()
    if datetime.combine(first, time(0), UTC) < window.start:
        first += timedelta(days=1)
    end = window.end.astimezone(UTC).date()
    if first >= end:
        return None, [window]
    edges = []
    if (a := datetime.combine(first, time(0), UTC)) > window.start:
        edges.append(replace(window, end=a))
    if (b := datetime.combine(end, time(0), UTC)) < window.end:
        edges.append(replace(window, start=b))
    return (first, end), edges


def by_channel_statement(
    narrow: bool,
    team: BindParameter[Any],
    first_day: BindParameter[Any],
    end_day: BindParameter[Any],
    channel: BindParameter[Any],
) -> Select:
    """(channel, campaign, leads, target leads) of whole days, "" read back as no channel."""
    stmt = select(
        func.nullif(LeadDay.channel, ""),
        func.nullif(LeadDay.campaign, ""),
        func.sum(LeadDay.leads),
        func.sum(LeadDay.target_leads),
    ).where(col(LeadDay.team_id) == team, col(LeadDay.day) >= first_day, col(LeadDay.day) < end_day)
    if narrow:
        stmt = stmt.where(col(LeadDay.channel) == channel)
    return stmt.group_by(col(LeadDay.channel), col(LeadDay.campaign))


def _is_target(verdict: str | None) -> int:
    return 1 if verdict == "target" else 0


def inserted(
    conn: Connection, team_id: str, created_at: datetime, channel: str | None, campaign: str | None, verdict: str | None
) -> None:
    """Count one lead just inserted (the ORM's inserts through the listener below, Core inserts by hand)."""
    add(conn, {_key(team_id, created_at, channel, campaign): [1, _is_target(verdict)]})


@event.listens_for(Lead, "after_insert")
def _inserted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    inserted(conn, lead.team_id, lead.created_at, lead.channel, lead.campaign, lead.verdict)


@event.listens_for(Lead, "after_delete")
def _deleted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    add(conn, {_key(lead.team_id, lead.created_at, lead.channel, lead.campaign): [-1, -_is_target(lead.verdict)]})


@event.listens_for(Lead, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    state = instance_state(lead)

    def before(name: str) -> Any:
        h = state.attrs[name].history
        return h.deleted[0] if h.deleted else getattr(lead, name)

    fields = ("created_at", "channel", "campaign", "verdict")
    if not any(state.attrs[f].history.has_changes() for f in fields):
        return
    old = _key(lead.team_id, before("created_at"), before("channel"), before("campaign"))
    new = _key(lead.team_id, lead.created_at, lead.channel, lead.campaign)
    deltas: dict[tuple, list[int]] = {old: [-1, -_is_target(before("verdict"))]}
    d = deltas.setdefault(new, [0, 0])
    d[0] += 1
    d[1] += _is_target(lead.verdict)
    add(conn, deltas)
