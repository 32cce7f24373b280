"""The sync's blocks as Slack sees them: the DMs, the agenda and its thread, the summary, the action
list, the coming meetings and the modals. Data are small literals; expected text is written by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot import ids
from bot.kpi.catalog import PERIOD_KPIS
from bot.kpi.engine import Kpi, Report
from bot.kpi.funnel import build_funnel
from bot.kpi.periods import Period
from bot.leads.quality import Quality
from bot.sync.blocks.agenda import (
    build_agenda,
    build_agenda_thread,
    build_icp_text,
    build_pack_text,
    build_summary,
    leak_line,
)
from bot.sync.blocks.dms import build_action_dm, build_ask_dm, build_reminder_dm
from bot.sync.blocks.modals import (
    build_answer_modal,
    build_feedback_modal,
    build_icp_modal,
    build_setup_modal,
    parse_sync_submission,
)
from bot.sync.blocks.text import (
    action_added_text,
    action_line,
    build_actions_list,
    build_answers_text,
    build_next_text,
    when,
)
from bot.sync.calendar import Calendar
from bot.sync.model import Agenda, DataPack, Summary, response_rate
from storage.models import (
    ActionItem,
    Feedback,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    SyncSeries,
    Workspace,
)
from tests.blockkit import (
    EVIL,
    assert_escaped,
    assert_fits,
    assert_no_live_markup,
    broken_markup,
    buttons,
    context_texts,
    field_texts,
    mrkdwn_texts,
    plain_texts,
    section_texts,
    submission_state,
)

WHEN = "Thursday 03.12 15:00 (Europe/Berlin)"  # 14:00 UTC on 3 December 2026, Berlin at UTC+1
SINCE = Period.between(date(2026, 11, 20), date(2026, 12, 2))
QUESTIONS = [("q1", "Why do clients buy?"), ("own1", "What do we change?")]


def make_ws(**kw) -> Workspace:
    return Workspace(**({"team_id": "T1", "timezone": "Europe/Berlin", "language": "en"} | kw))


MEETING = Meeting(
    id=7,
    team_id="T1",
    starts_at=datetime(2026, 12, 3, 14, 0, tzinfo=UTC),
    ends_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
)


def item(id: int, text: str, owner: str | None = "U0OWNER", due: date | None = date(2026, 12, 10)) -> ActionItem:
    return ActionItem(id=id, team_id="T1", owner=owner, text=text, due=due)


def make_report(language: str = "en") -> Report:
    kpis = {k: Kpi(None, None, None) for k in PERIOD_KPIS} | {
        "visitors": Kpi(10_000, 8000, 25.0),
        "leads": Kpi(1234, 1000, 23.4),
        "target_leads": Kpi(500, 400, 25.0),
        "meetings": Kpi(100, 90, 11.1),
        "sales": Kpi(40, 50, -20.0),
        "revenue": Kpi(125_000.0, 100_000.0, 25.0),
        "cac": Kpi(312.4, 250.0, 24.96),
    }
    # The cohort of 20 Nov – 2 Dec is the leads of 5 Aug – 2 Nov: 400/850, 120/400, 30/120 (the leak).
    funnel = build_funnel(
        {"visitors": 10_000, "leads": 1234, "target_leads": 500, "meetings": 100, "sales": 40},
        {"visitors": 8000, "leads": 1000, "target_leads": 400, "meetings": 90, "sales": 50},
        {"leads": 850, "target_leads": 400, "meetings": 120, "sales": 30},
        period=SINCE,
    )
    return Report("range", "T1", "Acme", language, "Europe/Berlin", SINCE, SINCE.previous(), kpis, funnel)


def make_quality(**kw) -> Quality:
    values = {"leads": 20, "judged": 16, "target": 6, "waiting": 4}
    values["reasons"] = [{"reason": "No budget", "count": 3}, {"reason": "Competitor", "count": 1}]
    return Quality(team_id="T1", language="en", period=SINCE, **(values | kw))


def feedback(kind: str, text: str | None) -> Feedback:
    return Feedback(team_id="T1", external_id=f"f-{kind}-{text}", kind=kind, text=text)


def make_pack(**kw) -> DataPack:
    values = {
        "period": SINCE,
        "report": make_report(),
        "quality": make_quality(),
        "feedback": {
            "review": [
                feedback("review", "Great & fast"),
                feedback("review", "Great & fast"),
                feedback("review", None),
            ],
            "complaint": [],
            "wish": [feedback("wish", "Dark mode")],
        },
        "open_actions": [item(5, "Send the deck"), item(6, "Call Acme", owner=None, due=None)],
        "icp": IcpVersion(team_id="T1", version=3, profile="B2B SaaS", indicators="Asked for a demo"),
        "icp_changes": ["+ B2B SaaS", "− B2C"],
    }
    return DataPack(**(values | kw))


def participant(user: str, dept: str, status: str = "asked") -> MeetingParticipant:
    return MeetingParticipant(team_id="T1", meeting_id=7, user_id=user, department=dept, status=status)


PARTICIPANTS = [
    participant("U0S2", "sales"),
    participant("U0S1", "sales"),
    participant("U0GONE", "sales", "unreachable"),
    participant("U0M1", "marketing"),
]


def answer(user: str, dept: str | None, question: str, text: str, question_text: str = "") -> MeetingAnswer:
    return MeetingAnswer(
        team_id="T1",
        meeting_id=7,
        user_id=user,
        department=dept,
        question=question,
        question_text=question_text,
        answer=text,
    )


ANSWERS = [
    answer("U0S1", "sales", "q1", "Price"),
    answer("U0M1", "marketing", "q1", "The brand"),
    answer("U0X", None, "old", "Kept", question_text="A question since removed"),
]


def make_agenda(**kw) -> Agenda:
    values = {
        "ws": make_ws(),
        "meeting": MEETING,
        "participants": PARTICIPANTS,
        "answers": ANSWERS,
        "questions": QUESTIONS,
        "rate": {"sales": (3, 4), "marketing": (1, 3)},
        "pack": make_pack(),
    }
    return Agenda(**(values | kw))


# --- times and action items -----------------------------------------------------------------------


def test_when_is_local_weekday_date_time_and_zone():
    """A UTC instant shown in the workspace's zone, or in a zone given."""
    assert when(make_ws(), MEETING.starts_at) == WHEN
    assert when(make_ws(), MEETING.starts_at, "America/New_York") == "Thursday 03.12 09:00 (America/New_York)"
    assert when(make_ws(language="ru"), MEETING.starts_at) == "четверг 03.12 15:00 (Europe/Berlin)"


def test_action_line_with_and_without_owner_and_due():
    """`• #id text — owner — due date`; no owner and no date say so or leave the date out."""
    assert action_line(make_ws(), item(5, "Send the deck")) == "• #5 Send the deck — <@U0OWNER> — due 10.12.2026"
    assert action_line(make_ws(), item(6, "Call", owner=None, due=None)) == "• #6 Call — no owner"
    assert action_line(make_ws(), item(7, "x", owner="Anna & Co", due=None)) == "• #7 x — Anna &amp; Co"


def test_action_added_text_and_its_hostile_text():
    """The confirmation names the item, its owner and due date; the text is escaped."""
    text = action_added_text(make_ws(), item(5, EVIL))
    assert text.startswith("Action item #5 for <@U0OWNER>: &lt;!channel&gt;")
    assert text.endswith(" (due 10.12.2026)")
    assert_no_live_markup([text])


# --- direct messages ------------------------------------------------------------------------------


def test_ask_dm_lists_the_questions_with_an_answer_button():
    """The intro, the numbered questions, an Answer button with the meeting id, a note."""
    msg = build_ask_dm(make_ws(), MEETING, QUESTIONS)
    d = assert_fits(msg)
    intro = f"The Sales × Marketing sync is on {WHEN}. Please answer a few questions before it."
    assert d["text"] == intro
    assert section_texts(msg) == [f"*{intro}*", "1. Why do clients buy?\n2. What do we change?"]
    (button,) = buttons(msg)
    assert (button["action_id"], button["text"]["text"], button["value"], button["style"]) == (
        ids.SYNC_ANSWER,
        "Answer",
        "7",
        "primary",
    )
    assert context_texts(msg) == ["You can change your answers until the meeting starts."]


def test_ask_dm_once_answered_offers_to_change_answers():
    """After answering, the button says Change answers and the note says the answers are in."""
    msg = build_ask_dm(make_ws(), MEETING, QUESTIONS, answered=True)
    assert buttons(msg)[0]["text"]["text"] == "Change answers"
    assert context_texts(msg)[0].startswith("✅ Your answers are in.")


def test_ask_dm_escapes_question_texts_and_fits_many_long_ones():
    """Hostile question texts are data; ten 3,000-character questions still fit one section."""
    assert_escaped(build_ask_dm(make_ws(), MEETING, [("q1", EVIL), ("own1", "<!here>?")]))
    msg = build_ask_dm(make_ws(), MEETING, [(f"own{i}", "&" * 3000) for i in range(10)])
    assert_fits(msg)
    assert_no_live_markup(mrkdwn_texts(msg))


def test_reminder_dm():
    """The reminder names the meeting's time and has an Answer button."""
    msg = build_reminder_dm(make_ws(), MEETING)
    d = assert_fits(msg)
    assert d["text"] == f"Reminder: the Sales × Marketing sync is on {WHEN} and your answers are not in yet."
    assert buttons(msg)[0]["value"] == "7"


def test_action_dm_for_its_owner():
    """The item with its number and due date; on the due day a shorter text; a hint to mark it done."""
    msg = build_action_dm(make_ws(), item(5, "Send the deck"), due_today=False)
    d = assert_fits(msg)
    assert d["text"] == "You have an action item from the Sales × Marketing sync: #5 Send the deck (due 10.12.2026)"
    assert context_texts(msg) == ["Mark it done with `/sync done 5`."]
    today = build_action_dm(make_ws(), item(5, "Send the deck"), due_today=True)
    assert today.to_kwargs()["text"] == "Due today: action item #5 from the sync — Send the deck"


def test_action_dm_escapes_the_item_text_and_fits_a_long_one():
    """The item's text is data; a 10,000-character item still fits."""
    assert_escaped(build_action_dm(make_ws(), item(5, EVIL), due_today=False))
    assert_escaped(build_action_dm(make_ws(), item(5, EVIL), due_today=True))
    assert_fits(build_action_dm(make_ws(), item(5, "<" * 10_000), due_today=False))


# --- the agenda -----------------------------------------------------------------------------------


def test_response_rate_counts_only_people_asked():
    """Unreachable or not yet asked people are not counted; answered ones are."""
    parts = [*PARTICIPANTS, participant("U0NEW", "marketing", "claimed")]
    assert response_rate(parts, {"U0S1", "U0M1", "U0GONE"}) == {"sales": (1, 2), "marketing": (1, 1)}
    assert response_rate([], set()) == {"sales": (0, 0), "marketing": (0, 0)}


def test_agenda_fields_say_when_who_and_how_many_answered():
    """When, the response rate per department, and the people of each team."""
    msg = build_agenda(make_agenda())
    d = assert_fits(msg)
    assert plain_texts(msg)[0] == "Sales × Marketing sync · 03.12.2026"
    assert field_texts(msg) == [
        f"*When*\n{WHEN}",
        "*Answers in*\nSales 3/4 (75%) · Marketing 1/3 (33%)",
        "*Sales*\n<@U0GONE>, <@U0S1>, <@U0S2>",
        "*Marketing*\n<@U0M1>",
    ]
    assert d["text"].startswith("Sales × Marketing sync · 03.12.2026: Leads 1,234 ▲ +23.4% 🟢")


def test_agenda_response_rate_with_nobody_asked():
    """A department nobody was asked in shows 0/0 without a percentage."""
    fields = field_texts(build_agenda(make_agenda(rate={"sales": (2, 2), "marketing": (0, 0)}, participants=[])))
    assert fields[1] == "*Answers in*\nSales 2/2 (100%) · Marketing 0/0"
    assert fields[2:] == ["*Sales*\nnot set", "*Marketing*\nnot set"]


def test_agenda_since_the_last_sync():
    """Headline numbers, the biggest leak, the lead quality and the open items since the last sync."""
    msg = build_agenda(make_agenda())
    assert section_texts(msg) == [
        "*Since the last sync* (20 Nov\u2009–\u20092 Dec 2026)\n"
        "Leads 1,234 ▲ +23.4% 🟢 · Target leads 500 ▲ +25.0% 🟢 · Sales 40 ▼ −20.0% 🔴 · Revenue 125,000 ▲ +25.0% 🟢\n"
        "Biggest leak: Sales — 25.0% of the stage before, for the leads of 5 Aug\u2009–\u20092 Nov 2026\n"
        "16 of 20 leads judged, 37.5% of them target\n"
        "2 open action items"
    ]
    (button,) = buttons(msg)
    assert (button["action_id"], button["value"], button["style"]) == (ids.SYNC_CLOSE, "7", "danger")


def test_leak_line_names_the_cohorts_weakest_judged_step():
    """The weakest judged step of the cohort (visitors → leads is no step of it); none judged says so."""
    report = make_report()
    # 100 leads: 60 target (60%), 18 met (30%), 9 sold (50% — but of 18, judged).
    cohort = {"leads": 100, "target_leads": 60, "meetings": 18, "sales": 9}
    report.funnel = build_funnel({"visitors": 100_000, "leads": 100}, {}, cohort, period=SINCE)
    assert leak_line(report) == (
        "Biggest leak: Meetings — 30.0% of the stage before, for the leads of 5 Aug\u2009–\u20092 Nov 2026"
    )
    report.funnel = build_funnel({}, {}, {"leads": 9, "target_leads": 1}, period=SINCE)
    assert leak_line(report) == "No funnel data for this period."


def test_agenda_escapes_participant_ids_that_are_not_ids():
    """A participant id that is not a Slack id is shown as text."""
    parts = [participant(EVIL, "sales"), participant("a & b", "marketing")]
    assert_escaped(build_agenda(make_agenda(participants=parts)), shown=("&lt;!channel&gt;", "a &amp; b"))


# --- the agenda's thread --------------------------------------------------------------------------


def test_answers_text_groups_answers_by_question_and_department():
    """Each question in order with its answers by department; a question nobody answered says so."""
    text = build_answers_text(make_ws(), QUESTIONS, ANSWERS)
    assert text == (
        "*1. Why do clients buy?*\n_Sales_\n• <@U0S1>: Price\n_Marketing_\n• <@U0M1>: The brand\n\n"
        "*2. What do we change?*\n_no answers_\n\n"
        "*3. A question since removed*\n_Others_\n• <@U0X>: Kept"
    )
    assert build_answers_text(make_ws(), QUESTIONS, ANSWERS, only=2) == "*2. What do we change?*\n_no answers_"


def test_answers_text_escapes_answers_questions_and_odd_user_ids():
    """Answers, question texts (also of removed questions) and non-id users are data."""
    answers = [
        answer("<@U0EVIL>", "sales", "q1", EVIL),
        answer("U0S1", None, "gone", "ok", question_text="<!here> & co"),
    ]
    text = build_answers_text(make_ws(), [("q1", EVIL)], answers)
    assert "*3. &lt;!here&gt; &amp; co*" not in text  # the removed question is the second one
    assert "*2. &lt;!here&gt; &amp; co*" in text
    assert "• &lt;@U0EVIL&gt;: " in text
    assert_no_live_markup([text])


def test_pack_text_lists_kpis_funnel_quality_feedback_and_actions():
    """The data pack, line by line, with the biggest leak marked."""
    lines = build_pack_text(make_agenda()).split("\n")
    assert lines[:3] == ["*Data pack* · 20 Nov\u2009–\u20092 Dec 2026", "", "*KPI changes since the last sync*"]
    assert lines[3] == "• Visitors: 10,000 (before 8,000) ▲ +25.0% 🟢"
    assert "• New customers: — (before —)" in lines
    assert "• CAC: 312 (before 250) ▲ +25.0% 🔴" in lines
    funnel = lines[lines.index("*Funnel*") + 1 : lines.index("*Funnel*") + 5]
    assert funnel == [
        "• Visitors 10,000 → Leads 1,234 → Target leads 500 → Meetings 100 → Sales 40 · visitors → leads 12.3% in "
        "the period",
        "• Leads of 5 Aug\u2009–\u20092 Nov 2026: how far they got by 2 Dec 2026 — 850 → Target leads 47.1% → "
        "Meetings 30.0% → Sales 25.0% · biggest leak: Sales",
        "",
        "*Lead quality*",
    ]
    assert "16 of 20 leads judged, 6 target (37.5%); 4 still without a verdict" in lines
    assert "Top rejection reasons: No budget (3), Competitor (1)" in lines
    feedback_at = lines.index("*Customer feedback*")
    # The same review twice is quoted once; a review without text is counted, not quoted.
    assert lines[feedback_at + 1 : feedback_at + 6] == [
        "*Reviews: 3*",
        "> Great &amp; fast",
        "*Complaints: 0*",
        "*Wishes: 1*",
        "> Dark mode",
    ]
    assert lines[-3:] == [
        "*Open action items*",
        "• #5 Send the deck — <@U0OWNER> — due 10.12.2026",
        "• #6 Call Acme — no owner",
    ]


def test_pack_text_without_actions_says_none():
    """No open action items: _none_."""
    text = build_pack_text(make_agenda(pack=make_pack(open_actions=[])))
    assert text.endswith("*Open action items*\n_none_")


def test_icp_text_with_changes_and_without_a_profile():
    """The profile with its version, indicators and the changes; without one, how to start it."""
    pack = make_pack()
    assert build_icp_text(make_ws(), pack.icp, pack.icp_changes) == (
        "*Ideal customer profile* (v3)\nB2B SaaS\n\n*Indicators of readiness to buy*\nAsked for a demo\n\n"
        "*Changed since the last sync*\n+ B2B SaaS\n− B2C"
    )
    assert build_icp_text(make_ws(), None, []) == (
        "*Ideal customer profile*\nNot written yet: anyone can start it with `/sync icp`."
    )


def test_agenda_thread_is_answers_pack_icp_and_who_could_not_be_asked():
    """Four messages: answers, data pack, profile, and the people the DM could not reach."""
    messages = build_agenda_thread(make_agenda())
    assert len(messages) == 4
    for msg in messages:
        assert_fits(msg)
    assert section_texts(messages[0])[0].startswith("*Answers*\n\n*1. Why do clients buy?*")
    assert section_texts(messages[1])[0].startswith("*Data pack*")
    assert section_texts(messages[2])[0].startswith("*Ideal customer profile* (v3)")
    assert section_texts(messages[3]) == ["Could not be asked (left the workspace or DMs closed): <@U0GONE>"]


def test_agenda_thread_escapes_all_outside_text():
    """Answers, questions, feedback, reasons, action items and the profile are data in every message."""
    pack = make_pack(
        quality=make_quality(reasons=[{"reason": EVIL, "count": 1}]),
        feedback={"review": [feedback("review", EVIL)], EVIL: [feedback(EVIL, "<!here>")]},
        open_actions=[item(5, EVIL, owner="<@U0EVIL>")],
        icp=IcpVersion(team_id="T1", version=1, profile=EVIL, indicators=EVIL),
        icp_changes=["+ " + EVIL],
    )
    agenda = make_agenda(
        questions=[("q1", EVIL)],
        answers=[answer("U0S1", "sales", "q1", EVIL), answer("U0M1", None, "x", "y", question_text=EVIL)],
        participants=[participant("<@U0EVIL>", "sales", "unreachable")],
        pack=pack,
    )
    messages = build_agenda_thread(agenda)
    assert_escaped(*messages)
    assert "Could not be asked (left the workspace or DMs closed): &lt;@U0EVIL&gt;" in mrkdwn_texts(messages[-1])


def test_agenda_thread_with_300_answers_fits_and_loses_none():
    """300 answers of ~600 characters: every message fits Slack's limits and every answer is there."""
    answers = [
        answer(f"U{i:04d}", ("sales", "marketing", None)[i % 3], f"q{i % 5 + 1}", f"answer {i:03d} {EVIL} " + "x" * 450)
        for i in range(300)
    ]
    questions = [(f"q{n}", f"Question {n} " + "?" * 500) for n in range(1, 6)]
    messages = build_agenda_thread(make_agenda(answers=answers, questions=questions))
    everything = ""
    for msg in messages:
        d = assert_fits(msg)
        everything += "\n".join(b["text"]["text"] for b in d["blocks"]) + "\n"
    for i in range(300):
        assert f"• <@U{i:04d}>: answer {i:03d} &lt;!channel&gt;" in everything
    assert len(messages) > 4
    assert_no_live_markup(mrkdwn_texts(*messages))


# --- the summary ----------------------------------------------------------------------------------


def make_summary(**kw) -> Summary:
    values = {
        "ws": make_ws(),
        "meeting": MEETING,
        "notes": [MeetingNote(team_id="T1", text="Webinars move to Q2")],
        "new_actions": [item(8, "Draft the plan")],
        "done_actions": [item(5, "Send the deck")],
        "icp_changes": ["+ B2B SaaS"],
        "icp": IcpVersion(team_id="T1", version=3),
    }
    return Summary(**(values | kw))


def test_summary_lists_decisions_actions_done_and_profile_changes_and_who_closed_it():
    """Decisions, new items, items done (struck), profile changes, and "Closed by" the person."""
    msg = build_summary(make_summary(), "U0BOSS")
    d = assert_fits(msg)
    assert plain_texts(msg)[0] == "Sync summary · 03.12.2026"
    assert section_texts(msg) == [
        "*Decisions*\n• Webinars move to Q2\n\n"
        "*New action items*\n• #8 Draft the plan — <@U0OWNER> — due 10.12.2026\n\n"
        "*Done since the last sync*\n• ~#5 Send the deck~\n\n"
        "*Ideal customer profile* (v3)\n+ B2B SaaS"
    ]
    assert context_texts(msg) == ["Closed by <@U0BOSS>"]
    assert d["text"] == "Sync summary · 03.12.2026: 1 / 1"


def test_summary_of_an_empty_meeting_closed_by_the_clock():
    """Nothing written down: placeholders; closed at the end time: says so."""
    summary = make_summary(notes=[], new_actions=[], done_actions=[], icp_changes=[], icp=None)
    msg = build_summary(summary, None)
    assert section_texts(msg) == [
        "*Decisions*\n_none written down (`/sync notes …`)_\n\n"
        "*New action items*\n_none_\n\n"
        "*Done since the last sync*\n_none_"
    ]
    assert context_texts(msg) == ["Closed automatically at the end time"]


def test_summary_escapes_notes_items_and_profile_changes():
    """Decisions, action items (new and done), owners that are not ids and profile changes are data."""
    summary = make_summary(
        notes=[MeetingNote(team_id="T1", text=EVIL)],
        new_actions=[item(8, EVIL, owner="<@U0EVIL>")],
        done_actions=[item(5, EVIL)],
        icp_changes=[EVIL],
    )
    assert_escaped(build_summary(summary, "U0BOSS"))


def test_summary_of_300_long_decisions_fits_in_50_blocks():
    """300 decisions of 600 characters: at most 50 blocks, each section within 3,000 characters."""
    notes = [MeetingNote(team_id="T1", text=f"{i:03d} " + "&" * 120) for i in range(300)]
    msg = build_summary(make_summary(notes=notes, new_actions=[item(i, "y" * 500) for i in range(300)]), "U0BOSS")
    d = assert_fits(msg)
    assert d["blocks"][-1]["type"] == "context"
    assert d["text"] == "Sync summary · 03.12.2026: 300 / 300"


# --- the action list and the coming meetings ------------------------------------------------------


def test_actions_list_shows_every_open_item():
    """The open items, one per line; none: says so."""
    msg = build_actions_list(make_ws(), [item(5, "Send the deck"), item(6, "Call", owner=None, due=None)])
    d = assert_fits(msg)
    assert section_texts(msg) == [
        "*Open action items*\n• #5 Send the deck — <@U0OWNER> — due 10.12.2026\n• #6 Call — no owner"
    ]
    assert d["text"] == section_texts(msg)[0]
    assert section_texts(build_actions_list(make_ws(), [])) == ["*Open action items*\nnone"]


def test_actions_list_of_many_items_fits_and_escapes():
    """500 hostile items: within Slack's limits, nothing live in the sections."""
    msg = build_actions_list(make_ws(), [item(i, EVIL + " " + "z" * 100) for i in range(500)])
    assert_fits(msg)
    # The blocks only: the text fallback is tested below.
    assert_escaped(msg.to_kwargs())


@pytest.mark.parametrize(
    "first",
    [
        item(5, "x" + "&" * 100, owner=None, due=None),  # index 300 falls inside an &amp;
        item(5, "y" * 265, due=None),  # index 300 falls inside <@U0OWNER>
    ],
    ids=["entity", "mention"],
)
def test_actions_list_text_fallback_is_never_cut_inside_an_entity_or_mention(first):
    """The notification text of a long action list keeps entities and mentions whole."""
    text = build_actions_list(make_ws(), [first]).to_kwargs()["text"]
    assert len(text) <= 300
    assert not broken_markup(text), text[-12:]


def make_series(**kw) -> SyncSeries:
    values = {
        "team_id": "T1",
        "weekday": 3,
        "time": "15:00",
        "every_weeks": 2,
        "start_date": date(2026, 12, 3),
        "timezone": "Europe/Berlin",
        "holidays": ["2026-12-17"],
        "holiday_rule": "skip",
        "ask_days": 2,
        "agenda_before": "1h",
    }
    return SyncSeries(**(values | kw))


def test_next_text_lists_coming_meetings_with_their_timeline():
    """Each meeting with when the questions go out and the agenda is posted; a holiday is struck."""
    ws, series = make_ws(sync_channel="C0SYNC"), make_series()
    cal = Calendar(series, ws)
    slots = cal.next_slots(datetime(2026, 12, 1, tzinfo=UTC), 3)
    lines = build_next_text(ws, series, slots, cal).split("\n")
    assert lines[:4] == [
        "*Coming syncs* · <#C0SYNC>",
        f"• *{WHEN}*",
        # two working days before Thursday 3 December, at the meeting's time; the agenda an hour before
        "   questions Tuesday 01.12 15:00 (Europe/Berlin) · agenda Thursday 03.12 14:00 (Europe/Berlin)",
        "• ~Thursday 17.12 15:00 (Europe/Berlin)~ — skipped: holiday",
    ]
    assert lines[4] == "• *Thursday 31.12 15:00 (Europe/Berlin)*"


def test_next_text_switched_off_empty_and_with_a_hostile_channel():
    """A switched-off series and an empty calendar say so; a channel that is not an id is text."""
    ws = make_ws(sync_channel="<#C0SYNC|sync> & more")
    series = make_series()
    cal = Calendar(series, ws)
    assert build_next_text(ws, make_series(active=False), [], cal).startswith("The sync is switched off")
    assert build_next_text(ws, series, [], cal) == "No sync in the coming weeks."
    slots = cal.next_slots(datetime(2026, 12, 1, tzinfo=UTC), 1)
    text = build_next_text(ws, series, slots, cal)
    assert text.startswith("*Coming syncs* · &lt;#C0SYNC|sync&gt; &amp; more\n")
    assert_no_live_markup([text])


# --- the modals -----------------------------------------------------------------------------------


def test_answer_modal_has_one_input_per_question_with_my_answers():
    """A note with the time, one multiline input per question (block `q:<key>`) holding my answer."""
    view = build_answer_modal(make_ws(), MEETING, QUESTIONS, {"q1": "Price"})
    d = assert_fits(view)
    assert d["callback_id"] == ids.SYNC_ANSWERS_MODAL
    assert d["title"]["text"] == "Sync questions"
    assert context_texts(view) == [f"Sync on {WHEN}. Leave a question empty to skip it."]
    inputs = d["blocks"][1:]
    assert [b["block_id"] for b in inputs] == ["q:q1", "q:own1"]
    assert [b["label"]["text"] for b in inputs] == ["1. Why do clients buy?", "2. What do we change?"]
    assert inputs[0]["element"]["initial_value"] == "Price"
    assert "initial_value" not in inputs[1]["element"]
    assert json.loads(d["private_metadata"]) == {"meeting_id": 7, "team_id": "T1"}


def test_answer_modal_labels_carry_hostile_questions_as_plain_text_and_fit():
    """Question texts are plain-text labels (shown as they are), cut to Slack's 2,000 characters."""
    view = build_answer_modal(make_ws(), MEETING, [("q1", EVIL), ("own1", "q" * 3000)], {"q1": "a" * 3000})
    d = assert_fits(view)
    assert d["blocks"][1]["label"]["text"] == "1. " + EVIL
    assert len(d["blocks"][2]["label"]["text"]) == 2000


def test_setup_modal_round_trip_gives_the_series_back():
    """Submitting the setup modal untouched gives back the series' settings, without errors."""
    ws = make_ws(sync_channel="C0SYNC")
    series = make_series(
        length_minutes=45,
        sales=["U0S1", "S0TEAM"],
        marketing=["U0M1"],
        holidays=["2026-12-24", "2026-12-31"],
        holiday_rule="move",
        ask_days=3,
        reminders=["1d", "2h"],
        agenda_before="30m",
        questions=["What did we learn?", "Which deals stalled?"],
    )
    view = build_setup_modal(ws, series, date(2026, 11, 30), {"S0TEAM": "<!subteam^S0TEAM> & team"})
    assert_fits(view)
    values, errors = parse_sync_submission(submission_state(view), series)
    assert errors == {}
    assert values == {
        "channel": "C0SYNC",
        "weekday": 3,
        "length_minutes": 45,
        "every_weeks": 2,
        "holiday_rule": "move",
        "ask_days": 3,
        "time": "15:00",
        "start_date": date(2026, 12, 3),
        "timezone": "Europe/Berlin",
        "holidays": ["2026-12-24", "2026-12-31"],
        "reminders": ["1d", "2h"],
        "agenda_before": "30m",
        "questions": ["What did we learn?", "Which deals stalled?"],
        "sales": ["U0S1", "S0TEAM"],
        "marketing": ["U0M1"],
    }
    groups = next(b for b in view.to_dict()["blocks"] if b["block_id"] == "sales_groups")
    assert groups["element"]["initial_options"][0]["text"]["text"] == "<!subteam^S0TEAM> & team"


def test_setup_modal_for_a_new_series_starts_from_the_workspace():
    """No series yet: the workspace's zone and teams, Thursday 15:00, every two weeks, from today."""
    ws = make_ws(sales=["U0S1"], marketing=["U0M1", "S0MKT"])
    view = build_setup_modal(ws, None, date(2026, 11, 30))
    values, errors = parse_sync_submission(submission_state(view), None)
    assert errors == {}
    assert values == {
        "channel": None,
        "weekday": 3,
        "length_minutes": 60,
        "every_weeks": 2,
        "holiday_rule": "skip",
        "ask_days": 2,
        "time": "15:00",
        "start_date": date(2026, 11, 30),
        "timezone": "Europe/Berlin",
        "holidays": [],
        "reminders": ["1d", "2h"],
        "agenda_before": "1h",
        "questions": [],
        "sales": ["U0S1"],
        "marketing": ["U0M1", "S0MKT"],
    }


def test_setup_modal_keeps_a_question_with_a_bar_in_it_whole():
    """A question line containing `|` comes back as one question."""
    series = make_series(questions=["Price | value: which matters more?"])
    values, errors = parse_sync_submission(
        submission_state(build_setup_modal(make_ws(), series, date(2026, 11, 30))), series
    )
    assert errors == {}
    assert values["questions"] == ["Price | value: which matters more?"]


def test_icp_modal_holds_the_latest_version():
    """The latest profile and indicators as initial values, its version in the note; none: version 0."""
    latest = IcpVersion(team_id="T1", version=3, profile=EVIL, indicators="Asked for a demo")
    view = build_icp_modal(make_ws(), latest)
    d = assert_fits(view)
    assert d["title"]["text"] == "Customer profile"
    assert context_texts(view) == ["Version 3. Saving makes a new version; the agenda shows what changed."]
    assert d["blocks"][1]["element"]["initial_value"] == EVIL  # plain text: shown as it is
    assert d["blocks"][2]["element"]["initial_value"] == "Asked for a demo"
    empty = build_icp_modal(make_ws(), None).to_dict()
    assert "Version 0." in empty["blocks"][0]["elements"][0]["text"]
    assert "initial_value" not in empty["blocks"][1]["element"]


def test_feedback_modal_takes_the_message_text_and_remembers_where_it_came_from():
    """Kind (review first), rating 5..1 stars, the message's text (cut to 3,000), channel and ts in metadata."""
    view = build_feedback_modal(make_ws(), EVIL + "x" * 10_000, channel="C1", ts="1700000000.000100")
    d = assert_fits(view)
    assert d["callback_id"] == ids.FEEDBACK_MODAL
    kind, rating, customer, text = d["blocks"]
    assert kind["element"]["initial_option"]["value"] == "review"
    assert [o["text"]["text"] for o in rating["element"]["options"]] == ["★★★★★", "★★★★", "★★★", "★★", "★"]
    assert rating["optional"] is True
    assert "initial_value" not in customer["element"]
    assert len(text["element"]["initial_value"]) == 3000
    assert text["element"]["initial_value"].startswith(EVIL)
    assert json.loads(d["private_metadata"]) == {"channel": "C1", "ts": "1700000000.000100", "team_id": "T1"}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_sync_modals_fit_in_both_languages(language):
    """Every sync modal's title, buttons, labels and options fit in English and Russian."""
    ws = make_ws(language=language)
    assert_fits(build_answer_modal(ws, MEETING, QUESTIONS, {}))
    assert_fits(build_setup_modal(ws, make_series(), date(2026, 11, 30)))
    assert_fits(build_icp_modal(ws, None))
    assert_fits(build_feedback_modal(ws, "text"))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_sync_messages_fit_in_both_languages(language):
    """The DMs, the agenda, its thread and the summary fit in English and Russian."""
    ws = make_ws(language=language)
    assert_fits(build_ask_dm(ws, MEETING, QUESTIONS))
    assert_fits(build_reminder_dm(ws, MEETING))
    assert_fits(build_action_dm(ws, item(5, "x"), due_today=False))
    agenda = make_agenda(ws=ws, pack=make_pack(report=make_report(language)))
    assert_fits(build_agenda(agenda))
    for msg in build_agenda_thread(agenda):
        assert_fits(msg)
    assert_fits(build_summary(make_summary(ws=ws), "U1"))
    # The translated templates keep mentions whole and add no stray `&`, `<` or `>`.
    messages = [build_agenda(agenda), *build_agenda_thread(agenda), build_summary(make_summary(ws=ws), "U1")]
    assert_no_live_markup(mrkdwn_texts(*messages))
