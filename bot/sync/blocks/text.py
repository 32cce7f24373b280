"""Pieces of text the sync's messages share: times, action items, answers, the coming meetings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, translator
from bot.slack.kit import Message, Mrkdwn, bold, channel_link, chunks, fit, italic, join, md, mention, section, shorten
from bot.sync.calendar import Calendar, Slot
from storage.models import ActionItem, MeetingAnswer, SyncSeries, Workspace

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
ANSWER_SHOWN = 600
MAX_SECTIONS = 45


def when(ws: Workspace, at: datetime, tz: str | None = None) -> str:
    """`Thursday 03.12 15:00 (Europe/Berlin)` in the workspace's language."""
    _ = translator(ws.language)
    zone = tz or ws.timezone
    local = at.astimezone(ZoneInfo(zone))
    return f"{_(WEEKDAYS[local.weekday()])} {local:%d.%m %H:%M} ({zone})"


def action_line(ws: Workspace, item: ActionItem) -> Mrkdwn:
    _ = translator(ws.language)
    due = f" — {_('due')} {item.due:%d.%m.%Y}" if item.due else ""
    owner = mention(item.owner) if item.owner else _("no owner")
    return md("• #{} {} — {}{}", item.id, item.text, owner, due)


def build_answers_text(
    ws: Workspace, questions: Sequence[tuple[str, str]], answers: Sequence[MeetingAnswer], only: int | None = None
) -> Mrkdwn:
    """The answers grouped by question, then by department; `only` keeps question N."""
    _ = translator(ws.language)
    by_question: dict[str, list[MeetingAnswer]] = {}
    for a in answers:
        by_question.setdefault(a.question, []).append(a)
    known = dict(questions)
    keys = [k for k, _t in questions] + [k for k in by_question if k not in known]
    lines: list[Mrkdwn] = []
    for i, key in enumerate(keys, start=1):
        if only is not None and i != only:
            continue
        rows = by_question.get(key, [])
        text = known.get(key) or (rows[0].question_text if rows else key)
        lines.append(bold(f"{i}. {text}"))
        if not rows:
            lines.append(italic(_("no answers")))
        for dept in ("sales", "marketing", None):
            mine = [a for a in rows if a.department == dept]
            if not mine:
                continue
            label = {"sales": _("Sales"), "marketing": _("Marketing"), None: _("Others")}[dept]
            lines.append(italic(label))
            lines += [md("• {}: {}", mention(a.user_id), shorten(a.answer, ANSWER_SHOWN)) for a in mine]
        lines.append(Mrkdwn(""))
    return join(lines).strip()


def build_actions_list(ws: Workspace, items: Sequence[ActionItem]) -> Message:
    _ = translator(ws.language)
    text = md("{}\n{}", bold(_("Open action items")), join(action_line(ws, i) for i in items) or _("none"))
    parts = chunks(text)
    return Message(text=fit(parts[0], 300), blocks=[section(c) for c in parts[:MAX_SECTIONS]])


def build_next_text(ws: Workspace, series: SyncSeries, slots: Sequence[Slot], cal: Calendar) -> Mrkdwn:
    _ = translator(ws.language)
    if not series.active:
        return Mrkdwn(_("The sync is switched off (`handoff sync setup active=on` switches it on)."))
    if not slots:
        return Mrkdwn(_("No sync in the coming weeks."))
    heading = bold(_("Coming syncs"))
    lines = [md("{} · {}", heading, channel_link(ws.sync_channel)) if ws.sync_channel else heading]
    for slot in slots:
        if slot.skipped:
            lines.append(md("• ~{}~ — {}", when(ws, slot.starts, series.timezone), _("skipped: holiday")))
            continue
        tl = cal.timeline(slot)
        moved = f" — {_('moved from {date} (holiday)').format(date=f'{slot.planned:%d.%m}')}" if slot.moved else ""
        ask, agenda = when(ws, tl.ask, series.timezone), when(ws, tl.agenda, series.timezone)
        lines.append(
            md(
                "• {}{}\n   {} {} · {} {}",
                bold(when(ws, slot.starts, series.timezone)),
                moved,
                _("questions"),
                ask,
                _("agenda"),
                agenda,
            )
        )
    return join(lines)


def action_added_text(ws: Workspace, item: ActionItem) -> Mrkdwn:
    _ = translator(ws.language)
    due = " " + _("(due {date})").format(date=f"{item.due:%d.%m.%Y}") if item.due else ""
    return md(
        _("Action item #{id} for {owner}: {text}{due}"), id=item.id, owner=mention(item.owner), text=item.text, due=due
    )
