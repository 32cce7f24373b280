"""The two-sided agreement: its settings, and the scorecard's numbers against hand counts on a small
literal week (Berlin, mon-fri 09:00-18:00, a weekend in the middle of two verdicts and two touches)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.kpi.agreement import FIRST_TOUCH, LEADS, TARGET_SHARE, VERDICT, current_standing, measure, scorecard
from bot.kpi.agreement_blocks import build_scorecard, render_scorecard_text, standing_blocks
from bot.kpi.periods import Period
from bot.workspace.keys import ConfigError, parse_assignments, parse_value
from bot.workspace.store import ensure, load, save_settings
from storage.db import session_scope
from storage.models import Activity, Lead, LeadVerdict, Workspace
from storage.repos.agreement import LeadTimes
from tests.conftest import TEAM
from tests.runtime import deps_for

BERLIN = ZoneInfo("Europe/Berlin")
W48 = Period.containing("week", date(2026, 11, 23))  # Mon 23 – Sun 29 Nov 2026
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=BERLIN)  # Wednesday of the week after
AGREED = {
    "timezone": "Europe/Berlin",
    "sla_hours": 4,
    "agreement_leads_per_week": 5,
    "agreement_target_share_pct": 50.0,
    "agreement_first_touch_hours": 8,
    "agreement_on_time_pct": 75.0,
}


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall time of 2026 as the UTC instant it is stored as."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


# name: (created, card posted, [(verdict, at)], [activity times]) — the verdicts and touches by hand:
# L1 Fri 16:00 → verdict Mon 10:00 = 2 h Fri + 1 h Mon = 3 h (in the SLA); touched Mon 11:00 = 4 h (in time).
# L2 Fri 17:00 → verdict Mon 13:00 = 1 h + 4 h = 5 h (late); touched Tue 10:00 = 1 + 9 + 1 = 11 h (late).
# L3 Mon 09:30 → verdict 11:00 = 1.5 h (in the SLA); no touch.
# L4 Wed 12:00, no verdict by NOW (27 h): due and not kept; a request at its arrival (no touch), a meeting
#    Thu 10:00 = 6 h + 1 h = 7 h (in time).
# L5 Sat 10:00, no card (not counted for the SLA), spam; touched Mon 09:30 = 0.5 h (in time).
# L7 Mon 23 Nov 00:30 Berlin (Sunday 23:30 UTC): in W48 locally; no card, no verdict.
# L6 Mon 30 Nov 00:30 Berlin (Sunday 23:30 UTC): in W49, not in W48.
# L0 Mon 9 Nov (W46): the first lead ever, target.
LEADS_DATA: dict[str, tuple[datetime, datetime | None, list[tuple[str, datetime]], list[datetime]]] = {
    "L1": (
        at(11, 27, 16),
        at(11, 27, 16),
        [("not_target", at(11, 30, 10)), ("target", at(11, 30, 15))],
        [at(11, 30, 11)],
    ),
    "L2": (at(11, 27, 17), at(11, 27, 17), [("not_target", at(11, 30, 13))], [at(12, 1, 10)]),
    "L3": (at(11, 23, 9, 30), at(11, 23, 9, 30), [("target", at(11, 23, 11))], []),
    "L4": (at(11, 25, 12), at(11, 25, 12), [], [at(11, 25, 12), at(11, 26, 10)]),
    "L5": (at(11, 28, 10), None, [("spam", at(11, 30, 9))], [at(11, 30, 9, 30)]),
    "L7": (at(11, 23, 0, 30), None, [], []),
    "L6": (at(11, 30, 0, 30), at(11, 30, 0, 31), [], []),
    "L0": (at(11, 9, 10), None, [("target", at(11, 9, 11))], []),
}


def add_leads(engine: Engine, team: str = TEAM) -> None:
    with session_scope(engine) as s:
        for ext, (created, card, verdicts, touches) in LEADS_DATA.items():
            latest = verdicts[-1] if verdicts else (None, None)
            lead = Lead(
                team_id=team,
                external_id=ext,
                created_at=created,
                card_posted_at=card,
                card_channel="C0LEADS" if card else None,
                card_ts=f"{int(card.timestamp())}.000100" if card else None,
                verdict=latest[0],
                verdict_at=latest[1],
            )
            s.add(lead)
            s.flush()
            assert lead.id is not None
            for verdict, when in verdicts:
                s.add(LeadVerdict(team_id=team, lead_id=lead.id, verdict=verdict, created_at=when))
            for n, when in enumerate(touches):
                kind = "request" if when == created else "meeting"
                s.add(
                    Activity(team_id=team, external_id=f"A{ext}{n}", kind=kind, occurred_at=when, lead_external_id=ext)
                )


@pytest.fixture
def agreed(engine: Engine) -> Engine:
    save_settings(deps_for(engine), TEAM, AGREED)
    add_leads(engine)
    return engine


def by_key(card) -> dict:
    return {c.key: c for c in card.commitments}


def test_scorecard_counts_a_week_as_by_hand(agreed: Engine):
    """Six leads in Berlin's W48; target share 2 of 4 judged (50%: kept at exactly the promise); verdicts in
    the SLA 2 of 4 carded (50% < 75%: broken, across a weekend); first touch in time 3 of 4 (75%: kept)."""
    card = scorecard(deps_for(agreed, clock=lambda: NOW), TEAM, W48)
    c = by_key(card)
    assert (c[LEADS].actual, c[LEADS].count, c[LEADS].kept) == (6, 6, True)
    assert (c[TARGET_SHARE].count, c[TARGET_SHARE].of, c[TARGET_SHARE].actual, c[TARGET_SHARE].kept) == (
        2,
        4,
        50.0,
        True,
    )
    assert (c[VERDICT].count, c[VERDICT].of, c[VERDICT].actual, c[VERDICT].kept) == (2, 4, 50.0, False)
    assert (c[VERDICT].hours, c[VERDICT].promised) == (4, 75.0)
    assert (c[FIRST_TOUCH].count, c[FIRST_TOUCH].of, c[FIRST_TOUCH].actual, c[FIRST_TOUCH].kept) == (3, 4, 75.0, True)
    assert [b.name for b in card.broken()] == ["sales.verdict_in_sla"]
    assert not card.in_progress


def test_trend_over_eight_weeks_is_no_data_before_the_first_lead(agreed: Engine):
    """W41–W45 precede the first lead (no data); W46 has one target lead (too few leads, share kept); W47 none."""
    card = scorecard(deps_for(agreed, clock=lambda: NOW), TEAM, date(2026, 11, 26))
    assert [w.key() for w in card.weeks] == [f"2026-W{n}" for n in range(41, 49)]
    c = by_key(card)
    none5 = [None] * 5
    assert c[LEADS].trend == [*none5, False, False, True]
    assert c[TARGET_SHARE].trend == [*none5, True, None, True]
    assert c[VERDICT].trend == [None] * 7 + [False]
    assert c[FIRST_TOUCH].trend == [None] * 7 + [True]


def test_scorecard_json_names_what_is_broken(agreed: Engine):
    """The JSON: the week, its days, each commitment with promise, count, trend; broken by name."""
    data = scorecard(deps_for(agreed, clock=lambda: NOW), TEAM, W48).to_json()
    assert (data["week"], data["start"], data["end"], data["in_progress"]) == (
        "2026-W48",
        "2026-11-23",
        "2026-11-29",
        False,
    )
    assert data["broken"] == ["sales.verdict_in_sla"]
    first = data["commitments"][0]
    assert first == {
        "side": "marketing",
        "key": "leads",
        "promised": 5,
        "hours": None,
        "actual": 6.0,
        "count": 6,
        "of": None,
        "kept": True,
        "trend": [None] * 5 + [False, False, True],
    }
    assert json.loads(json.dumps(data)) == data


def test_the_running_week_counts_leads_so_far_as_undecided(agreed: Engine):
    """W49 on its Wednesday: one lead of five so far is neither kept nor broken; the standing says so."""
    card = current_standing(deps_for(agreed, clock=lambda: NOW), TEAM)
    assert card is not None and card.in_progress and card.week.key() == "2026-W49"
    leads = by_key(card)[LEADS]
    assert (leads.actual, leads.kept, leads.trend) == (1, None, [None])
    text = json.dumps([b.to_dict() for b in standing_blocks(card)], ensure_ascii=False)
    assert "The agreement this week" in text and "Leads: 1 so far (promised 5 a week)" in text
    # L6's card has waited Monday's 9 working hours: due, and not kept.
    assert "❌ Sales: Verdicts within 4 working hours: 0.0%, 0 of 1 lead (promised at least 75%)" in text
    assert "First touch within 8 working hours: no data (promised at least 75%)  ·" in render_scorecard_text(card)


def test_nothing_agreed_means_no_commitments_and_no_standing(engine: Engine):
    """The SLA alone is no agreement: no scorecard lines, no standing section."""
    deps = deps_for(engine, clock=lambda: NOW)
    ensure(deps, TEAM)
    add_leads(engine)
    assert scorecard(deps, TEAM, W48).commitments == [] and current_standing(deps, TEAM) is None
    assert standing_blocks(None) == []


def test_a_commitment_is_left_out_when_not_agreed_and_the_sla_off_drops_the_verdict(agreed: Engine):
    """Without a first-touch promise or with the SLA at 0, those lines are not on the card."""
    deps = deps_for(agreed, clock=lambda: NOW)
    save_settings(deps, TEAM, {"agreement_first_touch_hours": None, "sla_hours": 0})
    assert [c.name for c in scorecard(deps, TEAM, W48).commitments] == ["marketing.leads", "marketing.target_share"]


def test_the_weekly_message_shows_each_side_with_its_trend(agreed: Engine):
    """The post: header with the week, a summary, one section a side, ✓✗· marks, a legend; within limits."""
    msg = build_scorecard(scorecard(deps_for(agreed, clock=lambda: NOW), TEAM, W48))
    blocks = [b.to_dict() for b in msg.blocks]
    assert blocks[0]["text"]["text"] == "The two-sided agreement · Week 48 · 23\u2009–\u200929 Nov 2026"
    assert msg.text.startswith("The two-sided agreement") and "3 commitments kept, 1 broken" in msg.text
    marketing, sales = blocks[2]["text"]["text"], blocks[3]["text"]["text"]
    assert marketing.startswith("*Marketing*\n✅ Leads: 6 (promised 5 a week) `·····✗✗✓`")
    assert "✅ Target share of judged leads: 50.0%, 2 of 4 leads (promised at least 50%) `·····✓·✓`" in marketing
    assert sales.startswith("*Sales*\n❌ Verdicts within 4 working hours: 50.0%, 2 of 4 leads (promised at least 75%)")
    assert "✅ First touch within 8 working hours: 75.0%, 3 of 4 leads" in sales
    assert "oldest first" in blocks[-1]["elements"][0]["text"]


def test_measure_without_judged_or_touched_leads_is_no_data():
    """No judged lead, no carded lead, no touch: no data, never kept or broken."""
    ws = Workspace(team_id=TEAM, agreement_first_touch_hours=8)
    rows = [LeadTimes(datetime(2026, 11, 23, 10, tzinfo=UTC), None, None, None, None)]
    now = datetime(2026, 11, 30, tzinfo=UTC)
    for key in (TARGET_SHARE, VERDICT, FIRST_TOUCH):
        assert measure(rows, ws, key, 90, now=now) == measure([], ws, key, 90, now=now)
        assert measure(rows, ws, key, 90, now=now).kept is None


def test_agreement_settings_parse_and_refuse_naming_the_field():
    """Numbers, percents with a % or a comma, none to unset; a refused value names its setting."""
    values = parse_assignments(
        [
            "agreement_leads_per_week=120",
            "agreement_target_share_pct=37,5%",
            "agreement_first_touch_hours=8",
            "agreement_on_time_pct=85",
        ]
    )
    assert values == {
        "agreement_leads_per_week": 120,
        "agreement_target_share_pct": 37.5,
        "agreement_first_touch_hours": 8,
        "agreement_on_time_pct": 85.0,
    }
    assert parse_value("agreement_leads_per_week", "none") is None
    assert parse_value("agreement_target_share_pct", "") is None
    bad = {
        "agreement_leads_per_week": ["0", "12.5", "²", "lots"],
        "agreement_target_share_pct": ["0", "101", "nan", "half"],
        "agreement_first_touch_hours": ["0", "201", "-3"],
        "agreement_on_time_pct": ["none", "0", "150"],
    }
    for key, raws in bad.items():
        for raw in raws:
            with pytest.raises(ConfigError) as err:
                parse_value(key, raw)
            assert err.value.key == key and str(err.value).startswith(f"{key}: ")


def test_agreement_settings_are_kept_on_the_workspace(engine: Engine):
    """Saved as the CLI and the form save them, read back from the workspace row."""
    deps = deps_for(engine)
    save_settings(deps, TEAM, parse_assignments(["agreement_leads_per_week=40", "agreement_on_time_pct=95"]))
    ws = load(deps, TEAM)
    assert (ws.agreement_leads_per_week, ws.agreement_on_time_pct, ws.agreement_target_share_pct) == (40, 95.0, None)


def test_leads_of_a_week_follow_local_midnight_not_utc(agreed: Engine):
    """L7 (Monday 00:30 Berlin, Sunday in UTC) is W48's; L6 (the next Monday 00:30) is not; an instant
    names the week of its Berlin day."""
    deps = deps_for(agreed, clock=lambda: NOW)
    assert scorecard(deps, TEAM, at(11, 30, 0, 30)).week.key() == "2026-W49"  # Sunday 23:30 in UTC
    assert by_key(scorecard(deps, TEAM, W48))[LEADS].count == 6
    assert by_key(scorecard(deps, TEAM, W48.start + timedelta(days=7)))[LEADS].count == 1


def test_agreement_is_set_and_shown_on_the_command_line(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys):
    """`handoff config set` takes the agreement's keys, shows them, and refuses a bad one naming it, saving nothing."""
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "set", "agreement_leads_per_week=120", "agreement_target_share_pct=40"]) == 0
    shown = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines()[1:]}
    assert shown["agreement_leads_per_week"] == "120" and shown["agreement_target_share_pct"] == "40.0"
    assert shown["agreement_first_touch_hours"] == "—" and shown["agreement_on_time_pct"] == "90.0"
    assert main(["config", "set", "agreement_leads_per_week=90", "agreement_on_time_pct=120"]) == 2
    assert "agreement_on_time_pct: '120' is not a percent" in capsys.readouterr().err
    assert main(["config", "show"]) == 0
    assert "agreement_leads_per_week     120" in capsys.readouterr().out
