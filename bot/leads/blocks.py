"""Block Kit for leads: the card sales judges, the verdict and /lead modals, the lead-quality report.

Everything a lead carries (name, company, channel, campaign, message, owner, comments) is outside
text: it reaches mrkdwn only through the kit, escaped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import plural, translator
from bot.kpi.catalog import name
from bot.kpi.render import fmt_age, fmt_number, fmt_pct
from bot.leads.quality import SHARE, Quality
from bot.leads.verdicts import REASON_OPTIONAL, VERDICTS, CardState, reason_label, reason_options, verdict_label
from bot.slack import modals
from bot.slack.kit import Message, Mrkdwn, bold, context, escape, header, join, md, mention, quote, section
from bot.workspace.formats import crm_link
from bot.workspace.worktime import add_working_hours
from storage.models import Lead, Workspace

NOTE_SHOWN = 500
REASONS_SHOWN = 5  # in the weekly report; the /leads quality table shows up to TABLE_ROWS
TABLE_ROWS = 40
MESSAGE_SHOWN = 2800
URL_LIMIT = 3000  # characters Slack takes in a button's url
# A lead that waited at least this long for its card (imported, or queued while no leads channel was
# set) says how long: sales should know it is not fresh.
LATE_CARD = timedelta(hours=1)


def _who(lead: Lead) -> str:
    return " · ".join(x for x in (lead.name, lead.company) if x) or lead.external_id


def _field(title: str, value: Mrkdwn | str) -> Mrkdwn:
    return md("{}\n{}", bold(title), value)


def _verdict_line(ws: Workspace, state: CardState) -> Mrkdwn:
    _ = translator(ws.language)
    if state.verdict is None:
        return Mrkdwn(_("*Waiting for a verdict from sales.*"))
    when = state.at.astimezone(ZoneInfo(ws.timezone)).strftime("%d.%m.%Y %H:%M") if state.at else ""
    line = bold(verdict_label(state.verdict, ws.language))
    if state.reason:
        line += md(" — {}", reason_label(ws, state.reason))
    if state.note:
        line += md("\n{}", quote(state.note, NOTE_SHOWN))
    line += md("\n") + md(_("by {user} on {when}"), user=mention(state.user_id), when=when)
    if state.changes:
        ngettext = plural(ws.language)
        line += md(" · ") + md(ngettext("changed once", "changed {n} times", state.changes), n=state.changes)
    return line


def _moment(at: datetime, ws: Workspace) -> str:
    """`Mon 30 Nov, 14:05`, `пн, 30 нояб., 14:05` in the workspace's time zone and language."""
    pattern = "EEE, d MMM, HH:mm" if ws.language == "ru" else "EEE d MMM, HH:mm"
    return format_datetime(at, pattern, tzinfo=ZoneInfo(ws.timezone), locale=ws.language)


def _timing(ws: Workspace, lead: Lead, state: CardState, now: datetime) -> list[Mrkdwn]:
    """When the lead came in (and how late its card is, when it is), and while it waits, when its verdict
    is due: `sla_hours` working hours from the card, as the nudges count them."""
    _ = translator(ws.language)
    carded = lead.card_posted_at or now
    fields = []
    if lead.created_at is not None:
        came = _moment(lead.created_at, ws)
        if carded - lead.created_at >= LATE_CARD:
            came += "\n" + _("{age} before this card").format(
                age=fmt_age((carded - lead.created_at).total_seconds() // 3600, ws.language, days_from=48)
            )
        fields.append(_field(_("Came in"), came))
    if state.verdict is None and ws.sla_hours:
        due = add_working_hours(
            carded, ws.sla_hours, tz=ws.timezone, workdays=ws.workdays, work_hours=ws.work_hours, holidays=ws.holidays
        )
        if due is not None:
            fields.append(_field(_("Verdict due"), _moment(due, ws)))
    return fields


def _crm_button(ws: Workspace, lead: Lead) -> ButtonElement | None:
    """A link to the lead's page in the CRM: for leads the CRM sent (not ones added in Slack)."""
    if not ws.crm_lead_url or not lead.external_id or lead.source == "slack":
        return None
    url = crm_link(ws.crm_lead_url, lead.external_id)
    if len(url) > URL_LIMIT:
        return None
    _ = translator(ws.language)
    return ButtonElement(action_id=ids.OPEN_IN_CRM, text=_("Open in CRM"), url=url)


def build_lead_card(ws: Workspace, lead: Lead, state: CardState, *, now: datetime) -> Message:
    """The lead as sales sees it in the leads channel, with one button per verdict (and a link to the CRM).
    `now`: when it is built (the card's first post counts the SLA from then)."""
    _ = translator(ws.language)
    who = _who(lead)
    utm = " / ".join(x for x in (lead.utm_source, lead.utm_medium, lead.utm_campaign) if x)
    fields = [
        _field(_("Source channel"), lead.channel or _("(not set)")),
        _field(_("Campaign"), lead.campaign or utm or "—"),
        _field(_("Interested in"), lead.product or "—"),
        _field(_("Owner"), mention(lead.owner) if lead.owner else "—"),
    ]
    contact = " · ".join(x for x in (lead.email, lead.phone) if x)
    if contact:
        fields.append(_field(_("Contact"), contact))
    if utm and lead.campaign:
        fields.append(_field("UTM", utm))
    fields += _timing(ws, lead, state, now)
    # Once judged, the header says so: the channel reads at a glance which leads are done.
    title = verdict_label(state.verdict, ws.language) if state.verdict else _("New lead")
    blocks: list[Block] = [header(f"{title}: {who}"), section(fields=fields)]
    if lead.message:
        blocks.append(section(_field(_("What they asked"), lead.message[:MESSAGE_SHOWN])))
    blocks.append(section(_verdict_line(ws, state)))
    buttons = []
    for v in VERDICTS:
        style = "primary" if v == "target" and state.verdict == "target" else None
        if v != "target" and state.verdict == v:
            style = "danger"
        buttons.append(
            ButtonElement(
                action_id=ids.VERDICT_ACTION_PREFIX + v,
                text=verdict_label(v, ws.language),
                value=str(lead.id),
                style=style,
            )
        )
    if crm := _crm_button(ws, lead):
        buttons.append(crm)
    blocks.append(ActionsBlock(block_id=f"verdict-{lead.id}", elements=buttons))
    blocks.append(context(escape(_("Discuss this lead in the thread: replies are kept for marketing."))))
    return Message(text=md("{}: {} ({})", title, who, lead.channel or "—"), blocks=blocks)


def build_verdict_modal(ws: Workspace, lead: Lead, verdict: str) -> View:
    _ = translator(ws.language)
    return modals.modal(
        ws.language,
        ws.team_id,
        ids.VERDICT_MODAL,
        verdict_label(verdict, ws.language),
        [
            section(md("{} · {}", bold(_who(lead)), lead.channel or "—")),
            modals.select(
                ids.REASON, _("Reason"), reason_options(ws, verdict), None, optional=verdict in REASON_OPTIONAL
            ),
            modals.text_input(ids.NOTE, _("Comment for marketing"), None, multiline=True, max_length=1000),
        ],
        lead_id=lead.id,
        verdict=verdict,
    )


def build_lead_modal(ws: Workspace) -> View:
    _ = translator(ws.language)
    labels = {
        "name": _("Name"),
        "company": _("Company"),
        "email": _("Email"),
        "phone": _("Phone"),
        "channel": _("Source channel"),
        "campaign": _("Campaign"),
        "product": _("Interested in"),
        "message": _("What they asked"),
    }
    blocks: list[Block] = [
        modals.text_input(f, labels[f], None, multiline=f == "message", optional=f != "name", max_length=None)
        for f in ids.LEAD_FIELDS
    ]
    return modals.modal(ws.language, ws.team_id, ids.LEAD_MODAL, _("New lead"), blocks)


# --- lead quality --------------------------------------------------------------------------------


def quality_summary(q: Quality) -> str:
    """`20 leads, 16 judged, 4 still waiting. Target share of judged leads: 37.5%.`"""
    _ = translator(q.language)
    ngettext = plural(q.language)
    leads = ngettext("{n} lead", "{n} leads", q.leads).format(n=q.leads)
    rest = _("{judged} judged, {waiting} still waiting.").format(judged=q.judged, waiting=q.waiting)
    return f"{leads}, {rest} {name(SHARE, q.language)}: {fmt_pct(q.judged_target_share_pct, q.language)}."


def quality_sla(q: Quality) -> str:
    """`Judged within the SLA (4 working hours): 75.0%, 9 of 12.`; empty without an SLA or a lead due."""
    if not q.sla.hours or not q.sla.due:
        return ""
    _ = translator(q.language)
    sentence = _("{label} ({n} working hours): {pct}, {kept} of {due}").format(
        label=name("sla_kept_pct", q.language),
        n=q.sla.hours,
        pct=fmt_pct(q.sla.kept_pct, q.language),
        kept=q.sla.kept,
        due=q.sla.due,
    )
    return sentence + "."


def _group_line(q: Quality, row: dict, *, change: bool) -> Mrkdwn:
    _ = translator(q.language)
    ngettext = plural(q.language)
    shown = ""
    if change and row["change_pp"] is not None:
        sign = "+" if row["change_pp"] >= 0 else "−"
        shown = f" ({sign}{fmt_number(abs(row['change_pp']), q.language, 1)} {_('pp')})"
    counts = ngettext("{n} lead", "{n} leads", row["leads"]).format(n=row["leads"])
    counts += ", " + _("{judged} judged, {target} target").format(judged=row["judged"], target=row["target"])
    return md("• {}: {}{} · {}", bold(row["name"] or _("(not set)")), fmt_pct(row[SHARE], q.language), shown, counts)


def _reason_lines(q: Quality, shown: int) -> Mrkdwn:
    ngettext = plural(q.language)
    return join(
        md("• {}: {}", r["reason"], ngettext("{n} lead", "{n} leads", r["count"]).format(n=r["count"]))
        for r in q.reasons[:shown]
    )


def build_quality_message(q: Quality, ws: Workspace) -> Message:
    _ = translator(q.language)
    title = _("Lead quality") + f" · {q.period.label(q.language)}"
    summary = " ".join(x for x in (quality_summary(q), quality_sla(q)) if x)
    lines = [_group_line(q, r, change=True) for r in q.groups.get("channel", [])[:10]]
    by_channel = _("{share} by channel").format(share=name(SHARE, q.language))
    blocks: list[Block] = [
        header(title),
        section(escape(summary)),
        section(md("{}\n{}", bold(by_channel), join(lines) or "—")),
    ]
    if q.reasons:
        blocks.append(section(md("{}\n{}", bold(_("Top rejection reasons")), _reason_lines(q, REASONS_SHOWN))))
    if q.quotes:
        quotes = join(
            md("{}\n— {}, {}", quote(x["text"], 280), x["channel"] or "—", verdict_label(x["verdict"], q.language))
            for x in q.quotes[:3]
        )
        blocks.append(section(md("{}\n{}", bold(_("From the threads")), quotes)))
    export = ButtonElement(action_id=ids.QUALITY_EXPORT, text=_("Export CSV"), value=q.period.key())
    blocks.append(ActionsBlock(block_id=ids.QUALITY_EXPORT, elements=[export]))
    blocks.append(context(escape(_("Export posts the numbers of this report as CSV in its thread."))))
    return Message(text=md("{}: {}", title, summary), blocks=blocks)


def build_quality_table(q: Quality, by: str) -> Message:
    """The ephemeral `/leads quality` answer: one line per channel, campaign or reason."""
    _ = translator(q.language)
    title = _("Lead quality") + f" · {q.period.label(q.language)}"
    if by == "reason":
        table = _reason_lines(q, TABLE_ROWS)
    else:
        table = join(_group_line(q, r, change=False) for r in q.groups.get(by, [])[:TABLE_ROWS])
    head = quality_summary(q)
    return Message(
        text=md("{}: {}", title, head),
        blocks=[header(title), section(escape(head)), section(table or escape("—"))],
    )
