"""The sync's buttons: Answer (in the question DM), Close meeting and Decision (on the agenda)."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import modals
from bot.slack.access import in_group, is_admin
from bot.slack.kit import escape, notice
from bot.sync.answers import answer_form
from bot.sync.blocks.items import build_decision_modal
from bot.sync.blocks.modals import build_answer_modal
from bot.sync.closing import close
from bot.sync.decisions import parse_button, target
from bot.sync.series import SyncError, load_series
from bot.workspace.store import load


def handle_answer_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    team_id, user = body["team"]["id"], body["user"]["id"]
    try:
        ws, m, qs, mine = answer_form(deps, team_id, modals.number(action.get("value")) or 0, user)
    except SyncError as exc:
        respond(response_type="ephemeral", replace_original=False, **notice(escape(str(exc))).to_kwargs())
        return
    if deps.clock() >= m.starts_at or m.status != "planned":
        _ = translator(ws.language)
        respond(
            response_type="ephemeral",
            replace_original=False,
            **notice(
                escape(_("The meeting has started: answers can no longer be changed. Bring them to the meeting."))
            ).to_kwargs(),
        )
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_answer_modal(ws, m, qs, mine))


def handle_close_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    ws = load(deps, body["team"]["id"])
    _ = translator(ws.language)
    user = body["user"]["id"]
    try:
        _ws, series = load_series(deps, ws.team_id)
    except SyncError as exc:
        respond(response_type="ephemeral", replace_original=False, **notice(escape(str(exc))).to_kwargs())
        return
    allowed = is_admin(client, ws, user) or in_group(client, [*series.sales, *series.marketing], user)
    if not allowed:
        respond(
            response_type="ephemeral",
            replace_original=False,
            **notice(escape(_("Only the sync's participants and admins can close the meeting."))).to_kwargs(),
        )
        return
    if not close(deps, ws.team_id, modals.number(action.get("value")) or 0, deps.clock(), by=user):
        respond(
            response_type="ephemeral",
            replace_original=False,
            **notice(escape(_("This meeting is already closed."))).to_kwargs(),
        )


def handle_decision_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    meeting_id, item = parse_button(action.get("value"))
    try:
        t = target(deps, body["team"]["id"], meeting_id, item)
    except SyncError as exc:
        respond(response_type="ephemeral", replace_original=False, **notice(escape(str(exc))).to_kwargs())
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_decision_modal(t.ws, t.meeting, t.item, t.heading))
