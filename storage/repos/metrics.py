"""Aggregates for the KPI engine. SQL scans and groups; callers get small rows, never every lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.driver import binary, money
from storage.models import Activity, Deal, Feedback, Lead, ProductMargin, Spend, Traffic
from storage.repos import deals
from storage.rollups import windows as roll_ups


@dataclass(frozen=True)
class Window:
    """A period as UTC instants (for timestamps) and local days (for per-day tables), end exclusive."""

    team_id: str
    start: datetime
    end: datetime
    first_day: date
    end_day: date
    channel: str | None = None  # only this acquisition channel (a sale or an activity: its lead's)


# Statements are built once per shape (narrowed to a channel or not) with bound parameters and
# reused: building SQLAlchemy expressions costs more than running these indexed queries.
TEAM: BindParameter[str] = bindparam("team")
START: BindParameter[datetime] = bindparam("start")
END: BindParameter[datetime] = bindparam("end")
FIRST_DAY: BindParameter[date] = bindparam("first_day")
END_DAY: BindParameter[date] = bindparam("end_day")
CHANNEL: BindParameter[str | None] = bindparam("channel")


def _params(w: Window) -> dict[str, Any]:
    return {
        "team": w.team_id,
        "start": w.start,
        "end": w.end,
        "first_day": w.first_day,
        "end_day": w.end_day,
        "channel": w.channel,
    }


def _rows(session: Session, stmt: Executable, w: Window) -> list[tuple]:
    return [tuple(r) for r in session.execute(stmt, _params(w)).all()]


def _in_channel(narrow: bool, ext_col: SQLColumnExpression[str | None]) -> ColumnElement[bool]:
    """True when the row's lead (by external id) came from the window's channel, or no channel is set."""
    if not narrow:
        return literal(True)
    lead = aliased(Lead)
    return exists().where(col(lead.team_id) == TEAM, col(lead.external_id) == ext_col, col(lead.channel) == CHANNEL)


def _deals(narrow: bool, *statuses: str) -> ColumnElement[bool]:
    """Deals closed in the period with these statuses; a sale belongs to its lead's channel."""
    cond = [
        col(Deal.team_id) == TEAM,
        col(Deal.status).in_(statuses) if len(statuses) > 1 else col(Deal.status) == statuses[0],
        col(Deal.closed_at) >= START,
        col(Deal.closed_at) < END,
    ]
    if narrow:
        cond.append(col(Deal.lead_channel) == CHANNEL)
    return and_(*cond)


def _day_rows(narrow: bool, model: type[Traffic] | type[Spend]) -> ColumnElement[bool]:
    cond = [col(model.team_id) == TEAM, col(model.day) >= FIRST_DAY, col(model.day) < END_DAY]
    if narrow:
        cond.append(col(model.channel) == CHANNEL)
    return and_(*cond)


def _leads(narrow: bool) -> ColumnElement[bool]:
    cond = [col(Lead.team_id) == TEAM, col(Lead.created_at) >= START, col(Lead.created_at) < END]
    if narrow:
        cond.append(col(Lead.channel) == CHANNEL)
    return and_(*cond)


def _customer() -> ColumnElement[str]:
    # A deal without a customer is its own customer.
    return func.coalesce(Deal.customer, literal("deal:") + Deal.external_id)


def _repeat_customer() -> ColumnElement[str | None]:
    return case((and_(~col(Deal.first_won), col(Deal.customer).is_not(None)), col(Deal.customer)))


def _count_true(flag: SQLColumnExpression[bool]) -> ColumnElement[int]:
    return func.sum(case((flag, 1), else_=0))


@cache
def _totals_statements(narrow: bool) -> dict[str, Any]:
    activity = {
        kind: select(func.count()).where(
            col(Activity.team_id) == TEAM,
            col(Activity.kind) == kind,
            col(Activity.occurred_at) >= START,
            col(Activity.occurred_at) < END,
            _in_channel(narrow, col(Activity.lead_external_id)),
        )
        for kind in ("request", "meeting")  # one index range per kind
    }
    return {
        "visitors": select(func.sum(Traffic.visitors)).where(_day_rows(narrow, Traffic)),
        "spend": select(func.sum(Spend.amount)).where(_day_rows(narrow, Spend)),
        "requests": activity["request"],
        "meetings": activity["meeting"],
        # A new customer's first won deal falls in the period: one marked deal per customer. A repeat
        # customer won a deal in the period that is not their first (ties go to the older row).
        # Narrowed to a channel (storage.repos.deals reads the rest): a customer's previous sale may be
        # in another channel, so the names are counted.
        "won": select(
            func.count(),
            func.sum(Deal.amount),
            func.count(distinct(binary(_customer()))),
            _count_true(col(Deal.first_won)),
            func.count(distinct(binary(_repeat_customer()))),
        ).where(_deals(narrow, "won")),
        "positive_reviews": select(func.count()).where(
            col(Feedback.team_id) == TEAM,
            col(Feedback.kind) == "review",
            col(Feedback.created_at) >= START,
            col(Feedback.created_at) < END,
            or_(col(Feedback.rating) >= 4, col(Feedback.positive).is_(True)),
        ),
    }


def totals(session: Session, *, window: Window, trend_only: bool = False) -> dict[str, Any]:
    """The headline numbers of a period; `trend_only`: just what a trend point shows (leads, sales,
    revenue, customers, spend), a third faster — a trend asks for eight periods."""
    q, p = _totals_statements(window.channel is not None), _params(window)
    out: dict[str, Any] = {}
    asked: tuple[str, ...] = (
        ("spend",) if trend_only else ("visitors", "spend", "requests", "meetings", "positive_reviews")
    )
    if not trend_only and window.channel is None:  # from the roll-up (a narrowed window: its leads' meetings)
        kinds = dict(roll_ups.read(session, "activityday", ("kind",), ("request", "meeting"), window))
        out["requests"], out["meetings"] = (int(kinds.get(k) or 0) for k in ("request", "meeting"))
        asked = ("visitors", "spend", "positive_reviews")
    for name in asked:
        # A review has no acquisition channel: a narrowed report does not count them (None, not 0).
        out[name] = None if name == "positive_reviews" and window.channel else session.execute(q[name], p).scalar()
    out["spend"] = money(out["spend"])
    out["leads"], out["target_leads"] = _lead_totals(session, window)
    won = session.execute(q["won"], p).one() if window.channel else deals.won_totals(session, window)
    out["sales"], out["revenue"], out["customers"] = won[0], won[1] or 0.0, won[2]
    out["new_customers"], out["repeat_customers"] = won[3] or 0, won[4]
    return out


@cache
def _grouped_statements(narrow: bool) -> dict[str, Any]:
    return {
        # A sale belongs to its lead's channel (storage.rollups.attribution keeps it on the deal).
        "sales_by_channel": select(
            col(Deal.lead_channel),
            col(Deal.lead_campaign),
            func.count(),
            func.sum(Deal.amount),
            func.count(distinct(binary(_customer()))),
            _count_true(col(Deal.first_won)),
        )
        .where(_deals(narrow, "won"))
        .group_by(col(Deal.lead_channel), col(Deal.lead_campaign)),
        "spend_by_channel": select(col(Spend.channel), col(Spend.campaign), func.sum(Spend.amount))
        .where(_day_rows(narrow, Spend))
        .group_by(col(Spend.channel), col(Spend.campaign)),
        "deals_by_product": select(col(Deal.product), func.count(), func.sum(Deal.amount))
        .where(_deals(narrow, "won"))
        .group_by(col(Deal.product)),
        "deals_by_rep": select(
            col(Deal.rep),
            func.sum(case((col(Deal.status) == "won", 1), else_=0)),
            func.sum(case((col(Deal.status) == "lost", 1), else_=0)),
            func.sum(case((col(Deal.status) == "won", Deal.amount), else_=0)),
        )
        .where(_deals(narrow, "won", "lost"))
        .group_by(col(Deal.rep)),
        "leads_by_owner": select(col(Lead.owner), func.count()).where(_leads(narrow)).group_by(col(Lead.owner)),
    }


def leads_by_channel(session: Session, *, window: Window) -> list[tuple]:
    """(channel, campaign, leads, target_leads) for leads created in the period: its whole UTC days from
    the roll-up, the pieces at its ends from the leads (storage.rollups.windows)."""
    return leads_by_channel_each(session, windows=[window])[0]


def leads_by_channel_each(session: Session, *, windows: Sequence[Window]) -> list[list[tuple]]:
    """leads_by_channel of several windows of one workspace (and one channel or none), in one statement."""
    return [
        [(channel, campaign, int(n), int(t or 0)) for channel, campaign, n, t in rows if n]
        for rows in roll_ups.read_many(session, "leadday", ("channel", "campaign"), (), windows)
    ]


def _lead_totals(session: Session, w: Window) -> tuple[int, int]:
    rows = leads_by_channel(session, window=w)
    return sum(r[2] for r in rows), sum(r[3] for r in rows)


def sales_by_channel(session: Session, *, window: Window) -> list[tuple]:
    """(channel, campaign, sales, revenue, customers, new_customers): a sale belongs to its lead's channel."""
    if window.channel is None:
        return deals.sales_by_channel(session, window)
    return _rows(session, _grouped_statements(window.channel is not None)["sales_by_channel"], window)


def spend_by_channel(session: Session, *, window: Window) -> list[tuple]:
    """(channel, campaign, spend)."""
    return _rows(session, _grouped_statements(window.channel is not None)["spend_by_channel"], window)


def deals_by_product(session: Session, *, window: Window) -> list[tuple]:
    """(product, sales, revenue) for deals won in the period."""
    if window.channel is None:
        return deals.by_product_each(session, [window])[0]
    return _rows(session, _grouped_statements(window.channel is not None)["deals_by_product"], window)


def product_margins(session: Session, *, team_id: str) -> list[tuple]:
    """(product, average margin) over every deal that states a margin, by product name (the report lists
    them in this order on every database); from the margins roll-up (storage.rollups.margins)."""
    rows = session.execute(
        select(col(ProductMargin.product), col(ProductMargin.margin_sum), col(ProductMargin.deals))
        .where(col(ProductMargin.team_id) == team_id, col(ProductMargin.deals) > 0)
        .order_by(col(ProductMargin.product))
    ).all()
    # Rounded past any meaning: a sum of floats differs in its last bits with the order rows were added.
    return [(product, round(total / n, 10)) for product, total, n in rows]


def deals_by_rep(session: Session, *, window: Window) -> list[tuple]:
    """(rep, won, lost, revenue) for deals closed in the period."""
    if window.channel is None:
        return deals.by_rep_each(session, [window])[0]
    return _rows(session, _grouped_statements(window.channel is not None)["deals_by_rep"], window)


def leads_by_owner(session: Session, *, window: Window) -> list[tuple]:
    """(owner, leads) for leads created in the period: whole UTC days from the per-owner roll-up, the
    pieces at its ends from the leads (a report narrowed to a channel reads the leads)."""
    if window.channel is not None:
        return _rows(session, _grouped_statements(True)["leads_by_owner"], window)
    return leads_by_owner_each(session, windows=[window])[0]


def leads_by_owner_each(session: Session, *, windows: Sequence[Window]) -> list[list[tuple]]:
    """leads_by_owner of several windows of one workspace (none narrowed to a channel), in one statement."""
    return [
        [(owner, int(n)) for owner, n in rows if n]
        for rows in roll_ups.read_many(session, "ownerday", ("owner",), (), windows)
    ]
