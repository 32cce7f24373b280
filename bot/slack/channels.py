"""Whether the bot can post where it is asked to."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def not_a_member(client: WebClient, channels: dict[str, str]) -> dict[str, str]:
    """Of {key: channel id}, the ones the bot is not in (a private channel it cannot see counts too)."""
    out = {}
    for key, channel in channels.items():
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as exc:
            if exc.response.get("error") in ("channel_not_found", "not_in_channel"):
                out[key] = channel
            else:
                log.warning("conversations.info %s failed: %s", channel, exc.response.get("error"))
            continue
        if not info.get("is_member", True) and not info.get("is_im"):
            out[key] = channel
    return out
