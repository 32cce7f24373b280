"""App Home, `/handoff help` and the settings modal as Slack sees them, with the modal's round trip:
what the modal shows, submitted untouched, reads back as the workspace's settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import ids
from bot.home import HELP_LINES, build_help, build_home, schedule_lines
from bot.slack.kit import Mrkdwn, escape, md, mention
from bot.workspace.modal import build_config_modal, parse_submission
from storage.models import Workspace
from tests.blockkit import (
    EVIL,
    assert_escaped,
    assert_fits,
    blocks_of,
    broken_markup,
    buttons,
    field_texts,
    plain_texts,
    section_texts,
    submission_state,
)

MONDAY_7AM = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Monday 30 November 2026, 07:00 in Berlin
COUNTS = {"leads": 12, "deals": 3, "spend_days": 30, "traffic_days": 31}


def make_ws(**kw) -> Workspace:
    return Workspace(**({"team_id": "T1", "name": "Acme", "timezone": "Europe/Berlin", "language": "en"} | kw))


CONFIGURED = {
    "leads_channel": "C0LEADS",
    "digest_channel": "C0DIG",
    "sync_channel": "C0SYNC",
    "sales": ["U0S1", "S0TEAM"],
}


# --- App Home -------------------------------------------------------------------------------------


def test_home_shows_channels_zone_hours_and_teams():
    """Eight tiles: the four channels (or not set), the zone, working days and hours, both teams."""
    view = build_home(make_ws(**CONFIGURED), COUNTS, [])
    d = assert_fits(view)
    assert d["type"] == "home"
    assert plain_texts(view)[0] == "Handoff: Sales and Marketing as one funnel"
    assert field_texts(view) == [
        "*Lead cards*\n<#C0LEADS>",
        "*KPI digests*\n<#C0DIG>",
        "*Marketing reports*\nnot set",
        "*Sales × Marketing sync*\n<#C0SYNC>",
        "*Time zone*\nEurope/Berlin",
        "*Working days and hours*\nmon-fri, 09:00-18:00",
        "*Sales team*\n<@U0S1>, <!subteam^S0TEAM>",
        "*Marketing team*\nnot set",
    ]


def test_home_sections_schedule_data_waiting_cards_and_sync():
    """What is scheduled, what data is loaded, cards waiting for a verdict, this person's sync."""
    schedule = [Mrkdwn("• Daily digest: 30.11 09:00 (Europe/Berlin) → <#C0DIG>")]
    sync = [escape("No meeting soon.")]
    view = build_home(make_ws(**CONFIGURED), COUNTS | {"awaiting_verdict": 2}, schedule, sync)
    assert section_texts(view) == [
        "*Scheduled*\n• Daily digest: 30.11 09:00 (Europe/Berlin) → <#C0DIG>",
        "*Data loaded*\n12 leads · 3 deals · 30 spend rows · 31 traffic rows",
        "*Leads*\n2 lead cards wait for a verdict from sales — <#C0LEADS>",
        "*Sales × Marketing sync*\nNo meeting soon.",
    ]
    (button,) = buttons(view)
    assert (button["action_id"], button["text"]["text"], button["style"]) == (
        ids.HOME_OPEN_CONFIG,
        "Settings",
        "primary",
    )


def test_home_of_an_unconfigured_workspace_says_what_to_do():
    """No channel set: a first section says an admin runs /handoff config; nothing scheduled yet."""
    view = build_home(make_ws(), {}, [])
    texts = section_texts(view)
    assert texts[0].startswith("*Nothing is configured yet.* An admin runs `/handoff config`")
    assert "*Scheduled*\nnothing yet" in texts
    assert "*Data loaded*\n0 leads · 0 deals · 0 spend rows · 0 traffic rows" in texts
    assert not any(t.startswith("*Leads*") for t in texts)


def test_home_escapes_channels_people_zone_hours_and_given_lines():
    """Channel and people values that are not ids, the zone, the hours and given lines are data."""
    ws = make_ws(
        leads_channel=EVIL,
        digest_channel="<#C1>",
        marketing_channel="a & b",
        sync_channel="<!here>",
        sales=["<@U0EVIL>", "<!subteam^S0SALES>"],
        marketing=["<https://evil.example|click>"],
        timezone="&lt;",
        work_hours="<!channel>",
    )
    lines = [md("• {}", EVIL)]
    view = build_home(ws, COUNTS | {"awaiting_verdict": 1}, lines, lines)
    assert_fits(view)
    texts = assert_escaped(view)
    assert "*KPI digests*\n&lt;#C1&gt;" in texts


def test_home_with_300_people_and_long_lines_still_fits():
    """300 people in a team and 100 long schedule lines: fields within 2,000, mentions whole."""
    ws = make_ws(**(CONFIGURED | {"sales": [f"U{i:07d}" for i in range(300)]}))
    schedule = [md("• {}", "s" * 500) for _ in range(100)]
    view = build_home(ws, COUNTS, schedule, [mention("U1")] * 400)
    assert_fits(view)
    team = field_texts(view)[6]
    assert len(team) <= 2000
    assert not broken_markup(team)
    assert team.endswith("…")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_home_fits_in_both_languages(language):
    """Labels in both languages stay within Slack's limits."""
    assert_fits(build_home(make_ws(language=language, **CONFIGURED), COUNTS | {"awaiting_verdict": 3}, [], []))


def test_schedule_lines_name_the_next_post_of_each_kind():
    """On Monday 07:00 each kind names its next post and channel; the monthly one on Tuesday 1 December."""
    ws = make_ws(digest_channel="C0DIG", marketing_channel="C0MKT")
    assert schedule_lines(ws, MONDAY_7AM) == [
        "• Daily digest: 30.11 09:00 (Europe/Berlin) → <#C0DIG>",
        "• Weekly digest: 30.11 09:30 (Europe/Berlin) → <#C0DIG>",
        "• Lead quality: 30.11 10:30 (Europe/Berlin) → <#C0MKT>",
        "• Monthly report: 01.12 10:00 (Europe/Berlin) → <#C0DIG>",
    ]


def test_schedule_lines_skip_kinds_switched_off_or_without_a_channel():
    """Daily off, no marketing channel: weekly and monthly only; no digest channel: nothing."""
    ws = make_ws(digest_channel="C0DIG", daily_digest=False)
    assert [line.split(":")[0] for line in schedule_lines(ws, MONDAY_7AM)] == ["• Weekly digest", "• Monthly report"]
    assert schedule_lines(make_ws(), MONDAY_7AM) == []


def test_schedule_lines_escape_a_channel_that_is_not_an_id():
    """A digest channel stored as a name is shown as text."""
    lines = schedule_lines(make_ws(digest_channel=EVIL), MONDAY_7AM)
    view = build_home(make_ws(), COUNTS, lines)
    assert_escaped(view)


# --- help -----------------------------------------------------------------------------------------


def test_help_lists_every_command_with_its_description():
    """The intro in bold, one line per command, who can change settings."""
    msg = build_help("en")
    d = assert_fits(msg)
    intro = "Handoff makes Sales and Marketing work as one funnel: lead feedback, KPI digests and the sync."
    assert d["text"] == intro
    texts = section_texts(msg)
    assert texts[0] == f"*{intro}*"
    lines = texts[1].split("\n")
    assert len(lines) == len(HELP_LINES) == 10
    assert lines[0] == "• `/handoff help` — what Handoff can do (this list)"
    assert lines[5] == "• `/lead` — add a lead by hand: it gets a card like the others"


def test_help_in_russian_fits():
    """The Russian help translates the descriptions and fits Slack's limits."""
    msg = build_help("ru")
    assert_fits(msg)
    assert section_texts(msg)[1].startswith("• `/handoff help` — ")
    assert section_texts(msg)[1] != section_texts(build_help("en"))[1]


# --- the settings modal ---------------------------------------------------------------------------

SETTINGS = {
    "leads_channel": "C0LEADS",
    "digest_channel": "C0DIG",
    "marketing_channel": "C0MKT",
    "sync_channel": None,
    "timezone": "America/New_York",
    "language": "ru",
    "admins": ["U0ADM", "S0ADM"],
    "sales": ["U0S1", "U0S2", "S0SALES"],
    "marketing": ["U0M1"],
    "workdays": "mon,tue,wed,thu,sun",  # shown as sun-thu
    "work_hours": "08:30-17:00",
    "daily_digest": False,
    "daily_digest_time": "08:00",
    "weekly_digest": True,
    "weekly_digest_time": "09:15",
    "monthly_digest": True,
    "monthly_digest_time": "10:00",
    "quality_report": False,
    "quality_report_time": "11:45",
    "sla_hours": 6,
    "head_of_sales": "U0HEAD",
    "reasons": ["No budget", "Wrong region", "Student"],
    "reactions": {"x": "not_target", "white_check_mark": "target"},
    "holidays": ["2026-12-31", "2027-01-07"],
    "margin_threshold": 37.5,
    "currency": "RUB",
    "crm_lead_url": "https://crm.example.com/leads/{external_id}?tab=1",
    "retention_days": 365,
    "agreement_leads_per_week": 120,
    "agreement_target_share_pct": 37.5,
    "agreement_first_touch_hours": 8,
    "agreement_on_time_pct": 85.0,
}


def test_settings_modal_round_trip_gives_back_the_workspace_settings():
    """Submitted untouched, the settings modal reads back as exactly the workspace's settings."""
    ws = make_ws(**SETTINGS)
    view = build_config_modal(ws, {"S0ADM": "admins", "S0SALES": "sales team"})
    assert_fits(view)
    values, errors = parse_submission(submission_state(view), ws)
    assert errors == {}
    assert values == SETTINGS


def test_settings_modal_round_trip_of_the_defaults():
    """A new workspace's defaults (all digests on, no channels, no people) round-trip too."""
    ws = make_ws()
    values, errors = parse_submission(submission_state(build_config_modal(ws)), ws)
    assert errors == {}
    assert values == {
        "leads_channel": None,
        "digest_channel": None,
        "marketing_channel": None,
        "sync_channel": None,
        "timezone": "Europe/Berlin",
        "language": "en",
        "admins": [],
        "sales": [],
        "marketing": [],
        "workdays": "mon,tue,wed,thu,fri",
        "work_hours": "09:00-18:00",
        "daily_digest": True,
        "daily_digest_time": "09:00",
        "weekly_digest": True,
        "weekly_digest_time": "09:30",
        "monthly_digest": True,
        "monthly_digest_time": "10:00",
        "quality_report": True,
        "quality_report_time": "10:30",
        "sla_hours": 4,
        "head_of_sales": None,
        "reasons": [],
        "reactions": {},
        "holidays": [],
        "margin_threshold": None,
        "currency": None,
        "crm_lead_url": None,
        "retention_days": None,
        "agreement_leads_per_week": None,
        "agreement_target_share_pct": None,
        "agreement_first_touch_hours": None,
        "agreement_on_time_pct": 90.0,
    }


def test_settings_modal_shows_the_settings():
    """Title, callback id, the workspace in the metadata, workdays as a range, the digests ticked."""
    ws = make_ws(**SETTINGS)
    d = build_config_modal(ws).to_dict()
    assert d["callback_id"] == ids.CONFIG_MODAL
    assert d["title"]["text"] == "Настройки Handoff"
    assert json.loads(d["private_metadata"]) == {"team_id": "T1"}
    by_id = {b["block_id"]: b for b in d["blocks"] if "block_id" in b}
    assert by_id["workdays"]["element"]["initial_value"] == "sun-thu"
    assert [o["value"] for o in by_id["digests"]["element"]["initial_options"]] == ["weekly", "monthly"]
    assert [o["value"] for o in by_id["digests"]["element"]["options"]] == ["daily", "weekly", "monthly", "quality"]
    assert by_id["sales"]["element"]["initial_users"] == ["U0S1", "U0S2"]
    assert [o["value"] for o in by_id["sales_groups"]["element"]["initial_options"]] == ["S0SALES"]


def test_settings_modal_group_names_are_plain_labels_cut_to_75():
    """User-group names from Slack are option labels: shown as they are, cut to 75 characters."""
    ws = make_ws(admins=["S0ADM"], sales=["S0SALES"])
    view = build_config_modal(ws, {"S0ADM": EVIL, "S0SALES": "g" * 200})
    d = assert_fits(view)
    by_id = {b["block_id"]: b for b in d["blocks"] if "block_id" in b}
    assert by_id["admins_groups"]["element"]["initial_options"][0]["text"]["text"] == EVIL[:74] + "…"
    assert by_id["sales_groups"]["element"]["initial_options"][0]["text"]["text"] == "g" * 74 + "…"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_settings_modal_fits_in_both_languages(language):
    """Title, buttons, labels and options fit in both languages."""
    assert_fits(build_config_modal(make_ws(language=language, **CONFIGURED), {"S0TEAM": "team"}))


def test_settings_submission_reports_bad_values_by_block():
    """An unknown zone and a bad range are errors on their own inputs; the rest is parsed."""
    ws = make_ws(**SETTINGS)
    state = submission_state(build_config_modal(ws))
    state["timezone"][ids.VALUE]["value"] = "Mars/Olympus"
    state["work_hours"][ids.VALUE]["value"] = "18:00-09:00"
    values, errors = parse_submission(state, ws)
    assert set(errors) == {"timezone", "work_hours"}
    assert "Mars/Olympus" in errors["timezone"]
    assert values["digest_channel"] == "C0DIG"


def test_settings_submission_without_group_fields_keeps_the_groups():
    """A form without the group pickers keeps the groups set before, and the language and times."""
    ws = make_ws(**SETTINGS)
    state = {
        "timezone": {ids.VALUE: {"value": "UTC"}},
        "workdays": {ids.VALUE: {"value": "mon-fri"}},
        "work_hours": {ids.VALUE: {"value": "9:00-17:00"}},
        "sales": {ids.VALUE: {"selected_users": ["U0NEW"]}},
    }
    values, errors = parse_submission(state, ws)
    assert errors == {}
    assert values["sales"] == ["U0NEW", "S0SALES"]
    assert values["admins"] == ["S0ADM"]
    assert values["language"] == "ru"
    assert values["work_hours"] == "09:00-17:00"
    assert values["weekly_digest_time"] == "09:15"
    assert (values["daily_digest"], values["weekly_digest"], values["quality_report"]) == (False, False, False)
    assert values["leads_channel"] is None


def test_settings_modal_has_an_input_for_every_key_the_command_line_knows():
    """Submitted untouched, the modal gives back a value for exactly the keys of bot.workspace.keys: no
    key is settable only on the command line, and no input edits something that is no setting."""
    from bot.workspace.keys import KEYS

    for ws in (make_ws(), make_ws(**SETTINGS)):
        values, errors = parse_submission(submission_state(build_config_modal(ws)), ws)
        assert errors == {} and set(values) == set(KEYS)
        assert values == {key: getattr(ws, key) for key in KEYS}


def test_settings_submission_clears_what_is_emptied_and_refuses_bad_values_by_block():
    """Emptied optional fields are unset; a bad SLA, currency, CRM address, reaction, holiday, margin or
    retention is an error under its own input, naming what is wrong."""
    ws = make_ws(**SETTINGS)
    state = submission_state(build_config_modal(ws))
    for key in ("head_of_sales", "reasons", "reactions", "holidays", "margin_threshold", "currency", "crm_lead_url"):
        element = state[key][ids.VALUE]
        element["selected_user" if key == "head_of_sales" else "value"] = None
    values, errors = parse_submission(state, ws)
    assert errors == {}
    assert [values[k] for k in ("head_of_sales", "reasons", "reactions", "holidays")] == [None, [], {}, []]
    assert [values[k] for k in ("margin_threshold", "currency", "crm_lead_url")] == [None, None, None]
    bad = {
        "sla_hours": ("", "working hours"),
        "currency": ("rubles", "ISO 4217"),
        "crm_lead_url": ("crm.example.com/{external_id}", "https://"),
        "reactions": ("x=maybe", "emoji=verdict"),
        "holidays": ("31.12.2026", "31.12.2026"),
        "margin_threshold": ("140", "between 0 and 100"),
        "retention_days": ("0", "1 to 3650"),
        "reasons": ("r" * 76, "75 characters"),
    }
    for key, (typed, _why) in bad.items():
        state[key][ids.VALUE]["value"] = typed
    values, errors = parse_submission(state, ws)
    assert set(errors) == set(bad)
    assert all(why in errors[key] for key, (_typed, why) in bad.items()), errors
    assert values["timezone"] == "America/New_York"


def test_settings_modal_blocks_are_inputs_and_three_dividers():
    """Every block but three dividers is an input whose block id is the setting it edits."""
    blocks = blocks_of(build_config_modal(make_ws()))
    assert [b["type"] for b in blocks].count("divider") == 3
    inputs = [b["block_id"] for b in blocks if b["type"] == "input"]
    assert inputs[:8] == [
        "leads_channel",
        "digest_channel",
        "marketing_channel",
        "sync_channel",
        "language",
        "timezone",
        "workdays",
        "work_hours",
    ]
    assert inputs[-17:] == [
        "daily_digest_time",
        "weekly_digest_time",
        "monthly_digest_time",
        "quality_report_time",
        "sla_hours",
        "head_of_sales",
        "reasons",
        "reactions",
        "holidays",
        "margin_threshold",
        "currency",
        "crm_lead_url",
        "retention_days",
        "agreement_leads_per_week",
        "agreement_target_share_pct",
        "agreement_first_touch_hours",
        "agreement_on_time_pct",
    ]


def test_data_loaded_counts_in_the_workspace_language_with_thousands():
    """2,555 spend rows (channel-days, not calendar days), in Russian with its plural forms and separators."""
    from bot.home import build_home

    counts = {"leads": 1, "deals": 21, "spend_days": 2555, "traffic_days": 1004}
    en = section_texts(build_home(make_ws(**CONFIGURED), counts, []))
    assert "*Data loaded*\n1 lead · 21 deals · 2,555 spend rows · 1,004 traffic rows" in en
    ru = section_texts(build_home(make_ws(**CONFIGURED, language="ru"), counts, []))
    assert any(t.endswith("1 лид · 21 сделка · 2\u202f555 строк расходов · 1\u202f004 строки трафика") for t in ru)
