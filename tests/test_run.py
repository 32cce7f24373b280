"""`handoff run` as a user starts it: environment in, HTTP on PORT, Slack at SLACK_API_URL, jobs in the database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.http import form, get, signed_post

ROOT = Path(__file__).parents[1]


HOST = "127.0.0.2"  # a loopback address of its own: what answers on 127.0.0.1 is not bound to HOST


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def test_handoff_run_serves_slack_and_healthz(slack, tmp_path: Path):
    port = _free_port()
    db = tmp_path / "run.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "HOST": HOST,
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "WEB_PROCESSES": "2",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(url + "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "handoff run did not come up"
            time.sleep(0.2)
        assert slack.calls_to("auth.test"), "the app checks its token against SLACK_API_URL"
        body = form(
            {
                "command": "/handoff",
                "text": "help",
                "team_id": "T0TEST",
                "user_id": "U1",
                "channel_id": "C1",
                "trigger_id": "1.2.3",
                "response_url": slack.response_url(),
            }
        )
        reply = signed_post(url + "/slack/events", SIGNING_SECRET, body, "application/x-www-form-urlencoded")
        assert reply.status == 200 and "/handoff config" in reply.body.decode()
        bad = signed_post(url + "/slack/events", "wrong", body, "application/x-www-form-urlencoded")
        assert bad.status == 401
        engine = create_engine(f"sqlite:///{db}")
        with engine.connect() as conn:
            jobs = [r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs")).all()]
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        engine.dispose()
        assert jobs == ["handoff-tick"] and version

        # A lead webhook is answered by the HTTP process; its card is posted by the card worker process.
        from bot.deps import Deps
        from bot.leads.webhook import sign, webhook_secret
        from bot.settings import Settings
        from bot.workspace.store import save_settings
        from storage.db import make_engine
        from tests.http import post

        store = make_engine(f"sqlite:///{db}")
        deps = Deps(settings=Settings(_env_file=None), engine=store)
        save_settings(deps, "T0TEST", {"leads_channel": "C0LEADS"})
        secret = webhook_secret(deps, "T0TEST")
        store.dispose()
        lead = b'{"external_id": "crm-run-1", "name": "Run Lead", "channel": "ads"}'
        ts = int(time.time())
        headers = {"Content-Type": "application/json", "X-Handoff-Timestamp": str(ts)}
        headers["X-Handoff-Signature"] = sign(secret, ts, lead)
        assert post(url + "/webhooks/T0TEST/leads", lead, headers).status == 201
        card = slack.wait_for("chat.postMessage", timeout=30)[0]
        assert card.args["channel"] == "C0LEADS" and "Run Lead" in card.args["text"]
        # The second HTTP process builds its own app (its own auth.test) and answers on the same port.
        slack.wait_for("auth.test", count=2, timeout=30)
        answers = [get(url + "/healthz").status for _ in range(20)]  # a new connection each
        assert answers == [200] * 20
        with pytest.raises(OSError):  # HOST is the only address served
            get(f"http://127.0.0.1:{port}/healthz")
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert SIGNING_SECRET not in out and BOT_TOKEN not in out
    assert "card worker started" in out and "HTTP process 2 of 2" in out
    with pytest.raises(OSError):  # every process is gone: nothing answers on the port
        get(url + "/healthz")


def test_the_migrations_build_exactly_the_models(engine):
    """Every model change has its migration: the migrated schema and the models do not differ. (slack_sdk's
    installation and state store tables and APScheduler's job table are theirs, not models; the OAuth tests
    and the test below run them on the migrated tables.)"""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401

    def ours(name: str | None, kind: str, parent: dict) -> bool:
        table = name if kind == "table" else parent.get("table_name")
        return not (table or "").startswith(("slack_", "apscheduler_"))

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_a_database_with_meetings_answers_and_actions_upgrades_from_0008(tmp_path: Path):
    """SQLite checks foreign keys: 0009 changes `meeting` in place, so its answers, notes and actions stay."""
    from alembic import command

    from storage.db import alembic_config, make_engine, migrate
    from tests.runtime import add_workspace_to_an_older_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0008")
    add_workspace_to_an_older_schema(engine, "T1")
    at = "2026-11-01 10:00:00.000000"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO meeting (id, team_id, starts_at, ends_at, status, notes)"
                " VALUES (1, 'T1', :at, :at, 'closed', 'old notes')"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO meetinganswer (team_id, meeting_id, user_id, question, answer, updated_at)"
                " VALUES ('T1', 1, 'U1', 'q1', 'an answer', :at)"
            ),
            {"at": at},
        )
        conn.execute(
            text(
                "INSERT INTO actionitem (team_id, meeting_id, text, status, created_at)"
                " VALUES ('T1', 1, 'do', 'open', :at)"
            ),
            {"at": at},
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, status, closed_by FROM meeting")).all() == [(1, "closed", None)]
        assert conn.execute(text("SELECT meeting_id, answer FROM meetinganswer")).all() == [(1, "an answer")]
        assert conn.execute(text("SELECT meeting_id, text FROM actionitem")).all() == [(1, "do")]
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    engine.dispose()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_http_is_served_on_an_ipv4_or_ipv6_host(host: str):
    from bot.server import shared_socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family) as probe:
            probe.bind((host, 0))
    except OSError as e:  # a machine without IPv6 on loopback
        pytest.skip(f"{host} cannot be bound here: {e}")
    with shared_socket(host, 0) as sock:
        assert sock.getsockname()[0] == host


@pytest.mark.parametrize("host", ["localhost", "0.0.0.0:3000", ""])
def test_a_host_that_is_no_address_is_refused_naming_host(host: str):
    from pydantic import ValidationError

    from bot.settings import Settings

    with pytest.raises(ValidationError, match="host"):
        Settings(_env_file=None, host=host)


def test_schedulers_starting_together_find_their_job_table_made(engine):
    """The migrations make APScheduler's job table, so instances starting at once on a new database do not
    race to create it (one of two `handoff run` on PostgreSQL stopped with a duplicate key); both start."""
    import threading

    from sqlalchemy import inspect

    from bot.deps import Deps
    from bot.scheduler import TICK_JOB_ID, create_scheduler
    from bot.settings import Settings

    assert inspect(engine).has_table("apscheduler_jobs")
    together = threading.Barrier(2)
    started, failed = [], []

    def start(key: str) -> None:
        scheduler = create_scheduler(Deps(settings=Settings(_env_file=None), engine=engine), key=key)
        together.wait()
        try:
            scheduler.start(paused=True)
            started.append(scheduler)
        except Exception as exc:  # what the race raised
            failed.append(exc)

    threads = [threading.Thread(target=start, args=(f"together-{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for scheduler in started:
        scheduler.shutdown(wait=False)
    assert failed == [] and len(started) == 2
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs"))] == [TICK_JOB_ID]
