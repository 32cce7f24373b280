"""Submissions of the sync modals: setup, answers, ICP, customer feedback; the feedback shortcut."""

from __future__ import annotations

import json

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.i18n import translator
from bot.slack.access import is_admin
from bot.slack.channels import not_a_member
from bot.sync import service as meetings
from bot.sync.blocks import build_feedback_modal
from bot.sync.service import SyncError
from bot.workspace.form import parse_sync_submission
from bot.workspace.store import load


def _meta(view: dict, body: dict) -> dict:
    meta = json.loads(view.get("private_metadata") or "{}")
    meta.setdefault("team_id", body["team"]["id"])
    return meta


def _value(view: dict, block: str) -> dict:
    return view["state"]["values"].get(block, {}).get(ids.VALUE, {}) or {}


def handle_setup_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps.engine, _meta(view, body)["team_id"])
    _ = translator(ws.language)
    if not is_admin(client, ws, body["user"]["id"]):
        ack(response_action="errors", errors={"weekday": _("Only admins can set up the sync.")})
        return
    values, errors = parse_sync_submission(view["state"]["values"], meetings.find_series(deps, ws.team_id))
    if not errors and values.get("channel") and not_a_member(client, {"channel": values["channel"]}):
        errors["channel"] = _("I'm not in this channel yet: type /invite @Handoff in it, then save again.")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    meetings.setup(deps, ws.team_id, {**values, "active": True})
    ack()


def handle_answers_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    meta = _meta(view, body)
    prefix = ids.SYNC_QUESTION_PREFIX
    texts = {
        block.removeprefix(prefix): (value.get(ids.VALUE) or {}).get("value") or ""
        for block, value in view["state"]["values"].items()
        if block.startswith(prefix)
    }
    try:
        meetings.save_answers(deps, meta["team_id"], int(meta["meeting_id"]), body["user"]["id"], texts)
    except SyncError as exc:
        first = next(iter(view["state"]["values"]), prefix + "q1")
        ack(response_action="errors", errors={first: str(exc)})
        return
    ack()


def handle_icp_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    team_id = _meta(view, body)["team_id"]
    profile = (_value(view, "profile").get("value") or "").strip()
    indicators = (_value(view, "indicators").get("value") or "").strip()
    meetings.save_icp(deps, team_id, profile, indicators, body["user"]["id"])
    ack()


def handle_feedback_shortcut(ack: Ack, shortcut: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps.engine, shortcut["team"]["id"])
    message = shortcut.get("message") or {}
    view = build_feedback_modal(
        ws,
        message.get("text") or "",
        channel=shortcut.get("channel", {}).get("id"),
        ts=shortcut.get("message_ts") or message.get("ts"),
    )
    ack()
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def handle_feedback_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    meta = _meta(view, body)
    rating = (_value(view, "rating").get("selected_option") or {}).get("value")
    meetings.save_feedback(
        deps,
        meta["team_id"],
        f"slack-msg-{meta.get('channel')}-{meta.get('ts')}",
        kind=(_value(view, "kind").get("selected_option") or {}).get("value") or "review",
        rating=int(rating) if rating else None,
        text=(_value(view, "text").get("value") or "").strip(),
        author=body["user"]["id"],
        source="slack message",
        customer=(_value(view, "customer").get("value") or "").strip() or None,
    )
    ack()
