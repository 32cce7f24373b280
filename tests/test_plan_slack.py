"""/plan end to end through signed HTTP: the modal opens for admins, a submission is checked and saved,
and the Propose button fills marketing's numbers from sales' goal with views.update."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot import ids
from bot.cli import main
from bot.plans.store import plan_of
from storage.db import session_scope
from storage.models import Deal, Lead
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import interactive, signed_post, slash_command, submit_view
from tests.slack_double import SHARED

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    """200 leads of September (inside the cohort planning December reads: 3 Aug – 31 Oct), 92 judged
    target, 25 of those won on 15 October at 50,000 each: 12.5% lead→sale, 46% target share."""
    rows: list = [
        Lead(
            team_id=TEAM,
            external_id=f"L{i:03d}",
            created_at=datetime(2026, 9, 1, 10, tzinfo=UTC) + timedelta(hours=i),
            channel="ads",
            verdict="target" if i < 92 else "not_target",
        )
        for i in range(200)
    ]
    rows += [
        Deal(
            team_id=TEAM,
            external_id=f"D{i:03d}",
            lead_external_id=f"L{i:03d}",
            status="won",
            amount=50_000,
            closed_at=datetime(2026, 10, 15, 12, tzinfo=UTC),
        )
        for i in range(25)
    ]
    with session_scope(engine) as s:
        s.add_all(rows)


@pytest.fixture
def app(running_app: RunningApp, engine: Engine) -> RunningApp:
    from bot.workspace.store import ensure

    ensure(running_app.deps, TEAM)
    _seed(engine)
    running_app.deps.clock = lambda: NOW
    running_app.slack.add_user("U0ADMIN", admin=True)
    return running_app


def _text(value: str | None) -> dict:
    return {ids.VALUE: {"type": "plain_text_input", "value": value}}


def _opened(app: RunningApp, text: str = "2026-12", count: int = 1) -> dict:
    assert slash_command(app, ids.COMMAND_PLAN, text).status == 200
    return app.slack.wait_for("views.open", count)[-1].args["view"]


def test_plan_by_a_non_admin_is_refused(app: RunningApp):
    """Someone who is no admin is told so; no modal opens."""
    app.slack.add_user("U0PLAIN")
    body = slash_command(app, ids.COMMAND_PLAN, "", user="U0PLAIN").json()
    assert "admins" in body["text"]
    app.background.wait_idle()
    assert app.slack.calls_to("views.open") == []


def test_plan_modal_opens_checks_and_saves(app: RunningApp, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys):
    """/plan 2026-12 opens a field per planned KPI; a bad value is an error under its own field and
    saves nothing; a good submission is saved and `handoff plan show` prints it."""
    view = _opened(app)
    assert view["callback_id"] == ids.PLAN_MODAL
    blocks = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert blocks == ["leads", "target_leads", "sales", "new_customers", "revenue", "spend", "cac"]
    meta = view["private_metadata"]
    assert json.loads(meta)["month"] == "2026-12"
    bad = {"leads": _text("500"), "sales": _text("forty"), "revenue": _text("-5"), "cac": _text(None)}
    body = submit_view(app, ids.PLAN_MODAL, meta, bad).json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"sales", "revenue"}
    assert "'forty' is not a number" in body["errors"]["sales"]
    assert "below zero" in body["errors"]["revenue"]
    app.background.wait_idle()
    assert plan_of(app.deps, TEAM, "2026-12") == {}

    good = {"leads": _text("500"), "target_leads": _text("250"), "sales": _text("40"), "revenue": _text("2 000 000")}
    reply = submit_view(app, ids.PLAN_MODAL, meta, good)
    assert reply.status == 200 and reply.body in (b"", b"{}")
    app.background.wait_idle()
    assert plan_of(app.deps, TEAM, "2026-12") == {"leads": 500, "target_leads": 250, "sales": 40, "revenue": 2_000_000}

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    assert main(["plan", "show", "--month", "2026-12", "--team", TEAM, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["workspace"] == {"leads": 500, "target_leads": 250, "sales": 40, "revenue": 2_000_000}

    again = _opened(app, count=2)  # opened again, the modal shows what was saved
    values = {b["block_id"]: b["element"].get("initial_value") for b in again["blocks"] if b["type"] == "input"}
    assert (values["leads"], values["revenue"], values["cac"]) == ("500", "2000000", None)


def _propose(app: RunningApp, view: dict, state: dict) -> None:
    """A click on Propose inside the open modal (Slack's block_actions from a view, its state as typed)."""
    payload = json.loads((SHARED / "slack" / "payloads" / "http" / "block_actions.docs_home_tab.json").read_text())
    payload["team"] = {"id": TEAM, "domain": "test"}
    payload["user"] = {"id": "U0ADMIN", "username": "admin", "name": "admin", "team_id": TEAM}
    payload["container"] = {"type": "view", "view_id": "V0PLAN"}
    payload["view"] = {
        **payload["view"],
        **view,
        "id": "V0PLAN",
        "team_id": TEAM,
        "type": "modal",
        "hash": "1764752400.abc",
        "state": {"values": state},
    }
    payload["actions"] = [
        {
            "type": "button",
            "block_id": "plan_actions",
            "action_id": ids.PLAN_PROPOSE,
            "value": "2026-12",
            "action_ts": "1764752401.000001",
        }
    ]
    reply = signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )
    assert reply.status == 200


def test_propose_fills_marketings_numbers_from_the_sales_goal(app: RunningApp):
    """40 sales at 25 of 200 leads (12.5%) need 40 × 200 ÷ 25 = 320 leads and 40 × 92 ÷ 25 = 147.2 → 148
    target leads: views.update puts them in new inputs (new block ids), keeps the typed goal, and says how."""
    view = _opened(app)
    _propose(app, view, {"sales": _text("40"), "spend": _text("90000")})
    call = app.slack.wait_for("views.update")[0]
    assert (call.args["view_id"], call.args["hash"]) == ("V0PLAN", "1764752400.abc")
    updated = call.args["view"]
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in updated["blocks"] if b["type"] == "input"}
    assert inputs["leads.1"] == "320" and inputs["target_leads.1"] == "148"
    assert (inputs["sales"], inputs["spend"]) == ("40", "90000")
    note = json.dumps(updated["blocks"][-1], ensure_ascii=False)
    assert "40 sales at 12.5% lead→sale need ≈320 leads, ≈148 target leads at 46.0% target share." in note

    # The modal is saved with the proposed numbers, read from their new block ids.
    meta = updated["private_metadata"]
    state = {"leads.1": _text("320"), "target_leads.1": _text("148"), "sales": _text("40")}
    reply = submit_view(app, ids.PLAN_MODAL, meta, state)
    assert reply.status == 200 and reply.body in (b"", b"{}")
    app.background.wait_idle()
    assert plan_of(app.deps, TEAM, "2026-12") == {"leads": 320, "target_leads": 148, "sales": 40}


def test_propose_from_a_revenue_goal_uses_the_average_deal(app: RunningApp):
    """2,200,000 at the average won deal of 50,000 is 44 sales: 352 leads, 44 × 92 ÷ 25 = 161.9 → 162."""
    view = _opened(app)
    _propose(app, view, {"revenue": _text("2,200,000")})
    updated = app.slack.wait_for("views.update")[0].args["view"]
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in updated["blocks"] if b["type"] == "input"}
    assert (inputs["leads.1"], inputs["target_leads.1"]) == ("352", "162")


def test_propose_without_a_goal_only_says_so(app: RunningApp):
    """No sales or revenue typed: the numbers stay, the modal asks for a goal."""
    view = _opened(app)
    _propose(app, view, {"leads": _text("10")})
    updated = app.slack.wait_for("views.update")[0].args["view"]
    assert "Type a sales or revenue goal first" in json.dumps(updated["blocks"][-1], ensure_ascii=False)
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in updated["blocks"] if b["type"] == "input"}
    assert inputs["leads"] == "10"


def test_plan_with_a_bad_month_or_channel_says_how_to_write_it(app: RunningApp):
    """`/plan 2026-13` and `/plan 2026-12 paid` are answered with the form of the command; no modal opens."""
    assert "YYYY-MM" in slash_command(app, ids.COMMAND_PLAN, "2026-13").json()["text"]
    assert "/plan [YYYY-MM] [channel NAME]" in slash_command(app, ids.COMMAND_PLAN, "2026-12 paid").json()["text"]
    app.background.wait_idle()
    assert app.slack.calls_to("views.open") == []


def test_a_channels_plan_is_its_own(app: RunningApp):
    """`/plan 2026-12 channel Google Ads` opens and saves that channel's plan, apart from the workspace's."""
    view = _opened(app, "2026-12 channel Google Ads")
    assert "Channel Google Ads" in json.dumps(view["blocks"][0])
    submit_view(app, ids.PLAN_MODAL, view["private_metadata"], {"sales": _text("7")})
    app.background.wait_idle()
    assert plan_of(app.deps, TEAM, "2026-12", "Google Ads") == {"sales": 7}
    assert plan_of(app.deps, TEAM, "2026-12") == {}


def test_the_russian_modal_fits_slacks_limits():
    """Every label, hint and the proposal's sentence in Russian pass slack_sdk's checks."""
    from bot.plans.modal import PlanForm, build_plan_modal
    from storage.models import Workspace

    ws = Workspace(team_id=TEAM, language="ru")
    form = PlanForm(month="2026-12", channel="<!channel> ads", values={"leads": "320"}, revs={"leads": 1}, note="x")
    d = build_plan_modal(ws, form).to_dict()
    assert d["title"]["text"] == "План"
    assert next(b["block_id"] for b in d["blocks"] if b["type"] == "input") == "leads.1"
    assert "&lt;!channel&gt; ads" in json.dumps(d["blocks"][0], ensure_ascii=False)


def test_a_channel_is_read_as_typed_and_as_the_data_names_it(app: RunningApp, engine: Engine):
    """`channel google ads` is the data's `Google_Ads`, as /kpi reads it; `Email &amp; SMS` (Slack's form of
    what was typed) is a channel without data yet, `Email & SMS`."""
    from datetime import date

    from storage.models import Spend

    with session_scope(engine) as s:
        s.add(Spend(team_id=TEAM, external_id="S1", day=date(2026, 11, 2), channel="Google_Ads", amount=10.0))
    for typed, saved in (("google ads", "Google_Ads"), ("Email &amp; SMS", "Email & SMS")):
        view = _opened(app, f"2026-12 channel {typed}", count=1 + (typed == "Email &amp; SMS"))
        assert view["blocks"][0]["elements"][0]["text"] == "Plan for 2026-12 · Channel " + saved.replace("&", "&amp;")
        submit_view(app, ids.PLAN_MODAL, view["private_metadata"], {"sales": _text("7")})
        app.background.wait_idle()
        assert plan_of(app.deps, TEAM, "2026-12", saved) == {"sales": 7}
