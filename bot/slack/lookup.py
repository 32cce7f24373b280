"""Finding out whether Slack has a post whose answer never came back (bot.slack.once): the bot's posts
carry their key in their metadata, so the channel's history, or the thread's replies, tell."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

EVENT_TYPE = "handoff_post"
PAGES = 5
# A message is looked for from a minute before its claim was taken (clocks differ a little).
MARGIN_SECONDS = 60
_CONVERSATION = re.compile(r"[CGD][A-Z0-9]+")

# (channel, thread ts or None) → the messages read there: one sweep over many cut-off posts of a channel
# (a card worker's batch) reads its history once. conversations.history allows apps outside the Slack
# Marketplace about one call a minute.
# Each entry keeps the moment it was read from; a post claimed before that is read for again.
Seen = dict[tuple[str, str | None], tuple[datetime, list[dict[str, Any]]]]


class Unknowable(Exception):
    """Slack cannot tell (a DM to a person, a missing scope, too many messages): the reason."""


def metadata(key: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


def find(
    client: WebClient,
    channel: str,
    key: str,
    since: datetime,
    *,
    thread_ts: str | None = None,
    filename: str | None = None,
    seen: Seen | None = None,
) -> str | None:
    """The ts of the message carrying `key` (or the file `filename`) in the channel or thread, posted
    since `since`; None when it is not there. Raises Unknowable when Slack cannot be asked."""
    if not _CONVERSATION.fullmatch(channel):
        raise Unknowable("a direct message cannot be looked up")
    where = (channel, thread_ts)
    read = seen.get(where) if seen is not None else None
    if read is not None and read[0] <= since:
        messages = read[1]
    else:
        messages = _read(client, channel, since, thread_ts)
        if seen is not None:
            seen[where] = (since, messages)
    for m in messages:
        if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") == key:
            return str(m["ts"])
        if filename and any(f.get("name") == filename for f in m.get("files") or []):
            return str(m["ts"])
    return None


def _read(client: WebClient, channel: str, since: datetime, thread_ts: str | None) -> list[dict[str, Any]]:
    """Every message of the channel (or thread) since `since`, up to PAGES pages."""
    args: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{since.timestamp() - MARGIN_SECONDS:.6f}",
        "include_all_metadata": True,
        "limit": 100,
    }
    out: list[dict[str, Any]] = []
    for _ in range(PAGES):
        try:
            if thread_ts:
                resp = client.conversations_replies(ts=thread_ts, **args)
            else:
                resp = client.conversations_history(**args)
        except SlackApiError as exc:
            raise Unknowable(str(exc.response.get("error") or "unknown")) from None
        except OSError as exc:
            raise Unknowable(type(exc).__name__) from None
        out += resp.get("messages") or []
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return out
        args["cursor"] = cursor
    raise Unknowable("too many messages to look through")
