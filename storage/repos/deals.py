"""A period's deals for the reports, read from the deals-per-day roll-ups (storage.rollups.perday)
through storage.rollups.windows.

Customers are the period's sales less its repeat purchases: the won deals whose customer's previous
one closed in the period too, read from their partial index (Deal.prev_won_at). A report narrowed to a
channel reads the deals themselves (storage.repos.metrics): a customer's previous sale may be in
another channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from storage import driver
from storage.rollups import windows as roll_ups

if TYPE_CHECKING:
    from storage.repos.metrics import Window


def won_totals(session: Session, window: Window) -> tuple[int, float | None, int, int, int]:
    """(sales, revenue, customers, new customers, repeat customers) of the window's won deals."""
    return won_totals_each(session, [window])[0]


def won_totals_each(session: Session, windows: Sequence[Window]) -> list[tuple[int, float | None, int, int, int]]:
    """(sales, revenue, customers, new customers, repeat customers) of the won deals of each of several
    windows of one workspace, in two statements: the roll-up's sums, and the repeat purchases of each
    window (those of a customer's third or later won deal apart) from their partial index."""
    conn = session.connection()
    rows = roll_ups.read_many(session, "dealday", (), ("won",), windows)
    repeats = driver.per_span(
        conn,
        "count(*), sum(CASE WHEN d.won_rank >= 3 THEN 1 ELSE 0 END)",
        f"deal d ON d.team_id = {driver.mark(conn)} AND d.prev_won_at >= slices.lo AND d.prev_won_at < slices.hi "
        "AND d.closed_at < slices.hi",
        [(w.start, w.end) for w in windows],
        (windows[0].team_id,),
    )
    out = []
    for i, each in enumerate(rows):
        ((n, revenue, first),) = each or [(0, None, 0)]
        repeat, later = repeats.get(i, (0, 0))
        n, first = int(n or 0), int(first or 0)
        out.append((n, driver.money(revenue), n - int(repeat or 0), first, n - first - int(later or 0)))
    return out


def sales_by_channel(session: Session, window: Window) -> list[tuple]:
    """(channel, campaign, sales, revenue, customers, new customers) of the window's won deals."""
    return sales_by_channel_each(session, [window])[0]


def sales_by_channel_each(session: Session, windows: Sequence[Window]) -> list[list[tuple]]:
    """sales_by_channel of several windows of one workspace, in two statements: the roll-up's sums, and
    each window's repeat purchases within one channel and campaign (a won deal whose customer's previous
    one in the window, by closing time and then id, came from the same channel and campaign). None
    narrowed to a channel: a customer's previous sale may be in another (storage.repos.metrics)."""
    if any(w.channel is not None for w in windows):
        raise ValueError("sales of a narrowed window are read by metrics.sales_by_channel")
    conn = session.connection()
    m, postgres = driver.mark(conn), conn.dialect.name == "postgresql"
    rows = roll_ups.read_many(session, "dealday", ("channel", "campaign"), ("won",), windows)
    spans = [(i, driver.bound(conn, w.start), driver.bound(conn, w.end)) for i, w in enumerate(windows)]
    channel, campaign = "coalesce(d.lead_channel, '')", "coalesce(d.lead_campaign, '')"
    again = conn.exec_driver_sql(
        f"WITH {driver.listed(postgres, m, 's (i, lo, hi)', ('int', 'timestamptz', 'timestamptz'), len(spans))} "
        f"SELECT s.i, {channel}, {campaign}, count(*) FROM s JOIN deal d ON d.team_id = {m} "
        "AND d.prev_won_at >= s.lo AND d.prev_won_at < s.hi AND d.closed_at < s.hi "
        "WHERE EXISTS (SELECT 1 FROM deal e WHERE e.team_id = d.team_id AND e.customer = d.customer "
        "AND e.status = 'won' AND e.closed_at >= s.lo AND (e.closed_at < d.closed_at OR "
        "(e.closed_at = d.closed_at AND e.id < d.id)) AND coalesce(e.lead_channel, '') = coalesce(d.lead_channel, '') "
        f"AND coalesce(e.lead_campaign, '') = coalesce(d.lead_campaign, '')) GROUP BY s.i, {channel}, {campaign}",
        (*driver.listed_params(postgres, spans), windows[0].team_id),
    )
    repeats: list[dict[tuple, int]] = [{} for _w in windows]
    for i, c, k, n in again:
        repeats[i][(c or None, k or None)] = int(n)
    return [
        [
            (c, k, int(n), driver.money(revenue), int(n) - repeats[i].get((c, k), 0), int(first or 0))
            for c, k, n, revenue, first in each
            if n
        ]
        for i, each in enumerate(rows)
    ]


def by_product_each(session: Session, windows: Sequence[Window]) -> list[list[tuple]]:
    """(product, sales, revenue) of each window's won deals."""
    return [
        [(product, int(n), driver.money(revenue)) for product, n, revenue in rows if n]
        for rows in roll_ups.read_many(session, "repday", ("product",), ("won",), windows)
    ]


def by_rep_each(session: Session, windows: Sequence[Window]) -> list[list[tuple]]:
    """(rep, won, lost, revenue of the won) of each window's closed deals."""
    out = []
    for rows in roll_ups.read_many(session, "repday", ("rep", "status"), ("won", "lost"), windows):
        reps: dict[Any, list] = {}
        for rep, status, n, revenue in rows:
            row = reps.setdefault(rep, [0, 0, 0.0])
            if status == "won":
                row[0], row[2] = int(n), driver.money(revenue) or 0.0
            else:
                row[1] = int(n)
        out.append([(rep, won, lost, revenue) for rep, (won, lost, revenue) in reps.items() if won or lost])
    return out
