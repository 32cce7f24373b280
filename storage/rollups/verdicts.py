"""Each lead's first verdict (Lead.first_verdict_at), the earliest of its history (LeadVerdict), kept as
the history grows: the feedback SLA reads it from the carded leads' partial index instead of looking up
every lead's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper

from storage.driver import batches, instant, mark, marks
from storage.models import LeadVerdict

_FIRST = "(SELECT min(v.created_at) FROM leadverdict v WHERE v.team_id = lead.team_id AND v.lead_id = lead.id)"


@event.listens_for(LeadVerdict, "after_insert")
def _given(_mapper: Mapper[Any], conn: Connection, verdict: LeadVerdict) -> None:
    m = mark(conn)
    at = instant(conn, verdict.created_at)
    conn.exec_driver_sql(
        f"UPDATE lead SET first_verdict_at = {m} WHERE id = {m} "
        f"AND (first_verdict_at IS NULL OR first_verdict_at > {m})",
        (at, verdict.lead_id, at),
    )


def refresh(conn: Connection, team_id: str, external_ids: Iterable[str] | None = None) -> None:
    """The first verdict of the workspace's leads with these external ids (every lead when None), from
    their history: after a load appended to it, or rows changed outside Handoff."""
    m = mark(conn)
    if external_ids is None:
        conn.exec_driver_sql(
            f"UPDATE lead SET first_verdict_at = {_FIRST} WHERE team_id = {m} "
            "AND (first_verdict_at IS NOT NULL OR EXISTS (SELECT 1 FROM leadverdict v "
            "WHERE v.team_id = lead.team_id AND v.lead_id = lead.id))",
            (team_id,),
        )
        return
    for batch in batches(sorted(set(external_ids))):
        conn.exec_driver_sql(
            f"UPDATE lead SET first_verdict_at = {_FIRST} "
            f"WHERE team_id = {m} AND external_id IN ({marks(conn, len(batch))})",
            (team_id, *batch),
        )
