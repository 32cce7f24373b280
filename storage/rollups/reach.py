"""How far each lead got, kept on the lead: its first meeting (Lead.met_at) and its first won deal
(Lead.won_at), in step with the activity and deal tables.

The roll-up of the leads that got somewhere (storage.rollups.reachday) is counted from them, and the
funnel's cohorts narrowed to a channel (storage.repos.funnel) read the leads that got anywhere from one
partial index over them, instead of joining every meeting and sale of months to its lead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, event, or_
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import col

from storage.driver import batches, mark, marks
from storage.models import Activity, Deal, Lead
from storage.rollups import before, reachday, remembered, serialized
from storage.rollups.leadday import utc_day_sql
from storage.rollups.perday import as_date

_MET = (
    "(SELECT min(a.occurred_at) FROM activity a WHERE a.team_id = lead.team_id "
    "AND a.lead_external_id = lead.external_id AND a.kind = 'meeting')"
)
_WON = (
    "(SELECT min(d.closed_at) FROM deal d WHERE d.team_id = lead.team_id "
    "AND d.lead_external_id = lead.external_id AND d.status = 'won')"
)
_MET_ANY = (
    "(SELECT 1 FROM activity a WHERE a.team_id = lead.team_id "
    "AND a.lead_external_id = lead.external_id AND a.kind = 'meeting')"
)
_WON_ANY = (
    "(SELECT 1 FROM deal d WHERE d.team_id = lead.team_id "
    "AND d.lead_external_id = lead.external_id AND d.status = 'won')"
)
# Past this many leads named, recounting the whole workspace from its meetings and sales is cheaper.
_REFRESH_ALL = 20_000


def refresh(conn: Connection, team_id: str, external_ids: set[str] | None = None) -> None:
    """Recount the marks of the leads with these external ids, or of every lead of the workspace, and the
    roll-up of the leads that got somewhere (storage.rollups.reachday) for the days they were created."""
    serialized(conn, team_id)
    if external_ids is not None and len(external_ids) <= _REFRESH_ALL:
        m = mark(conn)
        for batch in batches(sorted(external_ids)):
            conn.exec_driver_sql(
                f"UPDATE lead SET met_at = {_MET}, won_at = {_WON} "
                f"WHERE team_id = {m} AND external_id IN ({marks(conn, len(batch))})",
                (team_id, *batch),
            )
        reachday.recount(conn, team_id, reachday.days_of(conn, team_id, external_ids))
        return
    _refresh_all(conn, team_id)
    reachday.recount(conn, team_id)


def _refresh_all(conn: Connection, team_id: str) -> None:
    """Every lead's marks: cleared, then set from each lead's first meeting and first won deal."""
    m = mark(conn)
    conn.exec_driver_sql(
        f"UPDATE lead SET met_at = NULL, won_at = NULL WHERE team_id = {m} "
        "AND (met_at IS NOT NULL OR won_at IS NOT NULL)",
        (team_id,),
    )
    for column, source in (
        (
            "met_at",
            f"SELECT lead_external_id AS ext, min(occurred_at) AS first FROM activity WHERE team_id = {m} "
            "AND kind = 'meeting' GROUP BY lead_external_id",
        ),
        (
            "won_at",
            f"SELECT lead_external_id AS ext, min(closed_at) AS first FROM deal WHERE team_id = {m} "
            "AND status = 'won' GROUP BY lead_external_id",
        ),
    ):
        conn.exec_driver_sql(
            f"UPDATE lead SET {column} = s.first FROM ({source}) AS s "
            f"WHERE lead.team_id = {m} AND lead.external_id = s.ext",
            (team_id, team_id),
        )


def reached() -> ColumnElement[bool]:
    """Got to a meeting or a sale: the predicate of the partial index the cohorts read."""
    return or_(col(Lead.met_at).is_not(None), col(Lead.won_at).is_not(None))


def any_follow_up(conn: Connection, team_id: str) -> bool:
    """Whether the workspace has any meeting or deal (a lead stored without either has no marks, and no
    sale to give its channel)."""
    m = mark(conn)
    row = conn.exec_driver_sql(
        f"SELECT EXISTS (SELECT 1 FROM activity WHERE team_id = {m} AND kind = 'meeting') "
        f"OR EXISTS (SELECT 1 FROM deal WHERE team_id = {m})",
        (team_id, team_id),
    ).scalar()
    return bool(row)


remembered(Activity, "lead_external_id")
remembered(Deal, "lead_external_id")


@event.listens_for(Activity, "after_insert")
@event.listens_for(Activity, "after_delete")
@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_delete")
def _written(_mapper: Mapper[Any], conn: Connection, row: Activity | Deal) -> None:
    if row.lead_external_id:
        refresh(conn, row.team_id, {row.lead_external_id})


@event.listens_for(Activity, "after_update")
@event.listens_for(Deal, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, row: Activity | Deal) -> None:
    fields = (
        ("lead_external_id", "kind", "occurred_at")
        if isinstance(row, Activity)
        else ("lead_external_id", "status", "closed_at")
    )
    state = instance_state(row)
    if any(state.attrs[f].history.has_changes() for f in fields):
        leads = {row.lead_external_id, before(row, "lead_external_id")} - {None}
        refresh(conn, row.team_id, {str(e) for e in leads})


def arrived(conn: Connection, team_id: str, lead_id: int) -> None:
    """A lead just stored after its meeting or sale (a CRM export read in another order) gets its marks,
    and its day in the roll-up is recounted; one statement, which writes nothing when the lead has
    neither (two index look-ups)."""
    serialized(conn, team_id)  # its meeting or sale stored by another transaction at once: the later sees both
    m = mark(conn)
    marked = conn.exec_driver_sql(
        f"UPDATE lead SET met_at = {_MET}, won_at = {_WON} WHERE id = {m} AND (EXISTS {_MET_ANY} OR EXISTS {_WON_ANY})",
        (lead_id,),
    )
    if marked.rowcount:
        day = utc_day_sql(conn.dialect.name, "created_at")
        created = conn.exec_driver_sql(f"SELECT {day} FROM lead WHERE id = {m}", (lead_id,)).scalar_one()
        reachday.recount(conn, team_id, {as_date(created)})


@event.listens_for(Lead, "after_insert")
def _lead_inserted(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    if lead.id is not None:
        arrived(conn, lead.team_id, lead.id)


@event.listens_for(Lead, "after_update")
def _lead_renamed(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    if instance_state(lead).attrs["external_id"].history.has_changes():
        refresh(conn, lead.team_id, {lead.external_id})
