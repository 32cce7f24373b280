"""Each won deal's place in its customer's history, kept in step with the deal table: whether it is the
customer's first (Deal.first_won), its rank (Deal.won_rank) and when the customer's previous won deal
closed (Deal.prev_won_at).

Marking the deals once lets every report count customers from the period's own deals, with sums
instead of a DISTINCT of names or a search of each customer's history:
- new customers: the deals marked first;
- customers: the deals whose previous sale closed before the period (or that have none);
- repeat customers: the non-first deals whose previous sale closed before the period, or that are the
  customer's second (the first then falls in the period too, or the deal would count by the first rule).
Deals are ordered by their closing time, ties to the older row; a deal without a customer is its own
customer, so always the first. A won deal without a closing time falls in no period and is not ranked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, mark, marks
from storage.models import Deal
from storage.rollups import perday, remembered, serialized

_CLEAR = (
    "UPDATE deal SET first_won = FALSE, won_rank = NULL, prev_won_at = NULL WHERE team_id = {m}{scope} "
    "AND (first_won OR won_rank IS NOT NULL)"
)
_RANK = (
    "UPDATE deal SET first_won = (r.n = 1), won_rank = r.n, prev_won_at = r.prev FROM ("
    "SELECT id, row_number() OVER w AS n, lag(closed_at) OVER w AS prev FROM deal "
    "WHERE team_id = {m}{scope} AND customer IS NOT NULL AND status = 'won' AND closed_at IS NOT NULL "
    "WINDOW w AS (PARTITION BY customer ORDER BY closed_at, id)) AS r WHERE deal.id = r.id"
)
_ALONE = (
    "UPDATE deal SET first_won = TRUE, won_rank = 1 WHERE team_id = {m}{scope} AND customer IS NULL "
    "AND status = 'won' AND closed_at IS NOT NULL"
)


def refresh(
    conn: Connection, team_id: str, *, customers: set[str] | None = None, external_ids: set[str] | None = None
) -> perday.Days:
    """Rank the won deals of these customers and the deals with these external ids (with their customers'
    other deals); with neither given, every deal of the workspace. The days of the deals ranked."""
    serialized(conn, team_id)  # two transactions each adding a deal of one customer: the later ranks both
    m = mark(conn)
    if customers is None and external_ids is None:
        for sql in (_CLEAR, _RANK, _ALONE):
            conn.exec_driver_sql(sql.format(m=m, scope=""), (team_id,))
        return None
    ids = sorted(external_ids or ())
    names = set(customers or ())
    for batch in batches(ids):  # a deal's customer now: its other deals move with it
        names.update(
            c
            for (c,) in conn.exec_driver_sql(
                f"SELECT DISTINCT customer FROM deal WHERE team_id = {m} AND customer IS NOT NULL "
                f"AND external_id IN ({marks(conn, len(batch))})",
                (team_id, *batch),
            )
        )
    days: set = set()
    # The deals named first: one that has a customer is cleared here and ranked with its customer's.
    for column, values, steps in (("external_id", ids, (_CLEAR, _ALONE)), ("customer", sorted(names), (_CLEAR, _RANK))):
        for batch in batches(values):
            scope = f" AND deal.{column} IN ({marks(conn, len(batch))})"
            for sql in steps:
                conn.exec_driver_sql(sql.format(m=m, scope=scope), (team_id, *batch))
            days |= perday.days_of(conn, "deal", team_id, scope[5:], batch)
    return days


def _touched(deal: Deal, *, before: bool) -> tuple[set[str], set[str]]:
    customers = {deal.customer} if deal.customer else set()
    if before:
        h = instance_state(deal).attrs["customer"].history
        customers.update(c for c in h.deleted if c)
    return customers, {deal.external_id}


remembered(Deal, "customer")


@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_delete")
def _inserted_or_deleted(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    customers, ids = _touched(deal, before=True)
    perday.recount(conn, "deal", deal.team_id, refresh(conn, deal.team_id, customers=customers, external_ids=ids))


@event.listens_for(Deal, "after_update")
def _updated(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    state = instance_state(deal)
    if any(state.attrs[f].history.has_changes() for f in ("customer", "status", "closed_at")):
        customers, ids = _touched(deal, before=True)
        perday.recount(conn, "deal", deal.team_id, refresh(conn, deal.team_id, customers=customers, external_ids=ids))
