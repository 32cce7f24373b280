"""`/handoff help|config`."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home import build_help
from bot.i18n import translator
from bot.slack.access import group_names, is_admin
from bot.slack.kit import Message, escape, md, notice
from bot.workspace.modal import build_config_modal
from bot.workspace.store import load


def handle_handoff_command(ack: Ack, command: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        ack(**build_help(ws.language).to_kwargs())
    elif sub == "config":
        if not is_admin(client, ws, command["user_id"]):
            ack(**notice(escape(_("Only Handoff admins and workspace admins can change the settings."))).to_kwargs())
            return
        ack()
        view = build_config_modal(ws, group_names(client))
        client.views_open(trigger_id=command["trigger_id"], view=view)
    else:
        unknown = md(_("I don't know `/handoff {word}`."), word=sub)
        ack(**Message(text=unknown, blocks=[*notice(unknown).blocks, *build_help(ws.language).blocks]).to_kwargs())
