"""The channel and campaign kept on each deal (storage.rollups.attribution) stay its lead's after every
kind of write, from either side and in either order; the channel table and a report narrowed to a
channel, read through them, equal a count by hand."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from bot.demo.data import TEAM, generate
from bot.imports.run import recount as recount_rollups
from bot.kpi.periods import Period
from storage.db import read_scope, session_scope
from storage.models import Deal, Lead
from storage.repos import leads as lead_repo
from storage.repos import metrics
from storage.repos.imports import bulk
from storage.rollups import serialized
from tests.rollup_checks import deal_days, deal_days_by_hand
from tests.runtime import deps_for

Channel = tuple[str | None, str | None]


def kept(engine: Engine) -> dict[str, Channel]:
    with Session(engine) as s:
        rows = s.exec(select(Deal.external_id, Deal.lead_channel, Deal.lead_campaign).where(Deal.team_id == TEAM))
        return {e: (c, k) for e, c, k in rows.all()}


def by_hand(engine: Engine) -> dict[str, Channel]:
    """Each deal's lead's channel and campaign, looked up in Python (a deal without a stored lead: none)."""
    with Session(engine) as s:
        leads = {
            e: (c, k)
            for e, c, k in s.exec(select(Lead.external_id, Lead.channel, Lead.campaign).where(Lead.team_id == TEAM))
        }
        deals = s.exec(select(Deal.external_id, Deal.lead_external_id).where(Deal.team_id == TEAM)).all()
    return {e: leads.get(ext, (None, None)) if ext else (None, None) for e, ext in deals}


def assert_deal_days(engine: Engine) -> None:
    """The deals-per-day roll-ups equal a count of the deals (the first-won marks checked in test_rollups)."""
    with Session(engine) as s:
        first = set(s.exec(select(Deal.external_id).where(Deal.team_id == TEAM, Deal.first_won)).all())
    assert deal_days(engine, TEAM) == deal_days_by_hand(engine, TEAM, first) != {}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def frame(rows: dict[str, list]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("created_at", "closed_at"):
        if c in df:
            df[c] = pd.to_datetime(df[c], utc=True).astype("datetime64[us, UTC]")
    return df


def test_a_sale_takes_its_leads_channel_after_every_kind_of_write(engine: Engine):
    generate(deps_for(engine), seed=4, today=date(2026, 11, 30))
    assert kept(engine) == by_hand(engine)
    assert sum(c is not None for c, _k in kept(engine).values()) > 10
    with Session(engine) as s:
        # A sale before its lead: no channel until the lead arrives, by the ORM or by the webhook.
        s.add_all(
            [
                Deal(team_id=TEAM, external_id="D-1", status="won", closed_at=at(9), lead_external_id="L-1"),
                Deal(team_id=TEAM, external_id="D-2", status="lost", closed_at=at(9), lead_external_id="L-2"),
            ]
        )
        s.commit()
        assert kept(engine)["D-1"] == (None, None)
        s.add(Lead(team_id=TEAM, external_id="L-1", created_at=at(1), channel="ads", campaign="autumn"))
        lead_repo.insert_new(
            s, team_id=TEAM, fields={"external_id": "L-2", "created_at": at(2), "channel": "seo"}, now=at(2)
        )
        s.commit()
        assert kept(engine)["D-1"] == ("ads", "autumn") and kept(engine)["D-2"] == ("seo", None)
        assert_deal_days(engine)
        # The lead moves to another campaign, then to another external id; the sale moves to another lead.
        lead = s.exec(select(Lead).where(Lead.external_id == "L-1")).one()
        lead.campaign = "winter"
        s.add(lead)
        s.commit()
        assert kept(engine)["D-1"] == ("ads", "winter")
        lead.external_id = "L-1b"
        s.add(lead)
        s.commit()
        assert kept(engine)["D-1"] == (None, None)
        deal = s.exec(select(Deal).where(Deal.external_id == "D-1")).one()
        deal.lead_external_id = "L-1b"
        s.add(deal)
        s.commit()
        assert kept(engine)["D-1"] == ("ads", "winter")
    assert kept(engine) == by_hand(engine)
    assert_deal_days(engine)


def three_deals(leads: list[str | None]) -> pd.DataFrame:
    """Two won deals and an open one, of these leads."""
    return frame(
        {
            "external_id": ["I-1", "I-2", "I-3"],
            "status": ["won", "won", "open"],
            "closed_at": [at(8), at(9), None],
            "lead_external_id": leads,
        }
    )


def test_the_bulk_import_keeps_the_channels_in_any_order(engine: Engine):
    generate(deps_for(engine), seed=8, today=date(2026, 11, 30))
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert("deals", TEAM, three_deals(["IL-1", "IL-2", "IL-1"]))
    with session_scope(engine) as s, bulk(s) as w:
        w.upsert(
            "leads",
            TEAM,
            frame({"external_id": ["IL-1", "IL-2"], "created_at": [at(2), at(3)], "channel": ["ads", "events"]}),
        )
    assert kept(engine)["I-1"] == kept(engine)["I-3"] == ("ads", None) and kept(engine)["I-2"] == ("events", None)
    with session_scope(engine) as s, bulk(s) as w:  # the lead changes channel; a sale moves to no lead
        w.upsert(
            "leads",
            TEAM,
            frame({"external_id": ["IL-1", "IL-2"], "created_at": [at(2), at(3)], "channel": ["seo", "events"]}),
        )
        w.upsert("deals", TEAM, three_deals(["IL-1", None, "IL-1"]))
    assert kept(engine)["I-1"] == ("seo", None) and kept(engine)["I-2"] == (None, None)
    assert kept(engine) == by_hand(engine)
    assert_deal_days(engine)


def test_a_recount_repairs_channels_changed_outside_handoff(engine: Engine):
    deps = deps_for(engine)
    generate(deps, seed=7, today=date(2026, 11, 30))
    with engine.begin() as conn:
        conn.execute(text("UPDATE deal SET lead_channel = 'nowhere' WHERE team_id = :t"), {"t": TEAM})
    assert kept(engine) != by_hand(engine)
    recount_rollups(deps, TEAM)
    assert kept(engine) == by_hand(engine)
    assert_deal_days(engine)


def test_sales_by_channel_equal_a_count_by_hand(engine: Engine):
    """The channel table's sales and customers per channel and campaign, and a report narrowed to a
    channel, against the deals joined to their leads in Python; with a customer who bought three times in
    the month, twice through one campaign (tied on the closing time once) and once through another."""
    generate(deps_for(engine), seed=2, today=date(2026, 11, 30))
    with Session(engine) as s:
        s.add_all(
            [
                Lead(team_id=TEAM, external_id="RL-1", created_at=at(1), channel="ads", campaign="x"),
                Lead(team_id=TEAM, external_id="RL-2", created_at=at(1), channel="events", campaign=None),
                *(
                    Deal(
                        team_id=TEAM,
                        external_id=e,
                        customer="RETURNING",
                        status="won",
                        closed_at=t,
                        amount=10.0,
                        lead_external_id=lead,
                    )
                    for e, t, lead in (
                        ("RD-1", datetime(2026, 10, 3, 9, tzinfo=UTC), "RL-1"),
                        ("RD-2", datetime(2026, 10, 3, 9, tzinfo=UTC), "RL-1"),
                        ("RD-3", datetime(2026, 10, 20, 9, tzinfo=UTC), "RL-2"),
                    )
                ),
            ]
        )
        s.commit()
        leads = {
            e: (c, k)
            for e, c, k in s.exec(select(Lead.external_id, Lead.channel, Lead.campaign).where(Lead.team_id == TEAM))
        }
        won = s.exec(select(Deal).where(Deal.team_id == TEAM, Deal.status == "won")).all()
    w = Period.containing("month", date(2026, 10, 1)).window(TEAM, "Europe/Berlin")
    want: dict[tuple, list] = {}
    for d in won:
        if w.start <= d.closed_at < w.end:
            row = want.setdefault(leads.get(d.lead_external_id or "", (None, None)), [0, set()])
            row[0] += 1
            row[1].add(d.customer or f"deal:{d.external_id}")
    with read_scope(engine) as s:
        got = {(c, k): (n, customers) for c, k, n, _revenue, customers, _new in metrics.sales_by_channel(s, window=w)}
        assert got == {key: (n, len(names)) for key, (n, names) in want.items()} and len(got) > 2
        assert got[("ads", "x")][0] >= 2 and got[("events", None)][1] >= 1
        channel = "ads"
        narrowed = metrics.totals(s, window=metrics.Window(**{**w.__dict__, "channel": channel}))
    ads = [names for (c, _k), (_n, names) in want.items() if c == channel]
    assert narrowed["sales"] == sum(want[k][0] for k in want if k[0] == channel) > 0
    assert narrowed["customers"] == len(set().union(*ads))


def _waiting_for_a_turn(engine: Engine) -> bool:
    """Whether a transaction waits for a workspace's turn (an advisory lock) on PostgreSQL."""
    with engine.connect() as conn:
        return bool(
            conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
        )


def _in_turn(engine: Engine, first, second, meanwhile=None) -> None:
    """`first` writes and holds its transaction open; `second`, in another thread, writes and must wait
    for the workspace's turn (`meanwhile` then runs in the first's transaction); then `first` commits
    and `second` goes on."""
    errors: list[BaseException] = []
    with Session(engine) as a:
        first(a)
        a.flush()

        def run() -> None:
            try:
                with Session(engine) as b:
                    second(b)
                    b.commit()
            except BaseException as e:  # reported in the test's thread
                errors.append(e)

        thread = threading.Thread(target=run)
        thread.start()
        for _ in range(500):  # until it waits (each check a round trip; no time is asserted)
            if _waiting_for_a_turn(engine) or not thread.is_alive():
                break
        assert _waiting_for_a_turn(engine)
        if meanwhile is not None:
            meanwhile(a)
        a.commit()
    thread.join()
    assert not errors, errors


def test_two_transactions_writing_one_day_at_once_both_count(engine: Engine):
    """Two deals of one day written by two transactions at once on PostgreSQL: the later recounts the
    day after the earlier commits (without the turn it would write the same roll-up row again)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    generate(deps_for(engine), seed=4, today=date(2026, 11, 30))
    _in_turn(
        engine,
        lambda s: s.add(Deal(team_id=TEAM, external_id="T-1", status="won", closed_at=at(9), amount=5.0)),
        lambda s: s.add(Deal(team_id=TEAM, external_id="T-2", status="won", closed_at=at(9, 13), amount=7.0)),
    )
    assert_deal_days(engine)


def test_a_sale_and_its_lead_written_at_once_get_the_channel(engine: Engine):
    """A deals import still open when the webhook stores the deal's lead: the later of the two sees the
    other's row, so the sale gets its lead's channel (each alone would see neither)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    generate(deps_for(engine), seed=4, today=date(2026, 11, 30))

    def deals(s: Session) -> None:
        with bulk(s) as w:
            w.upsert(
                "deals",
                TEAM,
                frame({"external_id": ["W-1"], "status": ["won"], "closed_at": [at(8)], "lead_external_id": ["WL-1"]}),
            )

    def lead(s: Session) -> None:
        lead_repo.insert_new(
            s, team_id=TEAM, fields={"external_id": "WL-1", "created_at": at(2), "channel": "ads"}, now=at(2)
        )

    _in_turn(engine, deals, lead)
    assert kept(engine)["W-1"] == ("ads", None)
    assert_deal_days(engine)


def test_a_verdict_takes_the_workspaces_turn_before_it_locks_its_lead(engine: Engine):
    """A verdict on a lead that got to a meeting recounts the roll-up of such leads, which takes the
    workspace's turn. An import or the webhook takes that turn first and then lead and roll-up rows, so a
    verdict must take it before it locks its lead: while it waits, the lead's row is free (the other way
    round each would wait for the other)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    generate(deps_for(engine), seed=4, today=date(2026, 11, 30))
    with Session(engine) as s:
        lead = s.exec(select(Lead).where(Lead.team_id == TEAM, col(Lead.met_at).is_not(None))).first()
        assert lead is not None and lead.id is not None
        lead_id, given = lead.id, "junk" if lead.verdict == "target" else "target"

    def verdict(s: Session) -> None:
        held = s.exec(select(Lead).where(Lead.id == lead_id)).one()
        args = {"reason": None, "note": None, "user_id": "U1", "source": "button", "at": at(20)}
        lead_repo.record_verdict(s, team_id=TEAM, lead=held, verdict=given, **args)

    _in_turn(
        engine,
        lambda a: serialized(a.connection(), TEAM),  # an import's last step holds the turn
        verdict,
        lambda a: a.execute(text("SELECT id FROM lead WHERE id = :id FOR UPDATE NOWAIT"), {"id": lead_id}),
    )
    with Session(engine) as s:
        assert s.exec(select(Lead.verdict).where(Lead.id == lead_id)).one() == given
