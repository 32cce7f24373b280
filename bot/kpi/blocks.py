"""Block Kit for KPI reports: the digest's parent message and the ephemeral /kpi and /funnel answer."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ImageBlock

from bot import ids
from bot.i18n import plural, translator
from bot.kpi.catalog import HEADLINE, label
from bot.kpi.engine import Alert, Report, shown
from bot.kpi.pace_view import pace_block
from bot.kpi.render import (
    fmt_change,
    fmt_kpi_value,
    funnel_line,
    sla_line,
    steps_line,
    title,
    waiting_head,
    waiting_owners,
)
from bot.kpi.why import why_button
from bot.slack.kit import Message, Mrkdwn, bold, context, escape, header, join, md, mention, section

ALERTS_SHOWN = 5


def finding_line(a: Alert) -> Mrkdwn:
    """A finding as Slack shows it: its values escaped, a rep as a mention."""
    if not a.template:
        return escape(a.text)
    return md(a.template, **{k: mention(v) if k == "rep" else v for k, v in a.values.items()})


def findings_block(report: Report, *, everything: bool = False) -> list[Block]:
    """What to do: the findings that fired (most money first), the ones now over, a count of the rest."""
    _ = translator(report.language)
    ngettext = plural(report.language)
    seen = shown(report.alerts, everything=everything)
    # A finding outside its band gets a section of its own, with its Why? button (bot.kpi.why).
    buttons = [why_button(a, report.language) for a in seen.fired[:ALERTS_SHOWN]]
    asked = [(a, b) for a, b in zip(seen.fired, buttons, strict=False) if b is not None]
    lines = [md("• {}", finding_line(a)) for a, b in zip(seen.fired, buttons, strict=False) if b is None]
    over = [md("✓ {}", finding_line(a)) for a in seen.over[:ALERTS_SHOWN]]
    if not asked:  # the ones now over after every one that fired
        lines += over
    blocks: list[Block] = [section(md("{}\n{}", bold(_("What to do")), join(lines)))] if lines else []
    if asked and not lines:
        blocks.append(section(bold(_("What to do"))))
    blocks += [section(md("• {}", finding_line(a)), accessory=b) for a, b in asked]
    if asked and over:
        blocks.append(section(join(over)))
    more = len(seen.fired) - ALERTS_SHOWN
    notes = []
    if more > 0:
        notes.append(ngettext("{n} more finding in /kpi.", "{n} more findings in /kpi.", more).format(n=more))
    if seen.still:
        notes.append(
            ngettext(
                "{n} earlier finding still holds (/kpi shows it).",
                "{n} earlier findings still hold (/kpi shows them).",
                seen.still,
            ).format(n=seen.still)
        )
    if notes:
        blocks.append(context(escape(" ".join(notes))))
    return blocks


def build_digest(report: Report, *, late: bool = False, everything: bool = False) -> Message:
    """The short parent message: headline KPIs with arrows and % change, the funnel line, what to do."""
    _ = translator(report.language)
    lang = report.language
    notes = [f"{_('Compared with')} {report.previous_period.label(report.language)}", report.tz]
    if report.channel is not None:
        notes.append(_("only the leads, spend and sales of {channel}").format(channel=report.channel))
    if late:
        notes.append(_("posted late: the bot was offline at the scheduled time"))
    tiles = []
    for name in HEADLINE:
        k = report.kpis[name]
        value = f"{fmt_kpi_value(name, k.value, lang, report.currency)}  {fmt_change(name, k, lang)}".rstrip()
        tiles.append(md("{}\n{}", bold(label(name, lang)), value))
    blocks: list[Block] = [
        header(title(report)),
        context(join(notes, " · ")),
        section(fields=tiles),
        *pace_block(report),
        section(md("{}\n{}", bold(_("Funnel")), funnel_line(report))),
    ]
    blocks += build_sales_block(report)
    blocks += findings_block(report, everything=everything)
    blocks.append(context(escape(_("The funnel picture and the channel table are in the thread."))))
    headline = ", ".join(
        f"{label(n, lang)} {fmt_kpi_value(n, report.kpis[n].value, lang, report.currency)}" for n in HEADLINE
    )
    return Message(text=md("{}: {}", title(report), headline), blocks=blocks)


def build_sales_block(report: Report) -> list[Block]:
    """Sales' own work: requests → meetings → sales, the leads waiting for a verdict and who holds the
    most (mentioned), the period's verdicts within the SLA. None when the report has no sales block."""
    if not report.sales:
        return []
    _ = translator(report.language)
    waiting = escape(waiting_head(report))
    owners = waiting_owners(report)
    if owners:
        held = join((md("{} ({})", mention(o), n) for o, n in owners), ", ")
        waiting += md("; ") + md(_("most with {owners}"), owners=held)
    lines = [escape(steps_line(report)), waiting, escape(sla_line(report))]
    return [section(md("{}\n{}", bold(_("Sales")), join(lines)))]


BUTTON_VALUE_LIMIT = 2000  # characters a button's value may hold


def build_on_demand(report: Report, *, file_id: str | None, focus: str, post_value: str) -> Message:
    """The ephemeral /kpi or /funnel answer: the numbers, the funnel picture, a "Post to channel" button."""
    _ = translator(report.language)
    digest = build_digest(report, everything=True)
    blocks: list[Block] = list(digest.blocks[:-1])  # all but the "see the thread" note
    if focus == "funnel":
        blocks = [blocks[0], blocks[1], blocks[3 + len(pace_block(report))]]
    if file_id:
        blocks.append(ImageBlock(slack_file={"id": file_id}, alt_text=funnel_line(report)[:2000], title=_("Funnel")))
    if len(post_value) <= BUTTON_VALUE_LIMIT:  # a channel name of hundreds of characters leaves it out
        button = ButtonElement(action_id=ids.POST_REPORT, text=_("Post to channel"), value=post_value)
        blocks.append(ActionsBlock(elements=[button]))
    return Message(text=digest.text, blocks=blocks)
