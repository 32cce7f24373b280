"""Coaching goes to the head of sales by DM beside the monthly report, never to the channel."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.deps import Deps
from bot.settings import Settings
from bot.workspace.store import save_settings
from jobs.delivery import resume_posts
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Deal, Lead
from tests.conftest import BOT_TOKEN, TEAM
from tests.runtime import deps_for
from tests.slack_double import SlackDouble

# November's leads and won deals per rep: U0ANNA 3 of 10 (30%), U0BORIS 4 of 10 (40%), U0VERA 3 of 10
# (30%), U0GLEB 0 of 12. The team's median of 0, 30, 30, 40 is 30%; under half of it (15%): Gleb only.
REPS = {"U0ANNA": (10, 3), "U0BORIS": (10, 4), "U0VERA": (10, 3), "U0GLEB": (12, 0)}
HEAD = "U0HEAD"
FIRST_WORKDAY = datetime(2026, 12, 1, 9, 1, tzinfo=UTC)  # Tue 1 Dec, 10:01 in Berlin: the monthly is due


def deps_at(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="s", slack_api_url=slack.api_url, _env_file=None
    )
    return Deps(settings=settings, engine=engine, clock=lambda: now)


def seed(engine: Engine, head: str | None = HEAD) -> None:
    save_settings(
        deps_for(engine),
        TEAM,
        {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "name": "Acme", "head_of_sales": head},
    )
    with session_scope(engine) as s:
        for rep, (leads, won) in REPS.items():
            for i in range(leads):
                created = datetime(2026, 11, 2 + i, 10, tzinfo=UTC)
                s.add(Lead(team_id=TEAM, external_id=f"{rep}-{i}", created_at=created, channel="ads", owner=rep))
                if i < won:
                    s.add(
                        Deal(
                            team_id=TEAM,
                            external_id=f"D-{rep}-{i}",
                            lead_external_id=f"{rep}-{i}",
                            customer=f"C-{rep}-{i}",
                            status="won",
                            amount=100,
                            closed_at=created.replace(day=created.day + 1),
                            rep=rep,
                        )
                    )


def test_the_coaching_dm_names_the_rep_and_the_channel_report_does_not(engine: Engine, slack: SlackDouble):
    """The monthly report goes to the channel without the rep; the head of sales gets a DM with the rep
    as a mention and the facts; the next tick posts neither again."""
    seed(engine)
    for minute in (1, 2):
        now = FIRST_WORKDAY.replace(minute=minute)
        post_due_digests(deps=deps_at(engine, slack, now), now=now)
    posts = slack.calls_to("chat.postMessage")
    by_channel = {p.args["channel"]: p for p in posts}
    assert sorted(p.args["channel"] for p in posts) == ["C0DIGEST", "C0DIGEST", HEAD]  # daily, monthly, DM
    assert all("U0GLEB" not in str(p.args) for p in posts if p.args["channel"] == "C0DIGEST")
    dm = by_channel[HEAD].args
    (line,) = [b["text"]["text"] for b in dm["blocks"] if b["type"] == "section"]
    assert line == "• <@U0GLEB> converts 0% of 12 leads against 30% for the team: worth a coaching talk."
    assert dm["blocks"][0]["text"]["text"] == "Coaching · November 2026"


def test_without_a_head_of_sales_no_one_is_told(engine: Engine, slack: SlackDouble):
    """No head of sales set: the monthly report is posted, no DM."""
    seed(engine, head=None)
    post_due_digests(deps=deps_at(engine, slack, FIRST_WORKDAY), now=FIRST_WORKDAY)
    assert {p.args["channel"] for p in slack.calls_to("chat.postMessage")} == {"C0DIGEST"}


def test_a_coaching_dm_cut_off_is_finished_once(engine: Engine, slack: SlackDouble):
    """Slack took the DM but its answer was a 502 page: resuming finds it by its metadata, posts nothing more."""
    seed(engine)
    slack.garble_answers(
        "chat.postMessage", 502, "<html>Bad Gateway</html>", after=2
    )  # the daily, the monthly, then the DM
    post_due_digests(deps=deps_at(engine, slack, FIRST_WORKDAY), now=FIRST_WORKDAY)
    later = FIRST_WORKDAY.replace(minute=3)
    resume_posts(deps=deps_at(engine, slack, later), now=later)
    post_due_digests(deps=deps_at(engine, slack, later), now=later)
    assert [p.args["channel"] for p in slack.calls_to("chat.postMessage")].count(HEAD) == 1
