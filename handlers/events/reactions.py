"""An emoji on a lead card sets a verdict where admins mapped it (e.g. :x: → not target)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import Deps
from bot.leads.cards import give_verdict, refusal
from bot.leads.threads import on_card_event
from bot.slack.requests import slack_ts
from bot.workspace.store import load


def handle_reaction_added(event: dict, body: dict, client: WebClient, deps: Deps) -> None:
    item = event.get("item") or {}
    reaction, ts, user_id = event.get("reaction"), slack_ts(item.get("ts")), event.get("user")
    # A reaction on something else than a message, or not shaped as Slack sends it, changes nothing.
    if item.get("type") != "message" or not isinstance(reaction, str) or ts is None or not isinstance(user_id, str):
        return
    ws = load(deps, body["team_id"])
    verdict = ws.reactions.get(reaction)
    if verdict is None:
        return

    def judge(lead_id: int) -> None:
        if not refusal(client, ws, user_id):
            give_verdict(deps, ws.team_id, lead_id, verdict=verdict, user_id=user_id, source="reaction", ws=ws)

    on_card_event(deps, ws.team_id, body["event_id"], item.get("channel", ""), ts, judge)
