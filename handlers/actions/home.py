"""The Settings button on App Home."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.slack.access import group_names, is_admin
from bot.slack.kit import escape, notice
from bot.workspace.modal import build_config_modal
from bot.workspace.store import load


def handle_home_open_config(ack: Ack, body: dict, client: WebClient, deps: Deps) -> None:
    ack()
    team_id = body["team"]["id"] if body.get("team") else body["user"]["team_id"]
    ws = load(deps, team_id)
    if not is_admin(client, ws, body["user"]["id"]):
        _ = translator(ws.language)
        text = escape(_("Only Handoff admins and workspace admins can change the settings."))
        client.chat_postMessage(channel=body["user"]["id"], **notice(text).to_kwargs())
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_config_modal(ws, group_names(client)))


def handle_link_click(ack: Ack) -> None:
    """A link button (Open in CRM): Slack opens the address itself; the click only needs its ack."""
    ack()
