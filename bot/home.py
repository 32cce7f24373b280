"""What Handoff shows of itself: App Home (the workspace's state, the schedule, this person's sync)
and `/handoff help`."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock
from slack_sdk.models.views import View

from bot import ids
from bot.deps import Deps
from bot.i18n import N_, plural, translator
from bot.kpi.agreement import current_standing
from bot.kpi.agreement_blocks import standing_blocks
from bot.kpi.render import fmt_number
from bot.kpi.schedule import Occurrence, occurrences
from bot.leads.cards import CARD_LOOKBACK
from bot.slack.kit import Message, Mrkdwn, bold, channel_link, context, escape, header, join, md, principals, section
from bot.sync.blocks.text import when
from bot.sync.calendar import Calendar
from bot.workspace.keys import REPORT_TITLES, display_workdays
from bot.workspace.store import load
from storage.models import Workspace
from storage.repos import actions, leads, meetings
from storage.repos import workspaces as repo

ITEMS_SHOWN = 10

# Each line: (command, description); the description goes through the catalog when rendered.
HELP_LINES: list[tuple[str, str]] = [
    ("/handoff help", N_("what Handoff can do (this list)")),
    ("/handoff config", N_("settings: channels, time zone, language, working days, who is sales and marketing")),
    ("/kpi [yesterday|last week|november|DATE..DATE] [channel NAME]", N_("KPIs of a period, only for you")),
    ("/funnel [yesterday|last week|november|DATE..DATE]", N_("the funnel picture with the conversion at every stage")),
    ("/kpi post last week", N_("post the digest to the digest channel now (admins)")),
    ("/lead", N_("add a lead by hand: it gets a card like the others")),
    ("/leads quality [week|month|DATE..DATE] [by channel|campaign|reason]", N_("lead quality for marketing")),
    ("/sync help", N_("the biweekly Sales × Marketing sync: questions, agenda, action items, the customer profile")),
    ("/feedback review|complaint|wish [1-5] text", N_("keep a customer's words for the next sync")),
    ("/plan [YYYY-MM] [channel NAME]", N_("a month's plan, and the leads sales' goal needs (admins)")),
]


def help_lines(lines: list[tuple[str, str]], language: str) -> Mrkdwn:
    _ = translator(language)
    return join(md("• `{}` — {}", cmd, _(desc)) for cmd, desc in lines)


def build_help(language: str) -> Message:
    _ = translator(language)
    intro = _("Handoff makes Sales and Marketing work as one funnel: lead feedback, KPI digests and the sync.")
    return Message(
        text=escape(intro),
        blocks=[
            section(bold(intro)),
            section(help_lines(HELP_LINES, language)),
            context(escape(_("Settings can be changed by Handoff admins and workspace admins."))),
        ],
    )


def schedule_lines(ws: Workspace, now: datetime) -> list[Mrkdwn]:
    """The next post of each kind, in the workspace's local time (from the same schedule the bot runs)."""
    _ = translator(ws.language)
    nxt: dict[str, Occurrence] = {}
    for occ in occurrences(ws, now, now + timedelta(days=32)):
        nxt.setdefault(occ.kind, occ)
    return [
        md(
            "• {}: {} ({}) → {}",
            _(REPORT_TITLES[o.kind]),
            f"{o.local:%d.%m %H:%M}",
            ws.timezone,
            channel_link(o.channel),
        )
        for o in sorted(nxt.values(), key=lambda o: o.utc)
        if o.channel
    ]


def sync_lines(deps: Deps, ws: Workspace, user_id: str, now: datetime) -> list[Mrkdwn]:
    """This person's view of the sync: the next meeting, their unanswered questions, their open items."""
    _ = translator(ws.language)
    with deps.read() as s:
        series = meetings.series(s, team_id=ws.team_id)
        if series is None or not series.active:
            return []
        waiting = meetings.unanswered_for(s, team_id=ws.team_id, user_id=user_id)
        items = actions.open_actions(s, team_id=ws.team_id, owner=user_id)
    nxt = [slot for slot in Calendar(series, ws).next_slots(now, 3) if not slot.skipped][:1]
    lines = [
        md("{}: {}", _("Next meeting"), bold(when(ws, nxt[0].starts, series.timezone)))
        if nxt
        else escape(_("No meeting soon."))
    ]
    for m in waiting:
        text = _("Your answers for the sync on {when} are not in yet.").format(
            when=when(ws, m.starts_at, series.timezone)
        )
        lines.append(md("⏳ {}", text))
    if items:
        lines.append(escape(_("Your open action items:")))
        lines += [md("• #{} {}{}", i.id, i.text, f" — {i.due:%d.%m.%Y}" if i.due else "") for i in items[:ITEMS_SHOWN]]
    return lines


def build_home(
    ws: Workspace,
    counts: dict[str, int],
    schedule: list[Mrkdwn],
    sync: list[Mrkdwn] | None = None,
    agreement: list[Block] | None = None,
) -> View:
    _ = translator(ws.language)

    def place(channel: str | None) -> Mrkdwn | str:
        return channel_link(channel) if channel else _("not set")

    def tile(title: str, value: Mrkdwn | str) -> Mrkdwn:
        return md("{}\n{}", bold(title), value)

    configured = any([ws.leads_channel, ws.digest_channel, ws.marketing_channel, ws.sync_channel])
    blocks: list[Block] = [header(_("Handoff: Sales and Marketing as one funnel"))]
    if not configured:
        blocks.append(
            section(
                Mrkdwn(
                    _(
                        "*Nothing is configured yet.* An admin runs `/handoff config` (or presses the button) "
                        "to choose the channels, the time zone and who is in sales and marketing."
                    )
                )
            )
        )
    ngettext = plural(ws.language)
    loaded = (
        (ngettext("{n} lead", "{n} leads", counts.get("leads", 0)), counts.get("leads", 0)),
        (ngettext("{n} deal", "{n} deals", counts.get("deals", 0)), counts.get("deals", 0)),
        # A spend or traffic row is a day of one channel (and campaign), not a calendar day.
        (ngettext("{n} spend row", "{n} spend rows", counts.get("spend_days", 0)), counts.get("spend_days", 0)),
        (
            ngettext("{n} traffic row", "{n} traffic rows", counts.get("traffic_days", 0)),
            counts.get("traffic_days", 0),
        ),
    )
    data = " · ".join(template.format(n=fmt_number(n, ws.language)) for template, n in loaded)
    blocks += [
        section(
            fields=[
                tile(_("Lead cards"), place(ws.leads_channel)),
                tile(_("KPI digests"), place(ws.digest_channel)),
                tile(_("Marketing reports"), place(ws.marketing_channel)),
                tile(_("Sales × Marketing sync"), place(ws.sync_channel)),
                tile(_("Time zone"), ws.timezone),
                tile(_("Working days and hours"), f"{display_workdays(ws.workdays)}, {ws.work_hours}"),
                tile(_("Sales team"), principals(ws.sales) or _("not set")),
                tile(_("Marketing team"), principals(ws.marketing) or _("not set")),
            ]
        ),
        DividerBlock(),
        section(tile(_("Scheduled"), join(schedule) if schedule else _("nothing yet"))),
        section(tile(_("Data loaded"), data)),
    ]
    if counts.get("awaiting_verdict"):
        n = counts["awaiting_verdict"]
        waiting = ngettext(
            "{n} lead card waits for a verdict from sales", "{n} lead cards wait for a verdict from sales", n
        ).format(n=n)
        where = md(" — {}", channel_link(ws.leads_channel)) if ws.leads_channel else ""
        blocks.append(section(md("{}\n{}{}", bold(_("Leads")), waiting, where)))
    if counts.get("cards_queued") and not ws.leads_channel:
        n = counts["cards_queued"]
        held = ngettext(
            "{n} lead came in and waits for a leads channel: its card is posted once an admin sets one.",
            "{n} leads came in and wait for a leads channel: their cards are posted once an admin sets one.",
            n,
        ).format(n=fmt_number(n, ws.language))
        blocks.append(section(md("{}\n{}", bold(_("Leads")), held)))
    if sync:
        blocks.append(section(tile(_("Sales × Marketing sync"), join(sync))))
    blocks += agreement or []
    blocks.append(
        ActionsBlock(elements=[ButtonElement(action_id=ids.HOME_OPEN_CONFIG, text=_("Settings"), style="primary")])
    )
    return View(type="home", blocks=blocks)


def home_view(deps: Deps, team_id: str, user_id: str | None = None) -> View:
    ws = load(deps, team_id)
    now = deps.clock()
    with deps.read() as s:
        counts = repo.data_counts(s, team_id=team_id)
        if not ws.leads_channel:  # leads that came in meanwhile: carded once a channel is set (within a day)
            counts["cards_queued"] = len(leads.without_card(s, team_id=team_id, since=now - CARD_LOOKBACK))
    mine = sync_lines(deps, ws, user_id, now) if user_id else []
    return build_home(ws, counts, schedule_lines(ws, now), mine, standing_blocks(current_standing(deps, team_id)))
