"""The sync's buttons: Answer (in the question DM) and Close meeting (on the agenda)."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.slack.access import in_group, is_admin
from bot.sync import service as meetings
from bot.sync.blocks import build_answer_modal
from bot.sync.service import SyncError
from bot.workspace.store import load


def handle_answer_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    team_id, user = body["team"]["id"], body["user"]["id"]
    try:
        ws, m, qs, mine = meetings.answer_form(deps, team_id, int(action["value"]), user)
    except SyncError as exc:
        respond(response_type="ephemeral", replace_original=False, text=str(exc))
        return
    if deps.clock() >= m.starts_at or m.status != "planned":
        _ = translator(ws.language)
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=_("The meeting has started: answers can no longer be changed. Bring them to the meeting."),
        )
        return
    client.views_open(trigger_id=body["trigger_id"], view=build_answer_modal(ws, m, qs, mine))


def handle_close_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    ws = load(deps.engine, body["team"]["id"])
    _ = translator(ws.language)
    user = body["user"]["id"]
    try:
        _ws, series = meetings.load_series(deps, ws.team_id)
    except SyncError as exc:
        respond(response_type="ephemeral", replace_original=False, text=str(exc))
        return
    allowed = is_admin(client, ws, user) or in_group(client, [*series.sales, *series.marketing], user)
    if not allowed:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=_("Only the sync's participants and admins can close the meeting."),
        )
        return
    if not meetings.close(deps, ws.team_id, int(action["value"]), deps.clock(), by=user):
        respond(response_type="ephemeral", replace_original=False, text=_("This meeting is already closed."))
