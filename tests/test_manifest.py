"""manifest.yml: valid for Slack, and matching what the code registers and calls."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot import ids
from tests.slack_double import SLACK

ROOT = Path(__file__).parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
# Bot scopes of methods the reference lacks.
EXTRA_SCOPES = {
    "usergroups.users.list": ["usergroups:read"],
    "usergroups.list": ["usergroups:read"],
    "conversations.open": ["im:write"],
}
# Events and the scope each needs; `message.channels` reaches a `message` listener.
EVENT_SCOPES = {
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "reaction_added": "reactions:read",
    "app_home_opened": None,
    "subteam_created": "usergroups:read",
    "subteam_members_changed": "usergroups:read",
    "subteam_updated": "usergroups:read",
    "user_change": "users:read",
    "app_uninstalled": None,
    "tokens_revoked": None,
}


@pytest.fixture(scope="module")
def app() -> App:
    from bot.app import create_app
    from bot.deps import Deps
    from bot.settings import Settings
    from storage.db import make_engine

    settings = Settings(slack_bot_token="xoxb-x", slack_signing_secret="s", _env_file=None)
    return create_app(settings, Deps(settings=settings, engine=make_engine("sqlite://")), token_verification=False)


def test_manifest_is_valid_against_slacks_schema():
    schema = json.loads((SLACK / "manifest-schema" / "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(MANIFEST, schema)


class Recorder:
    """Stands in for the Bolt app in handlers.register() and notes what gets registered."""

    def __init__(self) -> None:
        self.registered: dict[str, list] = {}

    def __getattr__(self, kind: str):
        def register(*args, **kwargs):
            self.registered.setdefault(kind, []).append(args[0] if args else kwargs)
            return lambda func: func

        return register


@pytest.fixture(scope="module")
def registered() -> dict[str, list]:
    from handlers import register

    rec = Recorder()
    register(rec)
    return rec.registered


def test_slash_commands_are_exactly_the_registered_ones(registered):
    declared = sorted(c["command"] for c in MANIFEST["features"]["slash_commands"])
    assert declared == sorted(registered["command"]) == sorted(ids.COMMANDS)


def test_shortcuts_are_exactly_the_registered_ones(registered):
    declared = sorted(s["callback_id"] for s in MANIFEST["features"]["shortcuts"])
    assert declared == sorted(registered["shortcut"]) == [ids.FEEDBACK_SHORTCUT]


def test_event_subscriptions_match_the_listeners(registered, app: App):
    declared = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert sorted({e.split(".")[0] for e in declared}) == sorted(registered["event"])
    for event in {e.split(".")[0] for e in declared}:  # and the real app routes them
        body = {"type": "event_callback", "team_id": "T1", "event": {"type": event, "user": "U1", "tab": "home"}}
        req = BoltRequest(body=json.dumps(body), headers={"content-type": ["application/json"]})
        assert any(listener.matches(req=req, resp=None) for listener in app._listeners)


def test_interactivity_is_on():
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def _called_methods() -> set[str]:
    """The Web API methods the product's code calls through WebClient."""
    names: set[str] = set()
    for package in ("bot", "handlers", "jobs"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(re.findall(r"client\.([a-z]+_[A-Za-z_0-9]+)\(", path.read_text(encoding="utf-8")))
    methods = set()
    for name in names:
        source = inspect.getsource(getattr(WebClient, name))
        methods |= set(re.findall(r'api_call\(\s*"([a-z.A-Z]+)"', source))
        if name == "files_upload_v2":
            methods |= {"files.getUploadURLExternal", "files.completeUploadExternal"}
    return methods


def test_bot_scopes_are_exactly_what_the_code_calls():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    needed_by: dict[str, set[str]] = {}
    for method in _called_methods():
        ref = SLACK / "web-api-ref" / f"{method}.json"
        options = json.loads(ref.read_text())["scope"].get("bot", []) if ref.exists() else EXTRA_SCOPES[method]
        if options:
            assert scopes & set(options), f"{method} needs one of {options}"
        for s in options:
            needed_by.setdefault(s, set()).add(method)
    if MANIFEST["features"].get("slash_commands"):
        needed_by.setdefault("commands", set()).add("slash commands")
    for event in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        scope = EVENT_SCOPES[event]
        if scope:
            assert scope in scopes, f"{event} needs {scope}"
            needed_by.setdefault(scope, set()).add(event)
    unused = scopes - set(needed_by)
    assert not unused, f"scopes nothing uses: {unused}"


def test_the_oauth_install_asks_for_the_manifests_scopes():
    """An install through /slack/install asks for exactly the bot scopes manifest.yml declares."""
    from bot.slack.install import BOT_SCOPES, REDIRECT_PATH

    assert sorted(BOT_SCOPES) == sorted(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert [urlparse(u).path for u in MANIFEST["oauth_config"]["redirect_urls"]] == [REDIRECT_PATH]
