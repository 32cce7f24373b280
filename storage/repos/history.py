"""A report's many windows asked at once: the totals of its periods, the ones they are compared with,
its trend's and its paces' months to date, and the spend by channel of the periods its findings and
bands compare, in a few statements whatever their number (storage.repos.metrics asks one window)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from storage import driver
from storage.repos import deals
from storage.repos.metrics import Window
from storage.rollups import windows as roll_ups


def totals_each(session: Session, *, windows: Sequence[Window]) -> list[dict[str, Any]]:
    """totals of several windows of one workspace (none narrowed to a channel), in seven statements."""
    conn, team = session.connection(), windows[0].team_id
    m, instants, days = (
        driver.mark(conn),
        [(w.start, w.end) for w in windows],
        [(w.first_day, w.end_day) for w in windows],
    )
    leads = roll_ups.read_many(session, "leadday", (), (), windows)
    kinds = roll_ups.read_many(session, "activityday", ("kind",), ("request", "meeting"), windows)
    won = deals.won_totals_each(session, windows)
    per_day = {
        name: driver.per_span(
            conn,
            f"sum({table}.{column})",
            f"{table} ON {table}.team_id = {m} AND {table}.day >= slices.lo AND {table}.day < slices.hi",
            days,
            (team,),
        )
        for name, table, column in (("visitors", "traffic", "visitors"), ("spend", "spend", "amount"))
    }
    reviews = driver.per_span(
        conn,
        "count(*)",
        f"feedback ON feedback.team_id = {m} AND feedback.kind = 'review' AND feedback.created_at >= slices.lo "
        "AND feedback.created_at < slices.hi AND (feedback.rating >= 4 OR feedback.positive)",
        instants,
        (team,),
    )
    out = []
    for i in range(len(windows)):
        (n, target), counted = (leads[i] or [(0, 0)])[0], dict(kinds[i])
        sales, revenue, customers, new, repeat = won[i]
        out.append(
            {
                "visitors": per_day["visitors"].get(i, (None,))[0],
                "spend": driver.money(per_day["spend"].get(i, (None,))[0]),
                "requests": int(counted.get("request") or 0),
                "meetings": int(counted.get("meeting") or 0),
                "positive_reviews": reviews.get(i, (0,))[0],
                "leads": int(n or 0),
                "target_leads": int(target or 0),
                "sales": sales,
                "revenue": revenue or 0.0,
                "customers": customers,
                "new_customers": new,
                "repeat_customers": repeat,
            }
        )
    return out


def spend_by_channel_each(session: Session, *, windows: Sequence[Window]) -> list[list[tuple]]:
    """spend_by_channel of several windows of one workspace (none narrowed), in one statement."""
    if any(w.channel is not None for w in windows):
        raise ValueError("spend of a narrowed window is read by spend_by_channel")
    conn = session.connection()
    m, postgres = driver.mark(conn), conn.dialect.name == "postgresql"
    days = [(i, driver.bound(conn, w.first_day), driver.bound(conn, w.end_day)) for i, w in enumerate(windows)]
    rows = conn.exec_driver_sql(
        f"WITH {driver.listed(postgres, m, 'spans (i, lo, hi)', ('int', 'date', 'date'), len(days))} "
        "SELECT spans.i, spend.channel, spend.campaign, sum(spend.amount) FROM spans JOIN spend "
        f"ON spend.team_id = {m} AND spend.day >= spans.lo AND spend.day < spans.hi "
        "GROUP BY spans.i, spend.channel, spend.campaign",
        (*driver.listed_params(postgres, days), windows[0].team_id),
    )
    out: list[list[tuple]] = [[] for _w in windows]
    for i, channel, campaign, amount in rows:
        out[i].append((channel, campaign, amount))
    return out
