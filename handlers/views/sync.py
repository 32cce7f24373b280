"""Submissions of the sync modals: setup, answers, ICP, customer feedback, decisions; the feedback shortcut."""

from __future__ import annotations

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.i18n import translator
from bot.slack import modals
from bot.slack.access import is_admin, not_a_member
from bot.slack.requests import slack_ts
from bot.sync.answers import save_answers
from bot.sync.blocks.items import DECISION
from bot.sync.blocks.modals import build_feedback_modal, parse_sync_submission
from bot.sync.commands import FEEDBACK_KINDS
from bot.sync.decisions import DECISION_LIMIT, record
from bot.sync.feedback import save_feedback
from bot.sync.icp import save_icp
from bot.sync.series import SyncError, find_series, setup
from bot.text import from_slack
from bot.text import problem as text_problem
from bot.workspace.store import load


def handle_setup_submission(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps, body["team"]["id"])
    _ = translator(ws.language)
    if errors := modals.shape_errors(view["state"]["values"], ws.language):
        ack(response_action="errors", errors=errors)
        return
    if not is_admin(client, ws, body["user"]["id"]):
        ack(response_action="errors", errors={"weekday": _("Only admins can set up the sync.")})
        return
    values, errors = parse_sync_submission(view["state"]["values"], find_series(deps, ws.team_id))
    if not errors and values.get("channel") and not_a_member(client, {"channel": values["channel"]}):
        errors["channel"] = _("I'm not in this channel yet: type /invite @Handoff in it, then save again.")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    setup(deps, ws.team_id, {**values, "active": True})
    ack()


def handle_answers_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    meta = modals.metadata(view)
    prefix = ids.SYNC_QUESTION_PREFIX
    state = view["state"]["values"]
    blocks = [block for block in state if block.startswith(prefix)]
    language = load(deps, body["team"]["id"]).language
    errors = modals.shape_errors(state, language) or modals.text_errors(
        state, language, dict.fromkeys(blocks, modals.TEXT_LIMIT)
    )
    if errors:
        ack(response_action="errors", errors=errors)
        return
    texts = {block.removeprefix(prefix): modals.field(state, block).get("value") or "" for block in blocks}
    try:
        save_answers(deps, body["team"]["id"], modals.number(meta.get("meeting_id")) or 0, body["user"]["id"], texts)
    except SyncError as exc:
        first = next(iter(state), prefix + "q1")
        ack(response_action="errors", errors={first: str(exc)})
        return
    ack()


def handle_icp_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    state = view["state"]["values"]
    language = load(deps, body["team"]["id"]).language
    limits = {"profile": modals.TEXT_LIMIT, "indicators": modals.TEXT_LIMIT}
    errors = modals.shape_errors(state, language) or modals.text_errors(state, language, limits)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    profile = (modals.field(state, "profile").get("value") or "").strip()
    indicators = (modals.field(state, "indicators").get("value") or "").strip()
    save_icp(deps, body["team"]["id"], profile, indicators, body["user"]["id"])
    ack()


def handle_feedback_shortcut(ack: Ack, shortcut: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps, shortcut["team"]["id"])
    message = shortcut["message"]  # an object: the screen refuses a message shortcut without one
    text = message.get("text")
    view = build_feedback_modal(
        ws,
        from_slack(text) if isinstance(text, str) and not text_problem(text) else "",
        channel=(shortcut.get("channel") or {}).get("id"),
        ts=slack_ts(shortcut.get("message_ts")) or slack_ts(message.get("ts")),
    )
    ack()
    client.views_open(trigger_id=shortcut["trigger_id"], view=view)


def handle_feedback_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    meta = modals.metadata(view)
    state = view["state"]["values"]
    ws = load(deps, body["team"]["id"])
    if errors := modals.shape_errors(state, ws.language):
        ack(response_action="errors", errors=errors)
        return
    kind = (modals.field(state, "kind").get("selected_option") or {}).get("value") or "review"
    chosen = (modals.field(state, "rating").get("selected_option") or {}).get("value")
    rating = modals.number(chosen)
    limits = {"text": modals.TEXT_LIMIT, "customer": 500}
    errors = modals.text_errors(state, ws.language, limits)
    out_of_date = translator(ws.language)("This form is out of date: open it again.")
    if kind not in FEEDBACK_KINDS:
        errors["kind"] = out_of_date
    if chosen is not None and (rating is None or not 1 <= rating <= 5):  # "abc", "3.5", "-1", 10**30
        errors["rating"] = out_of_date
    if errors:
        ack(response_action="errors", errors=errors)
        return
    save_feedback(
        deps,
        ws.team_id,
        f"slack-msg-{meta.get('channel')}-{meta.get('ts')}",
        kind=kind,
        rating=rating,
        text=(modals.field(state, "text").get("value") or "").strip(),
        author=body["user"]["id"],
        source="slack message",
        customer=(modals.field(state, "customer").get("value") or "").strip() or None,
    )
    ack()


def handle_decision_submission(ack: Ack, body: dict, view: dict, deps: Deps) -> None:
    meta = modals.metadata(view)
    state = view["state"]["values"]
    language = load(deps, body["team"]["id"]).language
    limits = {DECISION: DECISION_LIMIT}
    errors = modals.shape_errors(state, language) or modals.text_errors(state, language, limits)
    text = (modals.field(state, DECISION).get("value") or "").strip()
    if not errors and not text:
        errors = {DECISION: translator(language)("Write what was decided.")}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        record(deps, body["team"]["id"], meta.get("meeting_id"), meta.get("item"), body["user"]["id"], text)
    except SyncError as exc:
        ack(response_action="errors", errors={DECISION: str(exc)})
        return
    ack()
