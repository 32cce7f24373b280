"""A process killed between posting to Slack and recording the post: the next tick finishes the job
(or tells the admins), and nothing goes out twice. The posting process is a real one, killed with
SIGKILL while Slack (the double) holds its answer; SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from bot.deps import Deps
from bot.settings import Settings
from bot.slack.once import STALE
from bot.sync.series import setup
from bot.workspace.store import save_settings
from jobs import run_due
from storage.db import session_scope
from storage.models import CardQueue, Deal, Lead, Meeting, MeetingParticipant, PostedMessage
from storage.repos import meetings, posts
from tests.conftest import BOT_TOKEN, TEAM
from tests.slack_double import SlackDouble

ROOT = Path(__file__).resolve().parents[1]
# The posting process: the given jobs at the given moment, against the test's database and Slack.
CHILD = """
import json, sys
from datetime import datetime
args = json.loads(sys.argv[1])
from bot.deps import Deps
from bot.settings import Settings
from storage.db import make_engine
kw = {"connect_args": {"options": "-csearch_path=" + args["schema"]}} if args["schema"] else {}
now = datetime.fromisoformat(args["now"])
settings = Settings(slack_bot_token=args["token"], slack_api_url=args["api"], _env_file=None)
deps = Deps(settings=settings, engine=make_engine(args["url"], **kw), clock=lambda: now)
if args["what"] == "drain":
    from bot.leads.cards import drain
    drain(deps)
else:
    from jobs import run_due
    run_due(deps=deps, now=now)
"""


def run_and_kill(
    engine: Engine,
    slack: SlackDouble,
    what: str,
    now: datetime,
    *,
    posts_seen: int,
    method: str = "chat.postMessage",
    answered: int = 0,
) -> None:
    """Start the posting process; once Slack has taken `posts_seen` calls of `method` (and holds its
    answers, all but the first `answered`), kill it."""
    schema = None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    args = {
        "url": engine.url.render_as_string(hide_password=False),
        "schema": schema,
        "api": slack.api_url,
        "token": BOT_TOKEN,
        "now": now.isoformat(),
        "what": what,
    }
    slack.answer_late(method, 60, after=answered)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)], cwd=ROOT, env=env)
    try:
        slack.wait_for(method, count=posts_seen, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        slack.answer_late(method, 0)


def make_deps(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url, _env_file=None)
    return Deps(settings=settings, engine=engine, clock=lambda: now)


def claims(engine: Engine) -> dict[str, PostedMessage]:
    with session_scope(engine) as s:
        return {c.key: c for c in s.exec(select(PostedMessage))}


def keyed(slack: SlackDouble, channel: str) -> list[str]:
    """The keys of the bot's posts in a channel, as their metadata carries them."""
    return [m["metadata"]["event_payload"]["key"] for m in slack.posted(channel) if m.get("metadata")]


MONDAY_0901 = datetime(2026, 11, 30, 8, 1, tzinfo=UTC)  # 09:01 in Berlin: the daily and weekly digests are due


def test_a_digest_cut_off_before_its_answer_is_found_and_finished(engine: Engine, slack: SlackDouble):
    """Killed after Slack took the digest: the next tick finds it, records it and posts its files; one digest."""
    deps = make_deps(engine, slack, MONDAY_0901)
    save_settings(deps, TEAM, {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "weekly_digest": False})
    with session_scope(engine) as s:
        s.add(Lead(team_id=TEAM, external_id="L1", created_at=datetime(2026, 11, 28, 10, tzinfo=UTC), channel="ads"))
        s.add(
            Deal(
                team_id=TEAM,
                external_id="D1",
                lead_external_id="L1",
                status="won",
                amount=100,
                closed_at=datetime(2026, 11, 28, 12, tzinfo=UTC),
            )
        )
    run_and_kill(engine, slack, "tick", MONDAY_0901, posts_seen=1)
    key = "daily/2026-11-27..2026-11-29"
    assert keyed(slack, "C0DIGEST") == [key] and claims(engine)[key].status == "claimed"
    later = MONDAY_0901 + STALE + timedelta(minutes=1)
    run_due(deps=make_deps(engine, slack, later), now=later)
    held = claims(engine)[key]
    parent = slack.posted("C0DIGEST")[0]
    assert keyed(slack, "C0DIGEST") == [key], "the digest is not posted a second time"
    assert held.status == "done" and held.ts == parent["ts"]
    files = [f["name"] for m in slack.posted("C0DIGEST") if m.get("thread_ts") == parent["ts"] for f in m["files"]]
    assert files == [
        "channel-table-2026-11-27..2026-11-29.png",
        "funnel-2026-11-27..2026-11-29.png",
        "channels-2026-11-27..2026-11-29.csv",
    ]


def test_cards_cut_off_mid_batch_are_each_posted_once(engine: Engine, slack: SlackDouble):
    """Killed while Slack held the first of five cards: the next tick records it and posts the other four."""
    now = datetime(2026, 12, 2, 10, tzinfo=UTC)
    deps = make_deps(engine, slack, now)
    save_settings(deps, TEAM, {"leads_channel": "C0LEADS"})
    with session_scope(engine) as s:
        for i in range(5):
            lead = Lead(team_id=TEAM, external_id=f"W{i}", created_at=now, name=f"Lead {i}", source="webhook")
            s.add(lead)
            s.flush()
            s.add(CardQueue(team_id=TEAM, lead_id=lead.id, queued_at=now))
    run_and_kill(engine, slack, "drain", now, posts_seen=1)
    assert len(slack.posted("C0LEADS")) == 1
    assert sorted(c.status for c in claims(engine).values()) == ["claimed"] * 5
    later = now + STALE + timedelta(minutes=1)
    run_due(deps=make_deps(engine, slack, later), now=later)
    cards = slack.posted("C0LEADS")
    with session_scope(engine) as s:
        leads = s.exec(select(Lead).order_by(Lead.id)).all()
        queued = s.exec(select(CardQueue)).all()
    assert sorted(keyed(slack, "C0LEADS")) == sorted(f"lead-card/{lead.id}" for lead in leads)
    assert len(cards) == 5 and queued == []
    assert len(slack.calls_to("conversations.history")) == 1, "the channel's history is read once for the batch"
    assert sorted(lead.card_ts for lead in leads) == sorted(m["ts"] for m in cards)
    assert all(c.status == "done" for c in claims(engine).values())


def set_up_sync(deps: Deps, ask: datetime) -> None:
    """A Wednesday 15:00 (Berlin) sync from `ask`'s week with one salesperson, U0SALES1; admin U0ADMIN."""
    save_settings(deps, TEAM, {"timezone": "Europe/Berlin", "admins": ["U0ADMIN"], "sync_channel": "C0SYNC"})
    setup(
        deps,
        TEAM,
        {
            "weekday": 3,
            "time": "15:00",
            "start_date": ask.date(),
            "timezone": "Europe/Berlin",
            "sales": ["U0SALES1"],
            "marketing": [],
            "active": True,
        },
    )


def test_a_sync_question_dm_cut_off_is_reported_to_the_admins(engine: Engine, slack: SlackDouble):
    """Killed after Slack took a question DM: not sent again; the admins are told once, the person counts as asked."""
    ask = datetime(2026, 12, 1, 14, tzinfo=UTC)  # Tuesday 15:00 in Berlin: the questions go out
    deps = make_deps(engine, slack, ask)
    set_up_sync(deps, ask)
    run_and_kill(engine, slack, "tick", ask, posts_seen=1)
    later = ask + STALE + timedelta(minutes=1)
    run_due(deps=make_deps(engine, slack, later), now=later)
    to_sales = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0SALES1"]
    to_admin = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADMIN"]
    assert len(to_sales) == 1, "the question DM is not sent twice"
    assert len(to_admin) == 1 and "<@U0SALES1>" in to_admin[0].args["text"]
    with session_scope(engine) as s:
        (p,) = s.exec(select(MeetingParticipant)).all()
    assert p.status == "asked" and p.user_id == "U0SALES1"
    later += timedelta(minutes=10)
    run_due(deps=make_deps(engine, slack, later), now=later)
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADMIN"]) == 1


@pytest.mark.parametrize("dies_in", ["claim_many", "add_participant"])
def test_a_sync_question_cut_off_at_its_claim_is_asked_on_the_next_tick(
    engine: Engine, slack: SlackDouble, monkeypatch, dies_in: str
):
    """Death at the question's claim or right after listing the person: neither is kept; the next tick asks once."""
    ask = datetime(2026, 12, 1, 14, tzinfo=UTC)
    deps = make_deps(engine, slack, ask)
    set_up_sync(deps, ask)
    module = posts if dies_in == "claim_many" else meetings
    real = getattr(module, dies_in)

    def dies(session, **kw):
        if dies_in == "claim_many" and not any(key.startswith("sync-ask/") for key, *_ in kw["claims"]):
            return real(session, **kw)
        real(session, **kw)
        session.flush()
        raise SystemExit("killed")

    monkeypatch.setattr(module, dies_in, dies)
    with contextlib.suppress(SystemExit):
        run_due(deps=deps, now=ask)
    monkeypatch.setattr(module, dies_in, real)
    with session_scope(engine) as s:
        assert s.exec(select(MeetingParticipant)).all() == []
        assert [c.key for c in s.exec(select(PostedMessage)) if c.key.startswith("sync-ask/")] == []
    later = ask + timedelta(minutes=1)
    run_due(deps=make_deps(engine, slack, later), now=later)
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0SALES1"]) == 1
    with session_scope(engine) as s:
        (p,) = s.exec(select(MeetingParticipant)).all()
    assert p.status == "asked"


@pytest.mark.parametrize("dies_in", ["claim", "post"])
def test_a_close_cut_off_never_leaves_a_closed_meeting_without_its_summary(
    engine: Engine, slack: SlackDouble, monkeypatch: pytest.MonkeyPatch, dies_in: str
):
    """Death at the summary's claim leaves the meeting open; death after it leaves a claim the sweep posts once."""
    from bot.slack import once
    from bot.sync.closing import close

    ask, agenda = datetime(2026, 12, 1, 14, tzinfo=UTC), datetime(2026, 12, 3, 13, tzinfo=UTC)
    deps = make_deps(engine, slack, ask)
    set_up_sync(deps, ask)
    run_due(deps=deps, now=ask)
    run_due(deps=make_deps(engine, slack, agenda), now=agenda)
    (agenda_post,) = [
        c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "C0SYNC" and "thread_ts" not in c.args
    ]
    with session_scope(engine) as s:
        (meeting,) = s.exec(select(Meeting)).all()
    claim_many = posts.claim_many

    def dies(*args, **kw):
        if dies_in == "claim" and kw.get("claims") and not kw["claims"][0][0].startswith("sync-summary/"):
            return claim_many(*args, **kw)
        raise SystemExit("killed")

    at = agenda + timedelta(hours=1, minutes=30)
    monkeypatch.setattr(*((posts, "claim_many") if dies_in == "claim" else (once, "_send_all")), dies)
    with pytest.raises(SystemExit):
        close(make_deps(engine, slack, at), TEAM, meeting.id, at, by="U0SALES1")
    monkeypatch.undo()
    with session_scope(engine) as s:
        status = s.get(Meeting, meeting.id).status
    if dies_in == "claim":
        assert status == "open"  # nothing of the close was kept: Close again works
        assert close(make_deps(engine, slack, at), TEAM, meeting.id, at, by="U0SALES1")
    else:
        assert status == "closed"
    for later in (at + STALE + timedelta(minutes=1), at + STALE + timedelta(minutes=2)):
        run_due(deps=make_deps(engine, slack, later), now=later)
    summaries = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("thread_ts") == agenda_post.response["ts"] and "Sync summary" in c.args.get("text", "")
    ]
    assert len(summaries) == 1 and "<@U0SALES1>" in json.dumps(summaries[0].args["blocks"])
