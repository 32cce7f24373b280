"""The text kit: the one way text reaches Slack's mrkdwn.

In mrkdwn (a section's text, a context, a message's `text`) `<`, `>` and `&` are control
characters: `<!channel>`, `<@U…>`, `<#C…>`, `<!subteam^S…>` and `<url|label>` are live mentions and
links. Outside text — lead fields, CRM values, comments, channel and campaign names — must arrive
escaped. `Mrkdwn` is text that is already safe: adding, joining or formatting plain strings into it
escapes them (markupsafe's `Markup`, with Slack's three entities instead of HTML's five). The block
builders below take `Mrkdwn` only, so raw text cannot slip into mrkdwn by accident; mentions and
links are made by the functions here, from ids that look like ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from slack_sdk.models.blocks import Block, BlockElement, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

MAX_MESSAGE_BLOCKS = 50
SECTION_LIMIT = 2900  # Slack takes 3,000 characters in a section; a little room for what is added
HEADER_LIMIT = 150

_USER = re.compile(r"[UW][A-Z0-9]+")
_GROUP = re.compile(r"S[A-Z0-9]+")
_CHANNEL = re.compile(r"[CGD][A-Z0-9]+")


class Mrkdwn(Markup):
    """Text safe to send as mrkdwn. `Mrkdwn("*{}*").format(name)` escapes `name`; `Mrkdwn(s)` itself
    trusts `s`, so it is only for the product's own text (catalog messages, the kit's output)."""

    __slots__ = ()

    @classmethod
    def escape(cls, s: Any, /) -> Mrkdwn:
        # Only the kit's own text is trusted: markupsafe would trust anything with `__html__` (an
        # HTML Markup, whose entities Slack would show literally, or any object claiming it).
        if isinstance(s, Mrkdwn):
            return s
        return cls(str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def escape(text: object) -> Mrkdwn:
    """Outside text as mrkdwn that shows it literally (already safe text passes unchanged)."""
    return Mrkdwn.escape(text)


def md(template: str, /, *args: object, **values: object) -> Mrkdwn:
    """A trusted template (a catalog message) with its values escaped unless they are Mrkdwn."""
    return Mrkdwn(template).format(*args, **values)


def join(parts: Iterable[str], sep: str = "\n") -> Mrkdwn:
    return Mrkdwn(sep).join(parts)


def bold(text: object) -> Mrkdwn:
    return md("*{}*", text)


def italic(text: object) -> Mrkdwn:
    return md("_{}_", text)


def quote(text: str, limit: int = 300) -> Mrkdwn:
    """One line of outside text as a blockquote, whitespace folded, cut at `limit` characters."""
    return md("> {}", shorten(text, limit))


def shorten(text: str, limit: int) -> str:
    """Outside text on one line, at most `limit` characters (cut before escaping, never inside an entity)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_user(pid: str | None) -> bool:
    """Whether this is a Slack user id (a CRM owner may be a name instead)."""
    return bool(pid and _USER.fullmatch(pid))


def mention(user_id: str | None) -> Mrkdwn:
    """`<@U…>` for a Slack user id; anything else (a CRM owner's name) shown as text."""
    if user_id and _USER.fullmatch(user_id):
        return Mrkdwn(f"<@{user_id}>")
    return escape(user_id or "")


def principal(pid: str) -> Mrkdwn:
    """A user (`<@U…>`) or a user group (`<!subteam^S…>`)."""
    if _GROUP.fullmatch(pid):
        return Mrkdwn(f"<!subteam^{pid}>")
    return mention(pid)


def principals(pids: Iterable[str], sep: str = ", ") -> Mrkdwn:
    return join((principal(p) for p in pids), sep)


def channel_link(channel_id: str | None) -> Mrkdwn:
    if channel_id and _CHANNEL.fullmatch(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return escape(channel_id or "")


def fit(text: Mrkdwn, limit: int) -> Mrkdwn:
    """At most `limit` characters, never cut inside an entity (`&amp;`) or a mention (`<@U…>`)."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    amp, semi = text.rfind("&", 0, cut), text.rfind(";", 0, cut)
    if amp > semi:
        cut = amp
    lt, gt = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if lt > gt:
        cut = lt
    return Mrkdwn(str(text)[:cut] + "…")


def chunks(text: Mrkdwn, limit: int = SECTION_LIMIT) -> list[Mrkdwn]:
    """Long text split on line breaks so each piece fits a section block."""
    out: list[Mrkdwn] = []
    cur = Mrkdwn("")
    for line in text.split("\n"):
        line = fit(Mrkdwn(line), limit)
        if cur and len(cur) + len(line) + 1 > limit:
            out.append(cur)
            cur = Mrkdwn("")
        cur = Mrkdwn(f"{cur}\n{line}") if cur else line
    return [*out, cur] if cur else out


def _checked(text: object) -> Mrkdwn:
    if not isinstance(text, Mrkdwn):
        raise TypeError(f"mrkdwn must be built with bot.slack.kit (got {type(text).__name__})")
    return text


def mrkdwn(text: Mrkdwn) -> MarkdownTextObject:
    return MarkdownTextObject(text=str(fit(_checked(text), 3000)))


def section(
    text: Mrkdwn | None = None, *, fields: list[Mrkdwn] | None = None, accessory: BlockElement | None = None
) -> SectionBlock:
    return SectionBlock(
        text=mrkdwn(text) if text is not None else None,
        fields=[MarkdownTextObject(text=str(fit(_checked(f), 2000))) for f in fields] if fields else None,
        accessory=accessory,
    )


def context(*texts: Mrkdwn) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(t) for t in texts])


def header(text: str) -> HeaderBlock:
    """A header (plain text: nothing in it is a mention), cut to Slack's 150 characters."""
    return HeaderBlock(text=text if len(text) <= HEADER_LIMIT else text[: HEADER_LIMIT - 1] + "…")


@dataclass(frozen=True)
class Message:
    """A message's blocks and its `text`, which Slack shows in notifications and parses as mrkdwn too."""

    text: Mrkdwn
    blocks: list[Block]

    def __post_init__(self) -> None:
        _checked(self.text)
        if len(self.blocks) > MAX_MESSAGE_BLOCKS:
            raise ValueError(f"a message holds at most {MAX_MESSAGE_BLOCKS} blocks, got {len(self.blocks)}")

    def to_kwargs(self) -> dict[str, Any]:
        return {"text": str(self.text), "blocks": [b.to_dict() for b in self.blocks]}


def notice(text: Mrkdwn) -> Message:
    """A one-section message."""
    return Message(text=text, blocks=[section(text)])


def text_messages(text: Mrkdwn, per_message: int = 40) -> list[Message]:
    """Long text as as many messages as it takes, each of up to `per_message` sections."""
    parts = chunks(text)
    return [
        Message(text=fit(parts[i], 300), blocks=[section(c) for c in parts[i : i + per_message]])
        for i in range(0, len(parts), per_message)
    ]
