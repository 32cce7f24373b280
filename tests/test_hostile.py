"""Hostile input through the real HTTP app: outside text never becomes a mention or a link in Slack,
and bad or forged requests get a 4xx naming what is wrong — never a 500 (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.parse
from dataclasses import replace

import pytest
from sqlmodel import select

from bot import ids
from bot.app import create_app
from bot.leads.webhook import sign, webhook_secret
from bot.server import HttpServer, build_wsgi
from bot.settings import QUIET_AT_DEBUG, Settings
from bot.workspace.store import load, save_settings
from storage.db import session_scope
from storage.models import ActionItem, Feedback, IcpVersion, Lead, MeetingNote
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import button_click, get, message_shortcut, post, signed_post, slash_command, submit_view
from tests.signing import slack_headers

SALES = "U0SALES"
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^S0SALES>", "<https://evil.example|click>", "<@U0BOSS>")
EVIL = "Hi <!channel> <!here> <!everyone> <!subteam^S0SALES> <@U0BOSS> <https://evil.example|click> & co"


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(
        running_app.deps, TEAM, {"leads_channel": "C0LEADS", "sales": [SALES], "timezone": "UTC", "admins": ["U0ADM"]}
    )
    running_app.secret = webhook_secret(running_app.deps, TEAM)
    running_app.slack.add_user(SALES)
    return running_app


def send_lead(app: RunningApp, body: bytes, *, ts: str | None = None, signature: str | None = None):
    ts = ts if ts is not None else str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Handoff-Timestamp": ts,
        "X-Handoff-Signature": signature if signature is not None else sign(app.secret, ts, body),
    }
    return post(f"{app.url}/webhooks/{TEAM}/leads", body, headers)


def card_ts(app: RunningApp, lead_id: int) -> str | None:
    with session_scope(app.deps.engine) as s:
        lead = s.get(Lead, lead_id)
        return lead.card_ts if lead else None


def mrkdwn_of(message: dict) -> list[str]:
    """Every text Slack parses as mrkdwn in a posted message: its `text`, sections, fields, contexts."""
    out = [message.get("text", "")]
    for block in message.get("blocks") or []:
        if block.get("type") == "section":
            out += [
                t["text"] for t in [block.get("text") or {}, *(block.get("fields") or [])] if t.get("type") == "mrkdwn"
            ]
        if block.get("type") == "context":
            out += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return out


def assert_inert(texts: list[str]) -> None:
    joined = "\n".join(texts)
    for live in LIVE:
        assert live not in joined, live
    assert "&lt;!channel&gt;" in joined and "&amp; co" in joined


def test_a_lead_cannot_mention_anyone_from_its_card(app: RunningApp):
    """Every field of a webhook lead with mentions and links in it shows on the card as text."""
    lead = {
        "external_id": "evil-1",
        "name": EVIL,
        "company": EVIL,
        "channel": EVIL,
        "campaign": EVIL,
        "product": EVIL,
        "owner": EVIL,
        "message": EVIL,
        "utm_source": EVIL,
    }
    assert send_lead(app, json.dumps(lead).encode()).status == 201
    card = app.slack.wait_for("chat.postMessage")[0]
    assert_inert(mrkdwn_of(card.args))


def test_a_verdict_comment_cannot_mention_anyone(app: RunningApp):
    """The comment sales writes for marketing shows on the refreshed card as text."""
    reply = send_lead(app, json.dumps({"external_id": "c-1", "name": "Plain"}).encode())
    lead_id = reply.json()["lead_id"]
    app.background.wait_idle()  # the card posted and its place recorded
    assert card_ts(app, lead_id) is not None
    meta = json.dumps({"team_id": TEAM, "lead_id": lead_id, "verdict": "not_target"})
    values = {
        ids.REASON: {ids.VALUE: {"type": "static_select", "selected_option": {"value": "no_budget"}}},
        ids.NOTE: {ids.VALUE: {"type": "plain_text_input", "value": EVIL}},
    }
    assert submit_view(app, ids.VERDICT_MODAL, meta, values, user=SALES).status == 200
    update = app.slack.wait_for("chat.update")[0]
    assert_inert(mrkdwn_of(update.args))


def test_a_lead_added_by_hand_cannot_mention_anyone(app: RunningApp):
    """/lead's fields are outside text too."""
    values = {f: {ids.VALUE: {"type": "plain_text_input", "value": EVIL}} for f in ("name", "company", "message")}
    assert submit_view(app, ids.LEAD_MODAL, json.dumps({"team_id": TEAM}), values, user=SALES).status == 200
    card = app.slack.wait_for("chat.postMessage")[0]
    assert_inert(mrkdwn_of(card.args))


@pytest.mark.parametrize(
    "case",
    ["superscript timestamp", "huge timestamp", "non-ascii signature", "empty signature", "no timestamp"],
)
def test_forged_lead_requests_are_refused_not_crashed(app: RunningApp, case: str):
    """Unauthenticated garbage in the signing headers is a 401, never a 500."""
    body = b'{"external_id": "x"}'
    kw = {
        "superscript timestamp": {"ts": "\u00b2"},
        "huge timestamp": {"ts": "9" * 400},
        "non-ascii signature": {"signature": "v1=\u00e9\u00e9"},
        "empty signature": {"signature": ""},
        "no timestamp": {"ts": ""},
    }[case]
    reply = send_lead(app, body, **kw)
    assert reply.status == 401


@pytest.mark.parametrize(
    "header,value",
    [
        ("X-Slack-Request-Timestamp", "\u00b2"),
        ("X-Slack-Request-Timestamp", "9" * 400),
        ("X-Slack-Signature", "v0=\u00e9"),
    ],
)
def test_forged_slack_requests_are_refused_not_crashed(app: RunningApp, header: str, value: str):
    """The same garbage in Slack's own signing headers on /slack/events: 401."""
    body = "command=%2Fkpi&text=&team_id=T0TEST&user_id=U0ADM"
    reply = signed_post(
        app.url + "/slack/events", SIGNING_SECRET, body, "application/x-www-form-urlencoded", extra={header: value}
    )
    assert reply.status == 401


def test_an_oversized_slack_request_is_refused_before_it_is_read():
    """Behind any WSGI server, the screen answers a body over the limit with 413 without reading it."""
    from bot.slack import requests

    class Unread:
        def read(self, *args: object) -> bytes:
            raise AssertionError("the body was read")

    environ = {"CONTENT_LENGTH": str(2 * 1024 * 1024), "wsgi.input": Unread()}
    assert requests.screen(environ, SIGNING_SECRET) == ("413 Payload Too Large", f"body over {requests.MAX_BODY} bytes")


@pytest.mark.parametrize("path", ["/slack/events", f"/webhooks/{TEAM}/leads"])
def test_a_body_announced_too_big_is_refused_before_it_arrives(app: RunningApp, path: str):
    """Content-Length of 5 MB, 11 bytes sent: the 413 comes at once, not after waiting for (or buffering) the rest."""
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5242880\r\n\r\npayload=abc".encode())
        assert conn.recv(64).startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize(
    "field,value,problem",
    [
        ("name", "a\u0000b", "NUL"),
        ("message", "\ud800", "not text"),
        ("created_at", "0001-01-01T00:00:00+14:00", "between"),
        ("created_at", "9999-12-31T23:59:59-12:00", "between"),
        ("external_id", "x" * 201, "longer than 200"),
        ("name", float("nan"), "NaN or Infinity"),
        ("score", float("nan"), "NaN or Infinity"),
        ("utm", {"cost": [float("-inf")]}, "NaN or Infinity"),
    ],
)
def test_signed_bad_lead_fields_are_400_naming_the_field(app: RunningApp, field: str, value: object, problem: str):
    """NUL, lone surrogates, impossible dates, an over-long id, NaN: 400 naming the field, nothing stored."""
    payload = {"external_id": "bad-1", field: value}
    reply = send_lead(app, json.dumps(payload).encode())
    assert reply.status == 400
    assert problem in reply.json()["errors"][field]
    with session_scope(app.deps.engine) as s:
        assert s.get(Lead, 1) is None


def test_deeply_nested_json_is_a_400(app: RunningApp):
    """JSON nested 5,000 deep: not JSON we take, 400 (the parser's recursion limit is no 500)."""
    body = b'{"external_id": "n", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert send_lead(app, body).status == 400


def test_an_integer_longer_than_python_reads_is_a_400(app: RunningApp):
    """An integer of 4,301 digits (past Python's int-string limit, where json.loads raises): 400, not 500."""
    body = b'{"external_id": "big", "n": ' + b"9" * 4301 + b"}"
    reply = send_lead(app, body)
    assert reply.status == 400 and "body" in reply.json()["errors"]


def test_a_slash_command_with_a_date_at_the_end_of_time_is_answered(app: RunningApp):
    """`/kpi 9999-12-31` and a 3,000-character `/funnel` are answered with a usage hint, not a 500."""
    reply = slash_command(app, "/kpi", "9999-12-31")
    assert reply.status == 200 and "is not a date between 2000-01-01 and 2100-12-31" in reply.body.decode()
    reply = slash_command(app, "/funnel", "x" * 3000)
    assert reply.status == 200 and "Try" in reply.body.decode()


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
        ("payload=%22text%22", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("{not json", "application/json"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "application/json"),
        ("payload=", "application/x-www-form-urlencoded"),
        ("payload=%7B%7D&payload=%5B1%5D", "application/x-www-form-urlencoded"),
    ],
)
def test_a_signed_body_that_is_no_json_object_is_a_400(app: RunningApp, body: str, content_type: str):
    """A `payload=` or a JSON body that is not a JSON object is refused before any listener runs."""
    assert signed_post(app.url + "/slack/events", SIGNING_SECRET, body, content_type).status == 400


def _slash_fields(**changes: str | None) -> str:
    fields = {
        "team_id": TEAM,
        "user_id": "U0ADM",
        "channel_id": "C0HERE",
        "command": "/handoff",
        "text": "help",
        "trigger_id": "1.2.x",
        "response_url": "https://hooks.slack.com/commands/T0TEST/1/x",
    }
    fields.update(changes)
    return urllib.parse.urlencode({k: v for k, v in fields.items() if v is not None})


def _payload(kind: str, **changes: object) -> str:
    body = {
        "type": kind,
        "team": {"id": TEAM},
        "user": {"id": "U0ADM", "team_id": TEAM},
        "trigger_id": "1.2.x",
        "container": {"type": "message"},
        "channel": {"id": "C0HERE"},
        "response_url": "https://hooks.slack.com/actions/T0TEST/1/x",
        "actions": [{"action_id": ids.POST_REPORT, "value": "x", "action_ts": "1.2"}],
        "action_id": ids.USERGROUPS,
        "value": "",
    }
    body.update(changes)
    return urllib.parse.urlencode({"payload": json.dumps({k: v for k, v in body.items() if v is not None})})


def _event(**changes: object) -> str:
    event = {"type": "message", "channel": "C0HERE", "user": "U0ADM", "ts": "1.2", "thread_ts": "1.1", "text": "x"}
    event.update(changes)
    return json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": event})


@pytest.mark.parametrize(
    "body,field",
    [
        (_slash_fields(team_id=None), "team_id"),
        (_slash_fields(team_id="T0\x00"), "team_id"),
        (_slash_fields(trigger_id=None), "trigger_id"),
        (_slash_fields(response_url=None), "response_url"),
        (_payload("block_actions", team={"id": 5}), "team.id"),
        (_payload("block_actions", user="<@U0BOSS>"), "user"),
        (_payload("block_actions", channel=None), "channel.id"),
        (_payload("block_actions", actions=[{"value": "x"}]), "actions"),
        (_payload("block_suggestion", value=5), "value"),
        (_payload("view_submission", view={"callback_id": ids.LEAD_MODAL, "state": {"values": {"name": 5}}}), "view"),
        (_payload("view_submission", view={"callback_id": ids.LEAD_MODAL, "state": {"values": {}}}), "view.type"),
        (_event(channel={"name": "general"}), "event.channel.id"),
    ],
)
def test_a_signed_request_not_shaped_as_slack_sends_it_is_a_400_naming_the_field(
    app: RunningApp, body: str, field: str
):
    """A request not shaped as Slack sends it is a 400 naming the field, before Bolt routes it (was a 500)."""
    content_type = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    reply = signed_post(app.url + "/slack/events", SIGNING_SECRET, body, content_type)
    assert reply.status == 400 and field in reply.body.decode()
    app.background.wait_idle()
    assert app.slack.calls_to("chat.postMessage") == [] and app.slack.responses == []


def test_a_signed_body_that_is_not_utf8_is_a_400(app: RunningApp):
    body = b"command=%2Fkpi&text=\xff\xfe"
    headers = slack_headers(SIGNING_SECRET, int(time.time()), body, "application/x-www-form-urlencoded")
    assert post(app.url + "/slack/events", body, headers).status == 400


def test_slacks_tls_check_is_answered_without_a_signature(app: RunningApp):
    """`ssl_check=1` comes unsigned (Slack checks a slash command's URL answers over TLS): an empty 200."""
    body = b"ssl_check=1&token=x"
    reply = post(app.url + "/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (reply.status, reply.body) == (200, b"")


def test_without_a_signing_secret_nothing_is_taken_at_slack_events(app: RunningApp):
    """Over HTTP with no signing secret nothing could be checked: 503, even for a body signed with ""."""
    settings = app.deps.settings.model_copy(update={"slack_signing_secret": None})
    wsgi = build_wsgi(create_app(app.deps.settings, app.deps), replace(app.deps, settings=settings))
    server = HttpServer(wsgi, "127.0.0.1", 0, loop_timeout=0.05).start()
    try:
        reply = signed_post(f"http://127.0.0.1:{server.port}/slack/events", "", "{}", "application/json")
        assert reply.status == 503
    finally:
        server.stop()


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ('{"type": "url_verification", "challenge": "x"}', "application/json"),
        ("command=%2Fkpi&text=&team_id=T0TEST&user_id=U0ADM", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_signed_with_another_secret_is_a_401_whatever_it_holds(app: RunningApp, body: str, content_type: str):
    """Checked before the body's shape: a stranger learns nothing from 400s, and gets a 401."""
    reply = signed_post(app.url + "/slack/events", "not-the-secret", body, content_type)
    assert reply.status == 401


def test_a_verdict_modal_with_forged_values_is_refused_field_by_field(app: RunningApp):
    """A reason outside the list, 20,000 characters, metadata no JSON or an id no row has: errors, nothing stored."""
    reply = send_lead(app, json.dumps({"external_id": "f-1", "name": "Plain"}).encode())
    lead_id = reply.json()["lead_id"]
    meta = json.dumps({"team_id": TEAM, "lead_id": lead_id, "verdict": "not_target"})
    values = {
        ids.REASON: {ids.VALUE: {"type": "static_select", "selected_option": {"value": "made_up"}}},
        ids.NOTE: {ids.VALUE: {"type": "plain_text_input", "value": "x" * 20000}},
    }
    reply = submit_view(app, ids.VERDICT_MODAL, meta, values, user=SALES)
    errors = reply.json()["errors"]
    assert set(errors) == {ids.REASON, ids.NOTE}
    reply = submit_view(app, ids.VERDICT_MODAL, "{not json", values, user=SALES)
    assert reply.status == 200 and reply.json()["response_action"] == "errors"
    for too_big in (2**31, 2**63, 10**30):  # no row can have it (PostgreSQL: integer out of range)
        meta = json.dumps({"team_id": TEAM, "lead_id": too_big, "verdict": "spam"})
        reply = submit_view(app, ids.VERDICT_MODAL, meta, {}, user=SALES)
        assert reply.status == 200 and reply.json()["response_action"] == "errors"
    with session_scope(app.deps.engine) as s:
        assert s.get(Lead, lead_id).verdict is None


def test_sync_done_with_a_number_no_item_can_have_is_answered(app: RunningApp):
    reply = slash_command(app, "/sync", "done " + "9" * 30)
    assert reply.status == 200 and "action item's number" in reply.body.decode()


def test_the_verdict_button_with_a_value_that_is_no_lead_is_answered(app: RunningApp):
    """A forged button value (not a number, or another workspace's lead) is answered, never a 500."""
    for value in ("abc", "999999"):
        assert button_click(app, ids.VERDICT_ACTION_PREFIX + "target", value, user=SALES).status == 200
    answers = app.slack.wait_for_response(2)
    assert all("no longer exists" in a["text"] for a in answers)


def test_the_post_report_button_with_a_forged_value_is_answered(app: RunningApp):
    """A "Post to channel" value the bot did not write (no JSON, unknown kind, year 9999): answered, nothing posted."""
    forged = ("{not json", '{"kind": "yearly", "pk": "day", "s": "2026-12-01", "e": "2026-12-01"}')
    forged += ('{"kind": "daily", "pk": "day", "s": "9999-12-31", "e": "9999-12-31"}',)
    for value in forged:
        assert button_click(app, ids.POST_REPORT, value).status == 200
    answers = app.slack.wait_for_response(3)
    assert all("cannot be read" in a["text"] for a in answers)
    assert app.slack.calls_to("chat.postMessage") == []


def test_socket_mode_serves_no_slack_events(app: RunningApp):
    """In Socket Mode /slack/events is not served (no signing secret could check it); /healthz still is."""
    wsgi = build_wsgi(create_app(app.deps.settings, app.deps), app.deps, slack_events=False)
    server = HttpServer(wsgi, "127.0.0.1", 0, loop_timeout=0.05).start()
    try:
        url = f"http://127.0.0.1:{server.port}"
        assert post(url + "/slack/events", b"{}", {"Content-Type": "application/json"}).status == 404
        assert get(url + "/healthz").status == 200
    finally:
        server.stop()


def test_debug_logging_leaves_slack_bodies_out():
    """At LOG_LEVEL=DEBUG our lines pass; slack_sdk's and Bolt's bodies (a card's e-mail) stay out."""
    Settings(log_level="DEBUG", _env_file=None).configure_logging()
    try:
        assert [logging.getLogger(n).level for n in QUIET_AT_DEBUG] == [logging.INFO] * len(QUIET_AT_DEBUG)
        assert not logging.getLogger("slack_sdk.web.base_client").isEnabledFor(logging.DEBUG)
    finally:
        for name in QUIET_AT_DEBUG:
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_sync_notes_and_actions_of_any_length_are_answered_and_kept_once(app: RunningApp):
    """3,000 characters in /sync notes and /sync action: answered within Slack's limits and kept once."""
    long = "decide " * 430  # ~3,000 characters
    assert slash_command(app, "/sync", f"notes {long}").status == 200
    assert slash_command(app, "/sync", f"action <@U0SALES> {long}").status == 200
    with session_scope(app.deps.engine) as s:
        assert len(s.exec(select(MeetingNote)).all()) == 1 and len(s.exec(select(ActionItem)).all()) == 1


def test_forged_feedback_and_profile_forms_are_refused_by_field(app: RunningApp):
    """A made-up kind or rating, 20,000 characters in feedback or the ICP: errors by field, nothing kept."""
    text = {"type": "plain_text_input", "value": "x" * 20000}
    values = {
        "kind": {ids.VALUE: {"type": "static_select", "selected_option": {"value": "praise"}}},
        "rating": {ids.VALUE: {"type": "static_select", "selected_option": {"value": "9"}}},
        "text": {ids.VALUE: text},
    }
    reply = submit_view(app, ids.FEEDBACK_MODAL, "{}", values)
    assert set(reply.json()["errors"]) == {"kind", "rating", "text"}
    for made_up in ("-1", "abc", "3.5", "9" * 30):
        values["kind"] = {ids.VALUE: {"type": "static_select", "selected_option": {"value": "review"}}}
        values["text"] = {ids.VALUE: {"type": "plain_text_input", "value": "Fine"}}
        values["rating"] = {ids.VALUE: {"type": "static_select", "selected_option": {"value": made_up}}}
        assert set(submit_view(app, ids.FEEDBACK_MODAL, "{}", values).json()["errors"]) == {"rating"}
    reply = submit_view(app, ids.SYNC_ICP_MODAL, "{}", {"profile": {ids.VALUE: text}, "indicators": {ids.VALUE: text}})
    assert set(reply.json()["errors"]) == {"profile", "indicators"}
    with session_scope(app.deps.engine) as s:
        assert s.exec(select(Feedback)).all() == [] and s.exec(select(IcpVersion)).all() == []


@pytest.mark.parametrize("zone", ["x" * 300, "Europe", "../../etc/passwd", "UTC\x00"])
def test_a_time_zone_that_is_no_zone_is_an_error_under_the_field(app: RunningApp, zone: str):
    """300 characters (ZoneInfo raised OSError), a folder of zones, a path: an error under it, nothing saved."""
    values = {"timezone": {ids.VALUE: {"type": "plain_text_input", "value": zone}}}
    reply = submit_view(app, ids.CONFIG_MODAL, "{}", values, user="U0ADM")
    assert reply.status == 200 and "unknown time zone" in reply.json()["errors"]["timezone"]
    assert load(app.deps, TEAM).timezone == "UTC"


@pytest.mark.parametrize(
    "callback_id,block,element",
    [
        (ids.LEAD_MODAL, "name", {"type": "plain_text_input", "value": 5.5}),
        (ids.CONFIG_MODAL, "timezone", {"type": "plain_text_input", "value": ["UTC"]}),
        (ids.SYNC_SETUP_MODAL, "questions", {"type": "plain_text_input", "value": {"a": 1}}),
        (ids.FEEDBACK_MODAL, "kind", {"type": "static_select", "selected_option": {"value": 1}}),
        (ids.CONFIG_MODAL, "admins", {"type": "multi_users_select", "selected_users": [None]}),
    ],
)
def test_a_form_input_not_shaped_as_slack_sends_it_is_an_error_under_it(
    app: RunningApp, callback_id: str, block: str, element: dict
):
    """A number where text goes, an option valued with no text: an error under that input, nothing stored."""
    reply = submit_view(app, callback_id, "{}", {block: {ids.VALUE: element}}, user="U0ADM")
    assert reply.status == 200 and list(reply.json()["errors"]) == [block]
    app.background.wait_idle()
    with session_scope(app.deps.engine) as s:
        assert s.exec(select(Lead)).all() == [] and s.exec(select(Feedback)).all() == []


def test_a_message_shortcut_on_a_message_of_odd_shape_opens_the_feedback_form(app: RunningApp):
    """The feedback shortcut on a message whose text is an object, time a list: the form opens without them."""
    assert message_shortcut(app, ids.FEEDBACK_SHORTCUT, {"text": {"a": 1}, "ts": ["1.2"]}).status == 200
    view = app.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.FEEDBACK_MODAL and '"ts": null' in view["private_metadata"]


@pytest.mark.parametrize(
    "event",
    [
        {"subtype": "message_deleted", "deleted_ts": {"a": 1}},
        {"subtype": "message_changed", "message": {"ts": ["1.2"], "text": "x"}},
        {"subtype": "message_changed", "message": {"ts": "1.2", "text": "a\x00b"}, "event_ts": "1.3"},
        {"subtype": "message_changed", "message": {"ts": "1.2", "text": "x"}, "event_ts": "soon"},
    ],
)
def test_a_message_event_of_odd_shape_is_not_kept_and_fails_nothing(
    app: RunningApp, caplog: pytest.LogCaptureFixture, event: dict
):
    """Deletions and edits whose times are no Slack timestamps, or with a NUL: not kept, with a warning."""
    body = _event(**event)
    assert signed_post(app.url + "/slack/events", SIGNING_SECRET, body, "application/json").status == 200
    app.background.wait_idle()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "not kept" in caplog.text


@pytest.mark.parametrize(
    "reaction,item",
    [(["x"], {"type": "message", "channel": "C0LEADS", "ts": "1.2"}), ("x", {"type": "message", "ts": {"a": 1}})],
)
def test_a_reaction_event_of_odd_shape_changes_nothing_and_fails_nothing(
    app: RunningApp, caplog: pytest.LogCaptureFixture, reaction: object, item: dict
):
    """A reaction named by a list, or on a message whose time is an object: nothing happens, nothing fails."""
    save_settings(app.deps, TEAM, {"reactions": {"x": "not_target"}})
    event = {"type": "reaction_added", "user": SALES, "reaction": reaction, "item": item, "event_ts": "1.3"}
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event_id": "Ev2", "event": event})
    assert signed_post(app.url + "/slack/events", SIGNING_SECRET, body, "application/json").status == 200
    app.background.wait_idle()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_forged_sync_answers_are_refused_by_question(app: RunningApp):
    """20,000 characters, a NUL or a lone surrogate: an error under each such question, before the meeting is read."""
    prefix = ids.SYNC_QUESTION_PREFIX
    answers = {"q1": "x" * 20000, "q2": "a\x00b", "q3": "\ud800", "q4": "fine"}
    values = {prefix + k: {ids.VALUE: {"type": "plain_text_input", "value": v}} for k, v in answers.items()}
    reply = submit_view(app, ids.SYNC_ANSWERS_MODAL, '{"meeting_id": 1}', values)
    assert set(reply.json()["errors"]) == {prefix + "q1", prefix + "q2", prefix + "q3"}
