"""The agenda's opening (the plan's pace, the agreement's scorecard) and its items, each with a
Decision button; the headings the summary groups decisions under."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block, ButtonElement
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import N_, plural, translator
from bot.kpi.blocks import finding_line
from bot.kpi.catalog import label
from bot.kpi.engine import Alert
from bot.kpi.plan import CEILINGS
from bot.kpi.render import fmt_kpi_value, fmt_number, fmt_pct
from bot.kpi.transitions import KIND_LABELS
from bot.slack import modals
from bot.slack.kit import Mrkdwn, bold, context, italic, join, md, mention, section
from bot.sync.blocks.text import when
from bot.sync.items import KINDS, AgendaItem, Commitment, PaceLine, Scorecard, parse_key
from bot.sync.model import Goal, Summary
from storage.models import ActionItem, Meeting, MeetingNote, StandingItem, Workspace

DECISION = "decision"  # the decision modal's one input
ITEMS_SHOWN = 30  # each item is a section: the message's 50 blocks hold this many besides the rest

KIND_BADGES = {
    "commitment": N_("Broken commitment"),
    "kpi": N_("Plan"),
    "finding": N_("Finding"),
    "action": N_("Carried over"),
    "pin": N_("Standing item"),
}
STATUS_LABELS = {"on_track": N_("on track"), "at_risk": N_("at risk"), "behind": N_("behind")}
OVER = N_("over")
STATUS_ICONS = {"on_track": "🟢", "at_risk": "🟡", "behind": "🔴"}
SIDE_LABELS = {"marketing": N_("Marketing"), "sales": N_("Sales")}
# The agreement's commitments (bot.kpi.agreement's keys); another key is shown as it is.
COMMITMENT_LABELS = {
    "leads": N_("leads a week"),
    "target_share": N_("target share of judged leads, %"),
    "verdict_in_sla": N_("verdicts within the SLA, %"),
    "first_touch": N_("first touch in the agreed hours, %"),
}


def _number(value: float | None, language: str) -> str:
    whole = value is None or float(value).is_integer()
    return fmt_number(value, language, 0 if whole else 1)


def commitment_name(c: Commitment | tuple[str, str], language: str) -> str:
    """`Marketing — leads a week`."""
    _ = translator(language)
    side, key = c if isinstance(c, tuple) else (c.side, c.key)
    what = _(COMMITMENT_LABELS[key]) if key in COMMITMENT_LABELS else key.replace("_", " ")
    return f"{_(SIDE_LABELS.get(side, side))} — {what}"


def pace_line(p: PaceLine, language: str, currency: str | None) -> Mrkdwn:
    """`Leads: 210 of 500 (42%) · 60% of the working time gone · projected 350 · 🔴 behind` (the digest's words)."""
    _ = translator(language)
    status = p.status if p.status in STATUS_LABELS else "on_track"
    return md(
        _(
            "{kpi}: {actual} of {plan} ({pct}) · {elapsed} of the working time gone · projected {projected} · "
            "{icon} {status}"
        ),
        kpi=label(p.kpi, language),
        actual=fmt_kpi_value(p.kpi, p.actual, language, currency),
        plan=fmt_kpi_value(p.kpi, p.plan, language, currency),
        pct=fmt_pct(p.pct_of_plan, language, 0),
        elapsed=fmt_pct(p.elapsed_pct, language, 0),
        projected=fmt_kpi_value(p.kpi, p.projected, language, currency),
        icon=STATUS_ICONS[status],
        # A budget or cap behind its pace is heading over it: `over`, as the digest's pace block says.
        status=_(OVER) if status == "behind" and p.kpi in CEILINGS else _(STATUS_LABELS[status]),
    )


def commitment_line(c: Commitment, language: str) -> Mrkdwn:
    """`Marketing — leads a week: 96, promised 120 · ✗ broken`."""
    _ = translator(language)
    verdict = {True: "✓ " + _("kept"), False: "✗ " + _("broken"), None: "· " + _("no data")}[c.kept]
    return md(
        _("{commitment}: {actual}, promised {promised} · {verdict}"),
        commitment=commitment_name(c, language),
        actual=_number(c.actual, language),
        promised=_number(c.promised, language),
        verdict=verdict,
    )


def build_goal_opening(goal: Goal, language: str, currency: str | None) -> list[Block]:
    """Two sections: where the month stands against its plan, and the last week's agreement."""
    _ = translator(language)
    plan_lines = [md("• {}", pace_line(p, language, currency)) for p in goal.pace] or [
        italic(_("No plan for this month: admins set one with `/plan`."))
    ]
    card: Scorecard | None = goal.scorecard
    card_lines = [md("• {}", commitment_line(c, language)) for c in card.commitments] if card else []
    card_lines = card_lines or [italic(_("No agreement between the departments is set."))]
    return [
        section(md("{}\n{}", bold(_("Plan · {month}").format(month=goal.month.label(language))), join(plan_lines))),
        section(md("{}\n{}", bold(_("Agreement · {week}").format(week=goal.week.label(language))), join(card_lines))),
    ]


def item_text(item: AgendaItem, language: str, currency: str | None) -> Mrkdwn:
    """One item with its data, after its badge."""
    _, ngettext = translator(language), plural(language)
    badge = bold(_(KIND_BADGES[item.kind]))
    src = item.source
    if isinstance(src, Alert):
        return md("{} · {}", badge, finding_line(src))
    if isinstance(src, ActionItem):
        age = ngettext("open {n} day", "open {n} days", item.age_days or 0).format(n=item.age_days or 0)
        due = " · " + _("due {date}").format(date=f"{src.due:%d.%m.%Y}") if src.due else ""
        who = mention(src.owner) if src.owner else _("no owner")
        return md("{} · #{} {} — {} · {}{}", badge, src.id, src.text, who, age, due)
    if isinstance(src, StandingItem):
        return md("{} · {}", badge, src.text)
    if item.kind == "commitment":
        return md("{} · {}", badge, commitment_line(src, language))  # type: ignore[arg-type]
    return md("{} · {}", badge, pace_line(src, language, currency))  # type: ignore[arg-type]


def build_item_blocks(goal: Goal, meeting_id: int, language: str, currency: str | None) -> list[Block]:
    """A section per item with its Decision button; past ITEMS_SHOWN a line saying how many more."""
    _ = translator(language)
    if not goal.items:
        return [context(italic(_("No agenda items from the plan, the agreement, the findings or open action items.")))]
    blocks: list[Block] = [section(bold(_("Agenda items")))]
    for item in goal.items[:ITEMS_SHOWN]:
        button = ButtonElement(action_id=ids.SYNC_DECISION, text=_("Decision"), value=f"{meeting_id}|{item.key}")
        blocks.append(section(item_text(item, language, currency), accessory=button))
    if len(goal.items) > ITEMS_SHOWN:
        more = len(goal.items) - ITEMS_SHOWN
        blocks.append(context(md(_("…and {n} more: `/sync notes` writes down a decision about them."), n=more)))
    return blocks


def item_heading(
    key: str, language: str, actions: Mapping[int, ActionItem], pins: Mapping[int, StandingItem]
) -> Mrkdwn:
    """What an item key names, as the decision modal and the summary head it: `Plan · Leads`."""
    _ = translator(language)
    parsed = parse_key(key)
    if parsed is None:
        return md("{}", key)
    kind, parts = parsed
    badge = bold(_(KIND_BADGES[kind]))
    if kind == "commitment":
        return md("{} · {}", badge, commitment_name((parts[0], parts[1]), language))
    if kind == "kpi":
        return md("{} · {}", badge, label(parts[0], language))
    if kind == "finding":
        what = _(KIND_LABELS[parts[0]]) if parts[0] in KIND_LABELS else parts[0].replace("_", " ")
        subject = mention(parts[2]) if parts[1] == "rep" else parts[2]
        return md("{} · {}: {}", badge, what, subject) if parts[2] else md("{} · {}", badge, what)
    if kind == "action":
        a = actions.get(int(parts[0]))
        return md("{} · #{} {}", badge, parts[0], a.text if a else "")
    pin = pins.get(int(parts[0]))
    return md("{} · {}", badge, pin.text if pin else f"#{parts[0]}")


def build_decision_modal(ws: Workspace, m: Meeting, item: str, heading: Mrkdwn) -> View:
    """One text box: what the meeting decided about this item."""
    _ = translator(ws.language)
    blocks: list[Block] = [
        context(md(_("Sync on {when}"), when=when(ws, m.starts_at))),
        section(heading),
        modals.text_input(DECISION, _("What was decided"), None, multiline=True, optional=False),
    ]
    return modals.modal(
        ws.language, ws.team_id, ids.SYNC_DECISION_MODAL, _("Decision"), blocks, meeting_id=m.id, item=item
    )


def decision_lines(data: Summary) -> list[Mrkdwn]:
    """The summary's decisions: those about an agenda item under its heading (in the agenda's order
    of kinds, then as first decided), then the others."""
    _ = translator(data.ws.language)
    by_item: dict[str, list[MeetingNote]] = {}
    for n in data.notes:
        by_item.setdefault(n.item or "", []).append(n)
    general = by_item.pop("", [])
    order = sorted(by_item, key=lambda k: KINDS.index(k.partition(":")[0]) if parse_key(k) else len(KINDS))
    lines: list[Mrkdwn] = []
    for key in order:
        lines.append(item_heading(key, data.ws.language, data.item_actions, data.item_pins))
        lines += [md("• {}", n.text) for n in by_item[key]]
    if general and lines:
        lines.append(italic(_("Other decisions")))
    lines += [md("• {}", n.text) for n in general]
    return lines or [italic(_("none written down (`/sync notes …`)"))]


def build_pins_text(ws: Workspace, pins: list[StandingItem]) -> Mrkdwn:
    """`/sync pins`: the standing items with the numbers `/sync unpin` takes."""
    _ = translator(ws.language)
    lines = [md("• #{} {} — {}", p.id, p.text, mention(p.pinned_by)) for p in pins]
    return md(
        "{}\n{}",
        bold(_("Standing agenda items")),
        join(lines) or italic(_("none: admins pin one with `/sync pin TEXT`")),
    )
