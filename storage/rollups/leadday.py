"""The leads-per-day roll-up (LeadDay): kept in step with the lead table, read by the long reports.

Days are UTC days, so the roll-up never depends on a workspace's time zone: a report window in local
time is its whole UTC days from the roll-up plus the leads of its two partial edge days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, insert_into, mark, marks
from storage.models import Lead, LeadDay, OwnerDay, table_of
from storage.rollups import before, remembered

if TYPE_CHECKING:
    from storage.repos.metrics import Window

KEY = ("team_id", "day", "channel", "campaign")
OWNER_KEY = ("team_id", "day", "owner")
OWNED_KEY = (*KEY, "owner")  # what an import counts its leads by, for both roll-ups


def utc_day_sql(dialect: str, column: str) -> str:
    """SQL for the UTC calendar day of a timestamp column (SQLite keeps naive UTC text)."""
    if dialect == "sqlite":
        return f"date({column})"
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def _key(team_id: str, created_at: datetime, channel: str | None, campaign: str | None) -> tuple:
    return team_id, created_at.astimezone(UTC).date(), channel or "", campaign or ""


def add(conn: Connection, deltas: dict[tuple, list[int]], owners: dict[tuple, int] | None = None) -> None:
    """Add (leads, target leads) to the roll-up rows of the given keys, and leads to the (team, day,
    owner) rows of `owners`, creating them as needed."""
    rows = [dict(zip(KEY, k, strict=True), leads=d[0], target_leads=d[1]) for k, d in deltas.items() if any(d)]
    if rows:  # one statement per row shape, built once: this runs inside every lead's insert
        conn.execute(_upsert(conn.dialect.name), rows)
    by_owner = [dict(zip(OWNER_KEY, k, strict=True), leads=n) for k, n in (owners or {}).items() if n]
    if by_owner:
        conn.execute(_owner_upsert(conn.dialect.name), by_owner)


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


@cache
def _owner_upsert(dialect: str) -> sqlite.Insert | postgresql.Insert:
    table = table_of(OwnerDay)
    stmt = insert_into(dialect, table).values({c: bindparam(c) for c in (*OWNER_KEY, "leads")})
    return stmt.on_conflict_do_update(
        index_elements=list(OWNER_KEY), set_={"leads": table.c.leads + stmt.excluded.leads}
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
    for table in ("leadday", "ownerday"):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE team_id = {m} AND day >= {m} AND day <= {m}", (team_id, *days))
    conn.exec_driver_sql(
        "INSERT INTO leadday (team_id, day, channel, campaign, leads, target_leads) "
        f"SELECT team_id, {day}, coalesce(channel, ''), coalesce(campaign, ''), count(*), "
        "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) "
        f"FROM lead WHERE team_id = {m} AND created_at >= {m} AND created_at < {m} "
        f"GROUP BY team_id, {day}, coalesce(channel, ''), coalesce(campaign, '')",
        (team_id, *bounds),
    )
    conn.exec_driver_sql(
        "INSERT INTO ownerday (team_id, day, owner, leads) "
        f"SELECT team_id, {day}, coalesce(owner, ''), count(*) "
        f"FROM lead WHERE team_id = {m} AND created_at >= {m} AND created_at < {m} "
        f"GROUP BY team_id, {day}, coalesce(owner, '')",
        (team_id, *bounds),
    )


def rebuild_all(conn: Connection, team_id: str) -> int:
    """Recount the workspace's whole roll-up from its leads; how many roll-up rows it has now."""
    m = mark(conn)
    for table in ("leadday", "ownerday"):
        conn.exec_driver_sql(f"DELETE FROM {table} WHERE team_id = {m}", (team_id,))
    day = utc_day_sql(conn.dialect.name, "created_at")
    first, last = conn.exec_driver_sql(f"SELECT min({day}), max({day}) FROM lead WHERE team_id = {m}", (team_id,)).one()
    if first is not None:
        rebuild(conn, team_id, date.fromisoformat(str(first)[:10]), date.fromisoformat(str(last)[:10]))
    return conn.exec_driver_sql(f"SELECT count(*) FROM leadday WHERE team_id = {m}", (team_id,)).scalar_one()


def counts_of(conn: Connection, team_id: str, external_ids: list[str]) -> dict[tuple, list[int]]:
    """(team, day, channel, campaign, owner) → [leads, target leads] of the stored leads with these
    external ids (one GROUP BY per batch): what they add to the roll-ups now."""
    day = utc_day_sql(conn.dialect.name, "created_at")
    out: dict[tuple, list[int]] = {}
    for batch in batches(external_ids):
        rows = conn.exec_driver_sql(
            f"SELECT {day}, coalesce(channel, ''), coalesce(campaign, ''), coalesce(owner, ''), count(*), "
            "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) FROM lead "
            f"WHERE team_id = {mark(conn)} AND external_id IN ({marks(conn, len(batch))}) "
            f"GROUP BY {day}, coalesce(channel, ''), coalesce(campaign, ''), coalesce(owner, '')",
            (team_id, *batch),
        )
        for d, channel, campaign, owner, leads, target in rows:
            counts = out.setdefault((team_id, date.fromisoformat(str(d)[:10]), channel, campaign, owner), [0, 0])
            counts[0] += leads
            counts[1] += target
    return out


def add_by_owner(conn: Connection, counts: dict[tuple, list[int]]) -> None:
    """Add (team, day, channel, campaign, owner) → [leads, target leads] to both roll-ups."""
    deltas: dict[tuple, list[int]] = {}
    owners: dict[tuple, int] = {}
    for (team_id, day, channel, campaign, owner), (n, target) in counts.items():
        d = deltas.setdefault((team_id, day, channel, campaign), [0, 0])
        d[0] += n
        d[1] += target
        owners[(team_id, day, owner)] = owners.get((team_id, day, owner), 0) + n
    add(conn, deltas, owners)


def nearest_midnight(t: datetime) -> datetime:
    """The UTC midnight closest to `t` (a local midnight is a few hours off one)."""
    day = datetime.combine(t.astimezone(UTC).date(), time(0), UTC)
    return day + timedelta(days=1) if t - day > timedelta(hours=12) else day


def split(window: Window) -> tuple[tuple[date, date] | None, list[tuple[int, Window]]]:
    """A window as the whole UTC days [first, end) between the UTC midnights nearest its two ends, and
    the pieces between each end and its midnight, each to add (1) or take away (-1): a day in a local
    zone is one UTC day and an hour or a few read from the leads, not its whole 24 hours. A window
    those pieces would outweigh is read whole: (None, [(1, window)])."""
    lo, hi = nearest_midnight(window.start), nearest_midnight(window.end)
    pieces = []
    if lo != window.start:  # before its midnight: add the piece; after it: take the piece away
        sign = 1 if window.start < lo else -1
        pieces.append((sign, replace(window, start=min(window.start, lo), end=max(window.start, lo))))
    if hi != window.end:
        sign = 1 if window.end > hi else -1
        pieces.append((sign, replace(window, start=min(window.end, hi), end=max(window.end, hi))))
    if lo >= hi or sum((p.end - p.start for _s, p in pieces), timedelta()) >= window.end - window.start:
        return None, [(1, window)]
    return (lo.date(), hi.date()), pieces


def _is_target(verdict: str | None) -> int:
    return 1 if verdict == "target" else 0


def _owner(team_id: str, created_at: datetime, owner: str | None) -> tuple:
    return team_id, created_at.astimezone(UTC).date(), owner or ""


def inserted(
    conn: Connection,
    team_id: str,
    created_at: datetime,
    channel: str | None,
    campaign: str | None,
    verdict: str | None,
    owner: str | None = None,
) -> None:
    """Count one lead just inserted (the ORM's inserts through the listener below, Core inserts by hand)."""
    add(
        conn,
        {_key(team_id, created_at, channel, campaign): [1, _is_target(verdict)]},
        {_owner(team_id, created_at, owner): 1},
    )


@event.listens_for(Lead, "after_insert")
def _inserted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    inserted(conn, lead.team_id, lead.created_at, lead.channel, lead.campaign, lead.verdict, lead.owner)


@event.listens_for(Lead, "after_delete")
def _deleted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    add(
        conn,
        {_key(lead.team_id, lead.created_at, lead.channel, lead.campaign): [-1, -_is_target(lead.verdict)]},
        {_owner(lead.team_id, lead.created_at, lead.owner): -1},
    )


_COUNTED = ("created_at", "channel", "campaign", "verdict", "owner")
remembered(Lead, *_COUNTED)


@event.listens_for(Lead, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    state = instance_state(lead)
    if not any(state.attrs[f].history.has_changes() for f in _COUNTED):
        return

    def was(name: str) -> Any:
        return before(lead, name)

    old = _key(lead.team_id, was("created_at"), was("channel"), was("campaign"))
    new = _key(lead.team_id, lead.created_at, lead.channel, lead.campaign)
    deltas: dict[tuple, list[int]] = {old: [-1, -_is_target(was("verdict"))]}
    d = deltas.setdefault(new, [0, 0])
    d[0] += 1
    d[1] += _is_target(lead.verdict)
    owners = {_owner(lead.team_id, was("created_at"), was("owner")): -1}
    new_owner = _owner(lead.team_id, lead.created_at, lead.owner)
    owners[new_owner] = owners.get(new_owner, 0) + 1
    add(conn, deltas, owners)
