"""Scheduled digests through the Web API double: once per slot, files in the thread, late once,
no double post across instances, a failure after Slack accepted the message is not re-posted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from bot.deps import Deps
from bot.settings import Settings
from bot.workspace.store import save_settings
from jobs import run_due
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Deal, Lead, Spend
from tests.conftest import BOT_TOKEN, TEAM
from tests.runtime import deps_for
from tests.slack_double import SlackDouble


def make_deps(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="s", slack_api_url=slack.api_url, _env_file=None
    )
    return Deps(settings=settings, engine=engine, clock=lambda: now)


@pytest.fixture
def team(engine: Engine) -> Engine:
    save_settings(
        deps_for(engine),
        TEAM,
        {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "admins": ["U0ADMIN"], "name": "Acme"},
    )
    with session_scope(engine) as s:
        for i in range(6):
            s.add(
                Lead(
                    team_id=TEAM,
                    external_id=f"L{i}",
                    created_at=datetime(2026, 11, 27 + i % 3, 10, tzinfo=UTC),
                    channel="ads" if i % 2 else "seo",
                    verdict="target" if i < 4 else None,
                )
            )
        s.add(
            Deal(
                team_id=TEAM,
                external_id="D1",
                lead_external_id="L1",
                customer="C1",
                status="won",
                amount=500,
                closed_at=datetime(2026, 11, 28, 12, tzinfo=UTC),
            )
        )
        s.add(Spend(team_id=TEAM, external_id="s", day=datetime(2026, 11, 27).date(), channel="ads", amount=90))
    return engine


MONDAY_0901 = datetime(2026, 11, 30, 8, 1, tzinfo=UTC)  # 09:01 in Berlin


def test_daily_digest_posts_once_with_files_in_its_thread(team: Engine, slack: SlackDouble):
    deps = make_deps(team, slack, MONDAY_0901)
    ran = run_due(deps=deps, now=MONDAY_0901)
    assert ran == ["tokens", "resume", "digests", "lead-cards", "sla", "quality", "sync", "retention", "agreement"]
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 1
    parent = posts[0]
    assert parent.args["channel"] == "C0DIGEST"
    assert "Daily digest" in parent.args["text"] and "27\u2009–\u200929 Nov 2026" in parent.args["text"]
    assert parent.args["metadata"]["event_payload"]["key"] == "daily/2026-11-27..2026-11-29"
    assert len(parent.args["blocks"]) <= 50
    completes = slack.calls_to("files.completeUploadExternal")
    assert [c.args["thread_ts"] for c in completes] == [parent.response["ts"]] * 2
    table, files = ([f["title"] for f in c.args["files"]] for c in completes)
    assert table == ["Channels · 27\u2009–\u200929 Nov 2026"]  # the channel table on its own, first
    assert files == ["Funnel · 27\u2009–\u200929 Nov 2026", "Channels"]  # a day has no campaign table
    uploaded = [slack.uploads[f["id"]] for c in completes for f in c.args["files"]]
    assert uploaded[0][:8] == uploaded[1][:8] == b"\x89PNG\r\n\x1a\n"
    for later in (MONDAY_0901, MONDAY_0901.replace(minute=2), MONDAY_0901.replace(minute=15)):
        post_due_digests(deps=make_deps(team, slack, later), now=later)
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_the_weekly_digest_has_a_trend_chart(team: Engine, slack: SlackDouble):
    now = MONDAY_0901.replace(minute=31)
    post_due_digests(deps=make_deps(team, slack, now), now=now)
    texts = [c.args["text"] for c in slack.calls_to("chat.postMessage")]
    assert len(texts) == 2 and any("Weekly digest" in t for t in texts)
    titles = [f["title"] for c in slack.calls_to("files.completeUploadExternal") for f in c.args["files"]]
    assert any(t.startswith("Trend") for t in titles)


def test_back_after_downtime_posts_once_marked_late(team: Engine, slack: SlackDouble):
    now = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    post_due_digests(deps=make_deps(team, slack, now), now=now)
    post_due_digests(deps=make_deps(team, slack, now), now=now.replace(minute=1))
    posts = slack.calls_to("chat.postMessage")
    assert sorted(p.args["metadata"]["event_payload"]["key"] for p in posts) == [
        "daily/2026-11-27..2026-11-29",
        "weekly/2026-W48",
    ]
    assert all("posted late" in str(p.args["blocks"]) for p in posts)


def test_two_instances_post_once(team: Engine, slack: SlackDouble):
    barrier = threading.Barrier(2)

    def instance():
        barrier.wait()
        post_due_digests(deps=make_deps(team, slack, MONDAY_0901), now=MONDAY_0901)

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_files_failing_after_the_post_finish_later_without_a_second_post(team: Engine, slack: SlackDouble):
    slack.fail("files.getUploadURLExternal", "internal_error")
    post_due_digests(deps=make_deps(team, slack, MONDAY_0901), now=MONDAY_0901)
    assert len(slack.calls_to("chat.postMessage")) == 1 and not slack.calls_to("files.completeUploadExternal")
    later = MONDAY_0901.replace(minute=2)
    post_due_digests(deps=make_deps(team, slack, later), now=later)
    assert len(slack.calls_to("chat.postMessage")) == 1
    done = slack.calls_to("files.completeUploadExternal")
    parent_ts = slack.calls_to("chat.postMessage")[0].response["ts"]
    assert len(done) == 2 and all(d.args["thread_ts"] == parent_ts for d in done)  # the table, then the files


def test_not_in_channel_tells_the_admins_once(team: Engine, slack: SlackDouble):
    slack.not_member.add("C0DIGEST")
    for minute in (1, 2, 3):
        now = MONDAY_0901.replace(minute=minute)
        post_due_digests(deps=make_deps(team, slack, now), now=now)
    dms = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADMIN"]
    assert len(dms) == 1 and "/invite @Handoff" in dms[0].args["text"]


def test_rate_limited_post_is_waited_out(team: Engine, slack: SlackDouble):
    slack.rate_limit("chat.postMessage", retry_after=1)
    post_due_digests(deps=make_deps(team, slack, MONDAY_0901), now=MONDAY_0901)
    attempts = [c.status for c in slack.calls if c.method == "chat.postMessage"]
    assert attempts == [429, 200]


def test_every_workspaces_digest_is_out_before_the_first_threads_pictures(team: Engine, slack: SlackDouble):
    """Two workspaces due at 09:00: both digest messages are posted before any picture is uploaded into
    a thread, and then both threads are finished, each part once."""
    save_settings(deps_for(team), "T0OTHER", {"timezone": "Europe/Berlin", "digest_channel": "C0OTHER"})
    with session_scope(team) as s:
        s.add(Lead(team_id="T0OTHER", external_id="O1", created_at=datetime(2026, 11, 29, 10, tzinfo=UTC)))
    post_due_digests(deps=make_deps(team, slack, MONDAY_0901), now=MONDAY_0901)
    order = [
        ("message", c.args["channel"]) if c.method == "chat.postMessage" and not c.args.get("thread_ts") else ("part",)
        for c in slack.calls
        if c.status == 200 and c.method in ("chat.postMessage", "files.completeUploadExternal")
    ]
    assert sorted(order[:2]) == [("message", "C0DIGEST"), ("message", "C0OTHER")]
    assert ("part",) in order[2:] and all(o == ("part",) for o in order[2:])
    uploads = [c.args["channel_id"] for c in slack.calls_to("files.completeUploadExternal")]
    assert sorted(set(uploads)) == ["C0DIGEST", "C0OTHER"]
    again = len(slack.calls)
    post_due_digests(deps=make_deps(team, slack, MONDAY_0901), now=MONDAY_0901)  # the next tick, same minute
    assert [c.method for c in slack.calls[again:] if c.method != "auth.test"] == []
