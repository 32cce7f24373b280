"""Typed Block Kit for the sync: question DMs, the Answer modal, the agenda and its thread, the summary,
the setup and ICP modals, and the `/sync` answers. Pure: data in, blocks out."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.blocks import Message, _channel_input, _groups_input, _md, _modal, _people, _users_input
from bot.i18n import N_, translator
from bot.kpi.engine import KPI_LABELS, STAGE_LABELS
from bot.kpi.render import fmt_change, fmt_kpi_value, fmt_number, fmt_pct
from bot.workspace.keys import DAYS
from storage.models import ActionItem, Meeting, SyncSeries, Workspace

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
FEEDBACK_LABELS = {"review": N_("Reviews"), "complaint": N_("Complaints"), "wish": N_("Wishes")}
PACK_KPIS = ("visitors", "leads", "target_leads", "meetings", "sales", "revenue", "new_customers", "cac")
SECTION_LIMIT = 2900


def when(ws: Workspace, at: datetime, tz: str | None = None) -> str:
    """`Thursday 03.12 15:00 (Europe/Berlin)` in the workspace's language."""
    _ = translator(ws.language)
    zone = tz or ws.timezone
    local = at.astimezone(ZoneInfo(zone))
    return f"{_(WEEKDAYS[local.weekday()])} {local:%d.%m %H:%M} ({zone})"


def _chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split long text on line breaks so each piece fits a section block."""
    out, cur = [], ""
    for line in text.splitlines():
        line = line[:limit]
        if cur and len(cur) + len(line) + 1 > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    return [*out, cur] if cur else out


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- before the meeting ---------------------------------------------------------------------------


def build_ask_dm(ws: Workspace, m: Meeting, questions: list[tuple[str, str]], *, answered: bool = False) -> Message:
    _ = translator(ws.language)
    intro = _("The Sales × Marketing sync is on {when}. Please answer a few questions before it.").format(
        when=when(ws, m.starts_at)
    )
    button = _("Change answers") if answered else _("Answer")
    note = (
        _("✅ Your answers are in. You can change them until the meeting starts.")
        if answered
        else _("You can change your answers until the meeting starts.")
    )
    listing = "\n".join(f"{i}. {text}" for i, (_key, text) in enumerate(questions, start=1))
    return Message(
        text=intro,
        blocks=[
            SectionBlock(text=_md(f"*{intro}*")),
            SectionBlock(text=_md(listing[:SECTION_LIMIT])),
            ActionsBlock(
                elements=[ButtonElement(action_id=ids.SYNC_ANSWER, text=button, value=str(m.id), style="primary")]
            ),
            ContextBlock(elements=[_md(note)]),
        ],
    )


def build_reminder_dm(ws: Workspace, m: Meeting) -> Message:
    _ = translator(ws.language)
    text = _("Reminder: the Sales × Marketing sync is on {when} and your answers are not in yet.").format(
        when=when(ws, m.starts_at)
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=_md(text)),
            ActionsBlock(
                elements=[ButtonElement(action_id=ids.SYNC_ANSWER, text=_("Answer"), value=str(m.id), style="primary")]
            ),
        ],
    )


def build_answer_modal(ws: Workspace, m: Meeting, questions: list[tuple[str, str]], mine: dict[str, str]) -> View:
    _ = translator(ws.language)
    blocks: list[Block] = [
        ContextBlock(
            elements=[_md(_("Sync on {when}. Leave a question empty to skip it.").format(when=when(ws, m.starts_at)))]
        )
    ]
    for i, (key, text) in enumerate(questions, start=1):
        blocks.append(_text(f"{ids.SYNC_QUESTION_PREFIX}{key}", f"{i}. {text}", mine.get(key), multiline=True))
    return _modal(ws, ids.SYNC_ANSWERS_MODAL, _("Sync questions"), blocks, meeting_id=m.id)


# --- the agenda -----------------------------------------------------------------------------------


def _rate_line(rate: dict[str, tuple[int, int]], _) -> str:
    labels = {"sales": _("Sales"), "marketing": _("Marketing")}
    parts = []
    for dept, (answered, asked) in rate.items():
        pct = f" ({round(100 * answered / asked)}%)" if asked else ""
        parts.append(f"{labels[dept]} {answered}/{asked}{pct}")
    return " · ".join(parts)


def leak(report):
    """Where the funnel leaks: the stage whose conversion from the stage before fell most against the
    previous period; when none fell, the weakest stage after the site (visitors → leads is always low)."""
    stages = [s for s in report.funnel if s.conversion_pct is not None]
    fell = [s for s in stages if s.previous_conversion_pct is not None and s.conversion_pct < s.previous_conversion_pct]
    if fell:
        return min(fell, key=lambda s: s.conversion_pct - s.previous_conversion_pct)
    later = [s for s in stages if s.stage != "leads"] or stages
    return min(later, key=lambda s: s.conversion_pct) if later else None


def leak_line(report, _) -> str:
    found = leak(report)
    if found is None:
        return _("No funnel data for this period.")
    lang = report.language
    line = _("Biggest leak: {stage} — {pct} of the stage before").format(
        stage=_(STAGE_LABELS[found.stage]), pct=fmt_pct(found.conversion_pct, lang)
    )
    if found.previous_conversion_pct is not None:
        line += " " + _("(was {pct})").format(pct=fmt_pct(found.previous_conversion_pct, lang))
    return line


def build_agenda(data) -> Message:
    ws, m, pack = data.ws, data.meeting, data.pack
    _ = translator(ws.language)
    lang = ws.language
    report = pack.report
    heading = _("Sales × Marketing sync · {date}").format(
        date=f"{m.starts_at.astimezone(ZoneInfo(ws.timezone)):%d.%m.%Y}"
    )
    sales = sorted({p.user_id for p in data.participants if p.department == "sales"})
    marketing = sorted({p.user_id for p in data.participants if p.department == "marketing"})
    headlines = []
    for name in ("leads", "target_leads", "sales", "revenue"):
        k = report.kpis[name]
        headlines.append(
            f"{_(KPI_LABELS[name])} {fmt_kpi_value(name, k.value, lang)} {fmt_change(name, k, lang)}".strip()
        )
    q = pack.quality
    quality_line = _("{judged} of {leads} leads judged, target share {share}").format(
        judged=q.judged, leads=q.leads, share=fmt_pct(q.target_share_pct, lang)
    )
    blocks: list[Block] = [
        HeaderBlock(text=heading[:150]),
        SectionBlock(
            fields=[
                _md(f"*{_('When')}*\n{when(ws, m.starts_at)}"),
                _md(f"*{_('Answers in')}*\n{_rate_line(data.rate, _)}"),
                _md(f"*{_('Sales')}*\n{_people(sales, _)}"),
                _md(f"*{_('Marketing')}*\n{_people(marketing, _)}"),
            ]
        ),
        SectionBlock(
            text=_md(
                f"*{_('Since the last sync')}* ({pack.period.label()})\n"
                + " · ".join(headlines)
                + f"\n{leak_line(report, _)}\n{quality_line}\n"
                + _("{n} open action item(s)").format(n=len(pack.open_actions))
            )
        ),
        ActionsBlock(
            elements=[ButtonElement(action_id=ids.SYNC_CLOSE, text=_("Close meeting"), value=str(m.id), style="danger")]
        ),
        ContextBlock(
            elements=[
                _md(
                    _(
                        "In the thread: the answers by question and department, the data pack, the funnel "
                        "picture and the ideal customer profile. During the meeting: `/sync notes`, `/sync action`, "
                        "`/sync icp`."
                    )
                )
            ]
        ),
    ]
    return Message(text=f"{heading}: {' · '.join(headlines)}", blocks=blocks)


def build_answers_text(ws: Workspace, questions: list[tuple[str, str]], answers: list, only: int | None = None) -> str:
    """The answers grouped by question, then by department; `only` keeps question N."""
    _ = translator(ws.language)
    by_question: dict[str, list] = {}
    for a in answers:
        by_question.setdefault(a.question, []).append(a)
    known = dict(questions)
    keys = [k for k, _t in questions] + [k for k in by_question if k not in known]
    lines = []
    for i, key in enumerate(keys, start=1):
        if only is not None and i != only:
            continue
        rows = by_question.get(key, [])
        text = known.get(key) or (rows[0].question_text if rows else key)
        lines.append(f"*{i}. {text}*")
        if not rows:
            lines.append(f"_{_('no answers')}_")
        for dept in ("sales", "marketing", None):
            mine = [a for a in rows if a.department == dept]
            if not mine:
                continue
            label = {"sales": _("Sales"), "marketing": _("Marketing"), None: _("Others")}[dept]
            lines.append(f"_{label}_")
            lines += [f"• <@{a.user_id}>: {_quote(a.answer, 600)}" for a in mine]
        lines.append("")
    return "\n".join(lines).strip()


def _feedback_lines(pack, _) -> list[str]:
    lines = []
    for kind, items in pack.feedback.items():
        label = _(FEEDBACK_LABELS.get(kind, kind))
        lines.append(f"*{label}: {len(items)}*")
        examples = list(dict.fromkeys(_quote(f.text, 200) for f in items if f.text))[:3]
        lines += [f"> {text}" for text in examples]
    return lines


def _action_line(item: ActionItem, _) -> str:
    due = f" — {_('due')} {item.due:%d.%m.%Y}" if item.due else ""
    owner = f"<@{item.owner}>" if item.owner else _("no owner")
    return f"• #{item.id} {item.text} — {owner}{due}"


def build_pack_text(data) -> str:
    ws, pack = data.ws, data.pack
    _ = translator(ws.language)
    lang = ws.language
    report = pack.report
    lines = [f"*{_('Data pack')}* · {pack.period.label()}", "", f"*{_('KPI changes since the last sync')}*"]
    for name in PACK_KPIS:
        k = report.kpis[name]
        before = fmt_kpi_value(name, k.previous, lang)
        lines.append(
            f"• {_(KPI_LABELS[name])}: {fmt_kpi_value(name, k.value, lang)} ({_('before')} {before}) "
            f"{fmt_change(name, k, lang)}".rstrip()
        )
    lines += ["", f"*{_('Funnel')}*"]
    found = leak(report)
    for s in report.funnel:
        mark = "  ⚠️" if found and s.stage == found.stage else ""
        conv = f" ({fmt_pct(s.conversion_pct, lang)})" if s.stage != "visitors" else ""
        lines.append(f"• {_(STAGE_LABELS[s.stage])}: {fmt_number(s.count, lang)}{conv}{mark}")
    q = pack.quality
    lines += ["", f"*{_('Lead quality')}*"]
    lines.append(
        _("{judged} of {leads} leads judged, {target} target ({share}); {waiting} still without a verdict").format(
            judged=q.judged, leads=q.leads, target=q.target, share=fmt_pct(q.target_share_pct, lang), waiting=q.waiting
        )
    )
    if q.reasons:
        lines.append(
            _("Top rejection reasons: {reasons}").format(
                reasons=", ".join(f"{r['reason']} ({r['count']})" for r in q.reasons)
            )
        )
    lines += ["", f"*{_('Customer feedback')}*", *_feedback_lines(pack, _)]
    lines += ["", f"*{_('Open action items')}*"]
    lines += [_action_line(i, _) for i in pack.open_actions[:20]] or [f"_{_('none')}_"]
    return "\n".join(lines)


def build_icp_text(ws: Workspace, icp, changes: list[str]) -> str:
    _ = translator(ws.language)
    if icp is None:
        return _("*Ideal customer profile*\nNot written yet: anyone can start it with `/sync icp`.")
    lines = [
        f"*{_('Ideal customer profile')}* (v{icp.version})",
        icp.profile or "—",
        "",
        f"*{_('Indicators of readiness to buy')}*",
        icp.indicators or "—",
    ]
    if changes:
        lines += ["", f"*{_('Changed since the last sync')}*", *changes]
    return "\n".join(lines)


def text_messages(text: str) -> list[Message]:
    chunks = _chunks(text)
    return [
        Message(text=chunks[0][:300], blocks=[SectionBlock(text=_md(c)) for c in chunks[i : i + 40]])
        for i in range(0, len(chunks), 40)
    ]


def build_agenda_thread(data) -> list[Message]:
    """The thread under the agenda: answers, data pack, ICP (each split to fit Slack's limits)."""
    from bot.sync.service import icp_changes

    _ = translator(data.ws.language)
    answers = f"*{_('Answers')}*\n\n" + build_answers_text(data.ws, data.questions, data.answers)
    icp = build_icp_text(data.ws, data.pack.icp, icp_changes(data.pack.icp_before, data.pack.icp))
    out = text_messages(answers) + text_messages(build_pack_text(data)) + text_messages(icp)
    if data.unreachable:
        out += text_messages(
            _("Could not be asked (left the workspace or DMs closed): {people}").format(
                people=", ".join(f"<@{u}>" for u in data.unreachable)
            )
        )
    return out


# --- after the meeting ----------------------------------------------------------------------------


def build_summary(data, by: str | None) -> Message:
    ws = data.ws
    _ = translator(ws.language)
    date = f"{data.meeting.starts_at.astimezone(ZoneInfo(ws.timezone)):%d.%m.%Y}"
    heading = _("Sync summary · {date}").format(date=date)
    lines = [f"*{_('Decisions')}*"]
    lines += [f"• {n.text}" for n in data.notes] or [f"_{_('none written down (`/sync notes …`)')}_"]
    lines += ["", f"*{_('New action items')}*"]
    lines += [_action_line(i, _) for i in data.new_actions] or [f"_{_('none')}_"]
    lines += ["", f"*{_('Done since the last sync')}*"]
    lines += [f"• ~#{i.id} {i.text}~" for i in data.done_actions] or [f"_{_('none')}_"]
    if data.icp_changes:
        lines += ["", f"*{_('Ideal customer profile')}* (v{data.icp.version})", *data.icp_changes]
    closed = _("Closed by <@{user}>").format(user=by) if by else _("Closed automatically at the end time")
    blocks: list[Block] = [HeaderBlock(text=heading[:150])]
    blocks += [SectionBlock(text=_md(c)) for c in _chunks("\n".join(lines))[:45]]
    blocks.append(ContextBlock(elements=[_md(closed)]))
    return Message(text=f"{heading}: {len(data.notes)} / {len(data.new_actions)}", blocks=blocks)


def build_action_dm(ws: Workspace, item: ActionItem, *, due_today: bool) -> Message:
    _ = translator(ws.language)
    if due_today:
        text = _("Due today: action item #{id} from the sync — {text}").format(id=item.id, text=item.text)
    else:
        text = _("You have an action item from the Sales × Marketing sync: #{id} {text}").format(
            id=item.id, text=item.text
        )
        if item.due:
            text += " " + _("(due {date})").format(date=f"{item.due:%d.%m.%Y}")
    hint = _("Mark it done with `/sync done {id}`.").format(id=item.id)
    return Message(text=text, blocks=[SectionBlock(text=_md(text)), ContextBlock(elements=[_md(hint)])])


def build_actions_list(ws: Workspace, items: list[ActionItem]) -> Message:
    _ = translator(ws.language)
    text = f"*{_('Open action items')}*\n" + ("\n".join(_action_line(i, _) for i in items) or _("none"))
    chunks = _chunks(text)
    return Message(text=chunks[0][:300], blocks=[SectionBlock(text=_md(c)) for c in chunks[:45]])


# --- modals ---------------------------------------------------------------------------------------


def _select(key: str, label: str, options: list[tuple[str, str]], current: str) -> InputBlock:
    opts = [Option(value=v, label=t) for v, t in options]
    initial = next((o for o in opts if o.value == current), None)
    return InputBlock(
        block_id=key,
        label=label,
        element=StaticSelectElement(action_id=ids.VALUE, options=opts, initial_option=initial),
    )


def _text(
    key: str, label: str, value: str | None, hint: str | None = None, *, multiline: bool = False, optional: bool = True
) -> InputBlock:
    """A text input; a multiline one takes up to Slack's 3,000 characters."""
    return InputBlock(
        block_id=key,
        label=label[:2000],
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ids.VALUE,
            initial_value=value or None,
            multiline=multiline,
            max_length=3000 if multiline else None,
        ),
    )


def build_setup_modal(ws: Workspace, s: SyncSeries | None, today, groups: dict[str, str] | None = None) -> View:
    _ = translator(ws.language)
    weekday = s.weekday if s else 3
    blocks: list[Block] = [
        _channel_input("channel", _("Channel for the agenda and the summary"), ws.sync_channel),
        _select("weekday", _("Weekday"), [(DAYS[i], _(WEEKDAYS[i])) for i in range(7)], DAYS[weekday]),
        InputBlock(
            block_id="time",
            label=_("Local time"),
            element=TimePickerElement(action_id=ids.VALUE, initial_time=s.time if s else "15:00"),
        ),
        _select(
            "length_minutes",
            _("Length"),
            [(str(n), _("{n} minutes").format(n=n)) for n in (30, 45, 60, 90, 120)],
            str(s.length_minutes if s else 60),
        ),
        _select(
            "every_weeks",
            _("Every"),
            [(str(n), _("{n} week(s)").format(n=n)) for n in (1, 2, 3, 4)],
            str(s.every_weeks if s else 2),
        ),
        InputBlock(
            block_id="start_date",
            label=_("First meeting on or after"),
            element=DatePickerElement(action_id=ids.VALUE, initial_date=(s.start_date if s else today).isoformat()),
        ),
        _text("timezone", _("Time zone"), s.timezone if s else ws.timezone, _("An IANA name such as Europe/Moscow.")),
        _users_input("sales", _("Participants from sales"), s.sales if s else ws.sales),
        _groups_input("sales", _("Participants from sales: user groups"), s.sales if s else ws.sales, groups or {}),
        _users_input("marketing", _("Participants from marketing"), s.marketing if s else ws.marketing),
        _groups_input(
            "marketing",
            _("Participants from marketing: user groups"),
            s.marketing if s else ws.marketing,
            groups or {},
        ),
        _text(
            "holidays", _("Holidays"), ", ".join(s.holidays) if s else "", _("Dates, YYYY-MM-DD, separated by commas.")
        ),
        _select(
            "holiday_rule",
            _("A meeting on a holiday is"),
            [("skip", _("skipped")), ("move", _("moved to the next working day"))],
            s.holiday_rule if s else "skip",
        ),
        _select(
            "ask_days",
            _("Ask the questions"),
            [(str(n), _("{n} working day(s) before").format(n=n)) for n in (1, 2, 3, 5)],
            str(s.ask_days if s else 2),
        ),
        _text(
            "reminders",
            _("Remind those who have not answered"),
            ", ".join(s.reminders) if s else "1d, 2h",
            _("Before the meeting: 1d = the working day before, 2h = two hours before."),
        ),
        _text("agenda_before", _("Post the agenda"), s.agenda_before if s else "1h", _("Before the meeting, like 1h.")),
        _text(
            "questions",
            _("Your own questions"),
            "\n".join(s.questions) if s else "",
            _("One per line; asked after the five standard ones."),
            multiline=True,
        ),
    ]
    return _modal(ws, ids.SYNC_SETUP_MODAL, _("Sync setup"), blocks)


def build_icp_modal(ws: Workspace, latest) -> View:
    _ = translator(ws.language)
    note = _("Version {v}. Saving makes a new version; the agenda shows what changed.").format(
        v=latest.version if latest else 0
    )
    blocks: list[Block] = [
        ContextBlock(elements=[_md(note)]),
        _text("profile", _("Ideal customer profile"), latest and latest.profile, multiline=True, optional=False),
        _text(
            "indicators",
            _("Indicators of readiness to buy"),
            latest and latest.indicators,
            multiline=True,
            optional=False,
        ),
    ]
    return _modal(ws, ids.SYNC_ICP_MODAL, _("Customer profile"), blocks)


def build_feedback_modal(ws: Workspace, text: str, **meta: object) -> View:
    _ = translator(ws.language)
    kinds = [("review", _("Review")), ("complaint", _("Complaint")), ("wish", _("Wish"))]
    ratings = [(str(n), "★" * n) for n in range(5, 0, -1)]
    blocks: list[Block] = [
        _select("kind", _("What is it"), kinds, "review"),
        InputBlock(
            block_id="rating",
            label=_("Rating"),
            optional=True,
            element=StaticSelectElement(action_id=ids.VALUE, options=[Option(value=v, label=t) for v, t in ratings]),
        ),
        _text("customer", _("Customer"), ""),
        _text("text", _("Feedback"), text[:3000], multiline=True, optional=False),
    ]
    return _modal(ws, ids.FEEDBACK_MODAL, _("Customer feedback"), blocks, **meta)


def build_next_text(ws: Workspace, series: SyncSeries, slots, cal) -> str:
    _ = translator(ws.language)
    if not series.active:
        return _("The sync is switched off (`handoff sync setup active=on` switches it on).")
    lines = [f"*{_('Coming syncs')}*" + (f" · <#{ws.sync_channel}>" if ws.sync_channel else "")]
    for slot in slots:
        if slot.skipped:
            lines.append(f"• ~{when(ws, slot.starts, series.timezone)}~ — {_('skipped: holiday')}")
            continue
        tl = cal.timeline(slot)
        moved = f" — {_('moved from {date} (holiday)').format(date=f'{slot.planned:%d.%m}')}" if slot.moved else ""
        ask, agenda = when(ws, tl.ask, series.timezone), when(ws, tl.agenda, series.timezone)
        lines.append(
            f"• *{when(ws, slot.starts, series.timezone)}*{moved}\n   {_('questions')} {ask} · {_('agenda')} {agenda}"
        )
    return "\n".join(lines) if slots else _("No sync in the coming weeks.")


def action_added_text(ws: Workspace, item: ActionItem) -> str:
    _ = translator(ws.language)
    due = " " + _("(due {date})").format(date=f"{item.due:%d.%m.%Y}") if item.due else ""
    return _("Action item #{id} for <@{owner}>: {text}{due}").format(
        id=item.id, owner=item.owner, text=item.text, due=due
    )
