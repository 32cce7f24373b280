"""Typed Block Kit builders. Pure: data in, blocks out; every message also gets a text fallback."""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    ExternalDataMultiSelectElement,
    HeaderBlock,
    ImageBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import N_, translator
from bot.kpi.engine import HEADLINE, KPI_LABELS, Report
from bot.kpi.render import REPORT_TITLES, fmt_change, fmt_kpi_value, funnel_line, title
from bot.workspace.keys import display_workdays
from storage.models import Workspace

MAX_MESSAGE_BLOCKS = 50


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[Block]

    def __post_init__(self) -> None:
        if len(self.blocks) > MAX_MESSAGE_BLOCKS:
            raise ValueError(f"a message holds at most {MAX_MESSAGE_BLOCKS} blocks, got {len(self.blocks)}")

    def to_kwargs(self) -> dict:
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def _md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def _channel(cid: str | None, _) -> str:
    return f"<#{cid}>" if cid else _("not set")


# Each line: (command, description); the description goes through the catalog when rendered.
HELP_LINES: list[tuple[str, str]] = [
    ("/handoff help", N_("what Handoff can do (this list)")),
    ("/handoff config", N_("settings: channels, time zone, language, working days, who is sales and marketing")),
    ("/kpi [day|week|month|DATE|DATE..DATE] [channel NAME]", N_("KPIs of a period, only for you")),
    ("/funnel [day|week|month|DATE..DATE]", N_("the funnel picture with the conversion at every stage")),
    ("/kpi post day|week|month", N_("post the digest to the digest channel now (admins)")),
    ("/lead", N_("add a lead by hand: it gets a card like the others")),
    ("/leads quality [week|month|DATE..DATE] [by channel|campaign|reason]", N_("lead quality for marketing")),
    ("/sync help", N_("the biweekly Sales × Marketing sync: questions, agenda, action items, the customer profile")),
    ("/feedback review|complaint|wish [1-5] text", N_("keep a customer's words for the next sync")),
]


def build_help(language: str) -> Message:
    _ = translator(language)
    lines = "\n".join(f"• `{cmd}` — {_(desc)}" for cmd, desc in HELP_LINES)
    intro = _("Handoff makes Sales and Marketing work as one funnel: lead feedback, KPI digests and the sync.")
    return Message(
        text=intro,
        blocks=[
            SectionBlock(text=_md(f"*{intro}*")),
            SectionBlock(text=_md(lines)),
            ContextBlock(elements=[_md(_("Settings can be changed by Handoff admins and workspace admins."))]),
        ],
    )


def build_notice(text: str) -> Message:
    return Message(text=text, blocks=[SectionBlock(text=_md(text))])


def _text_input(key: str, label: str, value: str, hint: str | None = None) -> InputBlock:
    return InputBlock(
        block_id=key,
        label=label,
        hint=hint,
        element=PlainTextInputElement(action_id=ids.VALUE, initial_value=value),
    )


def _channel_input(key: str, label: str, value: str | None) -> InputBlock:
    return InputBlock(
        block_id=key,
        label=label,
        optional=True,
        element=ConversationSelectElement(
            action_id=ids.VALUE,
            initial_conversation=value,
            filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
    )


def _groups_input(key: str, label: str, value: list[str], names: dict[str, str]) -> InputBlock:
    """User groups (S…) for a setting that also takes people; options are searched in Slack."""
    chosen = [Option(value=g, label=names.get(g, g)[:75]) for g in value if g.startswith("S")]
    return InputBlock(
        block_id=key + ids.GROUPS_SUFFIX,
        label=label,
        optional=True,
        element=ExternalDataMultiSelectElement(
            action_id=ids.USERGROUPS, min_query_length=0, initial_options=chosen or None
        ),
    )


def build_group_options(groups: list[tuple[str, str]]) -> list[Option]:
    """Options for a user-group picker: (id, label) pairs."""
    return [Option(value=gid, label=label[:75]) for gid, label in groups]


def _users_input(key: str, label: str, value: list[str], hint: str | None = None) -> InputBlock:
    users = [p for p in value if not p.startswith("S")]
    return InputBlock(
        block_id=key,
        label=label,
        hint=hint,
        optional=True,
        element=UserMultiSelectElement(action_id=ids.VALUE, initial_users=users or None),
    )


DIGESTS = ("daily", "weekly", "monthly")


def _modal(ws: Workspace, callback_id: str, title: str, blocks: list[Block], **meta: object) -> View:
    """A modal with Save/Cancel in the workspace's language; private_metadata names the workspace."""
    _ = translator(ws.language)
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title[:24]),
        submit=PlainTextObject(text=_("Save")),
        close=PlainTextObject(text=_("Cancel")),
        private_metadata=json.dumps({**meta, "team_id": ws.team_id}),
        blocks=blocks,
    )


def build_config_modal(ws: Workspace, groups: dict[str, str] | None = None) -> View:
    """The settings modal; `groups` names the user groups already chosen (id → label)."""
    _ = translator(ws.language)
    languages = [Option(value="en", label="English"), Option(value="ru", label="Русский")]
    current_lang = next(o for o in languages if o.value == ws.language)
    digest_labels = {d: _(REPORT_TITLES[d]) for d in (*DIGESTS, "quality")}
    digest_options = {d: Option(value=d, label=label) for d, label in digest_labels.items()}
    on = {d: getattr(ws, f"{d}_digest") for d in DIGESTS} | {"quality": ws.quality_report}
    enabled = [digest_options[d] for d, active in on.items() if active]
    blocks: list[Block] = [
        _channel_input("leads_channel", _("Channel for lead cards"), ws.leads_channel),
        _channel_input("digest_channel", _("Channel for KPI digests"), ws.digest_channel),
        _channel_input("marketing_channel", _("Channel for marketing reports"), ws.marketing_channel),
        _channel_input("sync_channel", _("Channel for the Sales × Marketing sync"), ws.sync_channel),
        InputBlock(
            block_id="language",
            label=_("Language"),
            element=StaticSelectElement(action_id=ids.VALUE, options=languages, initial_option=current_lang),
        ),
        _text_input("timezone", _("Time zone"), ws.timezone, _("An IANA name, e.g. Europe/Moscow or America/New_York")),
        _text_input("workdays", _("Working days"), display_workdays(ws.workdays), _("e.g. mon-fri or sun-thu")),
        _text_input("work_hours", _("Working hours"), ws.work_hours, _("e.g. 09:00-18:00")),
        _users_input("admins", _("Handoff admins"), ws.admins),
        _groups_input("admins", _("Handoff admins: user groups"), ws.admins, groups or {}),
        _users_input("sales", _("Sales team"), ws.sales),
        _groups_input("sales", _("Sales team: user groups"), ws.sales, groups or {}),
        _users_input("marketing", _("Marketing team"), ws.marketing),
        _groups_input("marketing", _("Marketing team: user groups"), ws.marketing, groups or {}),
        DividerBlock(),
        InputBlock(
            block_id="digests",
            label=_("Digests"),
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE, options=list(digest_options.values()), initial_options=enabled or None
            ),
        ),
    ]
    times = {f"{d}_digest_time": d for d in DIGESTS} | {"quality_report_time": "quality"}
    for key, d in times.items():
        blocks.append(
            InputBlock(
                block_id=key,
                label=digest_labels[d] + " — " + _("local time"),
                element=TimePickerElement(action_id=ids.VALUE, initial_time=getattr(ws, key)),
            )
        )
    return _modal(ws, ids.CONFIG_MODAL, _("Handoff settings"), blocks)


def build_home(ws: Workspace, counts: dict[str, int], schedule: list[str], sync: list[str] | None = None) -> View:
    _ = translator(ws.language)
    configured = any([ws.leads_channel, ws.digest_channel, ws.marketing_channel, ws.sync_channel])
    blocks: list[Block] = [HeaderBlock(text=_("Handoff: Sales and Marketing as one funnel"))]
    if not configured:
        blocks.append(
            SectionBlock(
                text=_md(
                    _(
                        "*Nothing is configured yet.* An admin runs `/handoff config` (or presses the button) "
                        "to choose the channels, the time zone and who is in sales and marketing."
                    )
                )
            )
        )
    blocks += [
        SectionBlock(
            fields=[
                _md(f"*{_('Lead cards')}*\n{_channel(ws.leads_channel, _)}"),
                _md(f"*{_('KPI digests')}*\n{_channel(ws.digest_channel, _)}"),
                _md(f"*{_('Marketing reports')}*\n{_channel(ws.marketing_channel, _)}"),
                _md(f"*{_('Sales × Marketing sync')}*\n{_channel(ws.sync_channel, _)}"),
                _md(f"*{_('Time zone')}*\n{ws.timezone}"),
                _md(f"*{_('Working days and hours')}*\n{display_workdays(ws.workdays)}, {ws.work_hours}"),
                _md(f"*{_('Sales team')}*\n{_people(ws.sales, _)}"),
                _md(f"*{_('Marketing team')}*\n{_people(ws.marketing, _)}"),
            ]
        ),
        DividerBlock(),
        SectionBlock(text=_md(f"*{_('Scheduled')}*\n" + ("\n".join(schedule) if schedule else _("nothing yet")))),
        SectionBlock(
            text=_md(
                f"*{_('Data loaded')}*\n"
                + _("{leads} leads · {deals} deals · {spend} days of spend · {traffic} days of traffic").format(
                    leads=counts.get("leads", 0),
                    deals=counts.get("deals", 0),
                    spend=counts.get("spend_days", 0),
                    traffic=counts.get("traffic_days", 0),
                )
            )
        ),
    ]
    if counts.get("awaiting_verdict"):
        waiting = _("{n} lead card(s) wait for a verdict from sales").format(n=counts["awaiting_verdict"])
        where = f" — <#{ws.leads_channel}>" if ws.leads_channel else ""
        blocks.append(SectionBlock(text=_md(f"*{_('Leads')}*\n{waiting}{where}")))
    if sync:
        blocks.append(SectionBlock(text=_md((f"*{_('Sales × Marketing sync')}*\n" + "\n".join(sync))[:3000])))
    blocks.append(
        ActionsBlock(elements=[ButtonElement(action_id=ids.HOME_OPEN_CONFIG, text=_("Settings"), style="primary")])
    )
    return View(type="home", blocks=blocks)


def _people(principals: list[str], _) -> str:
    if not principals:
        return _("not set")
    return ", ".join(f"<!subteam^{p}>" if p.startswith("S") else f"<@{p}>" for p in principals)


def build_digest(report: Report, *, late: bool = False) -> Message:
    """The short parent message: headline KPIs with arrows and % change, the funnel line, the top alerts."""
    _ = translator(report.language)
    lang = report.language
    context = [f"{_('Compared with')} {report.previous_period.label()}", report.tz]
    if late:
        context.append(_("posted late: the bot was offline at the scheduled time"))
    fields = []
    for name in HEADLINE:
        k = report.kpis[name]
        change = fmt_change(name, k, lang)
        fields.append(_md(f"*{_(KPI_LABELS[name])}*\n{fmt_kpi_value(name, k.value, lang)}  {change}".rstrip()))
    blocks: list[Block] = [
        HeaderBlock(text=title(report)[:150]),
        ContextBlock(elements=[_md(" · ".join(context))]),
        SectionBlock(fields=fields),
        SectionBlock(text=_md(f"*{_('Funnel')}*\n{funnel_line(report)}")),
    ]
    if report.alerts:
        lines = "\n".join(f"• {a.text}" for a in report.alerts[:5])
        blocks.append(SectionBlock(text=_md(f"*{_('What to do')}*\n{lines}"[:3000])))
    blocks.append(ContextBlock(elements=[_md(_("The funnel picture and the channel table are in the thread."))]))
    headline = ", ".join(f"{_(KPI_LABELS[n])} {fmt_kpi_value(n, report.kpis[n].value, lang)}" for n in HEADLINE)
    return Message(text=f"{title(report)}: {headline}", blocks=blocks)


def build_on_demand(report: Report, *, file_id: str | None, focus: str, post_value: str) -> Message:
    """The ephemeral /kpi or /funnel answer: the numbers, the funnel picture, a "Post to channel" button."""
    _ = translator(report.language)
    digest = build_digest(report)
    blocks: list[Block] = list(digest.blocks[:-1])  # all but the "see the thread" note
    if focus == "funnel":
        blocks = [blocks[0], blocks[1], blocks[3]]
    if file_id:
        blocks.append(ImageBlock(slack_file={"id": file_id}, alt_text=funnel_line(report)[:2000], title=_("Funnel")))
    blocks.append(
        ActionsBlock(elements=[ButtonElement(action_id=ids.POST_REPORT, text=_("Post to channel"), value=post_value)])
    )
    return Message(text=digest.text, blocks=blocks)


def _verdict_line(ws: Workspace, state, _) -> str:
    from bot.leads.cards import VERDICT_LABELS, reason_label

    if state.verdict is None:
        return _("*Waiting for a verdict from sales.*")
    when = state.at.astimezone(ZoneInfo(ws.timezone)).strftime("%d.%m.%Y %H:%M") if state.at else ""
    line = f"*{_(VERDICT_LABELS[state.verdict])}*"
    if state.reason:
        line += f" — {reason_label(ws, state.reason)}"
    if state.note:
        line += f"\n> {state.note[:500]}"
    line += "\n" + _("by <@{user}> on {when}").format(user=state.user_id, when=when)
    if state.changes:
        line += " · " + _("changed {n} time(s)").format(n=state.changes)
    return line


def _owner(owner: str | None, _) -> str:
    """A Slack user id is shown as a mention, a CRM name as it is."""
    if owner and owner[:1] in "UW" and owner[1:].isalnum() and owner.isupper():
        return f"<@{owner}>"
    return owner or "—"


def build_lead_card(ws: Workspace, lead, state) -> Message:
    """The lead as sales sees it in the leads channel, with one button per verdict."""
    from bot.leads.cards import VERDICT_LABELS, VERDICTS

    _ = translator(ws.language)
    who = " · ".join(x for x in (lead.name, lead.company) if x) or lead.external_id
    utm = " / ".join(x for x in (lead.utm_source, lead.utm_medium, lead.utm_campaign) if x)
    fields = [
        _md(f"*{_('Source channel')}*\n{lead.channel or _('(not set)')}"),
        _md(f"*{_('Campaign')}*\n{lead.campaign or utm or '—'}"),
        _md(f"*{_('Interested in')}*\n{lead.product or '—'}"),
        _md(f"*{_('Owner')}*\n{_owner(lead.owner, _)}"),
    ]
    contact = " · ".join(x for x in (lead.email, lead.phone) if x)
    if contact:
        fields.append(_md(f"*{_('Contact')}*\n{contact}"))
    if utm and lead.campaign:
        fields.append(_md(f"*UTM*\n{utm}"))
    blocks: list[Block] = [
        HeaderBlock(text=(_("New lead") + f": {who}")[:150]),
        SectionBlock(fields=fields),
    ]
    if lead.message:
        blocks.append(SectionBlock(text=_md(f"*{_('What they asked')}*\n{lead.message[:2800]}")))
    blocks.append(SectionBlock(text=_md(_verdict_line(ws, state, _))))
    buttons = []
    for v in VERDICTS:
        style = "primary" if v == "target" and state.verdict == "target" else None
        if v != "target" and state.verdict == v:
            style = "danger"
        buttons.append(
            ButtonElement(
                action_id=ids.VERDICT_ACTION_PREFIX + v, text=_(VERDICT_LABELS[v]), value=str(lead.id), style=style
            )
        )
    blocks.append(ActionsBlock(block_id=f"verdict-{lead.id}", elements=buttons))
    blocks.append(ContextBlock(elements=[_md(_("Discuss this lead in the thread: replies are kept for marketing."))]))
    return Message(text=_("New lead") + f": {who} ({lead.channel or '—'})", blocks=blocks)


def build_verdict_modal(ws: Workspace, lead, verdict: str) -> View:
    from bot.leads.cards import VERDICT_LABELS, reason_options

    _ = translator(ws.language)
    options = [Option(value=v, label=label[:75]) for v, label in reason_options(ws)]
    who = " · ".join(x for x in (lead.name, lead.company) if x) or lead.external_id
    return _modal(
        ws,
        ids.VERDICT_MODAL,
        _(VERDICT_LABELS[verdict]),
        [
            SectionBlock(text=_md(f"*{who}* · {lead.channel or '—'}")),
            InputBlock(
                block_id=ids.REASON,
                label=_("Reason"),
                element=StaticSelectElement(action_id=ids.VALUE, options=options[:100]),
            ),
            InputBlock(
                block_id=ids.NOTE,
                label=_("Comment for marketing"),
                optional=True,
                element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=1000),
            ),
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
        InputBlock(
            block_id=f,
            label=labels[f],
            optional=f != "name",
            element=PlainTextInputElement(action_id=ids.VALUE, multiline=f == "message"),
        )
        for f in ids.LEAD_FIELDS
    ]
    return _modal(ws, ids.LEAD_MODAL, _("New lead"), blocks)
