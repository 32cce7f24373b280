"""End to end: signed Slack requests into the real HTTP app, the Web API double on the other side."""

from __future__ import annotations

import json
import time

import pytest

from bot import ids
from bot.workspace.store import load
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import block_suggestion, form, get, interactive, post, signed_post, slash_command
from tests.slack_double import SHARED

FORM = "application/x-www-form-urlencoded"
PAYLOADS = SHARED / "slack" / "payloads" / "http"


def slash(app: RunningApp, text: str, user: str = "U0ADMIN", **kw):
    return slash_command(app, ids.COMMAND_HANDOFF, text, user, **kw)


def test_handoff_help_answers_with_the_command_list(running_app: RunningApp):
    """/handoff help comes back in the HTTP answer itself, listing the commands."""
    reply = slash(running_app, "help")
    assert reply.status == 200
    body = reply.json()
    text = json.dumps(body["blocks"])
    assert "/handoff config" in text and "/handoff help" in text
    assert body["text"]


def test_unknown_subcommand_explains_and_shows_help(running_app: RunningApp):
    """An unknown subcommand names the word and lists what exists."""
    body = slash(running_app, "frobnicate").json()
    assert "frobnicate" in body["text"]
    assert "/handoff config" in json.dumps(body["blocks"])


def test_forged_signature_is_refused(running_app: RunningApp):
    """A request signed with another secret gets 401 and reaches no listener."""
    body = form({"command": "/handoff", "text": "help", "team_id": TEAM, "user_id": "U1"})
    reply = signed_post(running_app.url + "/slack/events", "not-the-secret", body, FORM)
    assert reply.status == 401
    assert running_app.slack.calls_to("users.info") == []


def test_stale_timestamp_is_refused(running_app: RunningApp):
    """A correctly signed request six minutes old gets 401."""
    reply = slash(running_app, "help", ts=int(time.time()) - 360)
    assert reply.status == 401


def test_unsigned_request_is_refused(running_app: RunningApp):
    reply = post(running_app.url + "/slack/events", b"command=%2Fhandoff", {"Content-Type": FORM})
    assert reply.status == 401


def test_healthz(running_app: RunningApp):
    reply = get(running_app.url + "/healthz")
    assert reply.status == 200 and reply.json() == {"ok": True}
    assert get(running_app.url + "/nope").status == 404


def test_config_by_non_admin_is_refused(running_app: RunningApp):
    """Someone who is neither a Handoff admin nor a workspace admin is told so; no modal opens."""
    running_app.slack.add_user("U0PLAIN")
    body = slash(running_app, "config", user="U0PLAIN").json()
    assert "admins" in body["text"]
    running_app.background.wait_idle()  # the command's listener has finished
    assert running_app.slack.calls_to("views.open") == []


def test_config_by_workspace_admin_opens_the_modal(running_app: RunningApp):
    running_app.slack.add_user("U0ADMIN", admin=True)
    assert slash(running_app, "config").status == 200
    call = running_app.slack.wait_for("views.open")[0]
    assert call.args["trigger_id"] == "111.222.trigger"
    assert call.args["view"]["callback_id"] == ids.CONFIG_MODAL
    blocks = {b["block_id"] for b in call.args["view"]["blocks"] if "block_id" in b}
    assert {"leads_channel", "timezone", "language", "sales", "marketing", "admins", "workdays"} <= blocks


def _submission(values: dict, user: str = "U0ADMIN") -> dict:
    payload = json.loads((PAYLOADS / "view_submission.modal_input.json").read_text())
    payload["team"]["id"] = TEAM
    payload["user"]["id"] = user
    payload["user"]["team_id"] = TEAM
    payload["view"]["team_id"] = TEAM
    payload["view"]["callback_id"] = ids.CONFIG_MODAL
    payload["view"]["private_metadata"] = json.dumps({"team_id": TEAM})
    payload["view"]["state"] = {"values": {k: {ids.VALUE: v} for k, v in values.items()}}
    return payload


GOOD_FORM = {
    "leads_channel": {"type": "conversations_select", "selected_conversation": "C0LEADS"},
    "digest_channel": {"type": "conversations_select", "selected_conversation": "C0DIGEST"},
    "marketing_channel": {"type": "conversations_select", "selected_conversation": None},
    "sync_channel": {"type": "conversations_select", "selected_conversation": None},
    "language": {"type": "static_select", "selected_option": {"value": "ru"}},
    "timezone": {"type": "plain_text_input", "value": "Europe/Moscow"},
    "workdays": {"type": "plain_text_input", "value": "mon-fri"},
    "work_hours": {"type": "plain_text_input", "value": "10:00-19:00"},
    "admins": {"type": "multi_users_select", "selected_users": ["U0ADMIN"]},
    "sales": {"type": "multi_users_select", "selected_users": ["U0SALES1", "U0SALES2"]},
    "marketing": {"type": "multi_users_select", "selected_users": ["U0MKT"]},
    "digests": {"type": "checkboxes", "selected_options": [{"value": "daily"}, {"value": "monthly"}]},
    "daily_digest_time": {"type": "timepicker", "selected_time": "08:45"},
    "weekly_digest_time": {"type": "timepicker", "selected_time": "09:30"},
    "monthly_digest_time": {"type": "timepicker", "selected_time": "10:00"},
    "quality_report_time": {"type": "timepicker", "selected_time": "11:15"},
    "sla_hours": {"type": "plain_text_input", "value": "6"},
    "head_of_sales": {"type": "users_select", "selected_user": "U0HEAD"},
    "reasons": {"type": "plain_text_input", "value": "No budget\nWrong region\n"},
    "reactions": {"type": "plain_text_input", "value": "x=not_target, :white_check_mark:=target"},
    "holidays": {"type": "plain_text_input", "value": "2027-01-07, 2026-12-31"},
    "margin_threshold": {"type": "plain_text_input", "value": "40%"},
    "currency": {"type": "plain_text_input", "value": "rub"},
    "crm_lead_url": {"type": "plain_text_input", "value": "https://crm.example.com/leads/{external_id}"},
    "retention_days": {"type": "plain_text_input", "value": None},
}


def test_config_submission_saves_the_settings(running_app: RunningApp):
    """A valid submission is stored and the admin's App Home is refreshed."""
    running_app.slack.add_user("U0ADMIN", admin=True)
    reply = signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(_submission(GOOD_FORM)), FORM)
    assert reply.status == 200
    assert reply.body in (b"", b"{}") or reply.json().get("response_action") is None
    running_app.slack.wait_for("views.publish")
    ws = load(running_app.deps, TEAM)
    assert (ws.leads_channel, ws.digest_channel, ws.marketing_channel) == ("C0LEADS", "C0DIGEST", None)
    assert (ws.language, ws.timezone, ws.work_hours) == ("ru", "Europe/Moscow", "10:00-19:00")
    assert ws.sales == ["U0SALES1", "U0SALES2"] and ws.admins == ["U0ADMIN"]
    assert (ws.daily_digest, ws.weekly_digest, ws.monthly_digest) == (True, False, True)
    assert ws.daily_digest_time == "08:45"
    assert (ws.quality_report, ws.quality_report_time) == (False, "11:15")  # unticked in the form
    assert (ws.sla_hours, ws.head_of_sales, ws.reasons) == (6, "U0HEAD", ["No budget", "Wrong region"])
    assert ws.reactions == {"x": "not_target", "white_check_mark": "target"}
    assert (ws.holidays, ws.margin_threshold, ws.retention_days) == (["2026-12-31", "2027-01-07"], 40.0, None)
    assert (ws.currency, ws.crm_lead_url) == ("RUB", "https://crm.example.com/leads/{external_id}")


def test_config_submission_refuses_a_bad_currency_sla_and_crm_address_under_each_field(running_app: RunningApp):
    """Each bad value is an error under its own input (Slack shows it there) and nothing is saved."""
    running_app.slack.add_user("U0ADMIN", admin=True)
    bad = {
        **GOOD_FORM,
        "sla_hours": {"type": "plain_text_input", "value": "four"},
        "currency": {"type": "plain_text_input", "value": "ZZZ"},
        "crm_lead_url": {"type": "plain_text_input", "value": "https://crm.example.com/leads/{id}"},
    }
    reply = signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(_submission(bad)), FORM)
    body = reply.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"sla_hours", "currency", "crm_lead_url"}
    assert "'four'" in body["errors"]["sla_hours"] and "'ZZZ'" in body["errors"]["currency"]
    assert "{external_id}" in body["errors"]["crm_lead_url"]
    running_app.background.wait_idle()
    ws = load(running_app.deps, TEAM)
    assert (ws.sla_hours, ws.currency, ws.crm_lead_url, ws.leads_channel) == (4, None, None, None)


def test_config_submission_with_bad_values_shows_errors_in_the_modal(running_app: RunningApp):
    running_app.slack.add_user("U0ADMIN", admin=True)
    bad = {**GOOD_FORM, "timezone": {"value": "Mars/Base"}, "work_hours": {"value": "18:00-09:00"}}
    reply = signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(_submission(bad)), FORM)
    body = reply.json()
    assert body["response_action"] == "errors"
    assert "Mars/Base" in body["errors"]["timezone"]
    assert "work_hours" in body["errors"]
    running_app.background.wait_idle()  # the submission's listener has finished
    assert load(running_app.deps, TEAM).timezone == "UTC"


def test_config_submission_names_a_channel_the_bot_is_not_in(running_app: RunningApp):
    """Choosing a channel without the bot in it tells how to invite it, and saves nothing."""
    running_app.slack.add_user("U0ADMIN", admin=True)
    running_app.slack.not_member.add("C0LEADS")
    reply = signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(_submission(GOOD_FORM)), FORM)
    body = reply.json()
    assert "/invite @Handoff" in body["errors"]["leads_channel"]
    running_app.background.wait_idle()  # the submission's listener has finished
    assert load(running_app.deps, TEAM).leads_channel is None


def test_app_home_shows_the_workspace_state(running_app: RunningApp):
    """app_home_opened (Slack's sample event, home tab) publishes the state, with the setup hint."""
    event = json.loads((PAYLOADS / "event_callback.app_home_opened.org_install.json").read_text())
    event["team_id"] = TEAM
    event["event"]["tab"] = "home"
    event["event"]["user"] = "U0ANY"
    event["authorizations"][0]["team_id"] = TEAM
    event["authorizations"][0]["enterprise_id"] = None
    event["authorizations"][0]["is_enterprise_install"] = False
    event.pop("enterprise_id")
    reply = signed_post(running_app.url + "/slack/events", SIGNING_SECRET, json.dumps(event), "application/json")
    assert reply.status == 200
    call = running_app.slack.wait_for("views.publish")[0]
    assert call.args["user_id"] == "U0ANY"
    text = json.dumps(call.args["view"])
    assert "Nothing is configured yet" in text and "/handoff config" in text


def test_rate_limited_call_is_waited_out(running_app: RunningApp):
    """A 429 with Retry-After from views.open is retried after the wait, not dropped."""
    running_app.slack.add_user("U0ADMIN", admin=True)
    running_app.slack.rate_limit("views.open", retry_after=1)
    slash(running_app, "config")
    call = running_app.slack.wait_for("views.open", timeout=10)[0]
    attempts = [c for c in running_app.slack.calls if c.method == "views.open"]
    assert [c.status for c in attempts] == [429, 200]
    assert call.args["view"]["callback_id"] == ids.CONFIG_MODAL


@pytest.mark.parametrize("language,expected", [("en", "Handoff settings"), ("ru", "Настройки Handoff")])
def test_modal_speaks_the_workspace_language(running_app: RunningApp, language: str, expected: str):
    from bot.workspace.store import save_settings

    save_settings(running_app.deps, TEAM, {"language": language})
    running_app.slack.add_user("U0ADMIN", owner=True)
    slash(running_app, "config")
    view = running_app.slack.wait_for("views.open")[0].args["view"]
    assert view["title"]["text"] == expected


def test_user_groups_are_offered_from_slack_and_saved_from_the_settings_modal(running_app: RunningApp):
    slack = running_app.slack
    slack.add_user("U0ADMIN", admin=True)
    slack.group_names = {"S0SALES": ("sales", "Sales team"), "S0MKT": ("marketing", "Marketing")}
    reply = block_suggestion(running_app, ids.USERGROUPS, "sal")
    assert reply.status == 200
    options = reply.json()["options"]
    assert [(o["value"], o["text"]["text"]) for o in options] == [("S0SALES", "@sales (Sales team)")]
    assert len(block_suggestion(running_app, ids.USERGROUPS, "").json()["options"]) == 2

    payload = _submission(GOOD_FORM)
    groups = {"type": "multi_external_select", "selected_options": [{"value": "S0SALES"}]}
    payload["view"]["state"]["values"]["sales" + ids.GROUPS_SUFFIX] = {ids.USERGROUPS: groups}
    assert signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(payload), FORM).status == 200
    assert load(running_app.deps, TEAM).sales == ["U0SALES1", "U0SALES2", "S0SALES"]

    # The modal shows the chosen group by its handle; emptying the field removes it.
    slash_command(running_app, "/handoff", "config")
    view = slack.wait_for("views.open")[-1].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    block = next(b for b in view["blocks"] if b["block_id"] == "sales" + ids.GROUPS_SUFFIX)
    assert block["element"]["initial_options"][0]["text"]["text"] == "@sales (Sales team)"
    payload["view"]["state"]["values"]["sales" + ids.GROUPS_SUFFIX] = {ids.USERGROUPS: {"selected_options": []}}
    signed_post(running_app.url + "/slack/events", SIGNING_SECRET, interactive(payload), FORM)
    assert load(running_app.deps, TEAM).sales == ["U0SALES1", "U0SALES2"]
    slack.wait_for("views.publish", 2)  # App Home refreshed after each save


def test_a_button_no_listener_knows_is_acked_and_explained(running_app: RunningApp):
    """A click on a button of an older release gets a 200 (not Bolt's 404, which marks it failed) and a word."""
    from tests.http import button_click

    reply = button_click(running_app, "an_action_of_an_older_release", "x")
    assert reply.status == 200
    (answer,) = running_app.slack.wait_for_response()
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "older version" in answer["text"]
