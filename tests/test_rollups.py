"""The kept-up aggregates stay equal to what they summarise: the leads-per-day roll-up to a recount of
the leads (and report windows read through it to the leads themselves), the first-won marks to each
customer's earliest won deal."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.demo.data import TEAM, generate
from bot.imports.run import recount as recount_rollups
from bot.kpi.periods import Period
from bot.workspace.store import save_settings
from storage.db import alembic_config, migrate, read_scope, session_scope
from storage.models import Deal, Lead, LeadDay, OwnerDay
from storage.repos import deals as deals_repo
from storage.repos import history as history_repo
from storage.repos import leads as lead_repo
from storage.repos import metrics
from storage.repos.imports import bulk
from tests.conftest import _engine_for
from tests.rollup_checks import deal_days, deal_days_by_hand
from tests.runtime import add_workspace_to_an_older_schema, deps_for


def recount(engine: Engine, team_id: str = TEAM) -> dict[tuple, tuple[int, int]]:
    """(UTC day, channel, campaign) → (leads, target leads), and ("owner", UTC day, owner) → (leads, 0),
    counted from every lead in Python."""
    with Session(engine) as s:
        rows = s.exec(
            select(Lead.created_at, Lead.channel, Lead.campaign, Lead.verdict, Lead.owner).where(
                Lead.team_id == team_id
            )
        )
        leads, target = Counter(), Counter()
        for created, channel, campaign, verdict, owner in rows:
            day = created.astimezone(UTC).date()
            key = (day, channel or "", campaign or "")
            leads[key] += 1
            target[key] += verdict == "target"
            leads[("owner", day, owner or "")] += 1
    return {k: (leads[k], target[k]) for k in leads}


def rollup(engine: Engine, team_id: str = TEAM) -> dict[tuple, tuple[int, int]]:
    """The leads-per-day roll-up and the leads-per-owner one, keyed as recount() keys them."""
    with Session(engine) as s:
        rows = s.exec(select(LeadDay).where(LeadDay.team_id == team_id))
        out = {(r.day, r.channel, r.campaign): (r.leads, r.target_leads) for r in rows if r.leads or r.target_leads}
        owners = s.exec(select(OwnerDay).where(OwnerDay.team_id == team_id))
        return out | {("owner", r.day, r.owner): (r.leads, 0) for r in owners if r.leads}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_the_roll_up_follows_every_kind_of_write(engine: Engine):
    """After every kind of write (bulk, ORM, verdicts, moves, deletes, re-import) the roll-up equals a recount."""
    generate(deps_for(engine), seed=3, today=date(2026, 11, 30))
    assert rollup(engine) == recount(engine)
    with Session(engine) as s:
        fresh = Lead(team_id=TEAM, external_id="X1", created_at=at(2, 23))  # no channel or campaign: kept under ""
        s.add(fresh)
        s.flush()
        # The webhook's insert, which the ORM's listeners do not see; a known external id adds nothing.
        assert lead_repo.insert_new(
            s,
            team_id=TEAM,
            fields={"external_id": "X2", "created_at": at(2, 22), "channel": "ads", "campaign": "c1", "owner": "U7"},
            now=at(2, 22),
        )
        new = {"external_id": "X2", "created_at": at(9)}
        assert lead_repo.insert_new(s, team_id=TEAM, fields=new, now=at(9)) is None
        some = s.exec(select(Lead).where(Lead.team_id == TEAM, Lead.verdict == "target").limit(2)).all()
        for lead in some:
            lead_repo.record_verdict(
                s,
                team_id=TEAM,
                lead=lead,
                verdict="spam",
                reason=None,
                note=None,
                user_id="U1",
                source="test",
                at=at(3),
            )
        lead_repo.record_verdict(
            s,
            team_id=TEAM,
            lead=some[0],
            verdict="target",
            reason=None,
            note=None,
            user_id="U1",
            source="test",
            at=at(4),
        )
        moved = s.exec(select(Lead).where(Lead.team_id == TEAM, Lead.verdict == "target").offset(5)).first()
        moved.created_at, moved.channel = moved.created_at - timedelta(days=40, hours=5), "moved-here"
        moved.owner = "U-NEW-OWNER"
        s.add(moved)
        s.commit()
        assert rollup(engine) == recount(engine)
        # A row expired by the commit: what it held is read before the change is counted.
        moved.verdict, moved.channel, moved.owner = "spam", "moved-again", None
        s.add(moved)
        s.commit()
        assert rollup(engine) == recount(engine)
        s.delete(fresh)
        s.commit()
    assert rollup(engine) == recount(engine)
    with Session(engine) as s:
        ext, old_day = s.exec(select(Lead.external_id, Lead.created_at).where(Lead.team_id == TEAM)).first()
    reimport = pd.DataFrame(
        {
            "external_id": [ext, "NEW-1"],
            "created_at": pd.to_datetime([old_day + timedelta(days=90), at(29, 1)], utc=True).astype(
                "datetime64[us, UTC]"
            ),
            "channel": ["other", None],
            "verdict": ["target", "target"],
            "owner": ["U-REIMPORTED", None],
        }
    )
    with session_scope(engine) as s, bulk(s) as w:
        assert w.upsert("leads", TEAM, reimport)[:2] == (1, 1)
    assert rollup(engine) == recount(engine)


def _rounded(totals: dict) -> dict:
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in totals.items()}


@pytest.mark.parametrize("tz", ["Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "UTC"])
def test_report_windows_count_the_same_leads_as_the_lead_table(engine: Engine, tz: str):
    """Roll-up days plus partial edge days equal counting the window's leads, in DST and half-hour zones."""
    generate(deps_for(engine), seed=5, today=date(2026, 11, 30))
    save_settings(deps_for(engine), TEAM, {"timezone": tz})
    with Session(engine) as s:
        all_leads = s.exec(select(Lead.created_at, Lead.channel, Lead.campaign, Lead.verdict, Lead.owner)).all()
    periods = [
        Period.containing("day", date(2026, 10, 25)),  # Berlin's 25-hour day
        Period.containing("week", date(2026, 10, 25)),
        Period.containing("month", date(2026, 10, 1)),
        Period.containing("month", date(2026, 3, 1)),
        Period.between(date(2026, 1, 30), date(2026, 6, 2)),
    ]
    checked = 0
    for p in periods:
        w = p.window(TEAM, tz)
        want: Counter = Counter()
        owners: Counter = Counter()
        for created, channel, campaign, verdict, owner in all_leads:
            if w.start <= created < w.end:
                want[(channel, campaign, "n")] += 1
                want[(channel, campaign, "t")] += verdict == "target"
                owners[owner] += 1
        with read_scope(engine) as s:
            got: Counter = Counter()
            for channel, campaign, n, target in metrics.leads_by_channel(s, window=w):
                got[(channel, campaign, "n")] += n
                got[(channel, campaign, "t")] += target
            total = metrics.totals(s, window=w)
            by_owner = dict(metrics.leads_by_owner(s, window=w))
        assert +got == +want, p
        assert by_owner == owners and len(owners) > 1, p
        assert total["leads"] == sum(v for k, v in want.items() if k[2] == "n")
        checked += total["leads"]
        channel = sorted({k[0] for k in want if k[0]})[0]  # narrowed to one channel: its rows only
        with read_scope(engine) as s:
            narrow = metrics.leads_by_channel(s, window=p.window(TEAM, tz, channel))
        assert {(c, camp, n, t) for c, camp, n, t in narrow} == {
            (c, camp, want[(c, camp, "n")], want[(c, camp, "t")])
            for c, camp, kind in want
            if c == channel and kind == "n"
        }
    assert checked > 1000
    windows = [p.window(TEAM, tz) for p in periods]
    # A report's groupings of its periods at once (bot.kpi.report prefetches them; the bands merge two).
    for one, each in (
        (metrics.leads_by_channel, metrics.leads_by_channel_each),
        (metrics.leads_by_owner, metrics.leads_by_owner_each),
        (metrics.deals_by_product, deals_repo.by_product_each),
        (metrics.deals_by_rep, deals_repo.by_rep_each),
        (metrics.spend_by_channel, history_repo.spend_by_channel_each),
        (metrics.sales_by_channel, deals_repo.sales_by_channel_each),
    ):
        with read_scope(engine) as s:
            one_by_one = [sorted(one(s, window=w), key=str) for w in windows]
            at_once = [sorted(rows, key=str) for rows in each(s, windows=windows)]
        assert at_once == one_by_one and all(one_by_one), one.__name__
    # …and the report's totals of all its periods at once (storage.repos.history).
    with read_scope(engine) as s:
        one_by_one = [_rounded(metrics.totals(s, window=w)) for w in windows]
        at_once = [_rounded(t) for t in history_repo.totals_each(s, windows=windows)]
    assert at_once == one_by_one and all(t["sales"] and t["requests"] and t["spend"] for t in one_by_one)


def naive(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def test_the_migration_counts_the_leads_already_stored(tmp_path: Path, postgres_reason: str | None):
    """Upgrading a database that already holds leads fills the roll-ups from them (SQLite and PostgreSQL)."""
    for kind in ("sqlite", "postgres"):
        for engine in _engine_for(kind, tmp_path / kind, postgres_reason if kind == "postgres" else None):
            (tmp_path / kind).mkdir(exist_ok=True)
            cfg = alembic_config(engine)
            command.upgrade(cfg, "0006")
            add_workspace_to_an_older_schema(engine, "T1")
            with engine.begin() as conn:
                for i, (day, hour, channel, verdict) in enumerate(
                    [(1, 0, "ads", "target"), (1, 23, "ads", None), (2, 5, None, "target"), (2, 6, "seo", "spam")]
                ):
                    conn.execute(
                        text(
                            "INSERT INTO lead (team_id, external_id, created_at, channel, verdict, source) "
                            "VALUES ('T1', :e, :c, :ch, :v, 'import')"
                        ),
                        # SQLite keeps naive UTC text; PostgreSQL gets the instant itself.
                        {"e": f"E{i}", "c": naive(at(day, hour)) if kind == "sqlite" else at(day, hour)}
                        | {"ch": channel, "v": verdict},
                    )
            migrate(engine)
            assert (
                rollup(engine, "T1")
                == recount(engine, "T1")
                == {
                    (date(2026, 11, 1), "ads", ""): (2, 1),
                    (date(2026, 11, 2), "", ""): (1, 1),
                    (date(2026, 11, 2), "seo", ""): (1, 0),
                    ("owner", date(2026, 11, 1), ""): (2, 0),
                    ("owner", date(2026, 11, 2), ""): (2, 0),
                }
            )


Place = tuple[bool, int | None, datetime | None]  # (first won, rank, previous won deal's closing time)


def first_won_by_hand(engine: Engine) -> dict[str, Place]:
    """Every deal's place in its customer's won deals, in Python: each customer's won deals ordered by
    closing time (ties: the older row), ranked from 1 with the closing time of the one before; a won
    deal without a customer is its own first; a deal not won has no place."""
    with Session(engine) as s:
        deals = s.exec(select(Deal).where(Deal.team_id == TEAM)).all()
    out: dict[str, Place] = {d.external_id: (False, None, None) for d in deals}
    history: dict[str, list[Deal]] = {}
    for d in deals:
        if d.status != "won" or d.closed_at is None:
            continue
        if d.customer is None:
            out[d.external_id] = (True, 1, None)
        else:
            history.setdefault(d.customer, []).append(d)
    for won in history.values():
        won.sort(key=lambda d: (d.closed_at, d.id))
        for rank, d in enumerate(won, 1):
            out[d.external_id] = (rank == 1, rank, won[rank - 2].closed_at if rank > 1 else None)
    return out


def marked(engine: Engine) -> dict[str, Place]:
    with Session(engine) as s:
        rows = s.exec(
            select(Deal.external_id, Deal.first_won, Deal.won_rank, Deal.prev_won_at).where(Deal.team_id == TEAM)
        )
        return {e: (bool(f), r, p) for e, f, r, p in rows.all()}


def assert_deal_days(engine: Engine) -> None:
    first = {e for e, (f, _r, _p) in first_won_by_hand(engine).items() if f}
    assert deal_days(engine, TEAM) == deal_days_by_hand(engine, TEAM, first) != {}


def customers_by_hand(engine: Engine, w: metrics.Window) -> dict[str, int]:
    """A window's customers, new and repeat customers, by the names of its won deals."""
    with Session(engine) as s:
        deals = s.exec(select(Deal).where(Deal.team_id == TEAM, Deal.status == "won")).all()
    first = {e for e, (f, _r, _p) in first_won_by_hand(engine).items() if f}
    inside = [d for d in deals if d.closed_at is not None and w.start <= d.closed_at < w.end]
    return {
        "customers": len({d.customer or f"deal:{d.external_id}" for d in inside}),
        "new_customers": sum(d.external_id in first for d in inside),
        "repeat_customers": len({d.customer for d in inside if d.customer and d.external_id not in first}),
    }


def test_first_won_marks_follow_every_kind_of_write(engine: Engine):
    """After every kind of deal write each deal's place in its customer's history, and a period's customers,
    new and repeat customers, equal a hand count."""
    generate(deps_for(engine), seed=3, today=date(2026, 11, 30))
    assert marked(engine) == first_won_by_hand(engine)
    assert_deal_days(engine)
    assert {r for _f, r, _p in marked(engine).values()} >= {1, 2, 3}  # customers who came back
    with Session(engine) as s:
        # First deals of customers who won more than once: changing them moves the mark to another deal.
        again = Counter(s.exec(select(Deal.customer).where(Deal.team_id == TEAM, Deal.status == "won")).all())
        won = [
            d
            for d in s.exec(select(Deal).where(Deal.team_id == TEAM, Deal.status == "won", Deal.first_won)).all()
            if again[d.customer] > 1
        ]
        a, b, c = won[0], won[1], won[2]
        s.add(
            Deal(
                team_id=TEAM,
                external_id="EARLY",
                customer=a.customer,
                status="won",
                closed_at=at(1) - timedelta(days=900),
            )
        )
        b.status = "lost"
        c.customer = a.customer
        s.add_all([b, c])
        s.commit()
        assert marked(engine) == first_won_by_hand(engine)
        assert_deal_days(engine)
        s.delete(s.exec(select(Deal).where(Deal.external_id == "EARLY")).one())
        s.commit()
        assert marked(engine) == first_won_by_hand(engine)
        assert_deal_days(engine)
        d = won[3]
        reimport = pd.DataFrame(
            {
                "external_id": [d.external_id, "NEW-D"],
                "customer": [won[4].customer, "BRAND-NEW"],
                "status": ["won", "won"],
                "closed_at": pd.to_datetime([at(20), at(1) - timedelta(days=800)], utc=True).astype(
                    "datetime64[us, UTC]"
                ),
            }
        )
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert("deals", TEAM, reimport)
    assert marked(engine) == first_won_by_hand(engine)
    assert_deal_days(engine)
    for p in (
        Period.containing("month", date(2026, 10, 1)),
        Period.containing("week", date(2026, 6, 10)),
        Period.containing("day", date(2026, 11, 20)),
        Period.between(date(2024, 1, 1), date(2026, 11, 30)),
    ):
        w = p.window(TEAM, "Europe/Berlin")
        with read_scope(engine) as s:
            got = metrics.totals(s, window=w)
        want = customers_by_hand(engine, w)
        assert {k: got[k] for k in want} == want
        assert want["customers"] > 0 or p.kind == "day"
    assert want["repeat_customers"] > 0  # the whole history: customers who came back


def test_a_recount_repairs_rows_changed_outside_handoff(engine: Engine):
    """Rows changed by plain SQL leave the aggregates behind; `handoff recount` brings both back."""
    generate(deps_for(engine), seed=9, today=date(2026, 11, 30))
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        when = naive(at(15, 9)) if sqlite else at(15, 9)
        conn.execute(
            text(
                "INSERT INTO lead (team_id, external_id, created_at, channel, verdict, source) "
                "VALUES (:t, 'BY-SQL', :c, 'ads', 'target', 'import')"
            ),
            {"t": TEAM, "c": when},
        )
        first = conn.execute(text("SELECT min(id) FROM lead WHERE team_id = :t"), {"t": TEAM}).scalar()
        conn.execute(text("DELETE FROM leadverdict WHERE lead_id = :i"), {"i": first})
        conn.execute(text("DELETE FROM cardqueue WHERE lead_id = :i"), {"i": first})
        conn.execute(text("DELETE FROM threadreply WHERE lead_id = :i"), {"i": first})
        conn.execute(text("DELETE FROM lead WHERE id = :i"), {"i": first})
        conn.execute(
            text(
                "UPDATE deal SET status = 'won', closed_at = :c WHERE id = "
                "(SELECT min(id) FROM deal WHERE team_id = :t AND status = 'lost')"
            ),
            {"t": TEAM, "c": naive(at(1) - timedelta(days=700)) if sqlite else at(1) - timedelta(days=700)},
        )
    assert rollup(engine) != recount(engine) and marked(engine) != first_won_by_hand(engine)
    first = {e for e, (f, _r, _p) in first_won_by_hand(engine).items() if f}
    assert deal_days(engine, TEAM) != deal_days_by_hand(engine, TEAM, first)
    days = recount_rollups(deps_for(engine), TEAM)
    assert rollup(engine) == recount(engine) and days == sum(k[0] != "owner" for k in recount(engine))
    assert marked(engine) == first_won_by_hand(engine)
    assert_deal_days(engine)
