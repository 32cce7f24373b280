"""Fuzzing the three doors outside data comes in by (Hypothesis): the lead webhook, /slack/events and
the CSV import. Whatever arrives, the answer is never a 5xx nor a traceback in the log, and a refusal
stores nothing. `HANDOFF_FUZZ_EXAMPLES` sets how many examples each test tries (the default, 150, keeps the
file to about half a minute on two cores); the examples are derived, not random: a failure shows again."""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import os
import time
import traceback
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from bot import ids
from bot.imports.fields import KINDS
from bot.imports.readers import ReadError
from bot.imports.run import ImportError_, Mapping, run_import
from bot.leads.blocks import build_lead_modal, build_verdict_modal
from bot.leads.intake import TEXT_FIELDS
from bot.leads.webhook import sign, webhook_secret
from bot.plans.modal import PlanForm, build_plan_modal
from bot.sync.blocks.modals import build_feedback_modal, build_icp_modal, build_setup_modal
from bot.workspace.modal import build_config_modal
from bot.workspace.store import ensure, load, save_settings
from storage.db import session_scope
from storage.models import Lead
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import post
from tests.runtime import deps_for
from tests.signing import slack_headers
from tests.slack_double import SHARED

EXAMPLES = int(os.environ.get("HANDOFF_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    # The app, its database and the Slack double are built once per test and shared by its examples:
    # every assertion compares the state before and after one example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
PAYLOADS = SHARED / "slack" / "payloads" / "http"
USER = "U0ADM"


# --- what outside data can hold ---------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A JSON token written as is: what json.dumps cannot write (an integer of 5,000 digits, 1e400) or
    nesting deeper than a strategy builds."""

    text: str


def to_json(value: Any) -> str:
    """JSON text for a tree of JSON values and `Raw` tokens; NaN and Infinity as Python writes them, a
    lone surrogate escaped (`\\ud800`)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


MENTIONS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam^S0SALES>", "<@U0BOSS>", "<https://evil.example|x>")
ODD_TEXT = (
    "",
    " ",
    "a\x00b",
    "\x00",
    "\ud800",
    "x\udfffy",
    "\x1b[31mred\x07",
    "\u202e\u2066rtl",
    "\ufeffbom",
    '=HYPERLINK("https://evil.example","x")',
    "@SUM(1)",
    "null",
    "NaN",
    "-Infinity",
    "9" * 400,
    "1e400",
    "2026-11-30T09:15:00+03:00",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "&amp; <b> &lt;",
    "Иван Петров",
    "emoji 🦄 and 𝔘𝔫𝔦",
)
# Every character there is, lone surrogates (category Cs) included.
ANY_CHAR = st.characters(exclude_categories=())
texts = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(ODD_TEXT),
    st.builds(lambda m, t: m + t, st.sampled_from(MENTIONS), st.text(ANY_CHAR, max_size=8)),
    st.sampled_from((300, 501, 3001, 4001, 20_000)).map(lambda n: "x" * n),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.floats(),  # NaN, Infinity and -Infinity included: json.dumps writes them as those literals
    st.sampled_from((4000, 4300, 4301, 5000)).map(lambda n: Raw("9" * n)),
    st.sampled_from(("1e400", "-1e400", "1E-400", "-0", "0.0000000000000000000001", "123456789.123456789e300")).map(
        Raw
    ),
)
deep = st.integers(min_value=10, max_value=3000).flatmap(
    lambda n: st.sampled_from((Raw("[" * n + "]" * n), Raw('{"a":' * n + "1" + "}" * n)))
)
leaves = st.one_of(st.none(), st.booleans(), texts, numbers)
json_values = (
    st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
        max_leaves=12,
    )
    | deep
)


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows in every table: a refusal changes none of them."""
    with engine.connect() as conn:
        tables = SQLModel.metadata.sorted_tables
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


class Tracebacks(logging.Handler):
    """Log records at ERROR or above that carry an exception, from any thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[0] is not None:
            trace = "".join(traceback.format_exception(*record.exc_info))
            self.found.append(f"{record.name}: {record.getMessage()}\n{trace}")


@pytest.fixture
def tracebacks() -> Any:
    handler = Tracebacks()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(
        running_app.deps,
        TEAM,
        {"leads_channel": "C0LEADS", "sales": [USER], "admins": [USER], "timezone": "UTC", "digest_channel": "C0DIG"},
    )
    running_app.secret = webhook_secret(running_app.deps, TEAM)
    running_app.slack.add_user(USER, admin=True)
    return running_app


# --- 1. the lead webhook --------------------------------------------------------------------------

FIELDS = ("external_id", "created_at", *TEXT_FIELDS)
sound_ids = st.one_of(st.uuids().map(str), st.integers(0, 10**15), st.sampled_from(("L-1", "L-2")))
sound_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
created = st.datetimes(datetime(1990, 1, 2), datetime(2026, 1, 1), timezones=st.timezones()).map(
    lambda d: d.isoformat()
)
odd_created = st.one_of(
    st.datetimes(timezones=st.timezones() | st.none()).map(lambda d: d.isoformat()),
    st.sampled_from(("2026-11-30T09:15:00Z", "2026-11-30", "2026-02-30T10:00:00+00:00", "0001-01-01T00:00:00+14:00")),
)
non_finite = st.sampled_from(("NaN", "Infinity", "-Infinity", "1e400", "-1e999")).map(Raw)


def mostly(sound: st.SearchStrategy[Any], odd: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """A sound value seven times in eight, else anything: many requests get past every check to be stored."""
    anything = json_values | non_finite | (odd if odd is not None else st.nothing())
    return st.sampled_from(range(8)).flatmap(lambda i: anything if i == 7 else sound)


lead_fields = {name: mostly(sound_text) for name in TEXT_FIELDS} | {
    "created_at": mostly(created, odd_created),
    "email": mostly(st.emails()),
}
extra_keys = st.sampled_from(range(8)).flatmap(lambda i: texts if i == 7 else sound_text)
lead_objects = st.fixed_dictionaries({"external_id": mostly(sound_ids)}, optional=lead_fields).flatmap(
    lambda known: st.dictionaries(extra_keys, mostly(sound_text), max_size=3).map(lambda extra: {**extra, **known})
)
lead_bodies = st.sampled_from(range(4)).flatmap(lambda i: json_values if i == 3 else lead_objects)
# What a header may carry (waitress refuses control characters before the app sees them).
header_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30),
    st.sampled_from(("\u00b2", "١٢٣", "9" * 400, "-1", " 1", "1.5", "0x10", "v1=", "v1=" + "0" * 64)),
)


@st.composite
def lead_requests(draw: st.DrawFn) -> tuple[Any, str | None, str | None]:
    """A body and, when one is forged, the timestamp or signature header to send instead of the right one."""
    body = draw(lead_bodies)
    forged = draw(st.sampled_from(("none", "none", "none", "none", "timestamp", "signature")))
    ts = draw(header_text) if forged == "timestamp" else None
    signature = draw(header_text) if forged == "signature" else None
    return body, ts, signature


def _send_lead(app: RunningApp, body: bytes, ts: str | None, signature: str | None):
    now = str(int(time.time()))
    headers: dict[str, Any] = {
        "Content-Type": "application/json",
        # Header values as UTF-8 bytes: what a client that is not a browser can put on the wire.
        "X-Handoff-Timestamp": (ts if ts is not None else now).encode(),
        "X-Handoff-Signature": (signature if signature is not None else sign(app.secret, ts or now, body)).encode(),
    }
    return post(f"{app.url}/webhooks/{TEAM}/leads", body, headers)


def _leads(app: RunningApp) -> int:
    with session_scope(app.deps.engine) as s:
        return s.exec(select(func.count()).select_from(Lead)).one()[0]


def _keys(body: Any) -> list[str]:
    """The keys of the object sent (a `Raw` object is nested under "a")."""
    if isinstance(body, Raw):
        return ["a"] if body.text.startswith("{") else []
    return [str(k) for k in body] if isinstance(body, dict) else []


@FUZZ
@given(request=lead_requests())
@example(request=({"external_id": "big", "n": Raw("9" * 4301)}, None, None))
@example(request=({"external_id": "nan", "score": Raw("NaN")}, None, None))
@example(request=({"external_id": "inf", "name": Raw("-Infinity"), "utm": {"cost": Raw("1e400")}}, None, None))
def test_the_lead_webhook_never_fails_and_stores_nothing_it_refuses(app: RunningApp, tracebacks: Tracebacks, request):
    """Any JSON, signed or forged: below 500, a 4xx names the field and stores nothing, no traceback."""
    body, ts, signature = request
    raw = to_json(body).encode()
    app.background.wait_idle()
    tracebacks.found.clear()
    before = _leads(app)
    reply = _send_lead(app, raw, ts, signature)
    app.background.wait_idle()
    event(f"HTTP {reply.status}")
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert _leads(app) == before
        answer = reply.json()
        if reply.status == 400:
            named = {*FIELDS, "body", *_keys(body)}
            assert answer["errors"] and set(answer["errors"]) <= named, answer
        else:
            assert answer["error"]
    else:
        assert reply.status in (200, 201) and _leads(app) == before + (reply.status == 201)
    assert not tracebacks.found, tracebacks.found[0]


# --- 2. /slack/events -----------------------------------------------------------------------------

COMMAND_TEXTS = (
    "",
    "help",
    "config",
    "week",
    "post",
    "2026-11-02..2026-11-08 channel google_ads",
    "9999-12-31",
    "quality week by campaign",
    "notes Webinars move to Q2",
    "action <@U0ADM> call them due 2026-12-01",
    "done 1",
    "done 99999999999999999999",
    "actions",
    "answers last question 2",
    "next",
    "setup",
    "icp",
    "review 5 <!channel> loved it",
)
ACTIONS = (
    ids.POST_REPORT,
    ids.VERDICT_ACTION_PREFIX + "target",
    ids.VERDICT_ACTION_PREFIX + "not_target",
    ids.SYNC_ANSWER,
    ids.SYNC_CLOSE,
    ids.HOME_OPEN_CONFIG,
    ids.PLAN_PROPOSE,
)
ACTION_VALUES = ("1", "0", "999999", '{"kind": "daily", "pk": "day", "s": "2026-12-01", "e": "2026-12-01"}')
EVENTS = sorted(p.name for p in PAYLOADS.glob("event_callback.*.json"))
AS_IS = ("url_verification.json", "view_closed.json", "shortcut.global.json", "block_actions.docs_home_tab.json")


def sample(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def _as_ours(payload: dict[str, Any], app: RunningApp) -> dict[str, Any]:
    """A sample made to come from our workspace and admin, answering on the double's response_url."""
    payload.pop("enterprise", None)
    payload["is_enterprise_install"] = False
    payload["team"] = {"id": TEAM, "domain": "test"}
    payload["user"] = {"id": USER, "username": "adm", "name": "adm", "team_id": TEAM}
    if "response_url" in payload:
        payload["response_url"] = app.slack.response_url()
    return payload


def _state(view: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """view.state.values for a modal as Slack would send it, with drawn values in each input."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        options = st.sampled_from([o["value"] for o in element.get("options", [])] or ["S0SALES"])
        picks: dict[str, tuple[str, st.SearchStrategy[Any]]] = {
            "plain_text_input": ("value", mostly(st.sampled_from(ODD_TEXT) | sound_text, texts)),
            "static_select": ("selected_option", mostly(options, texts).map(lambda v: {"value": v})),
            "conversations_select": ("selected_conversation", mostly(st.just("C0LEADS"), texts)),
            "multi_users_select": ("selected_users", st.lists(mostly(st.just(USER), texts), max_size=2)),
            "users_select": ("selected_user", mostly(st.just(USER), texts)),
            "multi_external_select": ("selected_options", st.lists(mostly(options, texts).map(lambda v: {"value": v}))),
            "checkboxes": ("selected_options", st.lists(mostly(options, texts).map(lambda v: {"value": v}))),
            "timepicker": ("selected_time", mostly(st.just("09:30"), texts)),
            "datepicker": ("selected_date", mostly(st.just("2026-12-03"), texts)),
        }
        key, strategy = picks[kind]
        values[block["block_id"]] = {element["action_id"]: {"type": kind, key: draw(strategy)}}
    return values


def _modal(app: RunningApp, callback_id: str) -> dict[str, Any]:
    """One of our modals as its builder makes it."""
    ws = load(app.deps, TEAM)
    if callback_id == ids.SYNC_ANSWERS_MODAL:
        text = {"type": "plain_text_input", "action_id": ids.VALUE}
        blocks = [{"type": "input", "block_id": ids.SYNC_QUESTION_PREFIX + f"q{n}", "element": text} for n in (1, 2)]
        return {"callback_id": callback_id, "blocks": blocks, "private_metadata": '{"meeting_id": 1}'}
    view = {
        ids.CONFIG_MODAL: lambda: build_config_modal(ws),
        ids.VERDICT_MODAL: lambda: build_verdict_modal(ws, Lead(id=1, team_id=TEAM, external_id="x"), "not_target"),
        ids.LEAD_MODAL: lambda: build_lead_modal(ws),
        ids.SYNC_SETUP_MODAL: lambda: build_setup_modal(ws, None, datetime(2026, 11, 30).date()),
        ids.SYNC_ICP_MODAL: lambda: build_icp_modal(ws, None),
        ids.FEEDBACK_MODAL: lambda: build_feedback_modal(ws, "words", channel="C0HERE", ts="1.2"),
        ids.PLAN_MODAL: lambda: build_plan_modal(ws, PlanForm(month="2026-12")),
    }[callback_id]()
    return view.to_dict()


MODALS = (
    ids.CONFIG_MODAL,
    ids.VERDICT_MODAL,
    ids.LEAD_MODAL,
    ids.SYNC_SETUP_MODAL,
    ids.SYNC_ICP_MODAL,
    ids.FEEDBACK_MODAL,
    ids.SYNC_ANSWERS_MODAL,
    ids.PLAN_MODAL,
)


def _base(draw: st.DrawFn, app: RunningApp) -> tuple[str, dict[str, Any]]:
    """A request Slack sends, aimed at one of our listeners: ("form", fields), ("payload", the JSON of an
    interactive form) or ("json", an event)."""
    kind = draw(st.sampled_from(("command", "event", "action", "suggestion", "view", "shortcut", "as is")))
    if kind == "command":
        raw = (PAYLOADS / "slash_command.bolt_test.form.txt").read_text().strip()
        fields = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items() if not k.startswith("enterprise")}
        fields.update(team_id=TEAM, user_id=USER, channel_id="C0HERE", response_url=app.slack.response_url())
        fields["command"] = draw(st.sampled_from(ids.COMMANDS))
        fields["text"] = draw(mostly(st.sampled_from(COMMAND_TEXTS), texts))
        return "form", fields
    if kind == "event":
        event = sample(draw(st.sampled_from(EVENTS)))
        event.pop("enterprise_id", None)
        event["team_id"] = TEAM
        event["event_id"] = "Ev" + draw(st.uuids()).hex
        event["authorizations"] = [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}]
        return "json", event
    if kind == "action":
        payload = _as_ours(sample("block_actions.button_in_message.json"), app)
        payload["channel"] = {"id": "C0HERE", "name": "here"}
        value = draw(mostly(st.sampled_from(ACTION_VALUES), texts))
        action = {**payload["actions"][0], "action_id": draw(st.sampled_from(ACTIONS)), "value": value}
        payload["actions"] = [{**action, "action_ts": "1700000000.000001"}]
        return "payload", payload
    if kind == "suggestion":
        payload = _as_ours(sample("block_suggestion.external_select.json"), app)
        payload.update(action_id=ids.USERGROUPS, block_id="sales_groups", value=draw(mostly(sound_text, texts)))
        return "payload", payload
    if kind == "view":
        payload = _as_ours(sample("view_submission.modal_input.json"), app)
        view = _modal(app, draw(st.sampled_from(MODALS)))
        payload["view"].update(view, team_id=TEAM, state={"values": _state(view, draw)})
        return "payload", payload
    if kind == "shortcut":
        payload = _as_ours(sample("message_action.message_shortcut.json"), app)
        payload.update(callback_id=ids.FEEDBACK_SHORTCUT, channel={"id": "C0HERE", "name": "here"})
        return "payload", payload
    name = draw(st.sampled_from(AS_IS))
    payload = _as_ours(sample(name), app) if "team" in sample(name) else sample(name)
    return ("json" if name.startswith("url") else "payload"), payload


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path in a JSON tree."""
    inner: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        inner = [p for k, v in value.items() for p in _paths(v, (*path, k))]
    elif isinstance(value, list):
        inner = [p for i, v in enumerate(value) for p in _paths(v, (*path, i))]
    return ([path] if path else []) + inner


def _mutate(draw: st.DrawFn, tree: dict[str, Any], values: st.SearchStrategy[Any]) -> dict[str, Any]:
    """The tree with up to three values replaced by drawn ones or dropped, at drawn paths."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(tree)
        if not paths:
            break
        *parent_path, key = draw(st.sampled_from(paths))
        parent = tree
        for step in parent_path:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(values)
    return tree


@st.composite
def slack_requests(draw: st.DrawFn, app: RunningApp) -> tuple[str, str]:
    """A sample request aimed at our listeners and mutated: (content type, body)."""
    shape, tree = _base(draw, app)
    if shape == "form":
        fields = _mutate(draw, tree, texts)
        return "application/x-www-form-urlencoded", urllib.parse.urlencode(fields, errors="surrogatepass")
    tree = _mutate(draw, tree, json_values)
    if shape == "json":
        return "application/json", to_json(tree)
    return "application/x-www-form-urlencoded", urllib.parse.urlencode({"payload": to_json(tree)})


@FUZZ
@given(data=st.data())
def test_slack_requests_never_fail(app: RunningApp, tracebacks: Tracebacks, data: st.DataObject):
    """Slack's samples aimed at our listeners, mutated anywhere and signed: below 500, no traceback."""
    content_type, body = data.draw(slack_requests(app))
    app.background.wait_idle()
    tracebacks.found.clear()
    ts = int(time.time())
    raw = body.encode("utf-8", "surrogatepass")
    reply = post(app.url + "/slack/events", raw, slack_headers(SIGNING_SECRET, ts, raw, content_type))
    app.background.wait_idle()
    event(f"HTTP {reply.status}")
    assert reply.status < 500, reply.body
    assert not tracebacks.found, tracebacks.found[0]


# --- 3. the CSV import ----------------------------------------------------------------------------

GOOD_CELLS = {
    "text": ("Acme", "Иван Петров", "a b"),
    "number": ("1234.5", "1 234,50", "₽1200", "0", "-3"),
    "integer": ("3", "0", "120"),
    "datetime": ("2026-11-01", "2026-11-01 10:00", "01.11.2026 10:00", "2026-11-01T10:00+03:00"),
    "status": ("won", "lost", "open", "Closed Won"),
    "activity": ("call", "meeting", "встреча"),
    "feedback": ("review", "complaint", "wish"),
    "bool": ("yes", "no", "1", "да"),
}
GOOD_CELLS["date"] = GOOD_CELLS["datetime"][:1]
ODD_CELLS = {
    "number": ("1,234.50", "1e20", "-0", "inf", "nan", "0x10", "1_000", "١٢٣", "12%", "--5", "1e400", "1.2.3"),
    "integer": ("2147483648", "-2147483648", "1.5", "1e9", "9" * 400, "4,0", "-1"),
    "datetime": (
        "2026-02-30",
        "31/12/1969",
        "0001-01-01",
        "9999-12-31 23:59",
        "2026-11-01T10:00+14:00",
        "2026-11-01T10:00Z",
        "2026-03-29 02:30",
        "2026-10-25 01:30",
        "1e10",
        "today",
        "2026-11-01 25:00",
    ),
    "status": ("WON ", "выиграна", "maybe"),
    "activity": ("lunch", "CALL"),
    "feedback": ("жалоба", "rant"),
    "bool": ("perhaps", "TRUE"),
}
ODD_CELLS["date"] = ODD_CELLS["datetime"]
NO_SURROGATES = tuple(t for t in ODD_TEXT if not any("\ud800" <= c <= "\udfff" for c in t))
cell_text = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),  # NUL and control characters included
    st.sampled_from(NO_SURROGATES),
    st.sampled_from(('"', '""', 'a "quoted" b', "a,b", "a;b", "line\nbreak", "=1+1", "+1", "-1", "@x", "\ufeff")),
    st.sampled_from((1000, 70_000)).map(lambda n: "x" * n),
)


def cells(kind: str) -> st.SearchStrategy[str]:
    """A cell of a column of this type: sound six times in eight, odd for the type, or any text."""
    good, odd = st.sampled_from(GOOD_CELLS[kind]), st.sampled_from(ODD_CELLS.get(kind, ("",)))
    return st.sampled_from(range(8)).flatmap(lambda i: cell_text if i == 7 else odd if i == 6 else good)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(kind, CSV text, with a BOM): every column of a kind, a few rows of odd cells."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    specs = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([s.name for s in specs])
    for _ in range(draw(st.integers(1, 4))):
        writer.writerow([draw(cells(spec.type)) for spec in specs])
    return kind, out.getvalue(), draw(st.booleans())


@FUZZ
@given(file=csv_files())
def test_an_import_stores_all_or_refuses_with_its_own_errors(sqlite_engine: Engine, tmp_path: Path, file):
    """Any cells in any kind's columns: imported, or refused (ImportError_, ReadError) storing nothing."""
    kind, content, bom = file
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8-sig" if bom else "utf-8", newline="")
    deps = deps_for(sqlite_engine)
    ensure(deps, "T1")
    before = count_rows(sqlite_engine)
    try:
        run_import(deps, team_id="T1", kind=kind, path=path, mapping=Mapping(), tz="Europe/Moscow", progress=False)
    except (ImportError_, ReadError) as refusal:
        event(type(refusal).__name__)
        assert count_rows(sqlite_engine) == before
    else:
        event("imported")
