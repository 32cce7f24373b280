"""The meeting follows the goal: agenda items from pace, the agreement, findings, open action items and
pins (pure, on literal data), and end to end through signed Slack requests: pins, a broken commitment
on the agenda, a decision per item in the summary, forged Decision buttons refused politely."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot import ids
from bot.kpi.engine import Alert
from bot.kpi.periods import Period
from bot.sync import goal
from bot.sync.items import agenda_items, parse_key
from bot.workspace.store import save_settings
from storage.db import read_scope, session_scope
from storage.models import ActionItem, Meeting, MeetingNote, StandingItem
from storage.repos import meetings
from tests.conftest import TEAM, RunningApp
from tests.http import button_click, slash_command, submit_view
from tests.test_sync import (
    ADMIN,
    AGENDA,
    ASK,
    M1,
    M2,
    MEETING,
    S1,
    SYNC,
    Clock,
    blocks_text,
    posts_in,
    setup_by_modal,
    tick,
)

NOW = datetime(2026, 12, 3, 14, tzinfo=UTC)


@dataclass(frozen=True)
class Pace:
    kpi: str
    plan: float
    actual: float | None
    pct_of_plan: float | None
    elapsed_pct: float
    projected: float | None
    status: str


@dataclass(frozen=True)
class Promise:
    side: str
    key: str
    promised: float | None
    actual: float | None
    kept: bool | None


@dataclass
class Card:
    commitments: list[Promise] = field(default_factory=list)

    def broken(self) -> list[Promise]:
        return [c for c in self.commitments if c.kept is False]


PACE = [
    Pace("leads", 500, 300, 60.0, 58.0, 517, "on_track"),
    Pace("sales", 40, 18, 45.0, 58.0, 31, "at_risk"),
    Pace("revenue", 2_000_000, 700_000, 35.0, 58.0, 1_206_897, "behind"),
]
CARD = Card(
    [
        Promise("marketing", "leads", 120, 96, False),
        Promise("marketing", "target_share", 45, 51.5, True),
        Promise("sales", "verdict_in_sla", 90, None, None),
        Promise("sales", "first_touch", 90, 62.5, False),
    ]
)


def finding(kind: str, subject_type: str, subject: str, status: str) -> Alert:
    return Alert(kind=kind, text=f"{kind} {subject}", subject_type=subject_type, subject=subject, status=status)


def action(item_id: int, created: datetime, status: str = "open", due: date | None = None) -> ActionItem:
    return ActionItem(
        id=item_id, team_id=TEAM, owner=S1, text=f"item {item_id}", status=status, created_at=created, due=due
    )


def test_agenda_items_come_in_the_meetings_order_with_carry_over_ages():
    """Broken commitments, KPIs behind then at risk, findings still holding, open items oldest first, pins."""
    findings = [
        finding("cac_up", "kpi", "cac", "new"),
        finding("channel_no_result", "channel", "Google Ads", "ongoing"),
        finding("target_share_down", "channel", "Webinars", "ended"),
    ]
    actions = [
        action(2, datetime(2026, 11, 20, 15, tzinfo=UTC)),  # 12 days 23 hours before: 12 whole days
        action(3, datetime(2026, 11, 1, tzinfo=UTC), status="done"),
        action(5, datetime(2026, 11, 19, 14, tzinfo=UTC)),  # exactly 14 days before
        action(7, NOW + timedelta(minutes=30)),  # written down during the meeting: not carried over
    ]
    pins = [
        StandingItem(id=1, team_id=TEAM, text="Pipeline review"),
        StandingItem(id=2, team_id=TEAM, text="Old topic", unpinned_at=datetime(2026, 11, 1, tzinfo=UTC)),
    ]
    items = agenda_items(PACE, CARD, findings, actions, pins, NOW)
    assert [i.key for i in items] == [
        "commitment:marketing:leads",
        "commitment:sales:first_touch",
        "kpi:revenue",
        "kpi:sales",
        "finding:cac_up:kpi:cac",
        "finding:channel_no_result:channel:Google Ads",
        "action:5",
        "action:2",
        "pin:1",
    ]
    assert [(i.key, i.age_days) for i in items if i.kind == "action"] == [("action:5", 14), ("action:2", 12)]
    assert all(parse_key(i.key) for i in items)


def test_no_goal_no_findings_leaves_only_the_open_items():
    """Without pace or an agreement the agenda still carries the open items over."""
    items = agenda_items([], None, [], [action(4, NOW - timedelta(days=1))], [], NOW)
    assert [(i.key, i.age_days) for i in items] == [("action:4", 1)]


@pytest.mark.parametrize(
    "key",
    [
        "kpi:evil",
        "kpi:leads ",
        "commitment:finance:leads",
        "commitment:sales:Leads",
        "action:0",
        "action:-1",
        "action:12345678901",
        "pin:abc",
        "finding:cac_up:planet:cac",
        "finding:cac_up:kpi:two\nlines",
        "finding:CAC:kpi:cac",
        "note:1",
        "",
        "x" * 201,
        None,
        12,
    ],
)
def test_a_forged_or_garbled_item_key_is_no_key(key):
    """Keys outside the grammar the agenda writes are refused, whatever their type."""
    assert parse_key(key) is None


# --- end to end ------------------------------------------------------------------------------------


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


def answered(app: RunningApp, count: int) -> str:
    return json.dumps(app.slack.wait_for_response(count)[-1], ensure_ascii=False)


def test_admins_pin_list_and_unpin_standing_items(app: RunningApp):
    """`/sync pin`, `/sync pins`, `/sync unpin`: admins only, kept as typed, numbers checked."""
    reply = slash_command(app, "/sync", "pin Pipeline review <!channel> & <@U0SALES1|sales1>", user=ADMIN)
    body = reply.body.decode()
    assert "Pinned to every agenda as #1: Pipeline review @channel &amp; @sales1" in body
    assert "<!channel>" not in body
    slash_command(app, "/sync", "pin Churn of the month", user=ADMIN)
    refused = slash_command(app, "/sync", "pin Not mine", user=S1).body.decode()
    assert "Only Handoff admins" in refused
    assert "at most 300 characters" in slash_command(app, "/sync", "pin " + "x" * 301, user=ADMIN).body.decode()
    shown = slash_command(app, "/sync", "pins", user=S1).body.decode()
    assert "#1 Pipeline review" in shown and "#2 Churn of the month" in shown and "Not mine" not in shown
    assert "Unpinned #1" in slash_command(app, "/sync", "unpin 1", user=ADMIN).body.decode()
    assert "No standing item #1" in slash_command(app, "/sync", "unpin #1", user=ADMIN).body.decode()
    assert "like `/sync unpin 2`" in slash_command(app, "/sync", "unpin two", user=ADMIN).body.decode()
    assert "Only Handoff admins" in slash_command(app, "/sync", "unpin 2", user=S1).body.decode()
    with read_scope(app.deps.engine) as s:
        rows = s.exec(select(StandingItem).order_by(StandingItem.id)).all()
    assert [(r.id, r.text, r.pinned_by, r.unpinned_at is not None) for r in rows] == [
        (1, "Pipeline review @channel & @sales1", ADMIN, True),
        (2, "Churn of the month", ADMIN, False),
    ]


def test_a_broken_commitment_is_an_agenda_item_and_its_decision_reaches_the_summary(app: RunningApp, monkeypatch):
    """Pace and a scorecard injected: the agenda opens with them, a Decision is stored with its item and
    listed under it in the summary."""
    asked: dict[str, object] = {}

    def pace(deps, team_id, as_of):
        asked["as_of"] = as_of
        return PACE

    def agreement(deps, team_id, week):
        asked["week"] = week
        return CARD

    monkeypatch.setattr(goal, "plan_pace", pace)
    monkeypatch.setattr(goal, "agreement", agreement)
    setup_by_modal(app)
    app.clock.now = MEETING - timedelta(days=5)  # an item written down five days before the meeting
    slash_command(app, "/sync", "action <@U0MKT1|mkt1> Fix the UTM tags", user=ADMIN)
    slash_command(app, "/sync", "pin Pipeline review", user=ADMIN)
    tick(app, ASK)
    tick(app, AGENDA)
    parent = next(c for c in posts_in(app, SYNC) if "thread_ts" not in c.args)
    text = blocks_text(parent)
    # The meeting is on Thursday 3 December (Berlin): pace up to the 2nd, the agreement of the week before.
    assert asked == {"as_of": date(2026, 12, 2), "week": Period.containing("week", date(2026, 11, 23))}
    for part in (
        "Plan · December 2026",
        "Revenue: 700,000 of 2,000,000 (35%) · 58% of the working time gone · projected 1,206,897 · 🔴 behind",
        "Agreement · ",
        "Marketing — leads a week: 96, promised 120 · ✗ broken",
        "Sales — first touch in the agreed hours, %: 62.5, promised 90 · ✗ broken",
        "*Broken commitment* · Marketing — leads a week: 96, promised 120",
        "*Carried over* · #1 Fix the UTM tags — <@U0MKT1> · open 5 days",
        "*Standing item* · Pipeline review",
    ):
        assert part in text, part
    assert text.index("Plan · December") < text.index("Since the last sync") < text.index("Broken commitment")
    buttons = [
        b["accessory"]["value"]
        for b in parent.args["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.SYNC_DECISION
    ]
    with read_scope(app.deps.engine) as s:
        meeting = s.exec(select(Meeting)).one()
    assert buttons == [
        f"{meeting.id}|commitment:marketing:leads",
        f"{meeting.id}|commitment:sales:first_touch",
        f"{meeting.id}|kpi:revenue",
        f"{meeting.id}|kpi:sales",
        f"{meeting.id}|action:1",
        f"{meeting.id}|pin:1",
    ]

    # A Decision on the broken commitment: the button opens the modal, the submission stores the note.
    app.clock.now = MEETING + timedelta(minutes=10)
    opened = len(app.slack.calls_to("views.open"))
    button_click(app, ids.SYNC_DECISION, buttons[0], user=M1, channel=SYNC)
    view = app.slack.wait_for("views.open", opened + 1)[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == ids.SYNC_DECISION_MODAL
    assert "Marketing — leads a week" in json.dumps(view, ensure_ascii=False)

    def decide(text: str, meta: str = view["private_metadata"], user: str = M1):
        values = {"decision": {ids.VALUE: {"type": "plain_text_input", "value": text}}}
        return submit_view(app, ids.SYNC_DECISION_MODAL, meta, values, user=user)

    assert decide("Two more webinars a week until the volume is back").status == 200
    pin_view = dict(view, private_metadata=json.dumps({"meeting_id": meeting.id, "item": "pin:1", "team_id": TEAM}))
    decide("Weekly from now on", pin_view["private_metadata"], user=ADMIN)
    slash_command(app, "/sync", "notes Webinars move to Q2", user=ADMIN)
    with read_scope(app.deps.engine) as s:
        notes = s.exec(select(MeetingNote).order_by(MeetingNote.id)).all()
    assert [(n.meeting_id, n.item, n.author) for n in notes] == [
        (meeting.id, "commitment:marketing:leads", M1),
        (meeting.id, "pin:1", ADMIN),
        (meeting.id, None, ADMIN),
    ]

    before = len(app.slack.calls_to("chat.postMessage"))
    button_click(app, ids.SYNC_CLOSE, str(meeting.id), user=S1, channel=SYNC)
    app.background.wait_idle()
    summary = blocks_text(app.slack.calls_to("chat.postMessage")[before])
    decisions = summary[summary.index("Decisions") : summary.index("New action items")]
    order = [
        "*Broken commitment* · Marketing — leads a week",
        "• Two more webinars a week until the volume is back",
        "*Standing item* · Pipeline review",
        "• Weekly from now on",
        "_Other decisions_",
        "• Webinars move to Q2",
    ]
    assert [decisions.index(p) for p in order] == sorted(decisions.index(p) for p in order)

    # The meeting is closed: a late Decision is refused politely, nothing stored.
    button_click(app, ids.SYNC_DECISION, buttons[2], user=M1, channel=SYNC)
    assert "This meeting is closed" in answered(app, 1)
    late = decide("Too late")
    assert late.json()["response_action"] == "errors" and "closed" in late.json()["errors"]["decision"]
    with read_scope(app.deps.engine) as s:
        assert len(s.exec(select(MeetingNote)).all()) == 3


def test_a_forged_decision_button_gets_a_polite_answer_and_opens_nothing(app: RunningApp):
    """Garbled values, unknown items and another workspace's meeting: an ephemeral sentence, no modal, no note."""
    setup_by_modal(app)
    tick(app, ASK)
    save_settings(app.deps, "T0OTHER", {"admins": ["U0OTHER"]})
    with session_scope(app.deps.engine) as s:
        ours = s.exec(select(Meeting).where(Meeting.team_id == TEAM)).one().id
        theirs = meetings.ensure_meeting(s, team_id="T0OTHER", starts=MEETING, ends=MEETING, status="open").id
    opened = len(app.slack.calls_to("views.open"))
    forged = [
        "",
        "garbage",
        f"{ours}",
        f"{ours}|kpi:evil",
        f"{ours}|action:999",
        f"{ours}|pin:5",
        f"{theirs}|kpi:leads",
        "99999999999999999999|kpi:leads",
        "-1|kpi:leads",
        f"{ours}|commitment:marketing:<!channel>",
    ]
    for n, value in enumerate(forged, start=1):
        reply = button_click(app, ids.SYNC_DECISION, value, user=M1, channel=SYNC)
        assert reply.status == 200, value
        assert "I don't know this agenda item" in answered(app, n), value
    assert len(app.slack.calls_to("views.open")) == opened
    # A submission whose metadata names another workspace's meeting or a made-up item stores nothing.
    values = {"decision": {ids.VALUE: {"type": "plain_text_input", "value": "Forged"}}}
    for meta in (
        {"meeting_id": theirs, "item": "kpi:leads"},
        {"meeting_id": ours, "item": "kpi:evil"},
        {"meeting_id": [ours], "item": "kpi:leads"},
    ):
        reply = submit_view(app, ids.SYNC_DECISION_MODAL, json.dumps(meta), values, user=M1)
        assert reply.json()["response_action"] == "errors", meta
    reply = submit_view(app, ids.SYNC_DECISION_MODAL, "not json", values, user=M1)
    assert reply.json()["response_action"] == "errors"
    with read_scope(app.deps.engine) as s:
        assert s.exec(select(MeetingNote)).all() == []


def test_a_finding_outside_its_band_is_an_agenda_item_with_a_key_that_parses():
    """A band finding (subject type channel_kpi) becomes an item whose Decision key is accepted back."""
    items = agenda_items([], None, [finding("outside_band", "channel_kpi", "Leads · ads", "new")], [], [], NOW)
    assert [i.key for i in items] == ["finding:outside_band:channel_kpi:Leads · ads"]
    assert parse_key(items[0].key) == ("finding", ("outside_band", "channel_kpi", "Leads · ads"))
