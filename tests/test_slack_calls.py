"""Slack's Tier 2 methods stay off the hot paths: user groups and their members are read once and kept,
read again after a subteam_* event or when kept too long, and a 429 then serves the kept answer at once."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from bot import ids
from bot.leads.webhook import sign, webhook_secret
from bot.settings import Settings
from bot.slack.client import CACHE_SECONDS, make_client
from bot.workspace.store import save_settings
from storage.db import read_scope
from storage.models import LeadVerdict
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, RunningApp
from tests.http import Reply, block_suggestion, button_click, post, signed_post, slash_command
from tests.slack_double import SHARED, SlackDouble

SALES = "U0SALES"
GROUP = "S0SALES"


def _event(app: RunningApp, kind: str, **event: object) -> None:
    """An event as Slack delivers it (the Events API envelope of Slack's samples)."""
    body = json.loads((SHARED / "slack" / "payloads" / "http" / "event_callback.reaction_added.json").read_text())
    body.pop("enterprise_id", None)
    body.update({"team_id": TEAM, "event_id": f"Ev{time.time_ns()}", "event": {"type": kind, **event}})
    for auth in body.get("authorizations", []):
        auth.update({"team_id": TEAM, "enterprise_id": None, "is_enterprise_install": False})
    reply = signed_post(app.url + "/slack/events", SIGNING_SECRET, json.dumps(body), "application/json")
    assert reply.status == 200


def _wait(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_group_picker_keystrokes_list_the_groups_once_until_a_group_changes(running_app: RunningApp):
    """Three keystrokes in the group picker make one usergroups.list; after subteam_created the next reads again."""
    app = running_app
    app.slack.group_names = {GROUP: ("sales", "Sales team")}
    for typed in ("s", "sa", "sal"):
        assert [o["value"] for o in block_suggestion(app, ids.USERGROUPS, typed).json()["options"]] == [GROUP]
    assert len(app.slack.calls_to("usergroups.list")) == 1
    app.slack.group_names["S0MKT"] = ("marketing", "Marketing")
    _event(app, "subteam_created", subteam={"id": "S0MKT", "team_id": TEAM, "handle": "marketing"})
    _wait(lambda: len(block_suggestion(app, ids.USERGROUPS, "").json()["options"]) == 2)
    assert len(app.slack.calls_to("usergroups.list")) == 2


def _verdicts(app: RunningApp) -> list[str]:
    with read_scope(app.deps.engine) as s:
        return [v.verdict for v in s.exec(select(LeadVerdict).order_by(LeadVerdict.id)).all()]


def test_verdict_clicks_read_the_sales_group_once_until_its_members_change(running_app: RunningApp):
    """Verdict clicks on three cards by a member of the sales group read its members once; after
    subteam_members_changed removes the member, the next click reads them again and is refused."""
    app = running_app
    save_settings(app.deps, TEAM, {"leads_channel": "C0LEADS", "sales": [GROUP], "timezone": "UTC"})
    app.slack.usergroups[GROUP] = [SALES]
    app.slack.add_user(SALES)
    leads = [_new_lead(app, n) for n in range(4)]
    app.slack.wait_for("chat.postMessage", count=4)
    for lead_id in leads[:3]:
        button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(lead_id), user=SALES, channel="C0LEADS")
    _wait(lambda: len(_verdicts(app)) == 3, timeout=15)
    assert len(app.slack.calls_to("usergroups.users.list")) == 1

    app.slack.usergroups[GROUP] = []
    _event(app, "subteam_members_changed", subteam_id=GROUP, team_id=TEAM, removed_users=[SALES])
    button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(leads[3]), user=SALES, channel="C0LEADS")
    _wait(lambda: len(app.slack.calls_to("usergroups.users.list")) == 2)
    app.background.wait_idle()
    assert _verdicts(app) == ["target"] * 3


def _new_lead(app: RunningApp, n: int) -> int:
    """A lead through the signed webhook; its id."""
    body = json.dumps({"external_id": f"crm-calls-{n}", "name": f"Lead {n}", "channel": "ads"}).encode()
    ts = int(time.time())
    headers = {"Content-Type": "application/json", "X-Handoff-Timestamp": str(ts)}
    headers["X-Handoff-Signature"] = sign(webhook_secret(app.deps, TEAM), ts, body)
    return post(f"{app.url}/webhooks/{TEAM}/leads", body, headers).json()["lead_id"]


@pytest.fixture
def slack() -> SlackDouble:
    double = SlackDouble(tokens=(BOT_TOKEN,), team_id=TEAM).start()
    yield double
    double.stop()


def _asked(slack: SlackDouble) -> int:
    """usergroups.users.list requests Slack received, refused ones included."""
    return sum(1 for c in slack.calls if c.method == "usergroups.users.list")


def test_a_429_on_a_read_kept_too_long_serves_the_kept_answer_without_waiting(slack: SlackDouble):
    """Once the kept members are older than CACHE_SECONDS they are read again; a 429 then is not waited
    out (no second request) and the kept answer is used; with nothing kept, the 429 is waited out."""
    now = [1000.0]
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url, _env_file=None)
    client = make_client(settings)
    client._clock = lambda: now[0]
    slack.usergroups[GROUP] = [SALES]
    assert client.usergroups_users_list(usergroup=GROUP)["users"] == [SALES]
    now[0] += CACHE_SECONDS - 1
    assert client.usergroups_users_list(usergroup=GROUP)["users"] == [SALES]
    assert _asked(slack) == 1
    now[0] += 2
    slack.usergroups[GROUP] = [SALES, "U0NEW"]
    slack.rate_limit("usergroups.users.list", retry_after=30)
    assert client.usergroups_users_list(usergroup=GROUP)["users"] == [SALES]
    assert _asked(slack) == 2  # the 429 was not retried
    assert client.usergroups_users_list(usergroup=GROUP)["users"] == [SALES, "U0NEW"]  # read again next time

    slack.rate_limit("usergroups.users.list", retry_after=1)
    assert client.usergroups_users_list(usergroup="S0OTHER")["users"] == []
    assert _asked(slack) == 5  # nothing kept: the 429 was waited out


def test_an_admin_demoted_in_slack_loses_the_rights_at_the_next_user_change(running_app: RunningApp):
    """A workspace admin's flags are read once for two /handoff config; after a user_change event the next
    one reads users.info again and, the person no longer an admin, is refused."""
    app = running_app
    app.slack.add_user("U0BOSS", admin=True)

    def config() -> Reply:
        return slash_command(app, "/handoff", "config", user="U0BOSS")

    for _ in range(2):
        assert config().status == 200
    app.slack.wait_for("views.open", count=2)
    assert len(app.slack.calls_to("users.info")) == 1
    app.slack.add_user("U0BOSS", admin=False)
    _event(app, "user_change", user={"id": "U0BOSS", "team_id": TEAM, "is_admin": False})
    assert "admins" in config().json()["text"]
    assert len(app.slack.calls_to("users.info")) == 2
