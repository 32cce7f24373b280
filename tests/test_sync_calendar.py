"""The sync series on the calendar (pure): every N weeks, local time across DST, holidays, timelines;
and the parsing of `/sync action`, `/feedback` and the series settings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.sync.calendar import Calendar, events, parse_sync_assignments
from bot.sync.commands import ParseError, parse_action, parse_feedback
from bot.workspace.keys import ConfigError
from storage.models import SyncSeries, Workspace


def _cal(ws_holidays: tuple[str, ...] = (), **kw) -> Calendar:
    values = {
        "team_id": "T1",
        "weekday": 3,
        "time": "15:00",
        "every_weeks": 2,
        "start_date": date(2026, 10, 1),
        "timezone": "Europe/Berlin",
        **kw,
    }
    return Calendar(SyncSeries(**values), Workspace(team_id="T1", timezone="Europe/Berlin", holidays=list(ws_holidays)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_every_two_weeks_keeps_local_time_across_the_dst_change():
    # Berlin leaves summer time on 2026-10-25: 15:00 local is 13:00 UTC before, 14:00 UTC after.
    slots = _cal().slots(utc(2026, 10, 1), utc(2026, 11, 20))
    assert [s.starts.date() for s in slots] == [
        date(2026, 10, 1),
        date(2026, 10, 15),
        date(2026, 10, 29),
        date(2026, 11, 12),
    ]
    assert {(s.starts.hour, s.starts.minute) for s in slots} == {(15, 0)}
    assert [s.starts_utc.hour for s in slots] == [13, 13, 14, 14]
    assert all(s.ends_utc - s.starts_utc == (s.ends - s.starts) for s in slots)


def test_the_start_date_picks_the_first_matching_weekday_and_every_n_weeks_counts_from_it():
    # 2026-10-02 is a Friday: the first Thursday on or after it is 10-08, then every 3 weeks.
    slots = _cal(start_date=date(2026, 10, 2), every_weeks=3).slots(utc(2026, 9, 1), utc(2026, 12, 1))
    assert [s.starts.date() for s in slots] == [date(2026, 10, 8), date(2026, 10, 29), date(2026, 11, 19)]


def test_a_window_far_from_the_start_date_finds_the_same_meetings():
    cal = _cal()
    all_slots = cal.slots(utc(2026, 10, 1), utc(2027, 6, 1))
    late = cal.slots(utc(2027, 3, 1), utc(2027, 4, 1))
    assert late == [s for s in all_slots if utc(2027, 3, 1) <= s.starts_utc < utc(2027, 4, 1)]
    assert len(late) == 2


def test_a_meeting_on_a_holiday_is_skipped_or_moved_to_the_next_working_day():
    skipped = _cal(holidays=["2026-10-29"]).slots(utc(2026, 10, 20), utc(2026, 11, 1))
    assert len(skipped) == 1 and skipped[0].skipped and skipped[0].planned == date(2026, 10, 29)
    # Thursday and Friday are holidays: the meeting moves past the weekend to Monday, same local time.
    moved = _cal(holidays=["2026-10-29", "2026-10-30"], holiday_rule="move").slots(utc(2026, 10, 20), utc(2026, 11, 5))
    assert len(moved) == 1 and moved[0].moved and not moved[0].skipped
    assert moved[0].starts.date() == date(2026, 11, 2) and moved[0].starts.hour == 15


def test_the_timeline_asks_working_days_before_and_reminds_by_hours_and_days():
    cal = _cal(start_date=date(2026, 12, 3), holidays=["2026-12-01"])
    slot = cal.slots(utc(2026, 12, 1), utc(2026, 12, 10))[0]  # Thursday 3 December, 15:00 = 14:00 UTC
    tl = cal.timeline(slot)
    # Two working days before Thursday, with Tuesday a holiday: Monday 30 November, 15:00 local.
    assert tl.ask == utc(2026, 11, 30, 14)
    assert tl.reminders == (utc(2026, 12, 2, 14), utc(2026, 12, 3, 12))  # Wednesday 15:00, 2 hours before
    assert tl.agenda == utc(2026, 12, 3, 13)
    assert (tl.starts, tl.ends) == (utc(2026, 12, 3, 14), utc(2026, 12, 3, 15))


def test_a_monday_meeting_is_asked_on_the_thursday_before():
    cal = _cal(weekday=0, start_date=date(2026, 12, 7), ask_days=2, reminders=["1d"])
    tl = cal.timeline(cal.slots(utc(2026, 12, 1), utc(2026, 12, 10))[0])
    assert tl.ask == utc(2026, 12, 3, 14) and tl.reminders == (utc(2026, 12, 4, 14),)


def test_reminders_before_the_question_time_are_dropped():
    cal = _cal(start_date=date(2026, 12, 3), ask_days=1, reminders=["3d", "2h"])
    tl = cal.timeline(cal.slots(utc(2026, 12, 1), utc(2026, 12, 10))[0])
    assert tl.reminders == (utc(2026, 12, 3, 12),)


def test_events_list_questions_agenda_and_meeting_and_mark_skipped_ones():
    cal = _cal(start_date=date(2026, 12, 3), holidays=["2026-12-17"])
    kinds = [(e.kind, e.meeting) for e in events(cal, utc(2026, 11, 30), utc(2026, 12, 20))]
    assert kinds == [
        ("sync-questions", date(2026, 12, 3)),
        ("sync-agenda", date(2026, 12, 3)),
        ("sync-meeting", date(2026, 12, 3)),
        ("sync-skipped", date(2026, 12, 17)),
    ]


def test_series_settings_parse_and_a_bad_one_names_its_key():
    values = parse_sync_assignments(
        ["weekday=Thursday", "time=9:30", "holidays=2026-12-31, 2027-01-07", "reminders=1d, 2h", "questions=A?|B?"]
    )
    assert values == {
        "weekday": 3,
        "time": "09:30",
        "holidays": ["2026-12-31", "2027-01-07"],
        "reminders": ["1d", "2h"],
        "questions": ["A?", "B?"],
    }
    for pair, key in (("every_weeks=0", "every_weeks"), ("reminders=2x", "reminders"), ("colour=red", "colour")):
        with pytest.raises(ConfigError) as err:
            parse_sync_assignments(["weekday=mon", pair])
        assert err.value.key == key


def test_action_and_feedback_texts_parse():
    assert parse_action("<@U0ANNA|anna> Fix the UTM tags due 2026-12-15") == (
        "U0ANNA",
        "Fix the UTM tags",
        date(2026, 12, 15),
    )
    assert parse_action("<@U0ANNA> Call the top ten leads") == ("U0ANNA", "Call the top ten leads", None)
    for bad in ("Fix it", "<@U0ANNA>", "<@U0ANNA> Fix due 15.12"):
        with pytest.raises(ParseError):
            parse_action(bad)
    assert parse_feedback("review 5 Fast and friendly") == ("review", 5, "Fast and friendly")
    assert parse_feedback("Wish an API for exports") == ("wish", None, "an API for exports")
    for bad in ("praise 5 good", "review 7 good", "complaint"):
        with pytest.raises(ParseError):
            parse_feedback(bad)


def test_the_workspace_days_off_count_as_holidays_for_the_series():
    cal = _cal(ws_holidays=("2026-12-03",), start_date=date(2026, 12, 3), holiday_rule="move")
    slot = cal.slots(utc(2026, 12, 1), utc(2026, 12, 10))[0]
    assert slot.moved and slot.starts.date() == date(2026, 12, 4)


@pytest.mark.parametrize(
    "text,parsed",
    [
        ("review 5 Fast delivery", ("review", 5, "Fast delivery")),
        ("Отзыв 4 Быстро привезли", ("review", 4, "Быстро привезли")),
        ("жалоба Долго ждали ответа", ("complaint", None, "Долго ждали ответа")),
        ("пожелание Выгрузка в 1С", ("wish", None, "Выгрузка в 1С")),
    ],
)
def test_feedback_takes_the_kind_in_english_or_russian(text, parsed):
    """/feedback's first word: review|complaint|wish or отзыв|жалоба|пожелание."""
    assert parse_feedback(text) == parsed
