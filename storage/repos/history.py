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
    """totals of several windows of one workspace (none narrowed to a channel), in five statements."""
    conn, team = session.connection(), windows[0].team_id
    m, postgres = driver.mark(conn), conn.dialect.name == "postgresql"
    leads = roll_ups.read_many(session, "leadday", (), (), windows)
    kinds = roll_ups.read_many(session, "activityday", ("kind",), ("request", "meeting"), windows)
    won = deals.won_totals_each(session, windows)
    # Visitors and spend of each window's days and its positive reviews: a subquery each, on its index.
    spans = [
        (i, *(driver.bound(conn, v) for v in (w.first_day, w.end_day, w.start, w.end))) for i, w in enumerate(windows)
    ]
    types = ("int", "date", "date", "timestamptz", "timestamptz")
    rest = {
        i: row
        for i, *row in conn.exec_driver_sql(
            f"WITH {driver.listed(postgres, m, 's (i, lo, hi, lo_at, hi_at)', types, len(spans))} SELECT s.i, "
            f"(SELECT sum(t.visitors) FROM traffic t WHERE t.team_id = {m} AND t.day >= s.lo AND t.day < s.hi), "
            f"(SELECT sum(p.amount) FROM spend p WHERE p.team_id = {m} AND p.day >= s.lo AND p.day < s.hi), "
            f"(SELECT count(*) FROM feedback f WHERE f.team_id = {m} AND f.kind = 'review' "
            "AND f.created_at >= s.lo_at AND f.created_at < s.hi_at AND (f.rating >= 4 OR f.positive)) FROM s",
            (*driver.listed_params(postgres, spans), team, team, team),
        )
    }
    out = []
    for i in range(len(windows)):
        (n, target), counted = (leads[i] or [(0, 0)])[0], dict(kinds[i])
        sales, revenue, customers, new, repeat = won[i]
        out.append(
            {
                "visitors": rest[i][0],
                "spend": driver.money(rest[i][1]),
                "requests": int(counted.get("request") or 0),
                "meetings": int(counted.get("meeting") or 0),
                "positive_reviews": rest[i][2],
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
