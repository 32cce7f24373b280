"""The margins deals state, per product (ProductMargin), recounted from the deal table whenever deals
are written: the reports read every deal's average margin from a few rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.orm import Mapper

from storage.driver import mark
from storage.models import Deal


def refresh(conn: Connection, team_id: str) -> None:
    """Recount the workspace's margins per product from its deals."""
    m = mark(conn)
    conn.exec_driver_sql(f"DELETE FROM productmargin WHERE team_id = {m}", (team_id,))
    conn.exec_driver_sql(
        "INSERT INTO productmargin (team_id, product, deals, margin_sum) "
        f"SELECT team_id, product, count(*), sum(margin) FROM deal WHERE team_id = {m} "
        "AND margin IS NOT NULL AND product IS NOT NULL GROUP BY team_id, product",
        (team_id,),
    )


@event.listens_for(Deal, "after_insert")
@event.listens_for(Deal, "after_update")
@event.listens_for(Deal, "after_delete")
def _written(_mapper: Mapper[Any], conn: Connection, deal: Deal) -> None:
    refresh(conn, deal.team_id)
