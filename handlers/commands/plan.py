"""`/plan [YYYY-MM] [channel NAME]`: admins get the month's plan in a modal."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.plans.modal import build_plan_modal, open_form
from bot.plans.values import PlanError
from bot.slack.access import is_admin
from bot.slack.kit import escape, notice
from bot.workspace.store import load


def handle_plan_command(ack: Ack, command: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    if not is_admin(client, ws, command["user_id"]):
        ack(**notice(escape(_("Only Handoff admins and workspace admins can set the plan."))).to_kwargs())
        return
    try:
        form = open_form(deps, ws, command.get("text") or "")
    except PlanError as exc:
        ack(**notice(escape(exc.text(ws.language))).to_kwargs())
        return
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=build_plan_modal(ws, form))
