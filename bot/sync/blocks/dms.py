"""The sync's direct messages: the questions, the reminder, an action item for its owner."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot import ids
from bot.i18n import translator
from bot.slack.kit import SECTION_LIMIT, Message, bold, context, escape, fit, join, md, section
from bot.sync.blocks.text import when
from storage.models import ActionItem, Meeting, Workspace


def build_ask_dm(ws: Workspace, m: Meeting, questions: Sequence[tuple[str, str]], *, answered: bool = False) -> Message:
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
    listing = join(md("{}. {}", i, text) for i, (_key, text) in enumerate(questions, start=1))
    return Message(
        text=escape(intro),
        blocks=[
            section(bold(intro)),
            section(fit(listing, SECTION_LIMIT)),
            ActionsBlock(
                elements=[ButtonElement(action_id=ids.SYNC_ANSWER, text=button, value=str(m.id), style="primary")]
            ),
            context(escape(note)),
        ],
    )


def build_reminder_dm(ws: Workspace, m: Meeting) -> Message:
    _ = translator(ws.language)
    text = escape(
        _("Reminder: the Sales × Marketing sync is on {when} and your answers are not in yet.").format(
            when=when(ws, m.starts_at)
        )
    )
    return Message(
        text=text,
        blocks=[
            section(text),
            ActionsBlock(
                elements=[ButtonElement(action_id=ids.SYNC_ANSWER, text=_("Answer"), value=str(m.id), style="primary")]
            ),
        ],
    )


def build_action_dm(ws: Workspace, item: ActionItem, *, due_today: bool) -> Message:
    _ = translator(ws.language)
    if due_today:
        text = md(_("Due today: action item #{id} from the sync — {text}"), id=item.id, text=item.text)
    else:
        text = md(
            _("You have an action item from the Sales × Marketing sync: #{id} {text}"), id=item.id, text=item.text
        )
        if item.due:
            text += md(" ") + md(_("(due {date})"), date=f"{item.due:%d.%m.%Y}")
    hint = md(_("Mark it done with `/sync done {id}`."), id=item.id)
    return Message(text=text, blocks=[section(text), context(hint)])
