"""Lead blocks as Slack sees them: the card sales judges, the verdict and /lead modals, the lead-quality
report and table. Leads and quality figures are small literals; expected text is written out by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import ids
from bot.kpi.periods import Period
from bot.kpi.sales import Sla
from bot.leads.blocks import (
    build_lead_card,
    build_lead_modal,
    build_quality_message,
    build_quality_table,
    build_verdict_modal,
)
from bot.leads.outputs import render_quality_csv
from bot.leads.quality import Quality
from bot.leads.verdicts import VERDICTS, CardState
from storage.models import Lead, Workspace
from tests.blockkit import (
    EVIL,
    assert_escaped,
    assert_fits,
    blocks_of,
    buttons,
    context_texts,
    field_texts,
    plain_texts,
    section_texts,
)

WEEK = Period.containing("week", date(2026, 11, 23))
WEEK_LABEL = "Week 48 · 23\u2009–\u200929 Nov 2026"


def make_ws(**kw) -> Workspace:
    return Workspace(**({"team_id": "T1", "name": "Acme", "timezone": "Europe/Berlin", "language": "en"} | kw))


def make_lead(**kw) -> Lead:
    values = {
        "id": 42,
        "team_id": "T1",
        "external_id": "ext-42",
        "name": "Anna",
        "company": "Acme",
        "email": "anna@example.com",
        "phone": "+49 30 1234",
        "channel": "google",
        "campaign": "winter",
        "utm_source": "g",
        "utm_medium": "cpc",
        "utm_campaign": "w1",
        "product": "CRM",
        "owner": "U0OWNER",
        "message": "Need a demo",
        "created_at": CAME_IN,
    }
    return Lead(**(values | kw))


CAME_IN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
NOW = datetime(2026, 11, 30, 8, 2, tzinfo=UTC)  # the card, two minutes later: its SLA counts from 09:02


def card(ws: Workspace, lead: Lead, state: CardState, now: datetime = NOW):
    return build_lead_card(ws, lead, state, now=now)


JUDGED = CardState(
    verdict="not_target",
    reason="no_budget",
    note="Call again  in Q2\nplease",
    user_id="U0SALES",
    at=datetime(2026, 11, 30, 9, 5, tzinfo=UTC),  # 10:05 in Berlin
    changes=2,
)


def hostile_lead() -> Lead:
    return make_lead(
        name=EVIL,
        company="<!here> & Co",
        email="<mailto:x@evil.example|me>",
        phone="<!channel>",
        channel=EVIL,
        campaign=EVIL,
        utm_source="<!here>",
        product=EVIL,
        owner="<@U0EVIL>",
        message=EVIL + "\n\nplease <!subteam^S0SALES>",
    )


# --- the card -------------------------------------------------------------------------------------


def test_card_shows_the_lead_and_waits_for_a_verdict():
    """Header, the lead's fields, what they asked, the waiting line, the buttons, the thread note."""
    msg = card(make_ws(), make_lead(), CardState())
    d = assert_fits(msg)
    assert [b["type"] for b in d["blocks"]] == ["header", "section", "section", "section", "actions", "context"]
    assert plain_texts(msg)[0] == "New lead: Anna · Acme"
    assert field_texts(msg) == [
        "*Source channel*\ngoogle",
        "*Campaign*\nwinter",
        "*Interested in*\nCRM",
        "*Owner*\n<@U0OWNER>",
        "*Contact*\nanna@example.com · +49 30 1234",
        "*UTM*\ng / cpc / w1",
        "*Came in*\nMon 30 Nov, 09:00",
        "*Verdict due*\nMon 30 Nov, 13:02",  # 4 working hours (the default) after the card
    ]
    assert section_texts(msg) == ["*What they asked*\nNeed a demo", "*Waiting for a verdict from sales.*"]
    assert context_texts(msg) == ["Discuss this lead in the thread: replies are kept for marketing."]
    assert d["text"] == "New lead: Anna · Acme (google)"


def test_card_of_a_bare_lead_falls_back_to_its_external_id_and_dashes():
    """No name, company, channel, campaign, product or owner: the id and placeholders, no contact or message."""
    msg = card(make_ws(), Lead(id=7, team_id="T1", external_id="crm-7"), CardState())
    assert plain_texts(msg)[0] == "New lead: crm-7"
    assert field_texts(msg) == [
        "*Source channel*\n(not set)",
        "*Campaign*\n—",
        "*Interested in*\n—",
        "*Owner*\n—",
        "*Verdict due*\nMon 30 Nov, 13:02",
    ]
    assert section_texts(msg) == ["*Waiting for a verdict from sales.*"]
    assert msg.to_kwargs()["text"] == "New lead: crm-7 (—)"


def test_card_campaign_falls_back_to_the_utm_tags():
    """Without a campaign the UTM tags are the campaign, and there is no separate UTM field."""
    lead = make_lead(campaign=None, utm_medium=None)
    fields = field_texts(card(make_ws(), lead, CardState()))
    assert fields[1] == "*Campaign*\ng / w1"
    assert not any(f.startswith("*UTM*") for f in fields)


def test_card_owner_that_is_a_name_is_plain_text():
    """A CRM owner given by name is shown as the name, not as a mention."""
    fields = field_texts(card(make_ws(), make_lead(owner="Olga & Max"), CardState()))
    assert fields[3] == "*Owner*\nOlga &amp; Max"


def test_card_buttons_are_the_six_verdicts_with_the_lead_id():
    """One button per verdict, in order, each `verdict:<v>` with the lead id as its value; none styled yet."""
    msg = card(make_ws(), make_lead(), CardState())
    got = buttons(msg)
    assert [b["action_id"] for b in got] == [
        "verdict:target",
        "verdict:not_target",
        "verdict:spam",
        "verdict:duplicate",
        "verdict:cant_reach",
        "verdict:not_now",
    ]
    assert [b["text"]["text"] for b in got] == ["Target", "Not target", "Spam", "Duplicate", "Can't reach", "Not now"]
    assert {b["value"] for b in got} == {"42"}
    assert all("style" not in b for b in got)
    actions = next(b for b in blocks_of(msg) if b["type"] == "actions")
    assert actions["block_id"] == "verdict-42"
    assert ids.VERDICT_ACTION_PREFIX == "verdict:"
    assert len(VERDICTS) == 6


@pytest.mark.parametrize(
    ("verdict", "style"),
    [
        ("target", "primary"),
        ("not_target", "danger"),
        ("spam", "danger"),
        ("duplicate", "danger"),
        ("cant_reach", "danger"),
        ("not_now", "danger"),
    ],
)
def test_card_styles_the_given_verdict_only(verdict, style):
    """The chosen verdict's button is styled (target green, the others red); the rest are plain."""
    got = buttons(card(make_ws(), make_lead(), CardState(verdict=verdict, user_id="U1")))
    styles = {b["action_id"].removeprefix("verdict:"): b.get("style") for b in got}
    assert styles == {v: (style if v == verdict else None) for v in VERDICTS}


def test_card_verdict_line_says_what_who_when_and_how_often():
    """Verdict, reason, the comment as a quote, who and when in the workspace's zone, how often it changed."""
    texts = section_texts(card(make_ws(), make_lead(), JUDGED))
    assert texts[-1] == (
        "*Not target* — No budget\n> Call again in Q2 please\nby <@U0SALES> on 30.11.2026 10:05 · changed 2 times"
    )


def test_a_judged_card_says_its_verdict_in_the_header():
    """After a verdict the card no longer reads "New lead": the header and the notification text name it."""
    msg = card(make_ws(), make_lead(), JUDGED)
    assert plain_texts(msg)[0] == "Not target: Anna · Acme" and msg.text == "Not target: Anna · Acme (google)"
    ru = card(make_ws(language="ru"), make_lead(), JUDGED)
    assert plain_texts(ru)[0].startswith("Нецелевой: ")


def test_card_verdict_line_without_reason_note_or_changes():
    """A first target verdict with no reason or comment: the verdict and who/when only."""
    state = CardState(verdict="target", user_id="U0SALES", at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    texts = section_texts(card(make_ws(), make_lead(), state))
    assert texts[-1] == "*Target*\nby <@U0SALES> on 01.07.2026 14:00"  # Berlin is UTC+2 in summer


def test_card_verdict_by_a_crm_name_is_text_not_a_broken_mention():
    """An imported verdict's author may be a CRM user's name: shown as text."""
    state = CardState(verdict="target", user_id="Anna <Smith>", at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    texts = section_texts(card(make_ws(), make_lead(), state))
    assert texts[-1] == "*Target*\nby Anna &lt;Smith&gt; on 01.07.2026 14:00"


def test_card_with_a_custom_reason_shows_it():
    """A reason from the workspace's own catalogue is shown as written."""
    state = CardState(verdict="not_target", reason="Too small", user_id="U1", at=JUDGED.at)
    texts = section_texts(card(make_ws(reasons=["Too small"]), make_lead(), state))
    assert texts[-1].startswith("*Not target* — Too small\nby <@U1>")


def test_card_escapes_every_field_of_a_hostile_lead():
    """Name, company, contact, channel, campaign, UTM, product, owner and message are data in mrkdwn."""
    msg = card(make_ws(), hostile_lead(), CardState())
    texts = assert_escaped(msg)
    assert "&lt;mailto:x@evil.example|me&gt;" in "\n".join(texts)
    assert "please &lt;!subteam^S0SALES&gt;" in "\n".join(texts)
    # The header is plain text: Slack does not parse it, so it carries the name as it is.
    assert plain_texts(msg)[0] == f"New lead: {EVIL} · <!here> & Co"


def test_card_escapes_a_hostile_comment_and_custom_reason():
    """The verdict's comment and a custom reason are outside text too."""
    state = CardState(verdict="not_target", reason=EVIL, note=EVIL, user_id="U0SALES", at=JUDGED.at, changes=1)
    msg = card(make_ws(reasons=[EVIL]), make_lead(), state)
    assert_escaped(msg)
    assert section_texts(msg)[-1].startswith("*Not target* — &lt;!channel&gt;")


def test_card_with_a_10000_character_message_still_fits():
    """A 10,000-character message (and 5,000-character fields) is cut to fit; the card stays valid."""
    lead = make_lead(
        message="&" * 10_000,
        name="n" * 5000,
        company="c" * 5000,
        channel="<" * 5000,
        campaign="x" * 5000,
        email="e" * 5000,
    )
    state = CardState(verdict="spam", note="q" * 10_000, user_id="U1", at=JUDGED.at)
    msg = card(make_ws(), lead, state)
    d = assert_fits(msg)
    assert len(plain_texts(msg)[0]) == 150
    asked = section_texts(msg)[0]
    assert asked.startswith("*What they asked*\n&amp;")
    assert len(asked) <= 3000
    # The note is cut to 500 characters before escaping.
    assert "> " + "q" * 499 + "…" in section_texts(msg)[1]
    assert d["text"]


def test_card_in_russian():
    """Labels, buttons and the waiting line follow the workspace's language."""
    msg = card(make_ws(language="ru"), make_lead(), CardState())
    assert_fits(msg)
    assert plain_texts(msg)[0] == "Новый лид: Anna · Acme"
    assert field_texts(msg)[0] == "*Канал*\ngoogle"
    assert section_texts(msg)[-1] == "*Ждёт оценки отдела продаж.*"
    assert buttons(msg)[0]["text"]["text"] == "Целевой"


# --- the modals -----------------------------------------------------------------------------------


def test_verdict_modal_names_the_lead_and_carries_it_in_its_metadata():
    """Titled by the verdict; the lead in a section; reason and comment inputs; lead id and verdict in metadata."""
    view = build_verdict_modal(make_ws(), make_lead(), "not_target")
    d = assert_fits(view)
    assert d["callback_id"] == ids.VERDICT_MODAL
    assert d["title"]["text"] == "Not target"
    assert section_texts(view) == ["*Anna · Acme* · google"]
    reason, note = d["blocks"][1], d["blocks"][2]
    assert reason["block_id"] == ids.REASON
    assert len(reason["element"]["options"]) == 8 and not reason["optional"]
    assert reason["element"]["options"][0] == {
        "text": {"type": "plain_text", "text": "No budget", "emoji": True},
        "value": "no_budget",
    }
    assert "initial_option" not in reason["element"]
    assert (note["block_id"], note["element"]["multiline"], note["element"]["max_length"]) == (ids.NOTE, True, 1000)
    assert json.loads(d["private_metadata"]) == {"lead_id": 42, "verdict": "not_target", "team_id": "T1"}


@pytest.mark.parametrize(
    "verdict,reasons,optional",
    [
        ("cant_reach", ["No answer", "Wrong contact data", "Other"], False),
        ("not_now", ["Not the right time", "No budget", "Other"], False),
        ("spam", ["Competitor", "Other"], True),
        ("duplicate", ["Already a customer", "Other"], True),
    ],
)
def test_each_verdict_asks_for_its_own_reasons(verdict, reasons, optional):
    """Can't reach is not asked for "No budget"; Spam and Duplicate may go without a reason."""
    reason = assert_fits(build_verdict_modal(make_ws(), make_lead(), verdict))["blocks"][1]
    assert [o["text"]["text"] for o in reason["element"]["options"]] == reasons
    assert reason["optional"] is optional


def test_verdict_modal_with_a_hostile_lead_and_reasons():
    """The lead's name and channel are escaped in the section; custom reasons are plain option labels."""
    ws = make_ws(reasons=[EVIL[:75], "<!here>"])
    view = build_verdict_modal(ws, hostile_lead(), "spam")
    assert_fits(view)
    assert_escaped(view, shown=("&lt;!channel&gt;", "&lt;!here&gt; &amp; Co"))
    options = view.to_dict()["blocks"][1]["element"]["options"]
    assert [o["text"]["text"] for o in options] == [EVIL[:75], "<!here>"]


def test_verdict_modal_of_a_lead_with_huge_fields_still_fits():
    """A 10,000-character name, company and channel: the section is cut to 3,000, entities whole."""
    lead = make_lead(name="&" * 10_000, company="c" * 10_000, channel="<" * 10_000)
    view = build_verdict_modal(make_ws(), lead, "duplicate")
    assert_fits(view)
    assert_escaped(view, shown=(), entity=False)
    assert section_texts(view)[0].endswith("…")


def test_lead_modal_asks_for_every_lead_field():
    """/lead: one input per field in order; only the name is required; the message is multiline."""
    view = build_lead_modal(make_ws())
    d = assert_fits(view)
    assert d["callback_id"] == ids.LEAD_MODAL
    assert d["title"]["text"] == "New lead"
    assert [b["block_id"] for b in d["blocks"]] == list(ids.LEAD_FIELDS)
    assert [b["optional"] for b in d["blocks"]] == [False] + [True] * 7
    assert [b["element"].get("multiline", False) for b in d["blocks"]] == [False] * 7 + [True]
    assert json.loads(d["private_metadata"]) == {"team_id": "T1"}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("verdict", VERDICTS)
def test_verdict_modals_fit_in_both_languages(language, verdict):
    """Every verdict's modal title fits Slack's 24 characters in both languages."""
    assert_fits(build_verdict_modal(make_ws(language=language), make_lead(), verdict))


# --- lead quality ---------------------------------------------------------------------------------


def row(name, leads, judged, target, share, change):
    return {
        "name": name,
        "leads": leads,
        "judged": judged,
        "target": target,
        "judged_target_share_pct": share,
        "previous_share_pct": None,
        "change_pp": change,
    }


def make_quality(**kw) -> Quality:
    values = {
        "groups": {
            "channel": [row("google", 12, 10, 5, 50.0, 25.0), row(None, 8, 6, 1, 100 / 6, -20.0)],
            "campaign": [row("winter", 5, 5, 2, 40.0, None)],
        },
        "reasons": [{"reason": "No budget", "count": 3}, {"reason": "Competitor", "count": 1}],
        "quotes": [{"channel": "google", "verdict": "not_target", "text": "They only  wanted\na price list"}],
        "leads": 20,
        "judged": 16,
        "target": 6,
        "waiting": 4,
        "sla": Sla(hours=4, kept=9, due=12, pending=1),
    }
    return Quality(team_id="T1", language=kw.pop("language", "en"), period=WEEK, **(values | kw))


def test_quality_report_numbers():
    """6 of 16 judged are target (37.5%), 9 of 12 carded judged within the SLA (75.0%), per channel with change."""
    msg = build_quality_message(make_quality(), make_ws(sla_hours=4))
    d = assert_fits(msg)
    assert plain_texts(msg)[0] == f"Lead quality · {WEEK_LABEL}"
    summary = (
        "20 leads, 16 judged, 4 still waiting. Target share of judged leads: 37.5%. "
        "Judged within the SLA (4 working hours): 75.0%, 9 of 12."
    )
    assert section_texts(msg) == [
        summary,
        "*Target share of judged leads by channel*\n"
        "• *google*: 50.0% (+25.0 pp) · 12 leads, 10 judged, 5 target\n"
        "• *(not set)*: 16.7% (−20.0 pp) · 8 leads, 6 judged, 1 target",
        "*Top rejection reasons*\n• No budget: 3 leads\n• Competitor: 1 lead",
        "*From the threads*\n> They only wanted a price list\n— google, Not target",
    ]
    button = d["blocks"][-2]["elements"][0]
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        ids.QUALITY_EXPORT,
        "2026-W48",
        "Export CSV",
    )
    assert context_texts(msg) == ["Export posts the numbers of this report as CSV in its thread."]
    assert d["text"] == f"Lead quality · {WEEK_LABEL}: {summary}"


def test_quality_report_of_an_empty_week():
    """No leads: a dash for the share, no SLA sentence, no reasons or quotes sections."""
    q = Quality(team_id="T1", language="en", period=WEEK, groups={"channel": []})
    msg = build_quality_message(q, make_ws())
    assert_fits(msg)
    assert section_texts(msg) == [
        "0 leads, 0 judged, 0 still waiting. Target share of judged leads: —.",
        "*Target share of judged leads by channel*\n—",
    ]


def test_quality_report_shows_ten_channels_and_three_quotes():
    """Fifteen channels and five quotes: the first ten channels and three quotes."""
    q = make_quality(
        groups={"channel": [row(f"ch{i}", 1, 1, 1, 100.0, None) for i in range(15)]},
        quotes=[{"channel": "c", "verdict": "spam", "text": f"quote {i}"} for i in range(5)],
    )
    texts = section_texts(build_quality_message(q, make_ws()))
    assert texts[1].count("\n• ") == 10 and "ch9" in texts[1] and "ch10" not in texts[1]
    assert texts[3].count("> quote") == 3


def test_quality_report_escapes_channel_names_reasons_and_quotes():
    """Channel names, reasons, quoted thread replies and their channels are data in mrkdwn."""
    q = make_quality(
        groups={"channel": [row(EVIL, 3, 2, 1, 50.0, 10.0)]},
        reasons=[{"reason": EVIL, "count": 2}],
        quotes=[{"channel": EVIL, "verdict": "not_target", "text": EVIL}],
    )
    assert_escaped(build_quality_message(q, make_ws()))


def test_quality_report_with_long_names_and_quotes_still_fits():
    """Ten 2,000-character channel names and 10,000-character quotes: within Slack's limits."""
    q = make_quality(
        groups={"channel": [row("&" * 2000, 1, 1, 1, 100.0, None) for _ in range(10)]},
        reasons=[{"reason": "r" * 3000, "count": 1}] * 5,
        quotes=[{"channel": "c" * 3000, "verdict": "spam", "text": "t" * 10_000}] * 3,
    )
    assert_fits(build_quality_message(q, make_ws()))


def test_quality_table_by_channel_shows_judged_and_target():
    """`/leads quality by channel`: one line per channel with share, leads, judged and target, each labelled."""
    msg = build_quality_table(make_quality(), "channel")
    d = assert_fits(msg)
    assert [b["type"] for b in d["blocks"]] == ["header", "section", "section"]
    assert section_texts(msg) == [
        "20 leads, 16 judged, 4 still waiting. Target share of judged leads: 37.5%.",
        "• *google*: 50.0% · 12 leads, 10 judged, 5 target\n• *(not set)*: 16.7% · 8 leads, 6 judged, 1 target",
    ]
    summary = "20 leads, 16 judged, 4 still waiting. Target share of judged leads: 37.5%."
    assert d["text"] == f"Lead quality · {WEEK_LABEL}: {summary}"


def test_quality_table_by_campaign_and_by_reason():
    """By campaign: the campaign rows; by reason: each reason with its count; nothing: a dash."""
    q = make_quality()
    assert section_texts(build_quality_table(q, "campaign"))[1] == "• *winter*: 40.0% · 5 leads, 5 judged, 2 target"
    assert section_texts(build_quality_table(q, "reason"))[1] == "• No budget: 3 leads\n• Competitor: 1 lead"
    assert section_texts(build_quality_table(make_quality(reasons=[]), "reason"))[1] == "—"


def test_a_reason_code_from_a_crm_reads_as_words():
    """`already_in_crm` (imported) reads "Already in crm"; built-in codes are labels; own reasons as written."""
    from bot.leads.verdicts import reason_label

    ws = make_ws()
    assert [reason_label(ws, r) for r in ("already_in_crm", "no_budget", "Too small", "spam")] == [
        "Already in crm",
        "No budget",
        "Too small",
        "spam",
    ]


def test_quality_table_escapes_names_and_reasons():
    """Campaign names and reasons in the table are data in mrkdwn."""
    q = make_quality(groups={"campaign": [row(EVIL, 3, 2, 1, 50.0, None)]}, reasons=[{"reason": EVIL, "count": 1}])
    assert_escaped(build_quality_table(q, "campaign"))
    assert_escaped(build_quality_table(q, "reason"))


def test_quality_table_shows_forty_rows():
    """200 campaigns: the first 40 lines."""
    q = make_quality(groups={"campaign": [row(f"c{i:03d}", 1, 1, 1, 100.0, None) for i in range(200)]})
    table = section_texts(build_quality_table(q, "campaign"))[1]
    assert len(table.split("\n")) == 40
    assert "*c039*" in table and "*c040*" not in table


def test_quality_table_of_many_long_rows_still_fits():
    """40 lines of 207 characters (8,319 in all, names with entities) are cut to 3,000, entities whole."""
    q = make_quality(groups={"campaign": [row("&" * 20 + "x" * 80, 1, 1, 1, 100.0, None) for _ in range(200)]})
    msg = build_quality_table(q, "campaign")
    assert_fits(msg)
    table = section_texts(msg)[1]
    assert table.endswith("…")
    assert len(table) <= 3000
    assert_escaped(msg, shown=(), entity=False)


def test_quality_in_russian_fits():
    """The Russian report and table fit Slack's limits."""
    q = make_quality(language="ru")
    title = plain_texts(build_quality_message(q, make_ws(language="ru")))[0]
    assert title == "Качество лидов · Неделя 48 · 23—29 нояб. 2026\u202fг."
    assert_fits(build_quality_message(q, make_ws(language="ru")))
    assert_fits(build_quality_table(q, "channel"))


# --- when the lead came in, when its verdict is due, its page in the CRM ----------------------------

FRIDAY_4PM = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # Fri 4 Dec, 16:00 in Berlin
CARD_AT = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)  # 17:30 in Berlin: 30 working minutes left that day


WAITING = CardState()
TIMING = ("*Came in", "*Verdict due", "*Поступил", "*Оценить до")


def _timing(ws: Workspace, lead: Lead, state: CardState = WAITING, now: datetime = CARD_AT) -> list[str]:
    return [f for f in field_texts(card(ws, lead, state, now)) if f.startswith(TIMING)]


def test_a_late_card_says_how_long_the_lead_waited_and_the_due_time_skips_the_night_weekend_and_a_holiday():
    """Card 1.5 h after the lead: "1 hour before this card". Due: 0.5 h on Friday + 3.5 h from Monday
    09:00 = Mon 12:30; with Monday a holiday, Tue 12:30."""
    lead = make_lead(created_at=FRIDAY_4PM)
    assert _timing(make_ws(), lead) == [
        "*Came in*\nFri 4 Dec, 16:00\n1 hour before this card",
        "*Verdict due*\nMon 7 Dec, 12:30",
    ]
    assert _timing(make_ws(holidays=["2026-12-07"]), lead)[1] == "*Verdict due*\nTue 8 Dec, 12:30"


def test_the_due_time_counts_from_the_card_once_posted_as_the_nudges_do():
    """A card rebuilt later (after an erasure) keeps the due time of its first post: 4 working hours."""
    from bot.workspace.worktime import working_hours_between

    lead = make_lead(created_at=FRIDAY_4PM, card_posted_at=CARD_AT)
    later = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    assert _timing(make_ws(), lead, now=later)[1] == "*Verdict due*\nMon 7 Dec, 12:30"
    due = datetime(2026, 12, 7, 11, 30, tzinfo=UTC)  # 12:30 in Berlin
    assert working_hours_between(CARD_AT, due, tz="Europe/Berlin", workdays="mon-fri", work_hours="09:00-18:00") == 4


def test_a_lead_days_old_says_so_in_russian_and_a_judged_lead_or_no_sla_has_no_due_time():
    """Three days before the card, with Russian plural and dates; a verdict given or sla_hours 0: no due."""
    lead = make_lead(created_at=CARD_AT - timedelta(days=3, hours=2))
    assert _timing(make_ws(language="ru"), lead) == [
        "*Поступил*\nвт, 1 дек., 15:30\nза 3 дня до карточки",
        "*Оценить до*\nпн, 7 дек., 12:30",
    ]
    assert _timing(make_ws(), lead, JUDGED) == ["*Came in*\nTue 1 Dec, 15:30\n3 days before this card"]
    assert _timing(make_ws(sla_hours=0), lead) == ["*Came in*\nTue 1 Dec, 15:30\n3 days before this card"]


CRM = "https://crm.example.com/leads/{external_id}"


@pytest.mark.parametrize(
    ("external_id", "url"),
    [
        ("ext-42", "https://crm.example.com/leads/ext-42"),
        ("a/b?c=1#d", "https://crm.example.com/leads/a%2Fb%3Fc%3D1%23d"),
        ("<!here>", "https://crm.example.com/leads/%3C%21here%3E"),
        ("Лид 7", "https://crm.example.com/leads/%D0%9B%D0%B8%D0%B4%207"),
    ],
)
def test_open_in_crm_is_a_link_button_with_the_id_url_encoded(external_id, url):
    """After the six verdicts: a button that opens the lead's page, its id encoded into the template."""
    msg = card(make_ws(crm_lead_url=CRM), make_lead(external_id=external_id), CardState())
    d = assert_fits(msg)
    (actions,) = [b for b in d["blocks"] if b["type"] == "actions"]
    link = actions["elements"][-1]
    assert len(actions["elements"]) == len(VERDICTS) + 1
    assert (link["action_id"], link["text"]["text"], link["url"]) == (ids.OPEN_IN_CRM, "Open in CRM", url)
    assert "value" not in link and "style" not in link


def test_no_crm_link_without_a_template_for_a_lead_added_in_slack_or_past_slacks_limit():
    """No template, a lead from /lead (the CRM has no page for it), or a URL over 3,000 characters."""
    for ws, lead in [
        (make_ws(), make_lead()),
        (make_ws(crm_lead_url=CRM), make_lead(source="slack", external_id="slack-U1-V1")),
        (make_ws(crm_lead_url=CRM), make_lead(external_id="я" * 500)),  # an imported id: 6 characters a letter, encoded
    ]:
        (actions,) = [b for b in blocks_of(card(ws, lead, CardState())) if b["type"] == "actions"]
        assert [e["action_id"] for e in actions["elements"]] == [ids.VERDICT_ACTION_PREFIX + v for v in VERDICTS]


def test_quality_csv_rows_by_channel_campaign_and_reason():
    """The Export CSV: one row per channel and campaign, shares rounded to 2 decimals, reasons by label."""
    lines = render_quality_csv(make_quality()).splitlines()
    assert lines == [
        "group,name,leads,judged,target,judged_target_share_pct,previous_judged_target_share_pct,change_pp,rejected",
        "channel,google,12,10,5,50,,25,",
        "channel,,8,6,1,16.67,,-20,",
        "campaign,winter,5,5,2,40,,,",
        "reason,No budget,,,,,,,3",
        "reason,Competitor,,,,,,,1",
    ]


def test_quality_csv_keeps_formulas_as_text():
    """A channel named like a formula is written as text in the CSV."""
    q = make_quality(groups={"channel": [row("=HYPERLINK(1)", 1, 1, 1, 100.0, None)]}, reasons=[])
    assert render_quality_csv(q).splitlines()[1].startswith("channel,'=HYPERLINK(1),1,1,1,100")


def test_quality_summary_in_russian_names_the_share_of_judged():
    """The Russian summary says which share it is and the SLA with its counts, in Russian number format."""
    q = make_quality(language="ru")
    assert section_texts(build_quality_message(q, make_ws(language="ru", sla_hours=4)))[0] == (
        "20 лидов, оценено 16, ждут оценки 4. Доля целевых среди оценённых: 37,5%. "
        "Оценено в срок (срок — 4 раб. ч): 75,0%, 9 из 12."
    )
