"""The agreement's scorecard as people read it: the weekly post (Block Kit), its plain text and JSON for
files, and the short standing App Home and `/kpi` show. Pure."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.i18n import plural, translator
from bot.kpi.agreement import FIRST_TOUCH, LEADS, MARKETING, SALES, TARGET_SHARE, VERDICT, Commitment, Scorecard
from bot.kpi.render import fmt_number, fmt_pct
from bot.slack.kit import MAX_MESSAGE_BLOCKS, Message, Mrkdwn, bold, context, escape, header, join, md, section

KEPT, BROKEN, NO_DATA = "✓", "✗", "·"


def mark(kept: bool | None) -> str:
    return KEPT if kept is True else BROKEN if kept is False else NO_DATA


def trend_marks(c: Commitment) -> str:
    """`✓✓✗·✓✓✓✗`: the weeks oldest first, the reported week last."""
    return "".join(mark(k) for k in c.trend)


def status(c: Commitment, card: Scorecard) -> str:
    if c.kept is True:
        return "✅"
    if c.kept is False:
        return "❌"
    return "⏳" if c.actual is not None else "➖"


def commitment_line(c: Commitment, card: Scorecard) -> str:
    """`Leads: 112 (promised 100 a week)`, `Verdicts within 4 working hours: 88.2%, 60 of 68 leads
    (promised at least 90%)`, `First touch within 8 working hours: no data (promised at least 90%)`."""
    lang = card.language
    _ = translator(lang)
    ngettext = plural(lang)
    if c.key == LEADS:
        promised = _("promised {n} a week").format(n=fmt_number(c.promised, lang))
        actual = fmt_number(c.actual, lang)
        if card.in_progress and c.kept is None:
            actual = _("{n} so far").format(n=actual)
        return _("Leads: {actual} ({promised})").format(actual=actual, promised=promised)
    what = {
        TARGET_SHARE: _("Target share of judged leads"),
        VERDICT: _("Verdicts within {n} working hours").format(n=c.hours),
        FIRST_TOUCH: _("First touch within {n} working hours").format(n=c.hours),
    }[c.key]
    promised = _("promised at least {pct}").format(pct=fmt_pct(c.promised, lang, 0 if c.promised.is_integer() else 1))
    if c.actual is None:
        return _("{what}: no data ({promised})").format(what=what, promised=promised)
    counted = ngettext("{count} of {n} lead", "{count} of {n} leads", c.of or 0).format(count=c.count, n=c.of)
    return _("{what}: {pct}, {counted} ({promised})").format(
        what=what, pct=fmt_pct(c.actual, lang), counted=counted, promised=promised
    )


def side_title(side: str, language: str) -> str:
    _ = translator(language)
    return {MARKETING: _("Marketing"), SALES: _("Sales")}[side]


def title(card: Scorecard) -> str:
    _ = translator(card.language)
    return _("The two-sided agreement") + f" · {card.week.label(card.language)}"


def summary(card: Scorecard) -> str:
    _ = translator(card.language)
    ngettext = plural(card.language)
    kept, broken = len(card.kept()), len(card.broken())
    return ", ".join(
        (
            ngettext("{n} commitment kept", "{n} commitments kept", kept).format(n=kept),
            ngettext("{n} broken", "{n} broken", broken).format(n=broken),
        )
    )


def legend(card: Scorecard) -> str:
    ngettext = plural(card.language)
    n = len(card.weeks)
    return ngettext(
        "The last {n} week, oldest first: {kept} kept, {broken} broken, {none} no data",
        "The last {n} weeks, oldest first: {kept} kept, {broken} broken, {none} no data",
        n,
    ).format(n=n, kept=KEPT, broken=BROKEN, none=NO_DATA)


def build_scorecard(card: Scorecard) -> Message:
    """The weekly post: each side's commitments, kept or broken, each with its trend."""
    blocks: list[Block] = [header(title(card)), section(escape(summary(card)))]
    for side in (MARKETING, SALES):
        mine = card.side(side)
        if mine:
            lines = [md("{} {} `{}`", status(c, card), commitment_line(c, card), trend_marks(c)) for c in mine]
            blocks.append(section(md("{}\n{}", bold(side_title(side, card.language)), join(lines))))
    blocks.append(context(escape(legend(card))))
    return Message(text=md("{}: {}", title(card), summary(card)), blocks=blocks)


def standing_text(card: Scorecard) -> Mrkdwn:
    """The current week's standing in a few lines: each commitment, kept, broken or open so far."""
    lines = []
    for side in (MARKETING, SALES):
        for c in card.side(side):
            lines.append(md("{} {}: {}", status(c, card), side_title(side, card.language), commitment_line(c, card)))
    return join(lines)


def standing_blocks(card: Scorecard | None) -> list[Block]:
    """The short section App Home and `/kpi` show; nothing when nothing is agreed."""
    if card is None or not card.agreed:
        return []
    _ = translator(card.language)
    head = _("The agreement this week") + f" · {card.week.label(card.language)}"
    return [section(md("{}\n{}", bold(head), standing_text(card)))]


def with_standing(msg: Message, card: Scorecard | None) -> Message:
    """The `/kpi` answer with the week's standing before its button (its last block), within Slack's 50."""
    extra = standing_blocks(card)
    if not extra or len(msg.blocks) + len(extra) > MAX_MESSAGE_BLOCKS:
        return msg
    at = len(msg.blocks) - 1 if msg.blocks and isinstance(msg.blocks[-1], ActionsBlock) else len(msg.blocks)
    return Message(text=msg.text, blocks=[*msg.blocks[:at], *extra, *msg.blocks[at:]])


def render_scorecard_text(card: Scorecard) -> str:
    """The scorecard as plain text (the demo's file, `handoff` output)."""
    lines = [f"{title(card)} · {card.timezone}", summary(card)]
    for side in (MARKETING, SALES):
        mine = card.side(side)
        if mine:
            lines += ["", side_title(side, card.language)]
            lines += [f"  {status(c, card)} {commitment_line(c, card)}  {trend_marks(c)}" for c in mine]
    return "\n".join([*lines, "", legend(card)]) + "\n"


def render_scorecard_json(card: Scorecard) -> str:
    return json.dumps(card.to_json(), ensure_ascii=False, indent=2) + "\n"
