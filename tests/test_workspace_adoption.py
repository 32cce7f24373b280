"""The workspace's currency and CRM link columns (migration 0011), and data imported before Slack was
connected (workspace `local`) becoming the Slack workspace's when `handoff run` starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, func, select, text

from bot.app import create_app
from bot.deps import Deps
from bot.imports.run import Mapping, run_import
from bot.server import adopt_local_data
from bot.settings import Settings
from bot.workspace.store import LOCAL_TEAM, load, resolve_team, save_settings
from storage.db import alembic_config, migrate, read_scope, session_scope
from storage.models import Deal, Lead, LeadDay, Spend, Workspace
from tests.conftest import BOT_TOKEN, _engine_for
from tests.runtime import add_workspace_to_an_older_schema
from tests.slack_double import SlackDouble

TEAM = "T0TEST"  # the team the double's auth.test names


def test_migration_0011_adds_currency_and_crm_lead_url_empty(tmp_path: Path, postgres_reason: str | None):
    """An existing workspace upgrades with neither set (no symbol guessed) and downgrades keeping its row."""
    for kind in ("sqlite", "postgres"):
        (tmp_path / kind).mkdir()
        for engine in _engine_for(kind, tmp_path / kind, postgres_reason if kind == "postgres" else None):
            cfg = alembic_config(engine)
            command.upgrade(cfg, "0010")
            add_workspace_to_an_older_schema(engine, "T1")
            migrate(engine)
            with engine.begin() as conn:
                assert conn.execute(text("SELECT team_id, currency, crm_lead_url FROM workspace")).all() == [
                    ("T1", None, None)
                ]
                conn.execute(
                    text("UPDATE workspace SET currency = 'RUB', crm_lead_url = 'https://c.example/{external_id}'")
                )
            command.downgrade(cfg, "0010")
            with engine.connect() as conn:
                assert conn.execute(text("SELECT team_id FROM workspace")).all() == [("T1",)]
            command.upgrade(cfg, "head")


def _import(deps: Deps, tmp_path: Path, kind: str, csv: str) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(csv, encoding="utf-8")
    run_import(deps, team_id=resolve_team(deps, None), kind=kind, path=path, mapping=Mapping(), tz="UTC")


@pytest.fixture
def onboarded(engine: Engine, slack: SlackDouble, tmp_path: Path) -> Deps:
    """A database where someone imported and configured before connecting Slack, as the README says."""
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="s" * 32, slack_api_url=slack.api_url, _env_file=None
    )
    deps = Deps(settings=settings, engine=engine)
    leads = "external_id,created_at,channel\nL1,2026-11-02 10:00,ads\nL2,2026-11-02 11:00,ads\n"
    leads += "L3,2026-11-03 09:00,seo\n"
    _import(deps, tmp_path, "leads", leads)
    _import(deps, tmp_path, "deals", "external_id,status,lead_external_id,amount,closed_at\nD1,won,L1,500,2026-11-20\n")
    _import(deps, tmp_path, "spend", "day,amount,channel\n2026-11-02,120,ads\n2026-11-03,80,seo\n")
    save_settings(deps, LOCAL_TEAM, {"timezone": "Europe/Moscow", "language": "ru", "currency": "RUB"})
    return deps


def _rows(engine: Engine, team_id: str) -> dict[str, int]:
    with read_scope(engine) as s:
        return {
            m.__name__: s.execute(select(func.count()).select_from(m).where(m.team_id == team_id)).scalar_one()
            for m in (Lead, Deal, Spend, LeadDay)
        }


def test_run_gives_the_local_data_to_the_workspace_of_its_token(onboarded: Deps, slack: SlackDouble):
    """3 leads (2 roll-up rows: 2 Nov ads, 3 Nov seo), 1 deal, 2 spend rows and the settings move; `local` is
    gone, so the CLI needs no --team; run again, nothing moves."""
    engine = onboarded.engine
    assert _rows(engine, LOCAL_TEAM) == {"Lead": 3, "Deal": 1, "Spend": 2, "LeadDay": 2}
    app = create_app(onboarded.settings, onboarded)
    # Leads per day and owner: 2 and 3 Nov; the deal's day by channel and by product and rep; its lead, sold
    # to, counted as reached and as sold to.
    moved = {"lead": 3, "deal": 1, "spend": 2, "leadday": 2, "ownerday": 2, "dealday": 1, "repday": 1, "reachday": 2}
    assert adopt_local_data(app, onboarded) == moved
    assert len(slack.calls_to("auth.test")) == 1  # the team is the one Bolt's own auth.test named
    assert _rows(engine, TEAM) == {"Lead": 3, "Deal": 1, "Spend": 2, "LeadDay": 2}
    assert _rows(engine, LOCAL_TEAM) == {"Lead": 0, "Deal": 0, "Spend": 0, "LeadDay": 0}
    ws = load(onboarded, TEAM)
    assert (ws.timezone, ws.language, ws.currency) == ("Europe/Moscow", "ru", "RUB")
    with read_scope(engine) as s:
        assert s.execute(select(Workspace.team_id)).scalars().all() == [TEAM]
    assert resolve_team(onboarded, None) == TEAM
    assert adopt_local_data(app, onboarded) is None
    assert _rows(engine, TEAM) == {"Lead": 3, "Deal": 1, "Spend": 2, "LeadDay": 2}


def test_settings_given_in_slack_stay_and_the_rest_come_from_local(onboarded: Deps):
    """The Slack workspace's row exists without data (an admin set its time zone): that stays, the
    language and currency it never set come from `local`."""
    save_settings(onboarded, TEAM, {"timezone": "Asia/Tokyo"})
    assert adopt_local_data(create_app(onboarded.settings, onboarded), onboarded) is not None
    ws = load(onboarded, TEAM)
    assert (ws.timezone, ws.language, ws.currency) == ("Asia/Tokyo", "ru", "RUB")


def test_nothing_moves_when_the_slack_workspace_has_data_or_a_third_workspace_exists(onboarded: Deps, tmp_path: Path):
    """Two sets of data are never merged, and with three workspaces it is not clear whose `local` is."""
    engine = onboarded.engine
    save_settings(onboarded, "T0OTHER", {})
    app = create_app(onboarded.settings, onboarded)
    assert adopt_local_data(app, onboarded) is None
    with session_scope(engine) as s:
        s.execute(text("DELETE FROM workspace WHERE team_id = 'T0OTHER'"))
    save_settings(onboarded, TEAM, {})
    spend = tmp_path / "own.csv"
    spend.write_text("day,amount,channel\n2026-11-05,10,ads\n", encoding="utf-8")
    run_import(onboarded, team_id=TEAM, kind="spend", path=spend, mapping=Mapping(), tz="UTC")
    assert adopt_local_data(app, onboarded) is None
    assert _rows(engine, LOCAL_TEAM) == {"Lead": 3, "Deal": 1, "Spend": 2, "LeadDay": 2}
    assert _rows(engine, TEAM) == {"Lead": 0, "Deal": 0, "Spend": 1, "LeadDay": 0}
