"""Slack events that change lead data: thread replies (kept, edited, removed) and mapped reactions."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.deps import Deps
from storage.db import session_scope
from storage.repos import leads as repo

KEPT_SUBTYPES = (None, "thread_broadcast", "file_share")


def _at(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def record_message_event(deps: Deps, team_id: str, event_id: str, event: dict) -> None:
    """Store, edit or remove a thread reply once per Slack event id (a retry does nothing)."""
    subtype = event.get("subtype")
    channel = event.get("channel")
    if subtype not in (*KEPT_SUBTYPES, "message_changed", "message_deleted") or not channel:
        return
    with session_scope(deps.engine) as s:
        if not repo.first_event(s, team_id, event_id):
            return  # a retried delivery: already handled
        if subtype == "message_changed":
            msg = event.get("message") or {}
            if msg.get("ts"):
                repo.edit_reply(
                    s,
                    team_id,
                    channel=channel,
                    ts=msg["ts"],
                    text=msg.get("text") or "",
                    at=_at(event.get("event_ts") or msg["ts"]),
                )
            return
        if subtype == "message_deleted":
            if event.get("deleted_ts"):
                repo.delete_reply(s, team_id, channel=channel, ts=event["deleted_ts"])
            return
        thread_ts = event.get("thread_ts")
        if event.get("bot_id") or not thread_ts or thread_ts == event.get("ts"):
            return
        lead = repo.by_card(s, team_id, channel, thread_ts)
        if lead is None:
            return
        repo.add_reply(
            s,
            team_id,
            lead.id,
            channel=channel,
            ts=event["ts"],
            user_id=event.get("user"),
            text=event.get("text") or "",
            at=_at(event["ts"]),
        )


def card_lead_for_event(deps: Deps, team_id: str, event_id: str, channel: str, ts: str) -> int | None:
    """The lead whose card is at (channel, ts), noting the event as handled; None for a retried event
    or a message that is no card."""
    with session_scope(deps.engine) as s:
        if not repo.first_event(s, team_id, event_id):
            return None
        lead = repo.by_card(s, team_id, channel, ts)
        return lead.id if lead else None
