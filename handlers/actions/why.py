"""The Why? button of a finding outside its band: the drill-down, for the clicker alone."""

from __future__ import annotations

from slack_bolt import Ack, Respond

from bot.deps import Deps
from bot.leads.why import answer_why


def handle_why(ack: Ack, body: dict, action: dict, respond: Respond, deps: Deps) -> None:
    ack()
    # The workspace is the request's, never the value's: a value names a finding, not whose it is.
    message = answer_why(deps, body["team"]["id"], action.get("value"), deps.clock())
    respond(replace_original=False, response_type="ephemeral", **message.to_kwargs())
