"""Attack 13: hostile input and a bad network against the quality report's Export, the settings modal,
the lead card's CRM link and due time, /kpi and /funnel with hostile channel names, and the coaching DM
(through signed HTTP and the Web API double, SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from bot import ids
from bot.kpi.periods import Period
from bot.leads.cards import post_card
from bot.workspace.modal import build_config_modal
from bot.workspace.store import load, save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Deal, Lead, LeadVerdict
from tests.blockkit import assert_fits, mrkdwn_texts
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import button_click, interactive, signed_post, slash_command, submit_view
from tests.test_coaching import deps_at

ADMIN = "U0ADM"
LIVE = ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS>", "<https://evil.example|click>")
WEEK = Period.containing("week", datetime(2026, 11, 25).date())


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(
        running_app.deps,
        TEAM,
        {"leads_channel": "C0LEADS", "marketing_channel": "C0MKT", "timezone": "UTC", "admins": [ADMIN]},
    )
    running_app.slack.add_user(ADMIN)
    running_app.slack.add_user("U0MKT")
    return running_app


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]


def assert_inert(texts: list[str]) -> None:
    joined = "\n".join(texts)
    for live in LIVE:
        assert live not in joined, live


def _quality_week(app: RunningApp, team: str = TEAM) -> None:
    with session_scope(app.deps.engine) as s:
        for ext, day, verdict in (("q1", 23, "target"), ("q2", 24, "not_target")):
            created = datetime(2026, 11, day, 10, tzinfo=UTC)
            lead = Lead(team_id=team, external_id=ext, created_at=created, channel="ads", verdict=verdict)
            lead.verdict_at = created + timedelta(hours=1)
            s.add(lead)
            s.flush()
            s.add(LeadVerdict(team_id=team, lead_id=lead.id, verdict=verdict, created_at=lead.verdict_at))


def _posted_report(app: RunningApp) -> str:
    from bot.leads.report import post_quality

    _quality_week(app)
    ts = post_quality(app.deps, TEAM, WEEK)
    assert ts
    return ts


def _click(app: RunningApp, action: dict, user: str = "U0MKT") -> int:
    """A block_actions click whose action is exactly `action` (any shape), signed."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "trigger_id": "1.2.x",
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0MKT"},
        "channel": {"id": "C0MKT", "name": "mkt"},
        "response_url": app.slack.response_url(),
        "actions": [{"action_id": ids.QUALITY_EXPORT, "block_id": ids.QUALITY_EXPORT, "type": "button", **action}],
    }
    reply = signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )
    return reply.status


# --- (1) the quality report's Export CSV button ---------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "9999-W53",
        "2026-W99",
        "0000-W01",
        "../../etc/passwd",
        "2026-W48\x00",
        "<!channel>",
        "9" * 5000,
        "2026-11",
        "2026-11-01..2026-11-30",
        "2026-11-30..2026-11-01",
        "2026-W48/x/y",
    ],
)
def test_export_with_a_forged_week_is_answered_and_posts_nothing(app: RunningApp, caplog, value: str):
    """A forged Export value (no week, a far year, a path, a NUL, 5,000 digits): told once, nothing posted."""
    _posted_report(app)
    assert button_click(app, ids.QUALITY_EXPORT, value, user="U0MKT", channel="C0MKT").status == 200
    (answer,) = app.slack.wait_for_response()
    assert "/leads quality" in answer["text"]
    app.background.wait_idle()
    assert len(app.slack.calls_to("chat.postMessage")) == 1  # the report itself
    assert not app.slack.calls_to("files.completeUploadExternal")
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("value", [5, ["2026-W48"], {"k": "2026-W48"}])
def test_export_with_a_value_that_is_no_text_is_refused_naming_it(app: RunningApp, caplog, value: object):
    """A value that is a number, list or object (signed): 400 naming it, nothing posted, no traceback."""
    _posted_report(app)
    assert _click(app, {"value": value, "action_ts": "1764583200.000100"}) == 400
    app.background.wait_idle()
    assert errors_logged(caplog) == []
    assert not app.slack.calls_to("files.completeUploadExternal")


def test_export_without_an_action_ts_is_refused_naming_it(app: RunningApp, caplog):
    """A click with no action_ts (Slack always sends one): 400, never a KeyError in the log."""
    _posted_report(app)
    assert _click(app, {"value": WEEK.key()}) == 400
    app.background.wait_idle()
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("action_ts", ["1.2/3/4", "x" * 5000, "1.2\x00", "<!channel>"])
def test_export_with_a_forged_action_ts_is_refused_without_a_traceback(app: RunningApp, caplog, action_ts: str):
    """An action_ts with slashes, 5,000 characters, a NUL or a mention is no Slack time: 400, no CSV."""
    _posted_report(app)
    for _ in range(2):
        assert _click(app, {"value": WEEK.key(), "action_ts": action_ts}) == 400
        app.background.wait_idle()
    assert errors_logged(caplog) == []
    assert not app.slack.calls_to("files.completeUploadExternal")
    assert_inert([c.args.get("text", "") for c in app.slack.calls_to("chat.postMessage")])


def test_export_of_another_workspaces_week_posts_nothing_there(app: RunningApp):
    """Another workspace's report of the same week is on record: our click neither finds nor posts into it."""
    from bot.leads.report import post_quality

    save_settings(app.deps, "T0OTHER", {"marketing_channel": "C0THEIRS", "timezone": "UTC"})
    _quality_week(app, team="T0OTHER")
    assert post_quality(app.deps, "T0OTHER", WEEK)
    assert button_click(app, ids.QUALITY_EXPORT, WEEK.key(), user="U0MKT", channel="C0MKT").status == 200
    assert "/leads quality" in app.slack.wait_for_response()[0]["text"]
    app.background.wait_idle()
    assert not app.slack.calls_to("files.completeUploadExternal")
    assert [c.args["channel"] for c in app.slack.calls_to("chat.postMessage")] == ["C0THEIRS"]


def test_the_same_export_click_delivered_eight_times_at_once_posts_one_csv(app: RunningApp):
    """Eight deliveries of one click in parallel: one CSV and one line in the thread."""
    _posted_report(app)
    threads = [
        threading.Thread(
            target=button_click,
            args=(app, ids.QUALITY_EXPORT, WEEK.key()),
            kwargs={"user": "U0MKT", "channel": "C0MKT", "action_ts": "1764583200.000100"},
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app.background.wait_idle()
    assert len(app.slack.calls_to("files.completeUploadExternal")) == 1
    assert len(app.slack.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize("method", ["chat.postMessage", "files.completeUploadExternal"])
def test_export_whose_answer_is_lost_is_not_posted_twice_when_the_click_comes_again(app: RunningApp, method: str):
    """Slack did the work and the answer was lost; the click delivered again posts no second CSV or line."""
    _posted_report(app)
    app.slack.lose_answers(method)
    click = {"user": "U0MKT", "channel": "C0MKT", "action_ts": "1764583200.000100"}
    assert button_click(app, ids.QUALITY_EXPORT, WEEK.key(), **click).status == 200
    app.background.wait_idle()
    assert button_click(app, ids.QUALITY_EXPORT, WEEK.key(), **click).status == 200
    app.background.wait_idle()
    thread = [m for m in app.slack.posted("C0MKT") if m.get("thread_ts")]
    assert len([m for m in thread if m.get("files")]) <= 1
    assert len([m for m in thread if not m.get("files")]) <= 1
    assert all("Traceback" not in r.get("text", "") for r in app.slack.responses)


# --- (2) the settings modal -------------------------------------------------------------------------


def _state(app: RunningApp, **typed: str) -> dict:
    """The settings modal as the workspace stands, submitted with `typed` in its text inputs."""
    from tests.blockkit import submission_state

    state = submission_state(build_config_modal(load(app.deps, TEAM)))
    for key, value in typed.items():
        state[key] = {ids.VALUE: {"type": "plain_text_input", "value": value}}
    return state


def _submit(app: RunningApp, state: dict, meta: str = "{}", user: str = ADMIN):
    return submit_view(app, ids.CONFIG_MODAL, meta, state, user=user)


@pytest.mark.parametrize(
    "field,value",
    [
        ("currency", "x" * 10000),
        ("currency", "US$"),
        ("currency", "ДОЛ"),
        ("currency", "<!channel>"),
        ("currency", "XYZ"),
        ("currency", "US\x00"),
        ("crm_lead_url", "https://crm.example.com/{external_id}/{x}"),
        ("crm_lead_url", "https://crm.example.com/{{external_id}}"),
        ("crm_lead_url", "https://crm.example.com/{external_id"),
        ("crm_lead_url", "javascript:alert(1)//{external_id}"),
        ("crm_lead_url", "JavaScript://crm.example.com/%0Aalert(1)/{external_id}"),
        ("crm_lead_url", "data:text/html,{external_id}"),
        ("crm_lead_url", "https://crm.example.com/leads"),
        ("crm_lead_url", "https://<!channel>/{external_id}"),
        ("crm_lead_url", "https://crm.example.com/{external_id}|click"),
        ("crm_lead_url", "https://crm.example.com/ {external_id}"),
        ("crm_lead_url", "http://[::1/{external_id}"),
        ("crm_lead_url", "https:{external_id}"),
        ("crm_lead_url", "https://crm.example.com/{external_id}" + "x" * 5000),
        ("crm_lead_url", "https://crm.example.com/\x00{external_id}"),
        ("sla_hours", ""),
        ("sla_hours", "-1"),
        ("sla_hours", "201"),
        ("sla_hours", "1e3"),
        ("sla_hours", "9" * 10),
        ("sla_hours", "x" * 10000),
        ("margin_threshold", "nan"),
        ("margin_threshold", "inf"),
        ("margin_threshold", "101"),
        ("margin_threshold", "-0.5"),
        ("margin_threshold", "0x10"),
        ("holidays", "2026-02-30"),
        ("holidays", "next friday"),
        ("holidays", "<!channel>"),
        ("holidays", "2026-12-31 " * 300),  # past the 3,000 characters a line holds
        ("reasons", "x" * 76),
        ("reasons", "x" * 3001),
        ("reasons", "ok\x00"),
        ("reactions", "x=made_up"),
        ("reactions", "=target"),
        ("retention_days", "0"),
        ("retention_days", "١٠"),
    ],
)
def test_a_bad_setting_in_the_modal_is_an_error_under_its_field(app: RunningApp, caplog, field: str, value: str):
    """Huge, empty, wrong, unicode and injected values: 200 with errors under that field only, nothing saved."""
    before = load(app.deps, TEAM)
    reply = _submit(app, _state(app, **{field: value}))
    assert reply.status == 200, reply.body[:300]
    body = reply.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [field], body
    assert load(app.deps, TEAM) == before
    assert errors_logged(caplog) == []


def test_a_superscript_sla_is_refused_in_the_settings_own_words(app: RunningApp):
    """`²` in the SLA hours: the error says what a working-hours number is, not Python's int() message."""
    body = _submit(app, _state(app, sla_hours="²")).json()
    assert "invalid literal" not in body["errors"]["sla_hours"]


@pytest.mark.parametrize("field", ["workdays", "work_hours"])
def test_a_huge_value_in_a_line_without_a_limit_is_refused_with_a_short_error(app: RunningApp, field: str):
    """10,000 characters in working days or hours: an error under the field that does not echo them all."""
    body = _submit(app, _state(app, **{field: "z" * 10000})).json()
    assert list(body["errors"]) == [field]
    assert len(body["errors"][field]) <= 2000, len(body["errors"][field])


@pytest.mark.parametrize(
    "field,value,saved",
    [
        ("currency", " usd ", "USD"),
        ("crm_lead_url", "https://crm.example.com/leads/{external_id}?x=1&y=2", None),
        ("margin_threshold", "40%", 40.0),
        ("holidays", "2026-12-31, 2026-12-31 2027-01-07", ["2026-12-31", "2027-01-07"]),
        ("sla_hours", "200", 200),
    ],
)
def test_a_good_setting_with_odd_spacing_is_saved(app: RunningApp, field: str, value: str, saved: object):
    """Spaces, case, a percent sign, repeats: saved as the setting means them."""
    assert _submit(app, _state(app, **{field: value})).status == 200
    got = getattr(load(app.deps, TEAM), field)
    assert got == (saved if saved is not None else value)


@pytest.mark.parametrize(
    "meta",
    ['{"team_id": "T0OTHER"}', "{not json", "x" * 10000, '["T0OTHER"]', '{"team_id": null}', ""],
)
def test_forged_private_metadata_saves_only_the_senders_workspace(app: RunningApp, meta: str):
    """The settings form's metadata names another workspace, or is no JSON: only the sender's team changes."""
    save_settings(app.deps, "T0OTHER", {"timezone": "UTC", "currency": "EUR"})
    reply = _submit(app, _state(app, currency="RUB"), meta=meta)
    assert reply.status == 200
    assert load(app.deps, TEAM).currency == "RUB"
    assert load(app.deps, "T0OTHER").currency == "EUR"


def test_a_non_admin_cannot_save_hostile_settings(app: RunningApp):
    """Someone not an admin submits the form: refused under a field, nothing saved."""
    app.slack.add_user("U0NOBODY")
    reply = _submit(app, _state(app, currency="RUB"), user="U0NOBODY")
    assert reply.json()["response_action"] == "errors"
    assert load(app.deps, TEAM).currency is None


@pytest.mark.parametrize(
    "block,element",
    [
        ("daily_digest_time", {"type": "timepicker", "selected_time": "25:99"}),
        ("daily_digest_time", {"type": "timepicker", "selected_time": 930}),
        ("leads_channel", {"type": "conversations_select", "selected_conversation": "C0<!channel>"}),
        ("head_of_sales", {"type": "users_select", "selected_user": "<@U0BOSS>"}),
        ("language", {"type": "static_select", "selected_option": {"value": "xx"}}),
        ("digests", {"type": "checkboxes", "selected_options": [{"value": 7}]}),
        ("admins", {"type": "multi_users_select", "selected_users": ["<!here>"]}),
    ],
)
def test_a_forged_picker_in_the_settings_modal_is_an_error_under_it(app: RunningApp, block: str, element: dict):
    """A time past midnight, a number for a time, a channel or user that is a mention, an unknown language."""
    before = load(app.deps, TEAM)
    state = _state(app)
    state[block] = {ids.VALUE: element}
    reply = _submit(app, state)
    assert reply.status == 200 and list(reply.json()["errors"]) == [block], reply.body[:300]
    assert load(app.deps, TEAM) == before


def test_six_hundred_reasons_keep_the_verdict_modal_within_slacks_limits(app: RunningApp):
    """2,900 characters of 600 one-word reasons: saved, and the verdict form still fits (≤ 100 options)."""
    from bot.leads.blocks import build_verdict_modal

    typed = "\n".join(f"r{i}" for i in range(600))
    assert _submit(app, _state(app, reasons=typed)).status == 200
    ws = load(app.deps, TEAM)
    assert len(ws.reasons) == 600
    lead = Lead(id=1, team_id=TEAM, external_id="e", channel="ads")
    for verdict in ("not_target", "spam"):
        assert_fits(build_verdict_modal(ws, lead, verdict))
    assert_fits(build_config_modal(ws))


# --- (3) the lead card's CRM link and due time -----------------------------------------------------


HOSTILE_IDS = ["a b c", "../../admin", "..", ".", "лид/№1?x=1#y", "x" * 5000, "<!channel>", "%2e%2e", "a\u202eb"]


def _card_for(app: RunningApp, external_id: str, **settings: object) -> dict:
    save_settings(app.deps, TEAM, {"crm_lead_url": "https://crm.example.com/leads/{external_id}", **settings})
    with session_scope(app.deps.engine) as s:
        lead = Lead(team_id=TEAM, external_id=external_id, created_at=datetime.now(UTC), source="webhook")
        s.add(lead)
        s.flush()
        lead_id = lead.id
    post_card(app.deps, TEAM, lead_id)
    return app.slack.wait_for("chat.postMessage")[0].args


@pytest.mark.parametrize("external_id", HOSTILE_IDS)
def test_a_hostile_external_id_makes_an_inert_card_with_a_link_to_its_own_page(app: RunningApp, external_id: str):
    """Spaces, `../`, unicode, 5,000 characters, a mention as the id: the card fits, nothing live, and the
    CRM link (when it fits) stays under /leads/ with the id encoded."""
    card = _card_for(app, external_id, sla_hours=4)
    assert_inert([card["text"], *mrkdwn_texts(card)])
    for block in card["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for e in block.get("elements", []):
            if e.get("url"):
                url = e["url"]
                assert len(url) <= 3000
                parts = urlsplit(url)
                assert parts.netloc == "crm.example.com" and not parts.query and not parts.fragment
                assert parts.path.startswith("/leads/") and " " not in url


@pytest.mark.parametrize("external_id", ["..", "."])
def test_a_dot_segment_id_does_not_lead_out_of_the_crms_lead_pages(app: RunningApp, external_id: str):
    """An external id of `..` or `.`: the browser resolves the link to the CRM's /leads/ page itself or above."""
    card = _card_for(app, external_id)
    url = next(e["url"] for b in card["blocks"] for e in b.get("elements", []) if e.get("url"))
    last = urlsplit(url).path.rsplit("/", 1)[1]
    assert last not in ("..", "."), url


@pytest.mark.parametrize(
    "settings",
    [
        {"sla_hours": 200, "workdays": "sun", "work_hours": "00:00-00:01"},
        {"sla_hours": 200, "holidays": [f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 15)]},
        {"sla_hours": 1, "timezone": "Pacific/Kiritimati", "work_hours": "23:00-23:59"},
        {"sla_hours": 3, "timezone": "America/Santiago", "work_hours": "00:00-01:00"},
    ],
)
def test_the_due_time_with_hostile_working_time_is_shown_or_left_out(app: RunningApp, caplog, settings: dict):
    """Hours a verdict can never fit in, a year of holidays, +14 h, a DST gap at midnight: a card is posted."""
    card = _card_for(app, "due-1", **settings)
    assert card["blocks"] and errors_logged(caplog) == []


# --- (4) /kpi, /funnel and the digest with hostile channel names ----------------------------------


HOSTILE_CHANNELS = [
    "<!channel>",
    "*bold* _it_ ~s~ `c`",
    "$x$ \\frac{1}{0} $",
    "<https://evil.example|click>",
    "y" * 10000,
]


def _leads_in(app: RunningApp, channels: list[str], day: datetime) -> None:
    with session_scope(app.deps.engine) as s:
        for i, ch in enumerate(channels):
            s.add(Lead(team_id=TEAM, external_id=f"h{i}", created_at=day, channel=ch, source="webhook"))


@pytest.mark.parametrize("command", ["/kpi", "/funnel"])
@pytest.mark.parametrize("typed", ["<!channel>", "*bold* _it_ ~s~ `c`", "$x$ \\frac{1}{0} $", "y" * 10000, "a\x00b"])
def test_kpi_and_funnel_for_a_hostile_channel_answer_without_live_markup(
    app: RunningApp, caplog, command: str, typed: str
):
    """`/kpi channel <!channel>` and friends: answered (the numbers or a refusal), nothing live, within limits."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    _leads_in(app, HOSTILE_CHANNELS, yesterday)
    reply = slash_command(app, command, f"yesterday channel {typed}", user=ADMIN)
    assert reply.status == 200
    app.background.wait_idle(timeout=90)
    bodies = [reply.json()] if reply.body else []
    bodies += app.slack.responses
    assert bodies
    for body in bodies:
        texts = [body.get("text", ""), *mrkdwn_texts(body)]
        assert_inert(texts)
        assert len(body.get("blocks", [])) <= 50
        for b in body.get("blocks", []):
            for e in b.get("elements", []):
                assert len(e.get("value", "")) <= 2000
    assert errors_logged(caplog) == []


def test_a_refusal_that_lists_hostile_channels_stays_within_slacks_text_limit(app: RunningApp):
    """Fifteen known channels of 10,000 characters each: `/kpi channel nope` answers within 40,000 characters."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    _leads_in(app, [chr(ord("a") + i) * 10000 for i in range(15)], yesterday)
    reply = slash_command(app, "/kpi", "channel nope", user=ADMIN)
    assert reply.status == 200
    body = reply.json()
    assert len(body["text"]) <= 40000, len(body["text"])


def test_the_digest_with_hostile_channel_names_posts_inert_text_and_its_pictures(app: RunningApp, caplog):
    """The daily digest of a day whose channels are mentions, mrkdwn, TeX and 10,000 characters: posted once,
    its text inert, its thread's channel table uploaded."""
    now = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    save_settings(app.deps, TEAM, {"digest_channel": "C0DIGEST", "daily_digest": True, "daily_digest_time": "09:00"})
    _leads_in(app, HOSTILE_CHANNELS, datetime(2026, 12, 1, 10, tzinfo=UTC))
    deps = deps_at(app.deps.engine, app.slack, now)
    post_due_digests(deps=deps, now=now)
    post_due_digests(deps=deps, now=now + timedelta(minutes=1))
    posts = app.slack.calls_to("chat.postMessage")
    parents = [p for p in posts if p.args["channel"] == "C0DIGEST" and not p.args.get("thread_ts")]
    assert len(parents) == 1
    for p in posts:
        assert_inert([p.args.get("text", ""), *mrkdwn_texts(p.args)])
    assert app.slack.calls_to("files.completeUploadExternal")
    assert errors_logged(caplog) == []


# --- (5) the coaching DM with reps that are names --------------------------------------------------


REPS = {
    "Anna <!channel>": (10, 3),
    "*Boris* <@U0BOSS>": (10, 4),
    "u0vera": (10, 3),
    "Gleb <https://evil.example|click> & co " + "g" * 3000: (12, 0),
}


def test_the_coaching_dm_names_reps_that_are_names_as_inert_text(app: RunningApp, caplog):
    """Reps named by the CRM (mentions, mrkdwn, a link, 3,000 characters): the DM shows them as text, fits,
    and is sent once."""
    from bot.workspace.store import save_settings as save

    save(app.deps, TEAM, {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "head_of_sales": "U0HEAD"})
    with session_scope(app.deps.engine) as s:
        for n, (rep, (leads, won)) in enumerate(REPS.items()):
            for i in range(leads):
                created = datetime(2026, 11, 2 + i, 10, tzinfo=UTC)
                ext = f"L{n}-{i}"
                s.add(Lead(team_id=TEAM, external_id=ext, created_at=created, channel="ads", owner=rep))
                if i < won:
                    s.add(
                        Deal(
                            team_id=TEAM,
                            external_id=f"D{n}-{i}",
                            lead_external_id=ext,
                            customer=f"C{n}-{i}",
                            status="won",
                            amount=100,
                            closed_at=created + timedelta(days=1),
                            rep=rep,
                        )
                    )
    first = datetime(2026, 12, 1, 9, 1, tzinfo=UTC)
    for minute in (1, 2):
        now = first.replace(minute=minute)
        post_due_digests(deps=deps_at(app.deps.engine, app.slack, now), now=now)
    posts = app.slack.calls_to("chat.postMessage")
    dms = [p.args for p in posts if p.args["channel"] == "U0HEAD"]
    assert len(dms) == 1, [p.args["channel"] for p in posts]
    dm = dms[0]
    texts = [dm["text"], *mrkdwn_texts(dm)]
    assert_inert(texts)
    assert "&lt;https://evil.example|click&gt; &amp; co" in "\n".join(texts)
    assert all(len(t) <= 3000 for t in mrkdwn_texts(dm))
    for p in posts:
        assert_inert([p.args.get("text", ""), *mrkdwn_texts(p.args)])
    assert errors_logged(caplog) == []
    with session_scope(app.deps.engine) as s:
        assert len(s.exec(select(Lead)).all()) == 42
