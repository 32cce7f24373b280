"""Options for the user-group pickers in the settings and sync modals (block_suggestion)."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.slack.access import group_options
from bot.slack.modals import group_options as build_group_options


def handle_usergroup_options(ack: Ack, payload: dict, client: WebClient) -> None:
    ack(options=build_group_options(group_options(client, payload.get("value") or "")))
