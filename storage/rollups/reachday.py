"""The leads that got somewhere, per UTC day (ReachDay): for each UTC day leads were created, how many
reached each stage on each later UTC day. Stage "reach" is a lead's first meeting or first sale,
whichever came first (a sale implies a meeting), "meeting" its first meeting, "sale" its first sale
(the marks of storage.rollups.reach).

Recounted from the leads for the creation days a write touches, like storage.rollups.perday: the marks
(storage.rollups.reach), a lead's verdict or creation time, a lead written or deleted. Read by the
funnel's cohorts (storage.repos.funnel): a cohort's whole UTC days from here, the hours at its ends and
at the instant it is followed to from the leads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, TextClause, bindparam, event, text
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.types import Date
from sqlmodel import Session

from storage.driver import batches, mark, marks
from storage.models import Lead
from storage.models.leads import REACHED
from storage.rollups import before
from storage.rollups.leadday import nearest_midnight, split, utc_day_sql
from storage.rollups.perday import Days, as_date, recount_days
from storage.types import UTCDateTime

if TYPE_CHECKING:
    from storage.repos.metrics import Window

# What a lead's own writes change in the roll-up (its marks are written by storage.rollups.reach).
_FIELDS = ("created_at", "verdict", "met_at", "won_at")
_UNTARGETED = "CASE WHEN verdict = 'target' THEN 0 ELSE 1 END"


def first_reach(dialect: str) -> str:
    """SQL for the instant a lead reached the "reach" stage: its first meeting or first sale, the earlier."""
    if dialect == "sqlite":  # SQLite's min() of two values is NULL when either is
        return "min(coalesce(met_at, won_at), coalesce(won_at, met_at))"
    return "LEAST(met_at, won_at)"


def _stages(dialect: str) -> tuple[tuple[str, str], ...]:
    """(stage, the lead's instant of reaching it)."""
    return (("reach", first_reach(dialect)), ("meeting", "met_at"), ("sale", "won_at"))


def recount(conn: Connection, team_id: str, days: Days = None) -> None:
    """Count the roll-up for these creation days (every day when None) again from the leads."""
    recount_days(conn, team_id, days, "reachday", "created_at", partial(_insert, conn, team_id))


def _insert(conn: Connection, team_id: str, scope: str, params: tuple[Any, ...]) -> None:
    dialect, m = conn.dialect.name, mark(conn)
    created = utc_day_sql(dialect, "created_at")
    for stage, at in _stages(dialect):
        on = utc_day_sql(dialect, at)
        conn.exec_driver_sql(
            "INSERT INTO reachday (team_id, day, stage, on_day, leads, untargeted) "
            f"SELECT team_id, {created}, '{stage}', {on}, count(*), sum({_UNTARGETED}) FROM lead "
            f"WHERE team_id = {m} AND ({REACHED}) AND {at} IS NOT NULL{scope} GROUP BY team_id, {created}, {on}",
            (team_id, *params),
        )


def days_of(conn: Connection, team_id: str, external_ids: Iterable[str], reached_only: bool = False) -> set[date]:
    """The UTC days the workspace's leads with these external ids were created on (of those that got
    somewhere, with `reached_only`)."""
    day, m = utc_day_sql(conn.dialect.name, "created_at"), mark(conn)
    scope = f" AND ({REACHED})" if reached_only else ""
    out: set[date] = set()
    for batch in batches(sorted(external_ids)):
        named = f"external_id IN ({marks(conn, len(batch))})"
        rows = conn.exec_driver_sql(
            f"SELECT DISTINCT {day} FROM lead WHERE team_id = {m} AND {named}{scope}", (team_id, *batch)
        )
        out |= {as_date(d) for (d,) in rows}
    return out


def _days(lead: Lead) -> set[date]:
    return {t.astimezone(UTC).date() for t in (lead.created_at, before(lead, "created_at")) if t is not None}


@event.listens_for(Lead, "after_insert")
def _inserted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    if lead.met_at is not None or lead.won_at is not None:  # marks given by the writer itself
        recount(conn, lead.team_id, _days(lead))


@event.listens_for(Lead, "after_delete")
def _deleted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    recount(conn, lead.team_id, _days(lead))


@event.listens_for(Lead, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    state = instance_state(lead)
    if not any(state.attrs[f].history.has_changes() for f in _FIELDS):
        return
    # The marks on the object may be older than the row's (storage.rollups.reach writes them by SQL): unless
    # this write sets them, the row says whether the lead got anywhere. One that did not (a verdict given
    # to a new lead, the usual case) is in no row of the roll-up, and its workspace's turn is not taken.
    if not any(state.attrs[f].history.has_changes() for f in ("met_at", "won_at")):
        m = mark(conn)
        if conn.exec_driver_sql(f"SELECT 1 FROM lead WHERE id = {m} AND ({REACHED})", (lead.id,)).first() is None:
            return
    recount(conn, lead.team_id, _days(lead))


# Reading: a cohort of a window (leads created in it) and how many of it reached each stage before
# `as_of` (or at all). The whole UTC days between the midnights nearest the window's ends come from the
# roll-up, counted up to the UTC midnight nearest `as_of`; the hours between that midnight and `as_of`
# are added or taken away from the leads reached in them (found from the meetings and sales of those
# hours); the hours at the window's ends are read from the leads (storage.rollups.leadday.split).
Counts = dict[str, int]
_OUT = ("reach", "meeting", "sale", "untargeted")


def cohort(session: Session, window: Window, as_of: datetime | None = None) -> Counts:
    """Of the leads created in `window` (never narrowed to a channel), how many reached each stage
    before `as_of` (ever, when None): "reach", "meeting", "sale", and "untargeted", those of "reach"
    without a target verdict."""
    if window.channel is not None:
        raise ValueError("the roll-up has no channel: a narrowed cohort is read from the leads")
    days, pieces = split(window)
    params: dict[str, Any] = {"team": window.team_id}
    edge = 0
    if days is not None:
        params |= {"first_day": days[0], "end_day": days[1]}
        params |= {"days_start": datetime.combine(days[0], time(0), UTC)}
        params |= {"days_end": datetime.combine(days[1], time(0), UTC)}
        if as_of is not None:
            midnight = nearest_midnight(as_of)
            params["at_day"] = midnight.date()
            if midnight != as_of:
                edge = 1 if as_of > midnight else -1
                params |= {"lo": min(as_of, midnight), "hi": max(as_of, midnight)}
    if as_of is not None:
        params["as_of"] = as_of
    for k, (_sign, w) in enumerate(pieces):
        params |= {f"start{k}": w.start, f"end{k}": w.end}
    signs = tuple(sign for sign, _w in pieces)
    stmt = _statement(session.get_bind().dialect.name, signs, days is not None, as_of is not None, edge)
    row = session.execute(stmt, params).one()
    return {name: int(v or 0) for name, v in zip(_OUT, row, strict=True)}


def _counted(dialect: str, before_sql: str | None, after_sql: str | None = None) -> list[str]:
    """The four counts of a lead row: each stage reached (between the bounds given), and the untargeted
    leads among those of "reach"."""

    def within(at: str) -> str:
        bounds = [f"{at} IS NOT NULL"]
        if after_sql is not None:
            bounds.append(f"{at} >= {after_sql}")
        if before_sql is not None:
            bounds.append(f"{at} < {before_sql}")
        return " AND ".join(bounds)

    stages = dict(_stages(dialect))
    reach = within(stages["reach"])
    return [
        *(f"sum(CASE WHEN {within(stages[s])} THEN 1 ELSE 0 END)" for s in ("reach", "meeting", "sale")),
        f"sum(CASE WHEN {reach} THEN {_UNTARGETED} ELSE 0 END)",
    ]


@cache
def _statement(dialect: str, signs: tuple[int, ...], days: bool, as_of: bool, edge: int) -> TextClause:
    parts, binds = [], []
    if days:
        upto = " AND on_day < :at_day" if as_of else ""
        sums = [f"sum(CASE WHEN stage = '{s}'{upto} THEN leads ELSE 0 END)" for s in ("reach", "meeting", "sale")]
        sums.append(f"sum(CASE WHEN stage = 'reach'{upto} THEN untargeted ELSE 0 END)")
        parts.append((sums, "FROM reachday WHERE team_id = :team AND day >= :first_day AND day < :end_day"))
        binds += [bindparam(n, type_=Date()) for n in ("first_day", "end_day", *(["at_day"] if as_of else []))]
    if edge:  # the leads of those days reached between `as_of` and its midnight: its meetings' and sales'
        parts.append(
            (
                [f"{edge} * {c}" for c in _counted(dialect, ":hi", ":lo")],
                "FROM lead WHERE team_id = :team AND created_at >= :days_start AND created_at < :days_end "
                "AND external_id IN (SELECT lead_external_id FROM activity WHERE team_id = :team "
                "AND kind = 'meeting' AND occurred_at >= :lo AND occurred_at < :hi UNION ALL "
                "SELECT lead_external_id FROM deal WHERE team_id = :team AND status = 'won' "
                "AND closed_at >= :lo AND closed_at < :hi)",
            )
        )
        binds += [bindparam(n, type_=UTCDateTime()) for n in ("lo", "hi", "days_start", "days_end")]
    for k, sign in enumerate(signs):
        parts.append(
            (
                [f"{sign} * {c}" for c in _counted(dialect, ":as_of" if as_of else None)],
                f"FROM lead WHERE team_id = :team AND created_at >= :start{k} AND created_at < :end{k} AND ({REACHED})",
            )
        )
        binds += [bindparam(f"{b}{k}", type_=UTCDateTime()) for b in ("start", "end")]
    if as_of and signs:
        binds.append(bindparam("as_of", type_=UTCDateTime()))
    union = " UNION ALL ".join(
        f"SELECT {', '.join(f'{c} AS c{i}' for i, c in enumerate(counts))} {source}" for counts, source in parts
    )
    return text(f"SELECT {', '.join(f'sum(c{i})' for i in range(len(_OUT)))} FROM ({union}) AS w").bindparams(*binds)
