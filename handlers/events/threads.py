"""Messages in a lead card's thread are kept against the lead; edits and deletions follow Slack."""

from __future__ import annotations

from bot.deps import Deps
from bot.leads.threads import record_message_event


def handle_message(event: dict, body: dict, deps: Deps) -> None:
    team_id = body.get("team_id") or event.get("team")
    assert team_id is not None  # an Events API envelope always names its workspace
    record_message_event(deps, team_id, body["event_id"], event)
