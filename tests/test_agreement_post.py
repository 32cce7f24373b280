"""The agreement's weekly scorecard through the Web API double: posted once to the sales and the marketing
channel, never twice when the job runs again or Slack's answer is lost; App Home and /kpi show the week's
standing through signed requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot import ids
from bot.deps import Deps
from bot.kpi.agreement_post import due_week
from bot.settings import Settings
from bot.slack import once
from bot.workspace.store import load, save_settings
from jobs import run_due
from jobs.agreement import weekly_scorecards
from jobs.delivery import resume_posts
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, RunningApp
from tests.http import signed_post, slash_command
from tests.runtime import deps_for
from tests.slack_double import SlackDouble
from tests.test_agreement import AGREED, NOW, add_leads

MONDAY_0931 = datetime(2026, 11, 30, 8, 31, tzinfo=UTC)  # 09:31 in Berlin: the weekly digest's time has come
CHANNELS = {"leads_channel": "C0LEADS", "marketing_channel": "C0MARKET", "admins": ["U0ADMIN"]}


def make_deps(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url, _env_file=None)
    return Deps(settings=settings, engine=engine, clock=lambda: now)


@pytest.fixture
def team(engine: Engine) -> Engine:
    save_settings(deps_for(engine), TEAM, {**AGREED, **CHANNELS})
    add_leads(engine)
    return engine


def scorecards(slack: SlackDouble) -> list[dict]:
    return [
        c.args
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("metadata", {}).get("event_payload", {}).get("key", "").startswith("agreement/")
    ]


def test_the_scorecard_is_due_at_the_weekly_time_of_the_first_working_day(engine: Engine):
    """Monday 09:30 Berlin until 21:30 posts W48's; 09:29 and Tuesday noon post nothing."""
    save_settings(deps_for(engine), TEAM, AGREED)
    ws = load(deps_for(engine), TEAM)
    week = due_week(ws, MONDAY_0931)
    assert week is not None and week.key() == "2026-W48"
    assert due_week(ws, MONDAY_0931 - timedelta(minutes=2)) is None
    assert due_week(ws, MONDAY_0931 + timedelta(hours=27)) is None


def test_weekly_scorecard_posts_once_to_each_channel_whatever_runs_again(team: Engine, slack: SlackDouble):
    """The ticker posts W48's scorecard to sales and marketing; more ticks and a second run post nothing."""
    ran = run_due(deps=make_deps(team, slack, MONDAY_0931), now=MONDAY_0931)
    assert "agreement" in ran
    posts = scorecards(slack)
    assert sorted(p["channel"] for p in posts) == ["C0LEADS", "C0MARKET"]
    assert {p["metadata"]["event_payload"]["key"] for p in posts} == {
        "agreement/2026-W48/C0LEADS",
        "agreement/2026-W48/C0MARKET",
    }
    text = json.dumps(posts[0]["blocks"], ensure_ascii=False)
    assert "Leads: 6 (promised 5 a week)" in text and "Verdicts within 4 working hours" in text
    assert posts[0]["text"].startswith("The two-sided agreement · Week 48")
    for later in (MONDAY_0931, MONDAY_0931 + timedelta(minutes=1), MONDAY_0931 + timedelta(hours=3)):
        assert weekly_scorecards(deps=make_deps(team, slack, later), now=later) == 0
    assert len(scorecards(slack)) == 2


def test_a_lost_answer_is_looked_up_not_posted_again(team: Engine, slack: SlackDouble):
    """Slack takes the first post and the answer is lost: the job running again and the sweep post nothing new."""
    slack.lose_answers("chat.postMessage")
    weekly_scorecards(deps=make_deps(team, slack, MONDAY_0931), now=MONDAY_0931)
    assert len(scorecards(slack)) == 2  # the lost one reached Slack, the other went out
    later = MONDAY_0931 + timedelta(minutes=1)
    weekly_scorecards(deps=make_deps(team, slack, later), now=later)
    stale = MONDAY_0931 + once.STALE + timedelta(minutes=1)
    assert resume_posts(deps=make_deps(team, slack, stale), now=stale) == 1
    weekly_scorecards(deps=make_deps(team, slack, stale), now=stale)
    assert sorted(p["channel"] for p in scorecards(slack)) == ["C0LEADS", "C0MARKET"]
    assert len(slack.posted("C0LEADS")) == 1 and len(slack.posted("C0MARKET")) == 1


def test_one_channel_for_both_sides_gets_one_post(team: Engine, slack: SlackDouble):
    """When the leads and the marketing channel are one, the scorecard is posted there once."""
    save_settings(deps_for(team), TEAM, {"marketing_channel": "C0LEADS"})
    weekly_scorecards(deps=make_deps(team, slack, MONDAY_0931), now=MONDAY_0931)
    assert [p["channel"] for p in scorecards(slack)] == ["C0LEADS"]


def test_nothing_agreed_posts_no_scorecard(engine: Engine, slack: SlackDouble):
    """Channels set, the SLA on, no agreement: the job posts nothing."""
    save_settings(deps_for(engine), TEAM, {**CHANNELS, "timezone": "Europe/Berlin"})
    assert weekly_scorecards(deps=make_deps(engine, slack, MONDAY_0931), now=MONDAY_0931) == 0
    assert scorecards(slack) == []


def test_not_in_the_channel_tells_the_admins_once(team: Engine, slack: SlackDouble):
    """A channel the bot is not in: the admins hear of it once, the other channel still gets its post."""
    slack.not_member.add("C0MARKET")
    for minute in (0, 1, 2):
        now = MONDAY_0931 + timedelta(minutes=minute)
        weekly_scorecards(deps=make_deps(team, slack, now), now=now)
    dms = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADMIN"]
    assert len(dms) == 1 and "scorecard" in dms[0].args["text"] and "/invite @Handoff" in dms[0].args["text"]
    assert len(slack.posted("C0LEADS")) == 1


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(running_app.deps, TEAM, {**AGREED, **CHANNELS})
    add_leads(running_app.deps.engine)
    running_app.deps.clock = lambda: NOW
    running_app.slack.add_user("U0ADMIN", admin=True)
    return running_app


def test_app_home_shows_the_week_standing(app: RunningApp, shared):
    """app_home_opened publishes Home with this week's standing: one lead so far of five, a verdict late."""
    event = json.loads((shared / "slack/payloads/http/event_callback.app_home_opened.org_install.json").read_text())
    event.pop("enterprise_id", None)
    event["team_id"] = TEAM
    event["event"].update(tab="home", user="U0ANY")
    event["authorizations"][0].update(team_id=TEAM, enterprise_id=None, is_enterprise_install=False)
    reply = signed_post(app.url + "/slack/events", SIGNING_SECRET, json.dumps(event), "application/json")
    assert reply.status == 200
    view = json.dumps(app.slack.wait_for("views.publish")[0].args["view"], ensure_ascii=False)
    assert "The agreement this week · Week 49" in view
    assert "⏳ Marketing: Leads: 1 so far (promised 5 a week)" in view
    assert "❌ Sales: Verdicts within 4 working hours: 0.0%, 0 of 1 lead" in view


def test_kpi_shows_the_week_standing_before_its_button(app: RunningApp):
    """/kpi answers with the KPIs and, before the Post button, this week's standing."""
    assert slash_command(app, ids.COMMAND_KPI, "last week").status == 200
    blocks = app.slack.wait_for_response()[0]["blocks"]
    assert blocks[-1]["type"] == "actions"
    standing = blocks[-2]["text"]["text"]
    assert standing.startswith("*The agreement this week · Week 49")
    assert "Leads: 1 so far (promised 5 a week)" in standing
