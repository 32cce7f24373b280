"""The verdict modal: a reason from the catalogue and a comment."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.leads.cards import give_verdict, refusal
from bot.leads.verdicts import read_verdict_form
from bot.slack import modals
from bot.workspace.store import load


def handle_verdict_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    meta = modals.metadata(view)
    ws = load(deps, body["team"]["id"])
    if errors := modals.shape_errors(view["state"]["values"], ws.language):
        ack(response_action="errors", errors=errors)
        return
    user_id = body["user"]["id"]
    why_not = refusal(client, ws, user_id)
    if why_not:
        ack(response_action="errors", errors={ids.REASON: why_not})
        return
    state = view["state"]["values"]
    reason = (modals.field(state, ids.REASON).get("selected_option") or {}).get("value")
    form, errors = read_verdict_form(ws, meta, reason, modals.field(state, ids.NOTE).get("value"))
    if form is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    try:
        give_verdict(
            deps,
            ws.team_id,
            form.lead_id,
            verdict=form.verdict,
            user_id=user_id,
            reason=form.reason,
            note=form.note,
            ws=ws,
        )
    except LookupError:  # no such lead in this workspace (a stale or forged form)
        return
