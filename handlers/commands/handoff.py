"""`/handoff help|config`."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import build_config_modal, build_help, build_notice
from bot.deps import Deps
from bot.i18n import translator
from bot.slack.access import group_names, is_admin
from bot.workspace.store import load


def handle_handoff_command(ack: Ack, command: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps.engine, command["team_id"])
    _ = translator(ws.language)
    words = (command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    if sub == "help":
        ack(**build_help(ws.language).to_kwargs())
    elif sub == "config":
        if not is_admin(client, ws, command["user_id"]):
            ack(**build_notice(_("Only Handoff admins and workspace admins can change the settings.")).to_kwargs())
            return
        ack()
        view = build_config_modal(ws, group_names(client))
        client.views_open(trigger_id=command["trigger_id"], view=view)
    else:
        unknown = _("I don't know `/handoff {word}`.").format(word=sub)
        help_msg = build_help(ws.language)
        ack(text=unknown, blocks=[build_notice(unknown).blocks[0].to_dict(), *help_msg.to_kwargs()["blocks"]])
