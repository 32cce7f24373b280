"""A user group created, renamed or given other members, or a person changed (an admin no longer one):
what the client kept about them is read again."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack.client import GROUP_METHODS, USER_METHODS, HandoffClient


def handle_subteam_change(client: WebClient) -> None:
    if isinstance(client, HandoffClient):
        client.forget(GROUP_METHODS)


def handle_user_change(client: WebClient) -> None:
    if isinstance(client, HandoffClient):
        client.forget(USER_METHODS)
