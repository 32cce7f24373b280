"""The biweekly sync end to end: signed Slack requests against the running app, the Web API double,
and the ticker driven with the test's clock (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot import ids
from bot.exports import export_rows
from bot.sync.closing import add_action
from bot.sync.series import setup
from bot.workspace.store import save_settings
from jobs import run_due
from storage.db import read_scope
from storage.models import (
    ActionItem,
    Feedback,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    SyncSeries,
)
from tests.conftest import TEAM, RunningApp
from tests.http import button_click, message_shortcut, slash_command, submit_view

ADMIN, S1, M1, M2 = "U0ADMIN", "U0SALES1", "U0MKT1", "U0MKT2"
SYNC = "C0SYNC"
# Thursday 3 December 2026, 15:00 in Berlin (UTC+1): asked Tuesday 15:00, reminded Wednesday 15:00 and
# at 13:00 on the day, agenda at 14:00.
MEETING = datetime(2026, 12, 3, 14, tzinfo=UTC)
ASK = datetime(2026, 12, 1, 14, tzinfo=UTC)
REMIND_1 = datetime(2026, 12, 2, 14, tzinfo=UTC)
REMIND_2 = datetime(2026, 12, 3, 12, tzinfo=UTC)
AGENDA = datetime(2026, 12, 3, 13, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(
        running_app.deps,
        TEAM,
        {"admins": [ADMIN], "timezone": "Europe/Berlin", "sales": [S1], "marketing": [M1, M2]},
    )
    for user in (ADMIN, S1, M1, M2):
        running_app.slack.add_user(user)
    running_app.clock = Clock(datetime(2026, 11, 30, 10, tzinfo=UTC))
    running_app.deps.clock = running_app.clock
    return running_app


def tick(app: RunningApp, at: datetime) -> None:
    app.clock.now = at
    run_due(deps=app.deps, now=at)


def dms(app: RunningApp, user: str | None = None) -> list:
    calls = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"].startswith(("U", "W"))]
    return [c for c in calls if user is None or c.args["channel"] == user]


def posts_in(app: RunningApp, channel: str) -> list:
    return [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


def blocks_text(call) -> str:
    return json.dumps(call.args.get("blocks"), ensure_ascii=False) + call.args.get("text", "")


def setup_by_modal(app: RunningApp, **extra) -> None:
    reply = slash_command(app, "/sync", "setup", user=ADMIN)
    assert reply.status == 200
    view = app.slack.wait_for("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.SYNC_SETUP_MODAL

    def sel(v):
        return {ids.VALUE: {"type": "static_select", "selected_option": {"value": v}}}

    def txt(v):
        return {ids.VALUE: {"type": "plain_text_input", "value": v}}

    values = {
        "channel": {ids.VALUE: {"type": "conversations_select", "selected_conversation": SYNC}},
        "weekday": sel("thu"),
        "time": {ids.VALUE: {"type": "timepicker", "selected_time": "15:00"}},
        "length_minutes": sel("60"),
        "every_weeks": sel("2"),
        "start_date": {ids.VALUE: {"type": "datepicker", "selected_date": "2026-12-03"}},
        "timezone": txt("Europe/Berlin"),
        "sales": {ids.VALUE: {"type": "multi_users_select", "selected_users": [S1]}},
        "marketing": {ids.VALUE: {"type": "multi_users_select", "selected_users": [M1, M2]}},
        "holidays": txt(extra.get("holidays", "")),
        "holiday_rule": sel("skip"),
        "ask_days": sel("2"),
        "reminders": txt("1d, 2h"),
        "agenda_before": txt("1h"),
        "questions": txt("Which competitor came up most?"),
    }
    if "sales_groups" in extra:
        picked = [{"value": g} for g in extra["sales_groups"]]
        values["sales" + ids.GROUPS_SUFFIX] = {
            ids.USERGROUPS: {"type": "multi_external_select", "selected_options": picked}
        }
    reply = submit_view(app, ids.SYNC_SETUP_MODAL, view["private_metadata"], values, user=ADMIN)
    assert reply.status == 200 and reply.body in (b"", b"{}"), reply.body


def series(app: RunningApp) -> SyncSeries | None:
    with read_scope(app.deps.engine) as s:
        return s.get(SyncSeries, TEAM)


def open_answer_modal(app: RunningApp, user: str, meeting_id: int) -> dict:
    before = len(app.slack.calls_to("views.open"))
    button_click(app, ids.SYNC_ANSWER, str(meeting_id), user=user, channel="D0" + user[2:])
    view = app.slack.wait_for("views.open", before + 1)[-1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def answer(app: RunningApp, user: str, view: dict, texts: dict[str, str]):
    values = {
        f"{ids.SYNC_QUESTION_PREFIX}{k}": {ids.VALUE: {"type": "plain_text_input", "value": v}}
        for k, v in texts.items()
    }
    return submit_view(app, ids.SYNC_ANSWERS_MODAL, view["private_metadata"], values, user=user)


def test_a_whole_sync_from_setup_to_summary(app: RunningApp):
    slack = app.slack
    setup_by_modal(app)
    s = series(app)
    assert (s.weekday, s.time, s.every_weeks, s.sales, s.marketing) == (3, "15:00", 2, [S1], [M1, M2])
    assert s.questions == ["Which competitor came up most?"]

    # Nothing goes out before the question time; at it, one DM each, once.
    tick(app, ASK - timedelta(minutes=1))
    assert dms(app) == []
    tick(app, ASK)
    tick(app, ASK + timedelta(minutes=1))
    assert sorted(c.args["channel"] for c in dms(app)) == [M1, M2, S1]
    with read_scope(app.deps.engine) as db:
        meeting = db.exec(select(Meeting)).one()
    assert meeting.starts_at == MEETING and meeting.status == "planned"
    ask_dm = dms(app, S1)[0]
    assert "Why do clients agree to buy" in blocks_text(ask_dm)
    assert "Which competitor came up most?" in blocks_text(ask_dm)

    # S1 answers in the modal and edits one answer later; M2 answers after the first reminder.
    view = open_answer_modal(app, S1, meeting.id)
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == 6
    assert answer(app, S1, view, {"q1": "Price is clear", "q2": "A demo in week one", "own1": "Acme"}).status == 200
    marked = slack.wait_for("chat.update")[-1].args
    assert (
        marked["channel"] == S1
        and marked["ts"] == ask_dm.response["ts"]
        and "answers are in" in marked["text"] + json.dumps(marked["blocks"])
    )
    view = open_answer_modal(app, S1, meeting.id)
    assert view["blocks"][1]["element"]["initial_value"] == "Price is clear"
    answer(app, S1, view, {"q1": "Price is clear and the trial is free", "q2": "A demo in week one", "own1": "Acme"})

    tick(app, REMIND_1)
    tick(app, REMIND_1 + timedelta(minutes=5))
    assert [len(dms(app, u)) for u in (S1, M1, M2)] == [1, 2, 2]  # S1 answered: no reminder
    answer(app, M2, open_answer_modal(app, M2, meeting.id), {"q1": "They come from webinars", "q3": "SaaS, 50+ seats"})
    tick(app, REMIND_2)
    assert [len(dms(app, u)) for u in (S1, M1, M2)] == [1, 3, 2]  # only M1 is still waiting

    # Feedback, an action item and the first ICP before the meeting.
    assert "Kept" in slash_command(app, "/feedback", "review 5 Onboarding took one day", user=M1).body.decode()
    reply = slash_command(app, "/sync", "action <@U0SALES1|sales1> Call back the webinar leads due 2026-12-10")
    assert "Call back the webinar leads" in reply.body.decode()
    slash_command(app, "/sync", "icp", user=M1)
    icp_view = slack.wait_for("views.open", 4)[-1].args["view"]
    icp_view = json.loads(icp_view) if isinstance(icp_view, str) else icp_view
    icp_values = {
        "profile": {ids.VALUE: {"type": "plain_text_input", "value": "SaaS companies\n50+ seats"}},
        "indicators": {ids.VALUE: {"type": "plain_text_input", "value": "Asks for a demo"}},
    }
    submit_view(app, ids.SYNC_ICP_MODAL, icp_view["private_metadata"], icp_values, user=M1)

    # The agenda: once, in the sync channel, with the answers grouped and the data pack in its thread.
    tick(app, AGENDA)
    tick(app, AGENDA + timedelta(minutes=1))
    parents = [c for c in posts_in(app, SYNC) if "thread_ts" not in c.args]
    assert len(parents) == 1
    parent = parents[0]
    assert "Close meeting" in blocks_text(parent) and "Sales 1/1 (100%)" in blocks_text(parent)
    assert "Marketing 1/2 (50%)" in blocks_text(parent)
    thread = " ".join(blocks_text(c) for c in posts_in(app, SYNC) if c.args.get("thread_ts"))
    q1 = thread.index("Why do clients agree to buy")
    assert q1 < thread.index("Price is clear and the trial is free") < thread.index("They come from webinars")
    assert thread.index("_Sales_", q1) < thread.index("_Marketing_", q1)
    for part in (
        "Data pack",
        "Lead quality",
        "Onboarding took one day",
        "Call back the webinar leads",
        "SaaS companies",
    ):
        assert part in thread, part
    funnel = slack.wait_for("files.completeUploadExternal")[-1].args
    assert funnel["channel_id"] == SYNC and funnel["thread_ts"] == parent.response["ts"]

    # After the start answers are closed; decisions, a new item and ICP v2 during the meeting.
    app.clock.now = MEETING + timedelta(minutes=5)
    late = answer(app, M1, view, {"q1": "too late"})
    assert late.json()["response_action"] == "errors"
    slash_command(app, "/sync", "notes Webinars move to Q2", user=ADMIN)
    slash_command(app, "/sync", "action <@U0MKT1|mkt1> Fix the UTM tags due 2026-12-09", user=ADMIN)
    slash_command(app, "/sync", "icp", user=M1)
    icp_view = slack.wait_for("views.open", 6)[-1].args["view"]
    icp_view = json.loads(icp_view) if isinstance(icp_view, str) else icp_view
    icp_values["profile"][ids.VALUE]["value"] = "SaaS companies\n20+ seats"
    submit_view(app, ids.SYNC_ICP_MODAL, icp_view["private_metadata"], icp_values, user=M1)

    # Close: one summary in the agenda's thread (also shown in the channel), owners get their items.
    before = len(slack.calls_to("chat.postMessage"))
    button_click(app, ids.SYNC_CLOSE, str(meeting.id), user=S1, channel=SYNC)
    app.background.wait_idle()
    summary, dm = slack.calls_to("chat.postMessage")[before:]  # the summary, then the owner's DM
    assert summary.args["channel"] == SYNC and summary.args["thread_ts"] == parent.response["ts"]
    text = blocks_text(summary)
    for part in ("Webinars move to Q2", "Fix the UTM tags", "+ 20+ seats", "− 50+ seats", "Closed by"):
        assert part in text, part
    assert "Call back the webinar leads" in text.split("New action items")[1].split("Done since")[0]
    assert dm.args["channel"] == M1 and "Fix the UTM tags" in dm.args["text"]
    # S1 heard of their item when it was added before the meeting, and not again at the close.
    assert [c.args["text"] for c in dms(app, S1) if "action item" in c.args["text"]] == [
        "You have an action item from the Sales × Marketing sync: #1 Call back the webinar leads (due 10.12.2026)"
    ]
    button_click(app, ids.SYNC_CLOSE, str(meeting.id), user=S1, channel=SYNC)
    assert "already closed" in slack.wait_for_response()[-1]["text"]
    tick(app, MEETING + timedelta(hours=2))
    summaries = [c for c in posts_in(app, SYNC) if "Sync summary" in c.args.get("text", "")]
    assert len(summaries) == 1

    # On the due date the owner gets one reminder, from the start of the working day.
    tick(app, datetime(2026, 12, 9, 7, 59, tzinfo=UTC))
    tick(app, datetime(2026, 12, 9, 8, 0, tzinfo=UTC))
    tick(app, datetime(2026, 12, 9, 8, 1, tzinfo=UTC))
    due = [c for c in dms(app, M1) if "Due today" in c.args["text"]]
    assert len(due) == 1

    with read_scope(app.deps.engine) as db:
        answers = db.exec(select(MeetingAnswer).where(MeetingAnswer.user_id == S1)).all()
        versions = db.exec(select(IcpVersion).order_by(IcpVersion.version)).all()
        items = db.exec(select(ActionItem).order_by(ActionItem.id)).all()
        kept = db.exec(select(Feedback)).all()
    assert {a.question: a.answer for a in answers}["q1"] == "Price is clear and the trial is free"
    assert [v.version for v in versions] == [1, 2]
    assert [(i.owner, i.due, i.meeting_id) for i in items] == [
        (S1, date(2026, 12, 10), meeting.id),
        (M1, date(2026, 12, 9), meeting.id),
    ]
    assert [(f.kind, f.rating, f.positive) for f in kept] == [("review", 5, True)]

    # Done, answers for marketing, exports.
    reply = slash_command(app, "/sync", f"done {items[1].id}", user=M1)
    assert "Done" in reply.body.decode()
    assert "already done" in slash_command(app, "/sync", f"done {items[1].id}", user=M1).body.decode()
    slash_command(app, "/sync", "answers last question 1", user=M1)
    shown = slack.wait_for_response(2)[-1]
    assert "Price is clear and the trial is free" in json.dumps(shown) and "A demo in week one" not in json.dumps(shown)
    slash_command(app, "/sync", "answers последняя вопрос 1", user=M1)  # the same in Russian words
    assert slack.wait_for_response(3)[-1] == shown
    header, rows = export_rows(app.deps, TEAM, "answers", None, None)
    assert header[:3] == ["meeting", "question", "question_text"] and len(rows) == 5
    header, rows = export_rows(app.deps, TEAM, "icp", None, None)
    assert [r[0] for r in rows] == [1, 2]


def test_a_restart_between_questions_and_meeting_sends_nothing_twice(app: RunningApp):
    from bot.deps import Deps

    setup_by_modal(app)
    tick(app, ASK)
    tick(app, REMIND_1)
    first = len(app.slack.calls_to("chat.postMessage"))
    # A second instance (a restart, or another process on the same database) runs the same minutes.
    other = Deps(settings=app.deps.settings, engine=app.deps.engine, clock=app.clock)
    for at in (ASK, REMIND_1, REMIND_1 + timedelta(minutes=1)):
        run_due(deps=other, now=at)
    assert len(app.slack.calls_to("chat.postMessage")) == first == 6


def test_someone_who_cannot_be_reached_is_reported_to_admins_once(app: RunningApp):
    setup_by_modal(app)
    app.slack.fail("chat.postMessage", "user_not_found")  # the first question DM (to S1)
    tick(app, ASK)
    tick(app, ASK + timedelta(minutes=30))
    with read_scope(app.deps.engine) as db:
        parts = {p.user_id: p for p in db.exec(select(MeetingParticipant)).all()}
    assert parts[S1].status == "unreachable" and parts[S1].error == "user_not_found"
    assert {parts[M1].status, parts[M2].status} == {"asked"}
    to_admin = dms(app, ADMIN)
    assert len(to_admin) == 1 and S1 in to_admin[0].args["text"]
    tick(app, REMIND_1)
    assert [c for c in dms(app, S1) if c.response.get("ok")] == []


def test_a_holiday_is_skipped_and_next_shows_it(app: RunningApp):
    setup_by_modal(app, holidays="2026-12-03")
    tick(app, ASK)
    tick(app, AGENDA)
    assert dms(app) == [] and posts_in(app, SYNC) == []
    with read_scope(app.deps.engine) as db:
        assert db.exec(select(Meeting)).all() == []
    reply = slash_command(app, "/sync", "next", user=M1).body.decode()
    assert "skipped: holiday" in reply and "17.12 15:00" in reply


def test_a_series_crossing_dst_asks_and_meets_at_the_same_local_time(app: RunningApp):
    # Thursdays from 15 October: 15:00 Berlin is 13:00 UTC before 25 October and 14:00 UTC after.
    app.clock.now = datetime(2026, 10, 1, tzinfo=UTC)
    setup(
        app.deps, TEAM, {"weekday": 3, "time": "15:00", "start_date": date(2026, 10, 15), "timezone": "Europe/Berlin"}
    )
    tick(app, datetime(2026, 10, 13, 13, tzinfo=UTC))  # Tuesday 13 October 15:00 CEST
    tick(app, datetime(2026, 10, 27, 13, tzinfo=UTC))  # Tuesday 27 October 14:00 CET: too early
    tick(app, datetime(2026, 10, 27, 14, tzinfo=UTC))  # 15:00 CET
    with read_scope(app.deps.engine) as db:
        starts = [m.starts_at for m in db.exec(select(Meeting).order_by(Meeting.starts_at)).all()]
    assert starts == [datetime(2026, 10, 15, 13, tzinfo=UTC), datetime(2026, 10, 29, 14, tzinfo=UTC)]
    assert len(dms(app)) == 6


def test_user_groups_are_asked_and_only_admins_set_up(app: RunningApp):
    app.slack.usergroups["S0SALES"] = [S1, "U0SALES2"]
    reply = slash_command(app, "/sync", "setup", user=M1)
    assert "Only Handoff admins" in reply.body.decode()
    setup_by_modal(app, sales_groups=["S0SALES"])
    assert series(app).sales == [S1, "S0SALES"]
    setup(app.deps, TEAM, {"marketing": [M1]})
    tick(app, ASK)
    assert sorted(c.args["channel"] for c in dms(app)) == sorted([S1, "U0SALES2", M1])
    with read_scope(app.deps.engine) as db:
        depts = {p.user_id: p.department for p in db.exec(select(MeetingParticipant)).all()}
    assert depts == {S1: "sales", "U0SALES2": "sales", M1: "marketing"}


def test_feedback_from_a_message_shortcut_is_kept_once(app: RunningApp):
    typed = "The client said: the reports save us a day a week & <@U0BOSS|boss> agrees"
    formatted = "The client said: the reports save us a day a week &amp; <@U0BOSS|boss> agrees"
    message = {"text": formatted, "ts": "1700000001.000100", "user": S1}
    message_shortcut(app, ids.FEEDBACK_SHORTCUT, message, user=M1, channel="C0SALES")
    view = app.slack.wait_for("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.FEEDBACK_MODAL
    text_block = next(b for b in view["blocks"] if b["block_id"] == "text")
    assert text_block["element"]["initial_value"] == typed.replace("<@U0BOSS|boss>", "@boss")  # as the person sees it
    values = {
        "kind": {ids.VALUE: {"type": "static_select", "selected_option": {"value": "review"}}},
        "rating": {ids.VALUE: {"type": "static_select", "selected_option": {"value": "5"}}},
        "customer": {ids.VALUE: {"type": "plain_text_input", "value": "Acme"}},
        "text": {ids.VALUE: {"type": "plain_text_input", "value": message["text"]}},
    }
    for _attempt in range(2):
        assert submit_view(app, ids.FEEDBACK_MODAL, view["private_metadata"], values, user=M1).status == 200
    with read_scope(app.deps.engine) as db:
        kept = db.exec(select(Feedback)).all()
    assert [(f.kind, f.rating, f.customer, f.author) for f in kept] == [("review", 5, "Acme", M1)]


def test_notes_actions_and_feedback_typed_in_a_command_are_kept_as_typed(app: RunningApp):
    """Slack sends a command's `&`, `<`, `>` escaped and mentions formatted: kept as typed, echoed escaped once."""
    reply = slash_command(app, "/sync", "notes R&amp;D budget &lt; 5k, ask <@U0BOSS|boss>", user=ADMIN)
    assert "R&amp;D budget &lt; 5k, ask @boss" in reply.body.decode() and "&amp;amp;" not in reply.body.decode()
    slash_command(app, "/sync", "action <@U0MKT1|mkt1> Fix R&amp;D tags", user=ADMIN)
    slash_command(app, "/feedback", "wish Faster R&amp;D &gt; everything", user=M1)
    with read_scope(app.deps.engine) as db:
        assert [n.text for n in db.exec(select(MeetingNote))] == ["R&D budget < 5k, ask @boss"]
        assert [(a.owner, a.text) for a in db.exec(select(ActionItem))] == [("U0MKT1", "Fix R&D tags")]
        assert [f.text for f in db.exec(select(Feedback))] == ["Faster R&D > everything"]


def test_app_home_shows_the_next_meeting_my_questions_and_my_items(app: RunningApp):
    from bot.home import home_view

    setup_by_modal(app)
    tick(app, ASK)
    add_action(app.deps, TEAM, M1, "Fix the UTM tags", date(2026, 12, 9), ADMIN)
    view = json.dumps(home_view(app.deps, TEAM, M1).to_dict(), ensure_ascii=False)
    assert "Thursday 03.12 15:00" in view and "not in yet" in view and "Fix the UTM tags" in view
    other = json.dumps(home_view(app.deps, TEAM, ADMIN).to_dict(), ensure_ascii=False)
    assert "Fix the UTM tags" not in other and "not in yet" not in other


def test_messages_show_the_series_time_zone_when_it_differs_from_the_workspace(app: RunningApp):
    save_settings(app.deps, TEAM, {"timezone": "UTC"})
    setup(
        app.deps,
        TEAM,
        {"start_date": date(2026, 12, 3), "timezone": "Europe/Berlin", "sales": [S1], "marketing": [], "reminders": []},
    )
    tick(app, ASK)
    assert "Thursday 03.12 15:00 (Europe/Berlin)" in dms(app, S1)[0].args["text"]


def test_a_changed_series_drops_the_planned_meeting_and_asks_for_the_new_one(app: RunningApp):
    setup_by_modal(app)
    tick(app, ASK)
    setup(app.deps, TEAM, {"time": "16:00"})
    tick(app, ASK + timedelta(hours=1))  # Tuesday 16:00 Berlin: the new question time
    with read_scope(app.deps.engine) as db:
        rows = [(m.starts_at, m.status) for m in db.exec(select(Meeting).order_by(Meeting.id)).all()]
    assert rows == [(MEETING, "skipped"), (MEETING + timedelta(hours=1), "planned")]
    assert "Thursday 03.12 16:00" in dms(app, S1)[-1].args["text"]
    tick(app, AGENDA)  # the old agenda time passes: nothing is posted for the dropped meeting
    assert posts_in(app, SYNC) == []


def test_an_agenda_thread_cut_off_is_finished_later_without_repeats(app: RunningApp):
    """A failed funnel upload after the agenda: the next tick uploads it alone into the same thread; no repeats."""
    setup_by_modal(app)
    tick(app, ASK)
    app.slack.fail("files.getUploadURLExternal", "internal_error")
    tick(app, AGENDA)
    parents = [c for c in posts_in(app, SYNC) if "thread_ts" not in c.args]
    thread = [c for c in posts_in(app, SYNC) if c.args.get("thread_ts")]
    assert len(parents) == 1 and len(thread) >= 3
    assert app.slack.calls_to("files.completeUploadExternal") == []
    for minutes in (1, 2, 3):
        tick(app, AGENDA + timedelta(minutes=minutes))
    assert [c for c in posts_in(app, SYNC) if "thread_ts" not in c.args] == parents
    assert [c for c in posts_in(app, SYNC) if c.args.get("thread_ts")] == thread
    uploads = app.slack.calls_to("files.completeUploadExternal")
    assert len(uploads) == 1 and uploads[0].args["thread_ts"] == parents[0].response["ts"]
