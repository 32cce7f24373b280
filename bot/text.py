"""Outside text: what makes a string no text the bot keeps (the one check behind the lead intake, the
verdict note and every modal's text input), and what a person wrote in Slack as plain text."""

from __future__ import annotations

import re


def problem(value: str) -> str | None:
    """Why a string is no text a database keeps (a NUL character, a lone surrogate), or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not text: it holds a lone surrogate"
    return None


# A mention, channel, special mention or link in Slack's formatted text: <@U1|ann>, <#C1|sales>,
# <!here>, <!subteam^S1|@sales>, <https://example.com|label>.
_SLACK_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def from_slack(text: str) -> str:
    """Text a person wrote in Slack (a message, a slash command's text) as they typed it, from Slack's
    formatted form: entities as what they showed (`@ann`, `#sales`, `@here`, a link's label and its
    address), `&lt;` `&gt;` `&amp;` as `<` `>` `&`. What is kept and shown again is this plain text,
    escaped once on its way back into Slack (bot.slack.kit)."""
    if "<" not in text and "&" not in text:
        return text
    plain = _SLACK_ENTITY.sub(_entity, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _entity(m: re.Match[str]) -> str:
    target, label = m.group(1), m.group(2)
    if target[:1] in "@#":
        return target[0] + (label or target[1:])
    if target.startswith("!"):
        name = target[1:]
        if label:
            return label
        return "@" + name.removeprefix("subteam^") if name in ("here", "channel", "everyone") or "^" in name else name
    address = target.removeprefix("mailto:")
    return address if not label or label in (target, address) else f"{label} ({address})"
