"""The plan modal's Propose button: marketing's numbers filled from sales' goal, in the same modal."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.plans.modal import PlanForm, build_plan_modal, propose
from bot.plans.values import PlanError
from bot.workspace.store import load


def handle_plan_propose(ack: Ack, body: dict, client: WebClient, deps: Deps) -> None:
    ack()
    view = body.get("view") or {}
    if not isinstance(view.get("id"), str):
        return  # a click outside a modal: nothing to update
    team_id = body["team"]["id"] if body.get("team") else body["user"]["team_id"]
    ws = load(deps, team_id)
    try:
        form = PlanForm.from_view(view)
    except PlanError:
        return  # a view that is not our plan modal: nothing to fill
    form = propose(deps, ws, form, deps.clock())
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=build_plan_modal(ws, form))
