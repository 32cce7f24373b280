"""The Why? answer to a finding outside its band, for the clicker alone: the KPI by channel against
its band, by campaign in the channel that moved most, and sample leads of it with their verdicts,
reasons and a quote from their thread. Channel and campaign names, lead fields and replies are
outside text: escaped, never read as mrkdwn."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi import bands
from bot.kpi.catalog import label
from bot.kpi.changes import Drill, drill_down, too_old
from bot.kpi.render import fmt_kpi_value
from bot.kpi.why import parse
from bot.leads.verdicts import reason_label, verdict_label
from bot.slack.kit import Message, Mrkdwn, bold, escape, join, md, notice, quote, section, shorten
from bot.workspace.store import load
from storage.models import Workspace

NAME_LIMIT = 80
QUOTE_LIMIT = 200


def answer_why(deps: Deps, team_id: str, value: str | None, now: datetime) -> Message:
    """The drill-down for a Why? value, from the clicking workspace's numbers; a value this release
    did not write, or a period no longer offered, gets a polite word instead."""
    ws = load(deps, team_id)
    _ = translator(ws.language)
    try:
        ask = parse(value)
    except ValueError:
        return notice(escape(_("I can't read this button: ask for the numbers with /kpi.")))
    if too_old(ask.period, now.date()):
        return notice(escape(_("This finding is too old to look into: ask for the numbers with /kpi.")))
    return build_why(drill_down(deps, team_id, ask.kind, ask.kpi, ask.channel, ask.period), ws)


def _v(d: Drill, value: float | None) -> str:
    return fmt_kpi_value(d.kpi, value, d.language, d.currency)


def _arrow(b: bands.Band) -> str:
    return "▲" if b.value > b.high else "▼" if b.value < b.low else "·"


def build_why(d: Drill, ws: Workspace) -> Message:
    _ = translator(d.language)
    kpi = label(d.kpi, d.language)
    where = d.channel or _("all channels")
    said = {"channel": shorten(where, NAME_LIMIT), "period": d.period.label(d.language)}
    # Every channel together is no channel: `по всем каналам`, not `в канале все каналы`.
    head = _("Why? {kpi} in {channel}, {period}") if d.channel else _("Why? {kpi} in all channels, {period}")
    blocks: list[Block] = [section(md(head, kpi=bold(kpi), **said))]
    if d.channels:
        lines = [
            md(
                _("{arrow} {channel}: {value} (usual {low} – {high})"),
                arrow=_arrow(b),
                channel=shorten(b.channel, NAME_LIMIT) if b.channel else _("all channels"),
                value=_v(d, b.value),
                low=_v(d, b.low),
                high=_v(d, b.high),
            )
            for b in d.channels[:12]
        ]
        blocks.append(section(md("{}\n{}", bold(_("By channel")), join(lines))))
    else:
        blocks.append(section(escape(_("No channel has enough history for a band any more."))))
    if d.focus is not None and d.campaigns:
        lines = [
            md(
                _("• {campaign}: {value} (usual {usual})"),
                campaign=shorten(name, NAME_LIMIT) if name else _("(not set)"),
                value=_v(d, value),
                usual=_v(d, usual),
            )
            for name, value, usual in d.campaigns
        ]
        title = md(_("By campaign in {channel}"), channel=shorten(d.focus, NAME_LIMIT))
        blocks.append(section(md("{}\n{}", bold(title), join(lines))))
    if d.leads:
        blocks.append(section(md("{}\n{}", bold(_sample_title(d)), join(_lead(ld, ws) for ld in d.leads))))
    elif d.focus is not None:
        blocks.append(section(escape(_("No leads in this period to show."))))
    text = md(head, kpi=kpi, **said)
    return Message(text=text, blocks=blocks)


def _sample_title(d: Drill) -> Mrkdwn:
    _ = translator(d.language)
    where = shorten(d.focus or "", NAME_LIMIT)
    if d.sample_campaign:
        return md(_("Leads of {channel} · {campaign}"), channel=where, campaign=shorten(d.sample_campaign, NAME_LIMIT))
    return md(_("Leads of {channel}"), channel=where)


def _lead(ld: dict, ws: Workspace) -> Mrkdwn:
    _ = translator(ws.language)
    who = " · ".join(shorten(x, NAME_LIMIT) for x in (ld["name"], ld["company"]) if x) or _("(no name)")
    verdict = verdict_label(ld["verdict"], ws.language) if ld["verdict"] else _("no verdict yet")
    reason = reason_label(ws, ld["reason"])
    said = md("• {} — {}", bold(who), verdict)
    if reason:
        said += md(": {}", shorten(reason, NAME_LIMIT))
    if ld["quote"]:
        said += md("\n{}", quote(ld["quote"], QUOTE_LIMIT))
    return said
