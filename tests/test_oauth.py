"""Several workspaces by OAuth: installed through /slack/install → /slack/oauth_redirect against the Web
API double, each posts with its own token, tokens are stored encrypted and rotated once (one process
at a time), an uninstalled workspace's jobs stop, and one workspace's click cannot reach another's lead."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, text
from sqlmodel import select

from bot import ids
from bot.deps import Deps
from bot.leads.webhook import sign, webhook_secret
from bot.settings import Settings
from bot.slack.install import Installations, NotInstalled
from bot.workspace.store import all_workspaces, save_settings
from storage.db import read_scope
from storage.models import Lead
from tests.background import Background
from tests.conftest import SIGNING_SECRET
from tests.http import button_click, post, signed_post
from tests.slack_double import SHARED, SlackDouble

CLIENT_ID, CLIENT_SECRET = "1111.2222", "oauth-client-secret"
TEAMS = {"T0ALPHA": "xoxb-alpha-token", "T0BETA": "xoxb-beta-token"}


@dataclass
class OAuthApp:
    url: str
    deps: Deps
    slack: SlackDouble
    background: Background


def _settings(slack: SlackDouble, key: str) -> Settings:
    return Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        token_encryption_key=key,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        _env_file=None,
    )


@pytest.fixture
def oauth_app(engine: Engine) -> Iterator[OAuthApp]:
    from bot.app import create_app
    from bot.server import HttpServer, build_wsgi

    slack = SlackDouble(tokens=(), team_id="T0NONE").start()
    slack.client_credentials = (CLIENT_ID, CLIENT_SECRET)
    settings = _settings(slack, Fernet.generate_key().decode())
    deps = Deps(settings=settings, engine=engine, installations=Installations(settings, engine))
    app = create_app(settings, deps)
    background = Background().watch(deps, app.listener_runner.listener_executor)
    server = HttpServer(build_wsgi(app, deps), "127.0.0.1", 0, loop_timeout=0.05).start()
    yield OAuthApp(f"http://127.0.0.1:{server.port}", deps, slack, background)
    server.stop()
    background.close()
    slack.stop()


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers={"Cookie": cookie})
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode()
    conn.close()
    return out


def install(app: OAuthApp, team_id: str, token: str) -> str:
    """A person in `team_id` opens the install link, approves, and Slack redirects back with a code."""
    status, headers, page = _get(app.url + "/slack/install")
    assert status == 200
    authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
    query = parse_qs(urlparse(authorize.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID] and "chat:write" in query["scope"][0].split(",")
    state = query["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    code = f"code-{team_id}-{time.time_ns()}"
    app.slack.add_install(code, team_id, token)
    status, _, page = _get(f"{app.url}/slack/oauth_redirect?code={code}&state={state}", cookie)
    return f"{status} {page}"


def _lead(app: OAuthApp, team_id: str, external_id: str) -> int:
    body = json.dumps({"external_id": external_id, "name": f"Lead of {team_id}", "channel": "ads"}).encode()
    ts = int(time.time())
    headers = {"Content-Type": "application/json", "X-Handoff-Timestamp": str(ts)}
    headers["X-Handoff-Signature"] = sign(webhook_secret(app.deps, team_id), ts, body)
    reply = post(f"{app.url}/webhooks/{team_id}/leads", body, headers)
    assert reply.status == 201, reply.body
    return reply.json()["lead_id"]


def _tokens_of_posts(app: OAuthApp, channel: str) -> list[str]:
    calls = [c for c in app.slack.calls_to("chat.postMessage") if c.args.get("channel") == channel]
    return [c.headers.get("authorization", "").removeprefix("Bearer ") or c.args.get("token") for c in calls]


def test_two_workspaces_install_and_each_posts_with_its_own_token(oauth_app: OAuthApp):
    """Each workspace installs through the OAuth flow; its lead cards go out with its own bot token."""
    app = oauth_app
    for team, token in TEAMS.items():
        assert install(app, team, token).startswith("200")
        save_settings(app.deps, team, {"leads_channel": f"C0{team}", "sales": ["U0SALES"], "timezone": "UTC"})
    for team in TEAMS:
        _lead(app, team, f"crm-{team}")
    app.slack.wait_for("chat.postMessage", count=2)
    assert {team: _tokens_of_posts(app, f"C0{team}") for team in TEAMS} == {t: [tok] for t, tok in TEAMS.items()}
    assert {ws.team_id for ws in all_workspaces(app.deps)} == set(TEAMS)


def test_a_code_or_state_used_twice_or_forged_installs_nothing(oauth_app: OAuthApp):
    """The redirect with a forged state, or no state cookie, is refused and stores no installation."""
    app = oauth_app
    app.slack.add_install("code-forged", "T0EVIL", "xoxb-evil")
    status, _, _ = _get(
        f"{app.url}/slack/oauth_redirect?code=code-forged&state=made-up", "slack-app-oauth-state=made-up"
    )
    assert status >= 400
    assert app.deps.installations.teams() == set()


def test_tokens_are_stored_encrypted(oauth_app: OAuthApp):
    """The database holds no token in the clear, and the store opens them with the key."""
    app = oauth_app
    install(app, "T0ALPHA", TEAMS["T0ALPHA"])
    with app.deps.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT bot_token FROM slack_bots"))]
        stored += [r[0] for r in conn.execute(text("SELECT bot_token FROM slack_installations"))]
    assert len(stored) == 2 and all(TEAMS["T0ALPHA"] not in v for v in stored)
    assert app.deps.installations.bot_token("T0ALPHA") == TEAMS["T0ALPHA"]


def _uninstall(app: OAuthApp, team: str) -> None:
    """Slack's app_uninstalled event for `team`, signed; waits until the installation is gone."""
    body = json.loads((SHARED / "slack" / "payloads" / "http" / "event_callback.reaction_added.json").read_text())
    body.pop("enterprise_id", None)
    body.update({"team_id": team, "event_id": f"Ev0UNINSTALL{team}", "event": {"type": "app_uninstalled"}})
    body["authorizations"] = [{"team_id": team, "enterprise_id": None, "is_enterprise_install": False}]
    assert signed_post(app.url + "/slack/events", SIGNING_SECRET, json.dumps(body), "application/json").status == 200
    deadline = time.monotonic() + 10
    while team in app.deps.installations.teams():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    app.background.wait_idle()


def _two_installed_with_a_lead_each(app: OAuthApp) -> None:
    for team, token in TEAMS.items():
        install(app, team, token)
        save_settings(app.deps, team, {"leads_channel": f"C0{team}", "timezone": "UTC"})
        _lead(app, team, f"crm-{team}-1")


def _leads_by_team(app: OAuthApp) -> list[str]:
    with read_scope(app.deps.engine) as s:
        return sorted(lead.team_id for lead in s.exec(select(Lead)).all())


def test_an_uninstalled_workspace_stops_and_its_data_stays(oauth_app: OAuthApp):
    """app_uninstalled deletes the workspace's tokens: its jobs no longer see it, its leads stay (the
    default, UNINSTALLED_DATA=keep), and the other workspace goes on."""
    app = oauth_app
    _two_installed_with_a_lead_each(app)
    _uninstall(app, "T0BETA")
    assert [ws.team_id for ws in all_workspaces(app.deps)] == ["T0ALPHA"]
    with pytest.raises(NotInstalled):
        app.deps.client("T0BETA")
    assert _leads_by_team(app) == ["T0ALPHA", "T0BETA"]


def test_with_uninstalled_data_delete_the_workspaces_rows_go_and_the_others_stay(oauth_app: OAuthApp):
    """UNINSTALLED_DATA=delete: every row of the uninstalled workspace is deleted, in every table; the
    other workspace's are untouched."""
    app = oauth_app
    app.deps.settings = app.deps.settings.model_copy(update={"uninstalled_data": "delete"})
    _two_installed_with_a_lead_each(app)
    app.slack.wait_for("chat.postMessage", count=2)
    _uninstall(app, "T0BETA")
    assert _leads_by_team(app) == ["T0ALPHA"]
    with app.deps.engine.connect() as conn:
        left = {
            table: conn.execute(text(f"SELECT count(*) FROM {table} WHERE team_id = 'T0BETA'")).scalar_one()
            for table in ("workspace", "lead", "postedmessage", "cardqueue", "leadday")
        }
        alpha = conn.execute(text("SELECT count(*) FROM postedmessage WHERE team_id = 'T0ALPHA'")).scalar_one()
    assert left == dict.fromkeys(left, 0) and alpha == 1


def test_a_click_in_one_workspace_cannot_judge_anothers_lead(oauth_app: OAuthApp):
    """A verdict button from workspace A carrying the id of workspace B's lead changes nothing of B's."""
    app = oauth_app
    for team, token in TEAMS.items():
        install(app, team, token)
        save_settings(app.deps, team, {"leads_channel": f"C0{team}", "sales": ["U0SALES"], "timezone": "UTC"})
    beta_lead = _lead(app, "T0BETA", "crm-beta-2")
    app.slack.wait_for("chat.postMessage")
    app.slack.add_user("U0SALES")
    forged = _forged_click(app, "T0ALPHA", ids.VERDICT_ACTION_PREFIX + "target", str(beta_lead))
    assert forged.status == 200
    app.background.wait_idle()
    with read_scope(app.deps.engine) as s:
        assert s.get(Lead, beta_lead).verdict is None


def _forged_click(app: OAuthApp, team: str, action_id: str, value: str):
    from tests import conftest

    original = conftest.TEAM
    conftest.TEAM = team  # button_click builds the payload for conftest.TEAM
    try:
        return button_click(app, action_id, value, user="U0SALES", channel=f"C0{team}")
    finally:
        conftest.TEAM = original


def test_a_rotating_token_is_exchanged_once_however_many_ask_at_once(oauth_app: OAuthApp):
    """A token expiring within two hours is exchanged before use; eight threads asking at once make one
    oauth.v2.access refresh call (a refresh token works once), and all get the new token."""
    app = oauth_app
    app.slack.token_lifetime = 3600  # under ROTATE_BEFORE_MINUTES: due at once
    install(app, "T0ALPHA", TEAMS["T0ALPHA"])
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(app.deps.client("T0ALPHA").token)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refreshes = [c for c in app.slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 1
    assert len(set(got)) == 1 and got[0].startswith("xoxb-rotated-")


def test_the_scheduler_rotates_a_token_before_it_expires(oauth_app: OAuthApp):
    """The ticker's first job exchanges a token that expires within two hours, once; the next tick finds
    nothing due."""
    from jobs import run_due

    app = oauth_app
    app.slack.token_lifetime = 3600
    install(app, "T0ALPHA", TEAMS["T0ALPHA"])
    install(app, "T0BETA", TEAMS["T0BETA"])
    for _ in range(2):
        assert "tokens" in run_due(deps=app.deps, now=app.deps.clock())
    refreshes = [c for c in app.slack.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert len(refreshes) == 2
    assert all(app.deps.installations.bot_token(t).startswith("xoxb-rotated-") for t in TEAMS)
