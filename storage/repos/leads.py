"""Leads, their verdicts with history, their thread replies, and Slack events already handled."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Insert, Update, bindparam, delete, func, insert, literal, update
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col, select

from storage.driver import insert_into
from storage.models import CardQueue, Lead, LeadVerdict, ThreadReply, Workspace, table_of
from storage.rollups import attribution, leadday, perday, reach, serialized

# What a person put into a lead (its tracking parameters can carry an e-mail too).
PERSONAL = (
    "name",
    "company",
    "email",
    "phone",
    "message",
    "extra",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
)


def get(session: Session, *, team_id: str, lead_id: int) -> Lead | None:
    lead = session.get(Lead, lead_id)
    return lead if lead is not None and lead.team_id == team_id else None


def by_card(session: Session, *, team_id: str, channel: str, ts: str) -> Lead | None:
    return session.exec(
        select(Lead).where(Lead.team_id == team_id, Lead.card_channel == channel, Lead.card_ts == ts)
    ).first()


def id_by_external_id(session: Session, *, team_id: str, external_id: str) -> int | None:
    return session.execute(select(Lead.id).where(Lead.team_id == team_id, Lead.external_id == external_id)).scalar()


# What a new lead may be given; the rest (verdict, card, …) starts empty.
NEW_LEAD = tuple(
    c.name
    for c in table_of(Lead).columns
    if c.name not in ("id", "team_id", "verdict", "verdict_at", "forgotten_at", "met_at", "won_at")
    and not c.name.startswith("card_")
)


def insert_new(session: Session, *, team_id: str, fields: dict[str, Any], now: datetime) -> int | None:
    """Insert a lead unless its external id is known, counted in the roll-up and queued for its card
    (owed from the moment the lead exists): the new lead's id, or None when the id was known. A few
    prepared statements and no ORM work, because on SQLite every writer waits while one holds the
    write lock: this is the webhook's whole time under it."""
    unknown = fields.keys() - set(NEW_LEAD)
    if unknown:
        raise ValueError(f"not lead fields: {sorted(unknown)}")
    conn = session.connection()
    row: dict[str, Any] = dict.fromkeys(NEW_LEAD) | {"source": "webhook"} | fields
    lead_id = conn.execute(_insert_lead(conn.dialect.name), {**row, "team_id": team_id}).scalar()
    if lead_id is None:
        return None
    conn.execute(_queue_card(), {"team_id": team_id, "lead_id": lead_id, "queued_at": now})
    if row["created_at"] < now - OLDER_THAN_KEPT:
        written(conn, team_id=team_id, oldest=row["created_at"])
    reach.arrived(conn, team_id, lead_id)
    perday.recount(conn, "deal", team_id, attribution.of_leads(conn, team_id, {row["external_id"]}))
    # Last before the commit: on PostgreSQL every new lead of the day and channel updates this one row,
    # and its row lock is held from here to the commit.
    leadday.inserted(conn, team_id, row["created_at"], row["channel"], row["campaign"], None, row["owner"])
    return lead_id


# No workspace keeps personal data less than a day (bot.workspace.keys): a lead younger than that is
# never behind the erasure's mark.
OLDER_THAN_KEPT = timedelta(days=1)


def written(conn: Connection, *, team_id: str, oldest: datetime) -> None:
    """Leads created as early as `oldest` were written: the erasure's mark (Workspace.erased_until)
    goes back to it if it was past it. In the writer's transaction, so the next purge sees them however
    the two transactions fall."""
    conn.execute(
        update(Workspace)
        .where(col(Workspace.team_id) == team_id, col(Workspace.erased_until) > oldest)
        .values(erased_until=oldest)
    )


@cache
def _insert_lead(dialect: str) -> ReturningInsert[Any]:
    table = table_of(Lead)
    stmt = insert_into(dialect, table).values({c: bindparam(c, type_=table.c[c].type) for c in ("team_id", *NEW_LEAD)})
    return stmt.on_conflict_do_nothing(index_elements=["team_id", "external_id"]).returning(table.c.id)


@cache
def _queue_card() -> Insert:
    table = table_of(CardQueue)
    return insert(table).values({c: bindparam(c, type_=table.c[c].type) for c in ("team_id", "lead_id", "queued_at")})


def queued_cards(session: Session, *, limit: int = 50) -> list[tuple[str, int]]:
    """(team_id, lead_id) of the oldest leads waiting for their card."""
    return [
        (t, lead_id)
        for t, lead_id in session.execute(
            select(CardQueue.team_id, CardQueue.lead_id).order_by(col(CardQueue.id)).limit(limit)
        ).all()
    ]


def dequeue_cards(session: Session, *, lead_ids: list[int]) -> None:
    session.execute(delete(CardQueue).where(col(CardQueue.lead_id).in_(lead_ids)))


def set_cards(session: Session, *, team_id: str, cards: list[tuple[int, str, str]], now: datetime) -> None:
    """Where each lead's card is: (lead id, channel, ts), in one prepared statement."""
    session.connection().execute(
        _set_card(), [{"tid": team_id, "lid": i, "ch": ch, "ts": ts, "now": now} for i, ch, ts in cards]
    )


@cache
def _set_card() -> Update:
    t = table_of(Lead)
    return (
        update(t)
        .where(t.c.id == bindparam("lid"), t.c.team_id == bindparam("tid"))
        .values(
            card_channel=bindparam("ch"),
            card_ts=bindparam("ts"),
            card_posted_at=bindparam("now", type_=t.c.card_posted_at.type),
        )
    )


def record_verdict(
    session: Session,
    *,
    team_id: str,
    lead: Lead,
    verdict: str,
    reason: str | None,
    note: str | None,
    user_id: str | None,
    source: str,
    at: datetime,
) -> int | None:
    """Set the lead's verdict and append it to the history: its place in the history (0 for the
    first verdict), or None when it is the verdict the lead has already (nothing is written).
    The workspace's turn at its roll-ups is taken first (a verdict may recount storage.rollups.reachday),
    as the webhook and imports take it: before any lead or roll-up row. Then the lead's row is locked, so
    two clicks at once are decided one after the other. The write is flushed last: it updates the
    roll-up, whose row on PostgreSQL stays locked until the commit and is shared by every lead of the
    day and channel."""
    serialized(session.connection(), team_id)
    lead = session.exec(
        select(Lead).where(Lead.id == lead.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    assert lead.id is not None  # a stored row
    mine = (LeadVerdict.team_id == team_id, LeadVerdict.lead_id == lead.id)
    last = session.exec(select(LeadVerdict).where(*mine).order_by(col(LeadVerdict.id).desc()).limit(1)).first()
    if last is not None and (last.verdict, last.reason, last.note, last.user_id) == (verdict, reason, note, user_id):
        return None
    place = session.execute(select(func.count()).select_from(LeadVerdict).where(*mine)).scalar_one()
    session.add(
        LeadVerdict(
            team_id=team_id,
            lead_id=lead.id,
            verdict=verdict,
            reason=reason,
            note=note,
            user_id=user_id,
            source=source,
            created_at=at,
        )
    )
    lead.verdict, lead.verdict_at = verdict, at
    session.add(lead)
    session.flush()
    return place


def get_many(session: Session, *, team_id: str, lead_ids: list[int]) -> dict[int, Lead]:
    if not lead_ids:
        return {}
    out: dict[int, Lead] = {}
    for lead in session.exec(select(Lead).where(Lead.team_id == team_id, col(Lead.id).in_(lead_ids))):
        assert lead.id is not None  # a stored row
        out[lead.id] = lead
    return out


def histories(session: Session, *, team_id: str, lead_ids: list[int]) -> dict[int, list[LeadVerdict]]:
    """Each lead's verdicts, oldest first (leads without any are left out)."""
    out: dict[int, list[LeadVerdict]] = {}
    if lead_ids:
        for v in session.exec(
            select(LeadVerdict)
            .where(LeadVerdict.team_id == team_id, col(LeadVerdict.lead_id).in_(lead_ids))
            .order_by(col(LeadVerdict.id))
        ):
            out.setdefault(v.lead_id, []).append(v)
    return out


def without_card(
    session: Session, *, team_id: str, since: datetime, before: datetime | None = None, limit: int = 200
) -> list[int]:
    """Leads that arrived recently by webhook or in Slack and still have no card (their post was
    interrupted). Imported leads get cards only when the import asks (`--post`)."""
    ids = list(
        session.exec(
            select(col(Lead.id))
            .where(
                Lead.team_id == team_id,
                Lead.created_at >= since,
                col(Lead.card_ts).is_(None),
                col(Lead.forgotten_at).is_(None),
                Lead.source != "import",
                Lead.created_at < before if before is not None else literal(True),
            )
            .order_by(col(Lead.id))
            .limit(limit)
        )
    )
    return cast(list[int], ids)  # primary keys: never NULL


def newest_id(session: Session, *, team_id: str) -> int:
    return session.exec(select(func.max(Lead.id)).where(Lead.team_id == team_id)).one() or 0


def added_after(session: Session, *, team_id: str, after_id: int) -> list[int]:
    """Ids of the team's leads added after `after_id` (ids only grow), oldest first."""
    ids = list(
        session.exec(
            select(col(Lead.id))
            .where(Lead.team_id == team_id, col(Lead.id) > after_id, col(Lead.forgotten_at).is_(None))
            .order_by(col(Lead.id))
        )
    )
    return cast(list[int], ids)  # primary keys: never NULL


def awaiting_verdict(session: Session, *, team_id: str, since: datetime) -> list[Lead]:
    """Leads with a card and no verdict yet, carded after `since`."""
    return list(
        session.exec(
            select(Lead).where(
                Lead.team_id == team_id,
                col(Lead.verdict).is_(None),
                col(Lead.card_ts).is_not(None),
                col(Lead.card_posted_at) >= since,
            )
        )
    )


def forgotten_among(session: Session, *, lead_ids: list[int]) -> list[int]:
    q = select(col(Lead.id)).where(col(Lead.id).in_(lead_ids), col(Lead.forgotten_at).is_not(None))
    return cast(list[int], list(session.exec(q)))  # primary keys: never NULL


def forget(
    session: Session, *, team_id: str, lead_id: int | None = None, email: str | None = None, now: datetime
) -> list[int]:
    """Erase a lead's personal data (see `erase`), by id or by e-mail. The ids erased."""
    q = select(col(Lead.id)).where(Lead.team_id == team_id)
    if lead_id is not None:
        q = q.where(Lead.id == lead_id)
    elif email is not None:
        q = q.where(func.lower(Lead.email) == email.lower())
    else:
        return []
    ids = cast(list[int], list(session.exec(q.order_by(col(Lead.id)))))  # primary keys: never NULL
    erase(session, ids=ids, now=now)
    return ids


def erase(session: Session, *, ids: list[int], now: datetime) -> None:
    """Erase these leads' personal data: their fields, the replies in their cards' threads and the
    comments on their verdicts; mark them forgotten, so an import does not bring the data back. The
    leads, their channel, campaign and verdicts stay for the numbers."""
    if not ids:
        return
    session.execute(
        update(Lead).where(col(Lead.id).in_(ids)).values(dict.fromkeys(PERSONAL) | {"forgotten_at": now}),
        execution_options={"synchronize_session": False},
    )
    session.execute(delete(ThreadReply).where(col(ThreadReply.lead_id).in_(ids)))
    session.execute(update(LeadVerdict).where(col(LeadVerdict.lead_id).in_(ids)).values(note=None))
