"""The plan modal's submission: every field checked, an error under each bad one, else saved."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.plans.modal import PlanForm, read_values
from bot.plans.store import set_plan
from bot.plans.values import PlanError
from bot.slack import modals
from bot.slack.access import is_admin
from bot.workspace.store import load


def handle_plan_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    team_id = body["team"]["id"]
    user_id = body["user"]["id"]
    ws = load(deps, team_id)
    _ = translator(ws.language)
    if errors := modals.shape_errors(view["state"]["values"], ws.language):
        ack(response_action="errors", errors=errors)
        return
    try:
        form = PlanForm.from_view(view)
    except PlanError:
        ack(response_action="errors", errors={"leads": _("This form is out of date: open it again.")})
        return
    if not is_admin(client, ws, user_id):
        ack(response_action="errors", errors={form.block("leads"): _("Only admins can set the plan.")})
        return
    values, errors = read_values(form, ws.language)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    set_plan(deps, team_id, form.month, values, channel=form.channel, set_by=user_id)
    ack()
