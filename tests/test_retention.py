"""What is removed by age, through the hourly job: personal data of leads older than `retention_days`
(also leads imported or sent later with an old date), handled event ids, claims on old posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from bot.imports.run import Mapping, run_import
from bot.leads import privacy
from bot.leads.intake import intake
from bot.workspace.keys import ConfigError, parse_value
from bot.workspace.store import save_settings
from jobs import run_due
from storage.db import session_scope
from storage.models import HandledEvent, Lead, LeadVerdict, PostedMessage, ThreadReply, Workspace
from storage.repos import leads, retention
from tests.runtime import deps_for
from tests.test_rollups import recount, rollup

TEAM = "T0KEEP"
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # a purge minute
HEADER = "external_id,created_at,name,email,channel,utm_source,message\n"


def row(external_id: str, days_ago: int, name: str) -> str:
    created = (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M")
    return f"{external_id},{created},{name},{name.lower()}@example.com,ads,{name.lower()}-mail,call {name}\n"


def load(engine: Engine, tmp_path: Path, rows: list[str], name: str = "leads.csv") -> None:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows))
    run_import(deps_for(engine), team_id=TEAM, kind="leads", path=path, mapping=Mapping(), tz="UTC", progress=False)


def by_external_id(engine: Engine) -> dict[str, Lead]:
    with session_scope(engine) as s:
        return {lead.external_id: lead for lead in s.exec(select(Lead).where(Lead.team_id == TEAM))}


def mark(engine: Engine) -> datetime | None:
    with session_scope(engine) as s:
        return retention.erased_until(s, team_id=TEAM)


@pytest.fixture
def kept_30_days(engine: Engine) -> Engine:
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC", "retention_days": 30})
    return engine


def test_leads_older_than_kept_lose_their_personal_data_and_keep_their_numbers(kept_30_days: Engine, tmp_path: Path):
    """40 days old: fields, replies and verdict comments erased, still counted; 10 days old: untouched."""
    engine = kept_30_days
    load(engine, tmp_path, [row("old", 40, "Ann"), row("young", 10, "Bob")])
    old_id = by_external_id(engine)["old"].id
    with session_scope(engine) as s:
        s.add(ThreadReply(team_id=TEAM, lead_id=old_id, channel="C1", ts="1.1", user_id="U1", text="Ann's phone"))
        s.add(LeadVerdict(team_id=TEAM, lead_id=old_id, verdict="not_target", reason="x", note="Ann said no"))
    counts = rollup(engine, TEAM)
    run_due(deps=deps_for(engine, clock=lambda: NOW), now=NOW)
    leads_now = by_external_id(engine)
    old, young = leads_now["old"], leads_now["young"]
    assert [getattr(old, f) for f in leads.PERSONAL] == [None] * len(leads.PERSONAL)
    assert old.forgotten_at is not None and old.channel == "ads"
    assert (young.name, young.email, young.utm_source) == ("Bob", "bob@example.com", "bob-mail")
    with session_scope(engine) as s:
        assert s.exec(select(ThreadReply)).all() == []
        assert [v.note for v in s.exec(select(LeadVerdict))] == [None]
    assert rollup(engine, TEAM) == recount(engine, TEAM) == counts
    assert mark(engine) == NOW - timedelta(days=30)


def test_an_erased_lead_imported_again_stays_erased(kept_30_days: Engine, tmp_path: Path):
    """The CRM export still has the person: importing it again after the purge brings nothing back."""
    engine = kept_30_days
    load(engine, tmp_path, [row("old", 40, "Ann")])
    run_due(deps=deps_for(engine, clock=lambda: NOW), now=NOW)
    load(engine, tmp_path, [row("old", 40, "Ann")], name="again.csv")
    assert by_external_id(engine)["old"].name is None


def test_leads_written_later_with_an_old_date_are_erased_on_the_next_run(kept_30_days: Engine, tmp_path: Path):
    """An old import or webhook lead arriving after the purge moves the mark back and is erased on the next run."""
    engine = kept_30_days
    deps = deps_for(engine, clock=lambda: NOW)
    load(engine, tmp_path, [row("first", 40, "Ann")])
    run_due(deps=deps, now=NOW)
    load(engine, tmp_path, [row("history", 365, "Cy")], name="history.csv")
    created = (NOW - timedelta(days=100)).isoformat()
    assert intake(deps, TEAM, {"external_id": "hook", "name": "Di", "created_at": created}).status == 201
    assert mark(engine) == NOW - timedelta(days=365)
    later = NOW + timedelta(hours=1)
    run_due(deps=deps_for(engine, clock=lambda: later), now=later)
    assert {k: lead.name for k, lead in by_external_id(engine).items()} == {
        "first": None,
        "history": None,
        "hook": None,
    }
    assert mark(engine) == later - timedelta(days=30)


def test_a_first_run_over_many_leads_goes_on_where_it_stopped(
    kept_30_days: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Batches of 2, at most 4 a run: 5 old leads take two runs; the young one is never touched."""
    engine = kept_30_days
    monkeypatch.setattr(privacy, "ERASE_BATCH", 2)
    monkeypatch.setattr(privacy, "ERASE_RUN", 4)
    load(engine, tmp_path, [row(f"old{i}", 40 + i, f"N{i}") for i in range(5)] + [row("young", 1, "Y")])
    assert run_due(deps=deps_for(engine, clock=lambda: NOW), now=NOW)
    assert sum(lead.name is None for lead in by_external_id(engine).values()) == 4
    assert mark(engine) == NOW - timedelta(days=41)  # the last erased (old1); old0, 40 days, waits
    later = NOW + timedelta(hours=1)
    run_due(deps=deps_for(engine, clock=lambda: later), now=later)
    names = {k: lead.name for k, lead in by_external_id(engine).items()}
    assert names == {**{f"old{i}": None for i in range(5)}, "young": "Y"}


def test_the_mark_is_not_moved_past_a_lead_written_meanwhile(engine: Engine):
    """A compare-and-set: a writer that moved the mark back wins over a purge that read it before."""
    save_settings(deps_for(engine), TEAM, {"retention_days": 30})
    with session_scope(engine) as s:
        assert retention.advance(s, team_id=TEAM, was=None, to=NOW - timedelta(days=30))
    with session_scope(engine) as s:
        leads.written(s.connection(), team_id=TEAM, oldest=NOW - timedelta(days=90))
    with session_scope(engine) as s:
        assert not retention.advance(s, team_id=TEAM, was=NOW - timedelta(days=30), to=NOW)
    assert mark(engine) == NOW - timedelta(days=90)


def test_without_retention_days_nothing_is_erased_and_off_the_minute_nothing_runs(engine: Engine, tmp_path: Path):
    """Unset keeps personal data until `forget`; set, it waits for the purge minute."""
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC"})
    load(engine, tmp_path, [row("old", 4000, "Ann")])
    run_due(deps=deps_for(engine, clock=lambda: NOW), now=NOW)
    assert by_external_id(engine)["old"].name == "Ann"
    save_settings(deps_for(engine), TEAM, {"retention_days": 30})
    off = NOW + timedelta(minutes=1)
    run_due(deps=deps_for(engine, clock=lambda: off), now=off)
    assert by_external_id(engine)["old"].name == "Ann"


def test_event_ids_and_claims_are_removed_once_they_can_no_longer_matter(engine: Engine):
    """Event ids after 7 days (Slack retries within minutes), claims 90 days after their post."""
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC"})
    with session_scope(engine) as s:
        for days, event in ((8, "Ev8"), (6, "Ev6")):
            s.add(HandledEvent(event_id=event, team_id=TEAM, created_at=NOW - timedelta(days=days)))
        # A thread part left unsure is removed too (its post's sweep gives up the post, not the part).
        for days, status, kind in (
            (91, "done", "digest"),
            (95, "failed", "card"),
            (91, "unsure", "part"),
            (89, "done", "digest"),
        ):
            at = NOW - timedelta(days=days)
            s.add(
                PostedMessage(
                    team_id=TEAM, key=f"k/{days}/{status}", kind=kind, status=status, created_at=at, updated_at=at
                )
            )
    run_due(deps=deps_for(engine, clock=lambda: NOW), now=NOW)
    with session_scope(engine) as s:
        assert [e.event_id for e in s.exec(select(HandledEvent))] == ["Ev6"]
        assert [p.key for p in s.exec(select(PostedMessage))] == ["k/89/done"]
        assert s.exec(select(func.count()).select_from(Workspace)).one() == 1


@pytest.mark.parametrize("raw", ["0", "3651", "-5", "1e3", "\u0663\u0660", "thirty"])
def test_retention_days_outside_1_to_3650_is_refused_naming_the_key(raw: str):
    with pytest.raises(ConfigError) as refused:
        parse_value("retention_days", raw)
    assert refused.value.key == "retention_days"


def test_retention_days_reads_days_or_none():
    assert [parse_value("retention_days", v) for v in ("30", " 3650 ", "none", "")] == [30, 3650, None, None]


def test_the_setting_reaches_the_workspace(engine: Engine):
    save_settings(deps_for(engine), TEAM, {"retention_days": parse_value("retention_days", "400")})
    with session_scope(engine) as s:
        assert s.get(Workspace, TEAM).retention_days == 400
