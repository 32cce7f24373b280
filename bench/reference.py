"""The yardstick of bench/digest.py: the numbers a report shows, asked of the base tables (no roll-ups)
with hand-written SQL, one statement per number set and window, on the same connection.

It asks what `compute_report` asks — the period's and its comparison's totals, the channel and
campaign tables, products, reps, the funnel's cohort and its progress, the month's cohort, the
seasonal bands' history, the month's pace, the leads waiting and the period's SLA account, the
trend — and leaves out only the Python that turns rows into a report.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.types import Date

from bot.kpi.bands import HISTORY
from bot.kpi.changes import history
from bot.kpi.funnel import cohort_of
from bot.kpi.pace import SEASON_WEEKS
from bot.kpi.periods import Period
from storage.types import UTCDateTime

TYPES = {"start": UTCDateTime, "end": UTCDateTime, "as_of": UTCDateTime, "first_day": Date, "end_day": Date}

SQL = {
    "leads": "SELECT channel, campaign, count(*), sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) FROM lead "
    "WHERE team_id = :team AND created_at >= :start AND created_at < :end GROUP BY channel, campaign",
    "owners": "SELECT owner, count(*) FROM lead WHERE team_id = :team AND created_at >= :start AND created_at < :end "
    "GROUP BY owner",
    "spend": "SELECT channel, campaign, sum(amount) FROM spend WHERE team_id = :team AND day >= :first_day "
    "AND day < :end_day GROUP BY channel, campaign",
    "visitors": "SELECT sum(visitors) FROM traffic WHERE team_id = :team AND day >= :first_day AND day < :end_day",
    "activities": "SELECT kind, count(*) FROM activity WHERE team_id = :team AND kind IN ('request', 'meeting') "
    "AND occurred_at >= :start AND occurred_at < :end GROUP BY kind",
    "reviews": "SELECT count(*) FROM feedback WHERE team_id = :team AND kind = 'review' AND created_at >= :start "
    "AND created_at < :end AND (rating >= 4 OR positive)",
    "won": "SELECT count(*), sum(amount), count(DISTINCT coalesce(customer, 'deal:' || external_id)), "
    "sum(CASE WHEN first_won THEN 1 ELSE 0 END), "
    "count(DISTINCT CASE WHEN NOT first_won AND customer IS NOT NULL THEN customer END) FROM deal "
    "WHERE team_id = :team AND status = 'won' AND closed_at >= :start AND closed_at < :end",
    "sales_by_channel": "SELECT l.channel, l.campaign, count(*), sum(d.amount), "
    "count(DISTINCT coalesce(d.customer, 'deal:' || d.external_id)), sum(CASE WHEN d.first_won THEN 1 ELSE 0 END) "
    "FROM deal d LEFT JOIN lead l ON l.team_id = d.team_id AND l.external_id = d.lead_external_id "
    "WHERE d.team_id = :team AND d.status = 'won' AND d.closed_at >= :start AND d.closed_at < :end "
    "GROUP BY l.channel, l.campaign",
    "products": "SELECT product, count(*), sum(amount) FROM deal WHERE team_id = :team AND status = 'won' "
    "AND closed_at >= :start AND closed_at < :end GROUP BY product",
    "margins": "SELECT product, avg(margin) FROM deal WHERE team_id = :team AND margin IS NOT NULL "
    "AND product IS NOT NULL GROUP BY product",
    "reps": "SELECT rep, sum(CASE WHEN status = 'won' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status = 'lost' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'won' THEN amount ELSE 0 END) "
    "FROM deal WHERE team_id = :team AND status IN ('won', 'lost') AND closed_at >= :start AND closed_at < :end "
    "GROUP BY rep",
    # Leads of the window and how far each got by :as_of (a sale counts as a meeting and a target).
    "progress": "SELECT count(*), sum(CASE WHEN l.verdict = 'target' OR r.ext IS NOT NULL THEN 1 ELSE 0 END), "
    "count(r.ext), sum(r.won) FROM lead l LEFT JOIN ("
    "  SELECT ext, max(won) AS won FROM ("
    "    SELECT lead_external_id AS ext, 0 AS won FROM activity WHERE team_id = :team AND kind = 'meeting' "
    "    AND occurred_at >= :start AND occurred_at < :as_of"
    "    UNION ALL SELECT lead_external_id, 1 FROM deal WHERE team_id = :team AND status = 'won' "
    "    AND closed_at >= :start AND closed_at < :as_of) e GROUP BY ext"
    ") r ON r.ext = l.external_id WHERE l.team_id = :team AND l.created_at >= :start AND l.created_at < :end",
    "cohort": "SELECT count(*), sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN EXISTS (SELECT 1 FROM activity a WHERE a.team_id = l.team_id "
    "AND a.lead_external_id = l.external_id AND a.kind = 'meeting') THEN 1 ELSE 0 END), "
    "sum(CASE WHEN EXISTS (SELECT 1 FROM deal d WHERE d.team_id = l.team_id "
    "AND d.lead_external_id = l.external_id AND d.status = 'won') THEN 1 ELSE 0 END) "
    "FROM lead l WHERE l.team_id = :team AND l.created_at >= :start AND l.created_at < :end",
    "waiting": "SELECT owner, card_posted_at FROM lead WHERE team_id = :team AND verdict IS NULL "
    "AND card_ts IS NOT NULL AND card_posted_at IS NOT NULL",
    # The pace's day series, by day over the weeks before (UTC days: the same rows as local ones).
    "lead_days": "SELECT date(created_at), count(*), sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END) FROM lead "
    "WHERE team_id = :team AND created_at >= :start AND created_at < :end GROUP BY date(created_at)",
    "won_days": "SELECT date(closed_at), count(*), sum(amount), sum(CASE WHEN first_won THEN 1 ELSE 0 END) FROM deal "
    "WHERE team_id = :team AND status = 'won' AND closed_at >= :start AND closed_at < :end GROUP BY date(closed_at)",
    "spend_days": "SELECT day, sum(amount) FROM spend WHERE team_id = :team AND day >= :first_day "
    "AND day < :end_day GROUP BY day",
    "sla": "SELECT l.card_posted_at, (SELECT min(v.created_at) FROM leadverdict v WHERE v.team_id = l.team_id "
    "AND v.lead_id = l.id) FROM lead l WHERE l.team_id = :team AND l.created_at >= :start AND l.created_at < :end "
    "AND l.card_posted_at IS NOT NULL",
}


def _statement(name: str) -> Any:
    stmt = text(SQL[name])
    names = [n for n in TYPES if re.search(rf":{n}\b", SQL[name])]
    return stmt.bindparams(*(bindparam(n, type_=TYPES[n]) for n in names))


STATEMENTS = {name: _statement(name) for name in SQL}


class Reference:
    def __init__(self, conn: Connection, team_id: str, tz: str) -> None:
        self.conn, self.team_id, self.tz = conn, team_id, tz
        self.rows = 0

    def ask(self, name: str, period: Period | None = None, **extra: Any) -> list[tuple]:
        params: dict[str, Any] = {"team": self.team_id, **extra}
        if period is not None:
            w = period.window(self.team_id, self.tz)
            params |= {"start": w.start, "end": w.end, "first_day": w.first_day, "end_day": w.end_day}
        rows = [tuple(r) for r in self.conn.execute(STATEMENTS[name], params).all()]
        self.rows += len(rows)
        return rows

    def totals(self, p: Period) -> None:
        for name in ("visitors", "spend", "activities", "reviews", "won", "leads"):
            self.ask(name, p)

    def trend_point(self, p: Period) -> None:
        for name in ("spend", "won", "leads"):
            self.ask(name, p)


def reported_before(kind: str, period: Period) -> Period:
    """The period the digest before reported on (a workday digest's: the day before, Monday's: Friday
    to Sunday; the bench's day is a Friday, so the day before)."""
    if kind == "daily":
        return Period("day", period.start - timedelta(days=1), period.start)
    return period.previous()


def report(conn: Connection, team_id: str, tz: str, kind: str, period: Period) -> int:
    """Asks every number set of a report of `kind` over `period`; how many rows came back."""
    ref = Reference(conn, team_id, tz)
    daily = kind == "daily"
    before = reported_before(kind, period)
    for p in {period, period.comparison(), before, before.comparison()}:
        ref.totals(p)
        ref.ask("products", p)
    for p in (period, before):
        if not daily:
            ref.ask("sales_by_channel", p)
            ref.ask("leads", p.comparison())
        ref.ask("reps", p)
        ref.ask("owners", p)
    ref.ask("sales_by_channel", period)
    if not daily:
        ref.ask("margins")
    if kind == "monthly":
        ref.ask("cohort", period)
    ref.ask("progress", cohort_of(period), as_of=period.window(team_id, tz).end)
    if kind in HISTORY:
        for p in {h for q in (period, before) for h in history(kind, q)}:
            ref.ask("leads", p)
            ref.ask("spend", p)
    # The month's pace: its totals so far and the day series of the weeks before.
    month = Period.containing("month", period.start)
    ref.trend_point(Period("range", month.start, period.end))
    weeks = Period("range", period.end - timedelta(days=7 * SEASON_WEEKS), period.end)
    for name in ("lead_days", "won_days", "spend_days"):
        ref.ask(name, weeks)
    ref.ask("waiting")
    ref.ask("sla", period)
    if not daily:
        for back in range(2, 8):
            ref.trend_point(period.shifted(back))
    return ref.rows
