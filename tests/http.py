"""Sending Slack-shaped HTTP requests to the running app."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from tests.signing import slack_headers


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body)


def post(url: str, body: bytes, headers: dict[str, str]) -> Reply:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return Reply(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read())


def get(url: str) -> Reply:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return Reply(resp.status, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.read())


def signed_post(
    url: str,
    secret: str,
    body: str,
    content_type: str,
    *,
    ts: int | None = None,
    extra: dict[str, str] | None = None,
) -> Reply:
    ts = int(time.time()) if ts is None else ts
    headers = slack_headers(secret, ts, body, content_type)
    headers.update(extra or {})
    return post(url, body.encode(), headers)


def form(fields: dict[str, str]) -> str:
    return urllib.parse.urlencode(fields)


def interactive(payload: dict) -> str:
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def slash_command(app, command: str, text: str, user: str = "U0ADMIN", channel: str = "C0HERE", **kw) -> Reply:
    """A slash command shaped like Slack's own (the bolt test payload), for our team and user."""
    from tests.conftest import SIGNING_SECRET, TEAM
    from tests.slack_double import SHARED

    raw = (SHARED / "slack" / "payloads" / "http" / "slash_command.bolt_test.form.txt").read_text().strip()
    fields = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
    for key in ("enterprise_id", "enterprise_name"):
        fields.pop(key, None)
    fields.update(
        {
            "team_id": TEAM,
            "user_id": user,
            "channel_id": channel,
            "command": command,
            "text": text,
            "response_url": app.slack.response_url(),
            "trigger_id": "111.222.trigger",
        }
    )
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, form(fields), "application/x-www-form-urlencoded", **kw
    )


def button_click(
    app, action_id: str, value: str, user: str = "U0ADMIN", channel: str = "C0HERE", action_ts: str | None = None
) -> Reply:
    """A block_actions payload (Slack's button-in-message sample) for one of our buttons; the same
    `action_ts` again is the same click delivered again."""
    from tests.conftest import SIGNING_SECRET, TEAM
    from tests.slack_double import SHARED

    payload = json.loads((SHARED / "slack" / "payloads" / "http" / "block_actions.button_in_message.json").read_text())
    payload["team"] = {"id": TEAM, "domain": "test"}
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}
    payload["channel"] = {"id": channel, "name": "here"}
    payload["response_url"] = app.slack.response_url()
    payload.pop("enterprise", None)
    payload["is_enterprise_install"] = False
    payload["actions"] = [
        {**payload["actions"][0], "action_id": action_id, "value": value, "action_ts": action_ts or str(time.time())}
    ]
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )


def submit_view(app, callback_id: str, private_metadata: str, values: dict, user: str = "U0ADMIN") -> Reply:
    """A view_submission (Slack's modal sample) for one of our modals with the given state values."""
    from tests.conftest import SIGNING_SECRET, TEAM
    from tests.slack_double import SHARED

    payload = json.loads((SHARED / "slack" / "payloads" / "http" / "view_submission.modal_input.json").read_text())
    payload["team"]["id"] = TEAM
    payload["user"].update({"id": user, "team_id": TEAM})
    payload["view"].update({"team_id": TEAM, "callback_id": callback_id, "private_metadata": private_metadata})
    payload["view"]["state"] = {"values": values}
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )


def message_shortcut(app, callback_id: str, message: dict, user: str = "U0ADMIN", channel: str = "C0HERE") -> Reply:
    """A message_action (Slack's message-shortcut sample) on `message`."""
    from tests.conftest import SIGNING_SECRET, TEAM
    from tests.slack_double import SHARED

    payload = json.loads((SHARED / "slack" / "payloads" / "http" / "message_action.message_shortcut.json").read_text())
    payload["team"] = {"id": TEAM, "domain": "test"}
    payload["user"] = {"id": user, "name": user.lower()}
    payload["channel"] = {"id": channel, "name": "here"}
    payload["callback_id"] = callback_id
    payload["message"] = {**payload["message"], **message, "team": TEAM}
    payload["message_ts"] = payload["message"]["ts"]
    payload["response_url"] = app.slack.response_url()
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )


def block_suggestion(app, action_id: str, value: str, user: str = "U0ADMIN") -> Reply:
    """A block_suggestion (Slack's external-select sample) asking our options for `action_id`."""
    from tests.conftest import SIGNING_SECRET, TEAM
    from tests.slack_double import SHARED

    payload = json.loads((SHARED / "slack" / "payloads" / "http" / "block_suggestion.external_select.json").read_text())
    payload["team"] = {"id": TEAM, "domain": "test"}
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}
    payload.pop("enterprise", None)
    payload["is_enterprise_install"] = False
    payload.update({"action_id": action_id, "block_id": "sales_groups", "value": value})
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )
