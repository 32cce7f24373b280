"""Aggregates kept in step with the rows they count: leads per UTC day and owner (`leadday`), each won
deal's place in its customer's history (`customers`), the channel each sale belongs to (`attribution`),
each lead's first meeting and sale (`reach`), the leads that got somewhere per day (`reachday`), the
deals and activities per day (`perday`) and the margins per product (`margins`). They follow every
ORM write through mapper listeners and the bulk import through its writer, on the connection those
already hold; a service recounts them with storage.repos.rollups.recount."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm.attributes import instance_state

from storage import locks


def before(obj: Any, name: str) -> Any:
    """An attribute's value before the pending change (its value now when unchanged)."""
    h = instance_state(obj).attrs[name].history
    return h.deleted[0] if h.deleted else getattr(obj, name)


def remembered(model: type, *names: str) -> None:
    """Setting one of these attributes loads the value stored first, even on a row expired by a commit,
    so a listener after the update knows what the row held (`before`)."""
    for name in names:
        event.listen(getattr(model, name), "set", _noted, active_history=True)


def _noted(_target: Any, _value: Any, _old: Any, _initiator: Any) -> None:
    """The value before is all `remembered` asks for: SQLAlchemy loads it for a listener with active history."""


def serialized(conn: Connection, team_id: str) -> None:
    """Before a mark or a roll-up of the workspace is counted again from its rows: one transaction at a
    time, so each sees what the one before it wrote (on PostgreSQL two at once would each miss the
    other's rows, or both write the same roll-up row)."""
    locks.for_transaction(conn, f"rollups {team_id}")
