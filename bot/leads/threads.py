"""Slack events that change lead data: thread replies (kept, edited, removed) and mapped reactions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.deps import Deps
from bot.leads.cards import CARD
from bot.slack.requests import slack_ts
from bot.text import from_slack
from bot.text import problem as text_problem
from bot.workspace.store import load
from storage.models import Lead
from storage.repos import leads as repo
from storage.repos import posts, retention
from storage.repos import threads as replies

log = logging.getLogger(__name__)
KEPT_SUBTYPES = (None, "thread_broadcast", "file_share")
# A card is in Slack a moment before its place is recorded (the card worker records a few at once).
# An event about a message that is no known card while cards are being posted is tried again after
# these pauses, and not noted as handled meanwhile.
RETRY_AFTER = (1.0, 3.0, 10.0)
IN_FLIGHT = timedelta(minutes=10)
# Slack retries an event within five minutes of the first try; its id is kept a week, then removed.
EVENTS_KEPT = timedelta(days=7)


class _CardNotRecordedYet(Exception):
    pass


def _card_lead(deps: Deps, s: Session, team_id: str, channel: str, ts: str) -> Lead | None:
    lead = repo.by_card(s, team_id=team_id, channel=channel, ts=ts)
    if lead is not None or channel != load(deps, team_id).leads_channel:
        return lead  # cards are only in the leads channel: elsewhere nothing is waited for
    if posts.in_flight(s, team_id=team_id, kind=CARD.name, since=deps.clock() - IN_FLIGHT):
        raise _CardNotRecordedYet
    return None


def _with_retries(deps: Deps, what: str, fn: Callable[[], None], attempt: int = 0) -> None:
    """Run fn; when the card it needs is not recorded yet, try again later (a few times)."""
    try:
        fn()
    except _CardNotRecordedYet:
        if attempt < len(RETRY_AFTER):
            deps.run_after(RETRY_AFTER[attempt], _with_retries, deps, what, fn, attempt + 1)
        else:
            log.info("%s: no lead card at that message after %s tries", what, attempt + 1)


def _at(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def record_message_event(deps: Deps, team_id: str, event_id: str, event: dict) -> None:
    """Store, edit or remove a thread reply once per Slack event id (a retry does nothing)."""
    _with_retries(deps, "thread reply", lambda: _record_message(deps, team_id, event_id, event))


_TS_KEYS = ("ts", "thread_ts", "event_ts", "deleted_ts")


def _unreadable(event: dict) -> str | None:
    """What in a message event is not as Slack sends it: a time that is no Slack timestamp, a text that
    is no text (a NUL, a lone surrogate), an edit without its message. Such an event is not kept."""
    message = event.get("message")
    for where, obj in (("event", event), ("event.message", message)):
        if obj is None:
            continue
        if not isinstance(obj, dict):
            return f"{where} is no object"
        for key in _TS_KEYS:
            if obj.get(key) is not None and slack_ts(obj[key]) is None:
                return f"{where}.{key} is no Slack timestamp"
        text = obj.get("text")
        if text is not None and (not isinstance(text, str) or text_problem(text)):
            return f"{where}.text is no text"
    if not isinstance(event.get("subtype"), str | None):
        return "event.subtype is no text"
    return None


def _record_message(deps: Deps, team_id: str, event_id: str, event: dict) -> None:
    subtype = event.get("subtype")
    channel = event.get("channel")
    if subtype not in (*KEPT_SUBTYPES, "message_changed", "message_deleted") or not channel:
        return
    if wrong := _unreadable(event):
        log.warning("message event %s not kept: %s", event_id, wrong)
        return
    with deps.write() as s:
        if not replies.first_event(s, team_id=team_id, event_id=event_id):
            return  # a retried delivery: already handled
        if subtype == "message_changed":
            msg = event.get("message") or {}
            if msg.get("ts"):
                replies.edit_reply(
                    s,
                    team_id=team_id,
                    channel=channel,
                    ts=msg["ts"],
                    text=from_slack(msg.get("text") or ""),
                    at=_at(event.get("event_ts") or msg["ts"]),
                )
            return
        if subtype == "message_deleted":
            if event.get("deleted_ts"):
                replies.delete_reply(s, team_id=team_id, channel=channel, ts=event["deleted_ts"])
            return
        thread_ts = event.get("thread_ts")
        if event.get("bot_id") or not thread_ts or thread_ts == event.get("ts"):
            return
        lead = _card_lead(deps, s, team_id, channel, thread_ts)  # raising undoes the note of the event
        if lead is None or lead.forgotten_at is not None:  # nothing is kept of a forgotten person
            return
        assert lead.id is not None  # a stored row
        replies.add_reply(
            s,
            team_id=team_id,
            lead_id=lead.id,
            channel=channel,
            ts=event["ts"],
            user_id=event.get("user"),
            text=from_slack(event.get("text") or ""),
            at=_at(event["ts"]),
        )


def on_card_event(
    deps: Deps, team_id: str, event_id: str, channel: str, ts: str, then: Callable[[int], object]
) -> None:
    """Call then(lead id) for the lead whose card is at (channel, ts), once per event id; nothing for a
    retried event or a message that is no card. A card whose place is not recorded yet is waited for."""

    def attempt() -> None:
        with deps.write() as s:
            if not replies.first_event(s, team_id=team_id, event_id=event_id):
                return
            lead = _card_lead(deps, s, team_id, channel, ts)
        if lead is not None:
            assert lead.id is not None  # a stored row
            then(lead.id)

    _with_retries(deps, "card event", attempt)


def purge_handled_events(deps: Deps, now: datetime) -> int:
    """Remove the ids of events handled more than EVENTS_KEPT ago; how many."""
    with deps.write() as s:
        return retention.purge_events(s, before=now - EVENTS_KEPT)
