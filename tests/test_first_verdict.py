"""Each lead's first verdict, kept on the lead for the feedback SLA (storage.rollups.verdicts), equals the
earliest of its history after every kind of write, on a database migrated with verdicts already given,
and after `handoff recount`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from bot.demo.data import TEAM, generate
from bot.imports.run import recount as recount_rollups
from storage.db import alembic_config, migrate, session_scope
from storage.models import Lead, LeadVerdict
from storage.repos import leads as lead_repo
from storage.repos.imports import bulk
from tests.conftest import _engine_for
from tests.runtime import add_workspace_to_an_older_schema, deps_for


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def kept(engine: Engine, team_id: str = TEAM) -> dict[int, datetime | None]:
    with Session(engine) as s:
        return dict(s.exec(select(Lead.id, Lead.first_verdict_at).where(Lead.team_id == team_id)).all())


def by_hand(engine: Engine, team_id: str = TEAM) -> dict[int, datetime | None]:
    """The earliest verdict of every lead's history, in Python (None without one)."""
    with Session(engine) as s:
        out: dict[int, datetime | None] = dict.fromkeys(s.exec(select(Lead.id).where(Lead.team_id == team_id)).all())
        for lead_id, t in s.exec(select(LeadVerdict.lead_id, LeadVerdict.created_at)):
            if lead_id in out:
                out[lead_id] = min(t, out[lead_id] or t)
    return out


def test_the_first_verdict_follows_every_kind_of_write(engine: Engine):
    generate(deps_for(engine), seed=3, today=date(2026, 11, 30))  # verdict histories through the import
    assert kept(engine) == by_hand(engine) and any(kept(engine).values())
    with session_scope(engine) as s:
        lead = s.exec(select(Lead).where(Lead.team_id == TEAM, Lead.first_verdict_at == None)).first()  # noqa: E711
        assert lead is not None and lead.id is not None
        lead_id, ext = lead.id, lead.external_id
        args = {"team_id": TEAM, "reason": None, "note": None, "user_id": "U1", "source": "button"}
        lead_repo.record_verdict(s, lead=lead, verdict="target", at=at(20), **args)
    with session_scope(engine) as s:  # a later verdict leaves the first where it was
        lead = s.exec(select(Lead).where(Lead.id == lead_id)).one()
        lead_repo.record_verdict(s, lead=lead, verdict="junk", at=at(21), **args)
    assert kept(engine)[lead_id] == at(20)
    history = pd.DataFrame(  # an imported history reaching further back
        {"external_id": [ext], "verdict": ["spam"], "reason": [None], "user_id": ["U2"], "created_at": [at(19)]}
    )
    history["created_at"] = pd.to_datetime(history["created_at"], utc=True).astype("datetime64[us, UTC]")
    with session_scope(engine) as s, bulk(s) as w:
        w.verdict_history(TEAM, history)
    assert kept(engine)[lead_id] == at(19)
    assert kept(engine) == by_hand(engine)


def test_a_recount_repairs_the_first_verdicts(engine: Engine):
    generate(deps_for(engine), seed=3, today=date(2026, 11, 30))
    with engine.begin() as conn:
        conn.execute(text("UPDATE lead SET first_verdict_at = NULL WHERE team_id = :t"), {"t": TEAM})
    assert kept(engine) != by_hand(engine)
    recount_rollups(deps_for(engine), TEAM)
    assert kept(engine) == by_hand(engine)


def test_the_migration_sets_the_first_verdicts_given_before(tmp_path: Path, postgres_reason: str | None):
    for kind in ("sqlite", "postgres"):
        for engine in _engine_for(kind, tmp_path / kind, postgres_reason if kind == "postgres" else None):
            (tmp_path / kind).mkdir(exist_ok=True)
            command.upgrade(alembic_config(engine), "0022")
            add_workspace_to_an_older_schema(engine, "T1")

            def value(t: datetime, kind: str = kind) -> object:  # SQLite keeps naive UTC text
                return t.strftime("%Y-%m-%d %H:%M:%S.%f") if kind == "sqlite" else t

            with engine.begin() as conn:
                for ext in ("E0", "E1"):
                    conn.execute(
                        text(
                            "INSERT INTO lead (team_id, external_id, created_at, card_posted_at, source) "
                            "VALUES ('T1', :e, :c, :c, 'x')"
                        ),
                        {"e": ext, "c": value(at(1))},
                    )
                e0, e1 = (
                    conn.execute(text(f"SELECT id FROM lead WHERE external_id = '{e}'")).scalar() for e in ["E0", "E1"]
                )
                for t in (at(3), at(2)):
                    conn.execute(
                        text(
                            "INSERT INTO leadverdict (team_id, lead_id, verdict, source, created_at) "
                            "VALUES ('T1', :l, 'target', 'button', :c)"
                        ),
                        {"l": e0, "c": value(t)},
                    )
                if kind == "sqlite":  # a database with the planner's statistics
                    conn.execute(text("ANALYZE"))
            migrate(engine)
            assert kept(engine, "T1") == by_hand(engine, "T1") == {e0: at(2), e1: None}
            if kind == "sqlite":  # the rebuilt index has its statistics too, or the planner prefers it blindly
                with engine.connect() as conn:
                    stat = text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_lead_carded'")
                    assert conn.execute(stat).scalar() is not None
