"""What a request to /slack/events must be before Bolt sees it. Bolt parses the body, and reads it as
a JSON object, before it checks the signature: a body of any size, a timestamp of 400 digits, a
non-ASCII signature or a body that is no JSON object ended in a 500 for anyone, signed or not. Here
the body is read once, with a limit, the signature is checked on it, then its shape, parsed the way
Bolt parses it: each of those is a 4xx. Bolt checks the signature again; that costs a hash."""

from __future__ import annotations

import io
import re
import time
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.request.internals import parse_body

from bot.slack import signing

MAX_BODY = 1 << 20  # Slack's largest payloads (a big modal's state) are far below a megabyte
OK = "200 OK"


def screen(environ: dict[str, Any], signing_secret: str) -> tuple[str, str] | None:
    """(status line, text) to answer the request with, or None to hand it to Bolt (its body read here
    and put back for Bolt to read)."""
    if not signing_secret:
        return "503 Service Unavailable", "no signing secret is set: nothing sent here can be checked"
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "Content-Length is not a number"
    if length > MAX_BODY:
        return "413 Payload Too Large", f"body over {MAX_BODY} bytes"
    body = environ["wsgi.input"].read(max(length, 0))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and parse_qs(text).get("ssl_check") == ["1"]:
        # Slack's unsigned check that a slash command's URL answers over TLS: an empty 200, as Bolt
        # would answer it.
        return OK, ""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not signing.fresh(timestamp, time.time()):
        return "401 Unauthorized", "missing or stale timestamp"
    expected = signing.signature(signing_secret, "v0", timestamp, body)
    if not signing.same(expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
        return "401 Unauthorized", "bad signature"
    if text is None:
        return "400 Bad Request", "the body is not UTF-8"
    payload = _an_object(text, environ.get("CONTENT_TYPE"))
    if payload is None:
        return "400 Bad Request", "the body is no JSON object (nor a form with one as its payload)"
    if wrong := shape_problem(payload):
        return "400 Bad Request", wrong
    return None


def _an_object(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The JSON object Bolt will find, parsing the body as it does; None when there is none."""
    try:
        payload = parse_body(text, content_type.split(";")[0] if content_type else None)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


# Slack's ids (T…, U…, W…, C…, D…, G…, E…, A…, B…): what Bolt reads to route a request and the
# listeners key the workspace, the person and the channel by. Letters, digits, `-`, `_` and `.`: wider
# than Slack's own (Slack's samples hold "T-auth"), and still no NUL, space, `<@…>` or object.
_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ID_OBJECTS = ("team", "user", "channel", "enterprise")
_ID_KEYS = ("team_id", "user_id", "channel_id", "enterprise_id", "app_installed_team_id", "api_app_id", "bot_id")
# Where Bolt looks for ids (slack_bolt.request.internals.extract_team_id and its kin) and listeners read them.
_HOLDERS = ("", "event", "item", "message", "previous_message", "view", "event.item", "event.message")
# What each kind of request holds whenever Slack sends it, and the listeners read without a default.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "command": ("team_id", "user_id", "command", "trigger_id", "response_url"),
    "event_callback": ("team_id", "event_id", "event.type"),
    "block_actions": ("team.id", "user.id", "trigger_id", "actions"),
    "block_suggestion": ("team.id", "user.id", "action_id"),
    "view_submission": ("team.id", "user.id", "view.type", "view.callback_id", "view.state.values"),
    "view_closed": ("team.id", "user.id", "view.type", "view.callback_id"),
    "message_action": ("team.id", "user.id", "trigger_id", "callback_id", "message"),
    "shortcut": ("team.id", "user.id", "trigger_id", "callback_id"),
}
_OBJECTS = ("actions", "message", "view.state.values")  # the rest of the required fields are text


_TS = re.compile(r"[0-9]{1,12}\.[0-9]{1,9}")


def slack_ts(value: object) -> str | None:
    """A message's timestamp as Slack writes it ("1726133700.887259"), or None for anything else."""
    return value if isinstance(value, str) and _TS.fullmatch(value) else None


def _is_id(value: object) -> bool:
    return isinstance(value, str) and bool(_ID.fullmatch(value))


def _get(payload: dict[str, Any], path: str) -> object:
    value: object = payload
    for step in filter(None, path.split(".")):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def _id_problem(payload: dict[str, Any]) -> str | None:
    authorizations = payload.get("authorizations")
    if authorizations is not None and not isinstance(authorizations, list):
        return "authorizations is not a list"
    holders = [(path, _get(payload, path)) for path in _HOLDERS]
    holders.append(("authorizations.0", authorizations[0] if authorizations else None))
    for path, holder in holders:
        if holder is None:
            continue
        if not isinstance(holder, dict):
            return f"{path} is not an object"
        for key in (*_ID_OBJECTS, *_ID_KEYS):
            value = holder.get(key)
            if key in _ID_OBJECTS and isinstance(value, dict):
                key, value = f"{key}.id", value.get("id", "")  # an object Slack sends always has its id
            if value is not None and not _is_id(value):
                return f"{'.'.join(filter(None, (path, key)))} is not a Slack id"
    return None


def shape_problem(payload: dict[str, Any]) -> str | None:
    """What in a signed request is not as Slack sends it, naming the field: an id that is no Slack id (a
    number, a NUL, an object where Bolt reads text), a field the request always holds missing or of the
    wrong type. Slack sends no such request; Bolt's routing or a listener would fail on it."""
    if problem := _id_problem(payload):
        return problem
    kind = payload.get("type") or ("command" if "command" in payload else None)
    required = _REQUIRED.get(kind, ()) if isinstance(kind, str) else ()
    if kind == "block_actions" and _get(payload, "container.type") != "view":
        required += ("channel.id", "response_url")  # a click in a message (not App Home, not a modal)
    for path in required:
        value = _get(payload, path)
        if value is None or value == "" or value == []:  # an empty object (state values) is a form
            return f"{path} is missing"
        if not isinstance(value, (list if path == "actions" else dict) if path in _OBJECTS else str):
            return f"{path} is not {'an object' if path in _OBJECTS else 'text'}"
    if kind == "block_suggestion" and not isinstance(payload.get("value"), str):
        return "value is not text"
    url = payload.get("response_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
        return "response_url is not a URL"
    if kind == "block_actions":
        for a in payload["actions"]:
            if not (isinstance(a, dict) and isinstance(a.get("action_id"), str)):
                return "actions holds an action without an action_id"
            # Every click carries its time (the listeners key a post to it) and a value only as text.
            if slack_ts(a.get("action_ts")) is None:
                return "actions holds an action without an action_ts"
            if "value" in a and not isinstance(a["value"], str):
                return "actions holds a value that is not text"
    values = _get(payload, "view.state.values")
    if isinstance(values, dict) and not all(isinstance(v, dict) for v in values.values()):
        return "view.state.values holds a block that is no object"
    return None
