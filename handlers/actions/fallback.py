"""A click no listener knows: a button of an older release, still on an old message."""

from __future__ import annotations

import logging

from slack_bolt import Ack, Respond

from bot.deps import Deps
from bot.i18n import translator
from bot.slack.kit import escape, notice
from bot.workspace.store import load

log = logging.getLogger(__name__)


def handle_unknown_action(ack: Ack, body: dict, action: dict, respond: Respond, deps: Deps) -> None:
    """Acked (Bolt would answer 404 and Slack would mark the button failed), and the user told why."""
    ack()
    log.info("a click on %r, which no listener handles", str(action.get("action_id", ""))[:100])
    if not body.get("response_url"):
        return
    team = body.get("team") or {}
    team_id = team.get("id") or (body.get("user") or {}).get("team_id")
    _ = translator(load(deps, team_id).language if isinstance(team_id, str) else "en")
    text = _("This button belongs to an older version of the message and does nothing now. Ask again for a fresh one.")
    respond(response_type="ephemeral", replace_original=False, **notice(escape(text)).to_kwargs())
