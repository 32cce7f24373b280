"""Which won deal is each customer's first (Deal.first_won), kept in step with the deal table.

A customer is new in the period holding its first won deal; marking that deal once lets every report
count new customers from the period's own deals instead of searching each customer's history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, mark, marks
from storage.models import Deal

# Ties on the closing time go to the older row, so exactly one deal per customer is marked.
_FIRST = (
    "CASE WHEN deal.status = 'won' AND (deal.customer IS NULL OR NOT EXISTS ("
    "SELECT 1 FROM deal AS earlier WHERE earlier.team_id = deal.team_id AND earlier.customer = deal.customer "
    "AND earlier.status = 'won' AND (earlier.closed_at < deal.closed_at "
    "OR (earlier.closed_at = deal.closed_at AND earlier.id < deal.id)))) THEN TRUE ELSE FALSE END"
)


def refresh(
    conn: Connection, team_id: str, *, customers: set[str] | None = None, external_ids: set[str] | None = None
) -> None:
    """Mark the first won deal of these customers and of the deals with these external ids (a deal
    without a customer); with neither given, of every deal of the workspace."""
    sql = f"UPDATE deal SET first_won = {_FIRST} WHERE deal.team_id = {mark(conn)}"
    if customers is None and external_ids is None:
        conn.exec_driver_sql(sql, (team_id,))
        return
    for column, values in (("customer", sorted(customers or ())), ("external_id", sorted(external_ids or ()))):
        for batch in batches(values):
            conn.exec_driver_sql(f"{sql} AND deal.{column} IN ({marks(conn, len(batch))})", (team_id, *batch))


def _touched(deal: Deal, *, before: bool) -> tuple[set[str], set[str]]:
    customers = {deal.customer} if deal.customer else set()
    if before:
        h = instance_state(deal).attrs["customer"].history
        customers.update(c for c in h.deleted if c)
    return customers, {deal.external_id}


@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_delete")
def _inserted_or_deleted(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    customers, ids = _touched(deal, before=True)
    refresh(conn, deal.team_id, customers=customers, external_ids=ids)


@event.listens_for(Deal, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    state = instance_state(deal)
    if any(state.attrs[f].history.has_changes() for f in ("customer", "status", "closed_at")):
        customers, ids = _touched(deal, before=True)
        refresh(conn, deal.team_id, customers=customers, external_ids=ids)
