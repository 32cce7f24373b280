"""A user group created, renamed or given other members: what the client kept about groups is read again."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.client import GROUP_METHODS, HandoffClient


def handle_subteam_change(client: WebClient) -> None:
    if isinstance(client, HandoffClient):
        client.forget(GROUP_METHODS)
