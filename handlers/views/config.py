"""The settings modal's submission."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home import home_view
from bot.i18n import translator
from bot.slack import modals
from bot.slack.access import is_admin, not_a_member
from bot.workspace.modal import CHANNEL_KEYS, parse_submission
from bot.workspace.store import load, save_settings


def handle_config_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    team_id = body["team"]["id"]
    user_id = body["user"]["id"]
    ws = load(deps, team_id)
    _ = translator(ws.language)
    if errors := modals.shape_errors(view["state"]["values"], ws.language):
        ack(response_action="errors", errors=errors)
        return
    if not is_admin(client, ws, user_id):
        ack(response_action="errors", errors={"language": _("Only admins can change the settings.")})
        return
    values, errors = parse_submission(view["state"]["values"], ws)
    if not errors:
        channels = {k: values[k] for k in CHANNEL_KEYS if values.get(k)}
        for key in not_a_member(client, channels):
            errors[key] = _("I'm not in this channel yet: type /invite @Handoff in it, then save again.")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    save_settings(deps, team_id, values)
    ack()
    client.views_publish(user_id=user_id, view=home_view(deps, team_id, user_id))
