"""/kpi and /funnel in Slack: ephemeral answers with the picture, the Post button, /kpi post."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import ids
from bot.kpi.on_demand import KpiRequest, RequestError, parse_kpi_request
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Lead
from tests.conftest import TEAM, RunningApp
from tests.http import button_click, slash_command
from tests.runtime import deps_for


@pytest.fixture
def data(running_app: RunningApp) -> RunningApp:
    engine = running_app.deps.engine
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC", "digest_channel": "C0DIGEST", "name": "Acme"})
    with session_scope(engine) as s:
        for i in range(7):
            s.add(
                Lead(
                    team_id=TEAM,
                    external_id=f"L{i}",
                    created_at=datetime(2026, 11, 3 + i, 9, tzinfo=UTC),
                    channel="ads" if i < 4 else "seo",
                    verdict="target" if i % 2 else "spam",
                )
            )
    running_app.slack.add_user("U0ADMIN", admin=True)
    running_app.slack.add_user("U0REP")
    return running_app


def test_kpi_range_answers_ephemerally_with_picture_and_button(data: RunningApp):
    reply = slash_command(data, ids.COMMAND_KPI, "2026-11-02..2026-11-08")
    assert reply.status == 200
    body = data.slack.wait_for_response()[0]
    assert body["response_type"] == "ephemeral"
    text = json.dumps(body["blocks"])
    assert "*Leads*\\n6" in text  # 3–8 Nov: six leads
    image = next(b for b in body["blocks"] if b["type"] == "image")
    upload = data.slack.calls_to("files.completeUploadExternal")[0]
    assert image["slack_file"]["id"] == upload.args["files"][0]["id"]
    assert "channel_id" not in upload.args  # private upload, shown only through the ephemeral answer
    button = next(b for b in body["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["action_id"] == ids.POST_REPORT


def test_kpi_for_one_channel(data: RunningApp):
    slash_command(data, ids.COMMAND_KPI, "2026-11-02..2026-11-08 channel seo")
    body = data.slack.wait_for_response()[0]
    assert "*Leads*\\n2" in json.dumps(body["blocks"])  # seo: 7 and 8 Nov


def test_funnel_answer(data: RunningApp):
    slash_command(data, ids.COMMAND_FUNNEL, "2026-11-02..2026-11-08")
    body = data.slack.wait_for_response()[0]
    assert any(b["type"] == "image" for b in body["blocks"])
    assert "Leads 6" in json.dumps(body["blocks"], ensure_ascii=False)


def test_bad_period_is_explained(data: RunningApp):
    body = slash_command(data, ids.COMMAND_KPI, "fortnight").json()
    assert "fortnight" in body["text"] and "/kpi last week" in body["text"]


def test_a_channel_is_matched_as_people_type_it_and_an_unknown_one_named(data: RunningApp):
    """`SEO` is `seo`; `Google Ads` is no channel here: the answer lists the ones with data, no report of zeros."""
    slash_command(data, ids.COMMAND_KPI, "2026-11-02..2026-11-08 channel SEO")
    assert "*Leads*\\n2" in json.dumps(data.slack.wait_for_response()[0]["blocks"])
    body = slash_command(data, ids.COMMAND_KPI, "last week channel Google Ads").json()
    assert "I know no channel “Google Ads”. The channels with data: ads, seo" in body["text"]


def test_kpi_in_russian_words_is_answered_in_russian(data: RunningApp):
    save_settings(deps_for(data.deps.engine), TEAM, {"language": "ru"})
    body = slash_command(data, ids.COMMAND_KPI, "позавчера").json()
    assert "Не понимаю `позавчера`" in body["text"]


def test_post_to_channel_button_posts_once_per_click(data: RunningApp):
    req = KpiRequest("range", parse_kpi_request("2026-11-02..2026-11-08", today=datetime(2026, 11, 30).date()).period)
    assert button_click(data, ids.POST_REPORT, req.to_value(), channel="C0TEAM").status == 200
    data.slack.wait_for("files.completeUploadExternal")
    posts = data.slack.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].args["channel"] == "C0TEAM"
    assert "Posted to <#C0TEAM>" in data.slack.wait_for_response()[0]["text"]


def test_kpi_post_is_for_admins_and_posts_the_digest_once(data: RunningApp):
    """A rep is refused; an admin posts it; a second /kpi post says at once that it is already there."""
    body = slash_command(data, ids.COMMAND_KPI, "post week", user="U0REP").json()
    assert "Only Handoff admins" in body["text"]
    assert slash_command(data, ids.COMMAND_KPI, "post week").status == 200
    data.slack.wait_for("files.completeUploadExternal")
    posts = data.slack.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].args["channel"] == "C0DIGEST"
    again = slash_command(data, ids.COMMAND_KPI, "post week").json()  # the answer is the ack itself
    assert again["text"] == "That digest has already been posted to <#C0DIGEST>."
    assert len(data.slack.calls_to("chat.postMessage")) == 1


def test_kpi_post_whose_answer_was_lost_says_it_is_on_its_way_then_posted(data: RunningApp):
    """Slack took the digest and the answer was lost: "on its way", and a second /kpi post says the same."""
    data.slack.lose_answers("chat.postMessage")
    slash_command(data, ids.COMMAND_KPI, "post week")
    assert "on its way" in data.slack.wait_for_response()[-1]["text"]
    slash_command(data, ids.COMMAND_KPI, "post week")
    assert "on its way" in data.slack.wait_for_response(2)[-1]["text"]
    assert len(data.slack.calls_to("chat.postMessage")) == 1


def test_kpi_post_after_a_refusal_says_why_not_already_posted(data: RunningApp):
    """A digest Slack refused is not "already posted": the second /kpi post names the refusal."""
    data.slack.fail("chat.postMessage", "not_in_channel")
    slash_command(data, ids.COMMAND_KPI, "post week")
    data.slack.wait_for_response()
    slash_command(data, ids.COMMAND_KPI, "post week")
    assert "not_in_channel" in data.slack.wait_for_response(2)[-1]["text"]


@pytest.mark.parametrize(
    "text,kind,key,channel,post",
    [
        ("", "daily", "2026-11-29", None, False),
        ("week", "weekly", "2026-W48", None, False),
        ("month channel ads", "monthly", "2026-10", "ads", False),
        ("2026-11-05", "daily", "2026-11-05", None, False),
        ("post day", "daily", "2026-11-29", None, True),
    ],
)
def test_parse_kpi_request(text, kind, key, channel, post):
    req = parse_kpi_request(text, today=datetime(2026, 11, 30).date())
    assert (req.kind, req.period.key(), req.channel, req.post) == (kind, key, channel, post)


MONDAY = datetime(2026, 11, 30).date()


@pytest.mark.parametrize(
    "text,kind,key",
    [
        ("yesterday", "daily", "2026-11-29"),
        ("вчера", "daily", "2026-11-29"),
        ("today", "daily", "2026-11-30"),
        ("Сегодня", "daily", "2026-11-30"),
        ("last week", "weekly", "2026-W48"),
        ("прошлая неделя", "weekly", "2026-W48"),
        ("this week", "weekly", "2026-W49"),
        ("last month", "monthly", "2026-10"),
        ("в прошлом месяце", "monthly", "2026-10"),
        ("this month", "monthly", "2026-11"),
        ("November", "monthly", "2026-11"),
        ("nov", "monthly", "2026-11"),
        ("ноябрь", "monthly", "2026-11"),
        ("в ноябре", "monthly", "2026-11"),
        ("мая", "monthly", "2026-05"),
        ("март", "monthly", "2026-03"),
        ("december", "monthly", "2025-12"),  # the latest December not ahead
        ("ноябрь 2025", "monthly", "2025-11"),
        ("2026-11", "monthly", "2026-11"),
        ("2026-W47", "weekly", "2026-W47"),
        ("2026-11-02..2026-11-08", "range", "2026-11-02..2026-11-08"),
    ],
)
def test_periods_as_people_say_them(text, kind, key):
    req = parse_kpi_request(text, today=MONDAY)
    assert (req.kind, req.period.key()) == (kind, key)


def test_post_and_channel_words_in_both_languages():
    req = parse_kpi_request("опубликовать прошлый месяц канал Google Ads", today=MONDAY)
    assert (req.post, req.kind, req.period.key(), req.channel) == (True, "monthly", "2026-10", "Google Ads")
    assert parse_kpi_request("post last week", today=MONDAY).post


def test_last_week_is_the_same_report_as_its_range(data: RunningApp):
    """`/kpi last week` on 10 Nov and `/kpi 2026-11-02..2026-11-08`: the same days, the same numbers."""
    from bot.kpi.report import compute_report

    named = parse_kpi_request("last week", today=datetime(2026, 11, 10).date())
    explicit = parse_kpi_request("2026-11-02..2026-11-08", today=datetime(2026, 11, 10).date())
    assert (named.period.start, named.period.end) == (explicit.period.start, explicit.period.end)
    a = compute_report(data.deps, TEAM, named.kind, named.period)
    b = compute_report(data.deps, TEAM, explicit.kind, explicit.period)
    assert a.kpis == b.kpis and a.kpis["leads"].value == 6


@pytest.mark.parametrize(
    "text",
    [
        "post this week",
        "post 2026-11-02..2026-11-08",
        "post today",
        "fortnight",
        "week channel",
        "2026-13-01",
        "ma",
        "9999-12-31",
        "9999-W52",
        "9999-12",
        "1999-12-31",
    ],
)
def test_parse_kpi_request_refuses_nonsense(text):
    with pytest.raises(RequestError):
        parse_kpi_request(text, today=MONDAY)


def test_a_range_that_ends_before_it_starts_is_told_so():
    with pytest.raises(RequestError, match="ends before it starts"):
        parse_kpi_request("2026-11-08..2026-11-01", today=MONDAY)
