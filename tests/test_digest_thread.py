"""The digest's thread in Slack: the channel table and both CSVs, each exactly once — posted through signed
HTTP (`/kpi post`), after a process killed between the thread's parts, and for a digest an earlier
version posted (its files out, no table part) that is resumed now."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot import ids
from bot.kpi import delivery
from bot.slack import once
from bot.slack.once import STALE
from bot.workspace.store import save_settings
from jobs import run_due
from storage.db import session_scope
from storage.models import Deal, Lead, PostedMessage, Spend
from storage.repos.posts import POSTED
from tests.conftest import TEAM, RunningApp
from tests.http import slash_command
from tests.runtime import deps_for
from tests.slack_double import SlackDouble
from tests.test_crash import claims, make_deps, run_and_kill

HOSTILE = '<!channel> *bold* =HYPERLINK("https://evil.example","x")'
FORMULA = "=cmd|' /C calc'!A0"
PNG = b"\x89PNG\r\n\x1a\n"
MONDAY_0901 = datetime(2026, 11, 30, 8, 1, tzinfo=UTC)  # 09:01 in Berlin: the daily digest is due
DAY = "2026-11-27..2026-11-29"  # Monday's daily digest: Friday to Sunday
DAILY_FILES = [f"channel-table-{DAY}.png", f"funnel-{DAY}.png", f"channels-{DAY}.csv"]


def thread_files(slack: SlackDouble, channel: str) -> list[str]:
    """The names of the files in the thread of the channel's one top-level post, in order."""
    (parent,) = [m for m in slack.posted(channel) if not m.get("thread_ts")]
    return [f["name"] for m in slack.posted(channel) if m.get("thread_ts") == parent["ts"] for f in m["files"]]


def uploaded(slack: SlackDouble, name: str, channel: str = "C0DIGEST") -> bytes:
    """The bytes Slack took for the file of that name shared in the channel."""
    (file_id,) = [f["id"] for m in slack.posted(channel) for f in m.get("files", []) if f["name"] == name]
    return slack.uploads[file_id]


@pytest.fixture
def week(running_app: RunningApp) -> RunningApp:
    """Week 46 of 2025 (long finished): three leads, one sale, spend on two channels, one named to harm."""
    engine = running_app.deps.engine
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC", "digest_channel": "C0DIGEST", "name": "Acme"})
    at = datetime(2025, 11, 11, 9, tzinfo=UTC)
    with session_scope(engine) as s:
        s.add(Lead(team_id=TEAM, external_id="L1", created_at=at, channel=HOSTILE, campaign=FORMULA, verdict="target"))
        s.add(Lead(team_id=TEAM, external_id="L2", created_at=at, channel=HOSTILE, campaign=FORMULA))
        s.add(Lead(team_id=TEAM, external_id="L3", created_at=at, channel="ads", campaign="brand", verdict="target"))
        s.add(
            Deal(
                team_id=TEAM,
                external_id="D1",
                lead_external_id="L3",
                customer="C1",
                status="won",
                amount=300,
                closed_at=at + timedelta(days=1),
            )
        )
        s.add(Spend(team_id=TEAM, external_id="s1", day=at.date(), channel="ads", campaign="brand", amount=100))
        s.add(Spend(team_id=TEAM, external_id="s2", day=at.date(), channel=HOSTILE, campaign=FORMULA, amount=50))
    running_app.slack.add_user("U0ADMIN", admin=True)
    return running_app


def test_kpi_post_puts_the_table_and_both_csvs_in_the_thread_once(week: RunningApp):
    """`/kpi post 2025-W46`: the table picture, then funnel, trend and the two CSVs; hand-counted CSV rows; a
    second `/kpi post` adds nothing; the hostile channel pings no one and its campaign is no formula."""
    slack = week.slack
    assert slash_command(week, ids.COMMAND_KPI, "post 2025-W46").status == 200
    slack.wait_for("files.completeUploadExternal", count=2)
    assert thread_files(slack, "C0DIGEST") == [
        "channel-table-2025-W46.png",
        "funnel-2025-W46.png",
        "trend-2025-W46.png",
        "channels-2025-W46.csv",
        "campaigns-2025-W46.csv",
    ]
    assert uploaded(slack, "channel-table-2025-W46.png")[:8] == PNG
    text = uploaded(slack, "channels-2025-W46.csv").decode()
    # channel, leads, target, share, spend, per lead, per target, customers, new, CAC, revenue, ROMI, sales, conv.
    assert text.splitlines()[1] == "ads,1,1,100.00,100.00,100.00,100.00,1,1,100.00,300.00,200.00,1,100.00"
    name, *numbers = list(csv.reader(io.StringIO(text)))[2]
    assert name == HOSTILE
    assert numbers == ["2", "1", "50.00", "50.00", "25.00", "50.00", "0", "0", "", "0.00", "-100.00", "0", "0.00"]
    campaigns = list(csv.DictReader(io.StringIO(uploaded(slack, "campaigns-2025-W46.csv").decode())))
    assert [c["campaign"] for c in campaigns] == ["brand", "'" + FORMULA]
    for post in slack.calls_to("chat.postMessage"):
        said = json.dumps([post.args.get("text"), post.args.get("blocks")], ensure_ascii=False)
        assert "<!channel>" not in said
    again = slash_command(week, ids.COMMAND_KPI, "post 2025-W46").json()
    assert again["text"] == "That digest has already been posted to <#C0DIGEST>."
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 2


@pytest.fixture
def day(engine: Engine, slack: SlackDouble) -> Engine:
    deps = make_deps(engine, slack, MONDAY_0901)
    save_settings(deps, TEAM, {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "weekly_digest": False})
    with session_scope(engine) as s:
        s.add(Lead(team_id=TEAM, external_id="L1", created_at=datetime(2026, 11, 28, 10, tzinfo=UTC), channel="ads"))
    return engine


@pytest.mark.parametrize("answered", [0, 1], ids=["killed at the table", "killed at the files"])
def test_a_thread_cut_off_between_its_parts_is_finished_without_doubles(day: Engine, slack: SlackDouble, answered):
    """Killed while Slack held the answer to the table's upload, or to the files' upload after the table was
    out: the next tick finds what Slack has, posts only what it lacks; each file once."""
    run_and_kill(day, slack, "tick", MONDAY_0901, posts_seen=answered + 1, method="files.completeUploadExternal",
                 answered=answered)  # fmt: skip
    assert claims(day)[f"daily/{DAY}"].status == "posted"
    later = MONDAY_0901 + STALE + timedelta(minutes=1)
    run_due(deps=make_deps(day, slack, later), now=later)
    assert thread_files(slack, "C0DIGEST") == DAILY_FILES
    assert len(slack.calls_to("files.completeUploadExternal")) == 2
    held = claims(day)
    assert [held[k].status for k in (f"daily/{DAY}", f"daily/{DAY}/table", f"daily/{DAY}/files")] == ["done"] * 3


def test_a_digest_posted_before_the_table_existed_gets_the_table_not_its_files_again(
    day: Engine, slack: SlackDouble, monkeypatch: pytest.MonkeyPatch
):
    """An earlier version's digest, its files part out and the digest itself not yet marked done (the
    process stopped there), is resumed by this version: the table is added, the files are not sent again."""
    old = lambda report: [("files", once.Files(delivery.report_files(report)))]  # noqa: E731
    monkeypatch.setattr(delivery, "thread_parts", old)
    run_due(deps=make_deps(day, slack, MONDAY_0901), now=MONDAY_0901)
    monkeypatch.undo()
    with session_scope(day) as s:
        s.exec(select(PostedMessage).where(PostedMessage.key == f"daily/{DAY}")).one().status = POSTED
    assert thread_files(slack, "C0DIGEST") == DAILY_FILES[1:]
    later = MONDAY_0901 + STALE + timedelta(minutes=1)
    run_due(deps=make_deps(day, slack, later), now=later)
    assert thread_files(slack, "C0DIGEST") == [*DAILY_FILES[1:], DAILY_FILES[0]]
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert claims(day)[f"daily/{DAY}"].status == "done"
