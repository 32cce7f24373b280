"""Messages in a lead card's thread are kept against the lead; edits and deletions follow Slack."""

from __future__ import annotations

from bot.deps import Deps
from bot.leads.threads import record_message_event


def handle_message(event: dict, body: dict, deps: Deps) -> None:
    record_message_event(deps, body.get("team_id") or event.get("team"), body["event_id"], event)
