"""Which channel and campaign each sale belongs to: its lead's, kept on the deal (Deal.lead_channel,
Deal.lead_campaign) in step with the lead and deal tables.

A report then groups a period's sales by channel from the deals' own index, instead of looking up the
lead of every sale; a deal whose lead is not stored (yet) has neither, as the lead's would be unknown.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import instance_state

from storage.driver import batches, mark, marks
from storage.models import Deal, Lead
from storage.rollups import before, perday, remembered, serialized

_SET = (
    "UPDATE deal SET (lead_channel, lead_campaign) = (SELECT l.channel, l.campaign FROM lead l "
    "WHERE l.team_id = deal.team_id AND l.external_id = deal.lead_external_id) WHERE deal.team_id = {m}"
)
# Past this many leads or deals named, the whole workspace's deals are done at once.
_ALL = 20_000


def of_deals(conn: Connection, team_id: str, external_ids: set[str] | None = None) -> perday.Days:
    """The deals with these external ids (every deal of the workspace when None) take their lead's; the
    days of those deals."""
    return _refresh(conn, team_id, "external_id", external_ids)


def of_leads(conn: Connection, team_id: str, external_ids: set[str]) -> perday.Days:
    """The deals of the leads with these external ids take their lead's (the lead new, moved or gone);
    the days of those deals."""
    return _refresh(conn, team_id, "lead_external_id", external_ids)


def _refresh(conn: Connection, team_id: str, column: str, values: set[str] | None) -> perday.Days:
    serialized(conn, team_id)  # a deal and its lead written at once by two transactions: the later sees both
    m = mark(conn)
    if values is None or len(values) > _ALL:
        conn.exec_driver_sql(_SET.format(m=m), (team_id,))
        return None
    days: set = set()
    for batch in batches(sorted(values)):
        scope = f"deal.{column} IN ({marks(conn, len(batch))})"
        conn.exec_driver_sql(f"{_SET.format(m=m)} AND {scope}", (team_id, *batch))
        days |= perday.days_of(conn, "deal", team_id, scope, batch)
    return days


remembered(Lead, "external_id")


@event.listens_for(Deal, "after_insert")
def _deal_inserted(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    perday.recount(conn, "deal", deal.team_id, of_deals(conn, deal.team_id, {deal.external_id}))


@event.listens_for(Deal, "after_update")
def _deal_updated(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    state = instance_state(deal)
    if any(state.attrs[f].history.has_changes() for f in ("lead_external_id", "external_id")):
        perday.recount(conn, "deal", deal.team_id, of_deals(conn, deal.team_id, {deal.external_id}))


@event.listens_for(Lead, "after_insert")
@event.listens_for(Lead, "after_delete")
def _lead_written(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    perday.recount(conn, "deal", lead.team_id, of_leads(conn, lead.team_id, {lead.external_id}))


@event.listens_for(Lead, "after_update")
def _lead_updated(_mapper: Mapper[Any], conn: Connection, lead: Lead) -> None:
    state = instance_state(lead)
    if any(state.attrs[f].history.has_changes() for f in ("external_id", "channel", "campaign")):
        leads = {lead.external_id, before(lead, "external_id")}
        perday.recount(conn, "deal", lead.team_id, of_leads(conn, lead.team_id, leads))
