"""The agenda of a sync with its thread (answers, data pack, ICP), and the summary after it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot import ids
from bot.i18n import N_, plural, translator
from bot.kpi.catalog import AGENDA, SYNC_PACK, label
from bot.kpi.engine import Report
from bot.kpi.funnel import biggest_leak
from bot.kpi.render import fmt_change, fmt_kpi_value, fmt_pct, funnel_line
from bot.slack.kit import (
    Message,
    Mrkdwn,
    bold,
    chunks,
    context,
    escape,
    header,
    italic,
    join,
    md,
    mention,
    principals,
    quote,
    section,
    text_messages,
)
from bot.sync.blocks.items import build_goal_opening, build_item_blocks, decision_lines
from bot.sync.blocks.text import action_line, build_answers_text, when
from bot.sync.model import Agenda, DataPack, Summary
from storage.models import IcpVersion, Workspace

FEEDBACK_LABELS = {"review": N_("Reviews"), "complaint": N_("Complaints"), "wish": N_("Wishes")}
ACTIONS_SHOWN = 20
MAX_SECTIONS = 45


def _rate_line(rate: dict[str, tuple[int, int]], language: str) -> str:
    _ = translator(language)
    labels = {"sales": _("Sales"), "marketing": _("Marketing")}
    parts = []
    for dept, (answered, asked) in rate.items():
        pct = f" ({int(100 * answered / asked + 0.5)}%)" if asked else ""  # half up: 1 of 8 is 13%
        parts.append(f"{labels[dept]} {answered}/{asked}{pct}")
    return " · ".join(parts)


def leak_line(report: Report) -> str:
    _ = translator(report.language)
    found = biggest_leak(report.funnel)
    if found is None:
        return _("No funnel data for this period.")
    lang = report.language
    return _("Biggest leak: {stage} — {pct} of the stage before, for the leads of {days}").format(
        stage=label(found.stage, lang), pct=fmt_pct(found.conversion_pct, lang), days=report.funnel.cohort.label(lang)
    )


def build_agenda(data: Agenda) -> Message:
    ws, m, pack = data.ws, data.meeting, data.pack
    _, ngettext = translator(ws.language), plural(ws.language)
    lang = ws.language
    report = pack.report
    heading = _("Sales × Marketing sync · {date}").format(
        date=f"{m.starts_at.astimezone(ZoneInfo(ws.timezone)):%d.%m.%Y}"
    )
    sales = sorted({p.user_id for p in data.participants if p.department == "sales"})
    marketing = sorted({p.user_id for p in data.participants if p.department == "marketing"})
    headlines = [
        f"{label(name, lang)} {fmt_kpi_value(name, report.kpis[name].value, lang, report.currency)} "
        f"{fmt_change(name, report.kpis[name], lang)}".strip()
        for name in AGENDA
    ]
    q = pack.quality
    quality_line = _("{judged} of {leads} leads judged, {share} of them target").format(
        judged=q.judged, leads=q.leads, share=fmt_pct(q.judged_target_share_pct, lang)
    )
    since = md(
        "{} ({})\n{}\n{}\n{}\n{}",
        bold(_("Since the last sync")),
        pack.period.label(lang),
        " · ".join(headlines),
        leak_line(report),
        quality_line,
        ngettext("{n} open action item", "{n} open action items", len(pack.open_actions)).format(
            n=len(pack.open_actions)
        ),
    )
    blocks: list[Block] = [
        header(heading),
        section(
            fields=[
                md("{}\n{}", bold(_("When")), when(ws, m.starts_at)),
                md("{}\n{}", bold(_("Answers in")), _rate_line(data.rate, lang)),
                md("{}\n{}", bold(_("Sales")), principals(sales) or _("not set")),
                md("{}\n{}", bold(_("Marketing")), principals(marketing) or _("not set")),
            ]
        ),
        *(build_goal_opening(data.goal, lang, ws.currency) if data.goal else []),
        section(since),
        *(build_item_blocks(data.goal, m.id or 0, lang, ws.currency) if data.goal else []),
        ActionsBlock(
            elements=[ButtonElement(action_id=ids.SYNC_CLOSE, text=_("Close meeting"), value=str(m.id), style="danger")]
        ),
        context(
            Mrkdwn(
                _(
                    "In the thread: the answers by question and department, the data pack, the funnel "
                    "picture and the ideal customer profile. During the meeting: `/sync notes`, `/sync action`, "
                    "`/sync icp`."
                )
            )
        ),
    ]
    return Message(text=md("{}: {}", heading, " · ".join(headlines)), blocks=blocks)


def _feedback_lines(pack: DataPack, language: str) -> list[Mrkdwn]:
    _ = translator(language)
    lines = []
    for kind, items in pack.feedback.items():
        lines.append(bold(f"{_(FEEDBACK_LABELS.get(kind, kind))}: {len(items)}"))
        examples = list(dict.fromkeys(f.text for f in items if f.text))[:3]
        lines += [quote(text, 200) for text in examples]
    return lines


def build_pack_text(data: Agenda) -> Mrkdwn:
    ws, pack = data.ws, data.pack
    _ = translator(ws.language)
    lang = ws.language
    report = pack.report
    lines = [
        md("{} · {}", bold(_("Data pack")), pack.period.label(lang)),
        Mrkdwn(""),
        bold(_("KPI changes since the last sync")),
    ]
    for name in SYNC_PACK:
        k = report.kpis[name]
        lines.append(
            md(
                "• {}: {} ({} {}) {}",
                label(name, lang),
                fmt_kpi_value(name, k.value, lang, report.currency),
                _("before"),
                fmt_kpi_value(name, k.previous, lang, report.currency),
                fmt_change(name, k, lang),
            ).rstrip()
        )
    lines += [Mrkdwn(""), bold(_("Funnel"))]
    lines += [md("• {}", line) for line in funnel_line(report).split("\n")]
    q = pack.quality
    lines += [Mrkdwn(""), bold(_("Lead quality"))]
    lines.append(
        escape(
            _("{judged} of {leads} leads judged, {target} target ({share}); {waiting} still without a verdict").format(
                judged=q.judged,
                leads=q.leads,
                target=q.target,
                share=fmt_pct(q.judged_target_share_pct, lang),
                waiting=q.waiting,
            )
        )
    )
    if q.reasons:
        reasons = ", ".join(f"{r['reason']} ({r['count']})" for r in q.reasons)
        lines.append(md(_("Top rejection reasons: {reasons}"), reasons=reasons))
    lines += [Mrkdwn(""), bold(_("Customer feedback")), *_feedback_lines(pack, lang)]
    lines += [Mrkdwn(""), bold(_("Open action items"))]
    lines += [action_line(ws, i) for i in pack.open_actions[:ACTIONS_SHOWN]] or [italic(_("none"))]
    return join(lines)


def build_icp_text(ws: Workspace, icp: IcpVersion | None, changes: list[str]) -> Mrkdwn:
    _ = translator(ws.language)
    if icp is None:
        return Mrkdwn(_("*Ideal customer profile*\nNot written yet: anyone can start it with `/sync icp`."))
    lines = [
        md("{} (v{})", bold(_("Ideal customer profile")), icp.version),
        escape(icp.profile or "—"),
        Mrkdwn(""),
        bold(_("Indicators of readiness to buy")),
        escape(icp.indicators or "—"),
    ]
    if changes:
        lines += [Mrkdwn(""), bold(_("Changed since the last sync")), *(escape(c) for c in changes)]
    return join(lines)


def build_agenda_thread(data: Agenda) -> list[Message]:
    """The thread under the agenda: answers, data pack, ICP (each split to fit Slack's limits)."""
    _ = translator(data.ws.language)
    answers = md("{}\n\n{}", bold(_("Answers")), build_answers_text(data.ws, data.questions, data.answers))
    icp = build_icp_text(data.ws, data.pack.icp, data.pack.icp_changes)
    out = text_messages(answers) + text_messages(build_pack_text(data)) + text_messages(icp)
    if data.unreachable:
        who = join((mention(u) for u in data.unreachable), ", ")
        out += text_messages(md(_("Could not be asked (left the workspace or DMs closed): {people}"), people=who))
    return out


def build_summary(data: Summary, by: str | None) -> Message:
    ws = data.ws
    _ = translator(ws.language)
    date = f"{data.meeting.starts_at.astimezone(ZoneInfo(ws.timezone)):%d.%m.%Y}"
    heading = _("Sync summary · {date}").format(date=date)
    none = italic(_("none"))
    lines = [bold(_("Decisions")), *decision_lines(data)]
    lines += [Mrkdwn(""), bold(_("New action items"))]
    lines += [action_line(ws, i) for i in data.new_actions] or [none]
    lines += [Mrkdwn(""), bold(_("Done since the last sync"))]
    lines += [md("• ~#{} {}~", i.id, i.text) for i in data.done_actions] or [none]
    if data.icp_changes and data.icp is not None:
        lines += [Mrkdwn(""), md("{} (v{})", bold(_("Ideal customer profile")), data.icp.version)]
        lines += [escape(c) for c in data.icp_changes]
    closed = md(_("Closed by {user}"), user=mention(by)) if by else escape(_("Closed automatically at the end time"))
    parts = chunks(join(lines))
    blocks: list[Block] = [header(heading)]
    blocks += [section(c) for c in parts[:MAX_SECTIONS]]
    if len(parts) > MAX_SECTIONS:
        more = md(
            _("…and {n} more parts: `/sync actions` and `handoff export actions` have them all."),
            n=len(parts) - MAX_SECTIONS,
        )
        blocks.append(section(more))
    blocks.append(context(closed))
    return Message(text=md("{}: {} / {}", heading, len(data.notes), len(data.new_actions)), blocks=blocks)
