"""The agenda's goal opening, its items and the summary's decisions per item, on `.to_dict()`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import ids
from bot.kpi.engine import Alert
from bot.kpi.periods import Period
from bot.sync.blocks.agenda import build_agenda, build_summary
from bot.sync.blocks.items import ITEMS_SHOWN, build_decision_modal, item_heading
from bot.sync.items import agenda_items
from bot.sync.model import Goal
from storage.models import ActionItem, MeetingNote, StandingItem
from tests.blockkit import EVIL, assert_escaped, assert_fits, context_texts, section_texts
from tests.test_blocks_sync import MEETING, make_agenda, make_summary, make_ws
from tests.test_sync_goal import CARD, PACE

START = MEETING.starts_at
MONTH = Period.containing("month", date(2026, 12, 2))
WEEK = Period.containing("week", date(2026, 11, 23))


def goal_of(items_from: dict) -> Goal:
    args = {"pace": PACE, "scorecard": CARD, "findings": [], "actions": [], "pins": []} | items_from
    return Goal(MONTH, args["pace"], WEEK, args["scorecard"], agenda_items(**args, now=START))


def decision_values(d: dict) -> list[str]:
    return [
        b["accessory"]["value"] for b in d["blocks"] if b.get("accessory", {}).get("action_id") == ids.SYNC_DECISION
    ]


def test_sixty_items_fit_one_message_with_a_line_for_the_rest():
    """60 carried-over items: at most 50 blocks, the first 30 with a Decision button, a line for 30 more."""
    actions = [
        ActionItem(id=i, team_id="T1", text=f"item {i}", created_at=START - timedelta(days=i)) for i in range(1, 61)
    ]
    msg = build_agenda(make_agenda(goal=goal_of({"actions": actions})))
    values = decision_values(assert_fits(msg))
    # Two broken commitments and two KPIs off plan come first; then the oldest items, 60 days open first.
    assert len(values) == ITEMS_SHOWN and values[4] == "7|action:60" and values[-1] == "7|action:35"
    assert "…and 34 more: `/sync notes` writes down a decision about them." in context_texts(msg)


def test_the_agenda_in_russian_speaks_of_the_plan_the_agreement_and_the_age_of_items():
    """Russian words and numbers: a KPI behind, a broken commitment, an item open 5 days."""
    actions = [ActionItem(id=3, team_id="T1", owner="U0OWNER", text="Лендинг", created_at=START - timedelta(days=5))]
    agenda = make_agenda(ws=make_ws(language="ru"), goal=goal_of({"actions": actions}))
    text = "\n".join(section_texts(build_agenda(agenda)))
    for part in (
        "*План · декабрь 2026*",
        "Выручка: 700\u202f000 из 2\u202f000\u202f000 (35%) · прошло 58% рабочего времени · "
        "прогноз 1\u202f206\u202f897 · 🔴 отстаёт",
        "*Обязательство не выполнено* · Маркетинг — лидов в неделю: 96, обещано 120 · ✗ не выполнено",
        "Продажи — первый контакт в оговорённые часы, %: 62,5, обещано 90 · ✗ не выполнено",
        "*Перенесено* · #3 Лендинг — <@U0OWNER> · открыта 5 дней",
    ):
        assert part in text, part


def test_outside_text_in_items_headings_and_the_decision_modal_is_data():
    """A pin, an action item, a finding's subject and a decision: escaped wherever they are shown."""
    finding = Alert(kind="channel_no_result", text=EVIL, subject_type="channel", subject=EVIL, status="new")
    pin = StandingItem(id=4, team_id="T1", text=EVIL)
    act = ActionItem(id=9, team_id="T1", owner="<@U0EVIL>", text=EVIL, created_at=START - timedelta(days=1))
    goal = goal_of({"findings": [finding], "actions": [act], "pins": [pin]})
    agenda = build_agenda(make_agenda(goal=goal))
    assert_escaped(agenda)
    finding_key = goal.items[4].key
    notes = [
        MeetingNote(team_id="T1", text=EVIL, item=finding_key),
        MeetingNote(team_id="T1", text="Keep it", item="pin:4"),
        MeetingNote(team_id="T1", text="Drop it", item="action:9"),
    ]
    summary = build_summary(make_summary(notes=notes, item_actions={9: act}, item_pins={4: pin}), "U0BOSS")
    assert_escaped(summary)
    heading = item_heading(finding_key, "en", {}, {})
    modal = build_decision_modal(make_ws(), MEETING, finding_key, heading)
    assert_fits(modal)
    assert_escaped(modal, shown=("&lt;!channel&gt;",), entity=False)


def test_summary_groups_decisions_by_item_in_the_agendas_order():
    """Commitment, KPI, finding, action item, pin; decisions about no item last under their own line."""
    notes = [
        MeetingNote(team_id="T1", text="Weekly", item="pin:2"),
        MeetingNote(team_id="T1", text="General"),
        MeetingNote(team_id="T1", text="Hire an SDR", item="kpi:sales"),
        MeetingNote(team_id="T1", text="Answer within 2 hours", item="commitment:sales:first_touch"),
        MeetingNote(team_id="T1", text="And a second one", item="kpi:sales"),
        MeetingNote(team_id="T1", text="Pause it", item="finding:channel_no_result:channel:Google Ads"),
    ]
    pins = {2: StandingItem(id=2, team_id="T1", text="Pipeline review")}
    msg = build_summary(make_summary(notes=notes, item_pins=pins), "U0BOSS")
    decisions = section_texts(msg)[0].split("\n\n")[0]
    assert decisions.split("\n") == [
        "*Decisions*",
        "*Broken commitment* · Sales — first touch in the agreed hours, %",
        "• Answer within 2 hours",
        "*Plan* · Sales",
        "• Hire an SDR",
        "• And a second one",
        "*Finding* · spend with no target leads or customers: Google Ads",
        "• Pause it",
        "*Standing item* · Pipeline review",
        "• Weekly",
        "_Other decisions_",
        "• General",
    ]


def test_an_agenda_without_a_goal_says_so_and_keeps_its_layout():
    """No pace, no agreement, nothing to decide: two placeholder lines and a note, no buttons."""
    goal = Goal(MONTH, [], WEEK, None, [])
    msg = build_agenda(make_agenda(goal=goal))
    d = assert_fits(msg)
    texts = section_texts(msg)
    assert "*Plan · December 2026*\n_No plan for this month: admins set one with `/plan`._" in texts
    assert "*Agreement · Week 48 · 23\u2009–\u200929 Nov 2026*\n_No agreement between the departments is set._" in texts
    assert decision_values(d) == []
    assert "_No agenda items from the plan, the agreement, the findings or open action items._" in context_texts(msg)


def test_one_item_per_key_when_two_findings_cut_to_the_same_subject():
    """Subjects longer than a key holds, alike in their first 120 characters: one item."""
    long = "x" * 130
    found = [
        Alert(kind="target_share_down", text="a", subject_type="channel", subject=long + "a"),
        Alert(kind="target_share_down", text="b", subject_type="channel", subject=long + "b"),
    ]
    items = agenda_items([], None, found, [], [], datetime(2026, 12, 3, tzinfo=UTC))
    assert [(i.key, i.source.text) for i in items] == [("finding:target_share_down:channel:" + "x" * 120, "a")]


def test_a_first_touch_commitment_reads_as_the_share_of_leads_it_is():
    """The scorecard's first touch is a percent of leads touched in the agreed hours (promised: the on-time
    share), not hours: `62.5, promised 90` is labelled a percent."""
    from bot.kpi.agreement import Commitment
    from bot.sync.blocks.items import commitment_line

    c = Commitment("sales", "first_touch", 90.0, 62.5, False, hours=8)
    assert str(commitment_line(c, "en")) == "Sales — first touch in the agreed hours, %: 62.5, promised 90 · ✗ broken"
    assert str(commitment_line(c, "ru")).startswith("Продажи — первый контакт в оговорённые часы, %: 62,5")


def test_a_budget_heading_over_its_plan_reads_over_as_in_the_digest():
    """Spend projected past its cap is `over` on the agenda, as the digest's pace block says, not `behind`."""
    from bot.kpi.pace import PaceLine
    from bot.kpi.pace_view import status_word
    from bot.sync.blocks.items import pace_line

    spend = PaceLine("spend", 100_000.0, 80_000.0, 80.0, 58.0, 137_931.0, "behind")
    assert str(pace_line(spend, "en", None)).endswith("projected 137,931 · 🔴 over")
    assert str(pace_line(spend, "ru", None)).endswith("🔴 " + status_word(spend, "ru"))
