"""The goal end to end, across its parts: a plan saved in the /plan modal shows as pace in the next
digest, and a commitment the week broke (counted from the data, not injected) opens the next sync's
agenda as an item, with the month's real pace above it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import ids
from bot.workspace.store import save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Lead
from storage.repos import plans
from tests.conftest import TEAM, RunningApp
from tests.http import slash_command, submit_view
from tests.test_sync import ADMIN, AGENDA, ASK, M1, M2, S1, SYNC, Clock, blocks_text, posts_in, setup_by_modal, tick

# December 2026 in Berlin, the 31st a holiday: 22 working days. Leads on the first five working days,
# ten a day; a plan of 220 leads is ten a working day, so Tuesday 8 December's digest finds it on track.
LEAD_DAYS = (1, 2, 3, 4, 7)


def _leads(app: RunningApp, days: tuple[int, ...], per_day: int, month: int = 12) -> None:
    with session_scope(app.deps.engine) as s:
        for day in days:
            for i in range(per_day):
                created = datetime(2026, month, day, 10, i, tzinfo=UTC)
                s.add(Lead(team_id=TEAM, external_id=f"L{month}-{day}-{i}", created_at=created, channel="ads"))


def test_a_plan_saved_in_the_modal_shows_as_pace_in_the_next_digest(running_app: RunningApp):
    """/plan 2026-12 → the modal → leads 220 saved; the next morning's daily digest opens its pace block
    with it: 50 of 220 by 5 of 22 working days, heading for 220, on track."""
    app = running_app
    now = datetime(2026, 12, 8, 8, 1, tzinfo=UTC)  # Tuesday 09:01 in Berlin
    app.deps.clock = lambda: now
    app.slack.add_user("U0ADMIN", admin=True)
    save_settings(
        app.deps,
        TEAM,
        {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "holidays": ["2026-12-31"], "name": "Acme"},
    )
    _leads(app, LEAD_DAYS, 10)
    assert slash_command(app, ids.COMMAND_PLAN, "2026-12").status == 200
    view = app.slack.wait_for("views.open")[-1].args["view"]
    value = {ids.VALUE: {"type": "plain_text_input", "value": "220"}}
    assert submit_view(app, ids.PLAN_MODAL, view["private_metadata"], {"leads": value}).status == 200
    app.background.wait_idle()

    post_due_digests(deps=app.deps, now=now)
    digest = app.slack.calls_to("chat.postMessage")[-1]
    assert digest.args["channel"] == "C0DIGEST"
    sections = [b["text"]["text"] for b in digest.args["blocks"] if b["type"] == "section" and "text" in b]
    assert (
        "*Plan · December 2026 · 23% of the working time gone*\n"
        "🟢 Leads: 50 of 220 (23%), heading for 220 — on track · the day: 10 of 10"
    ) in sections


def test_a_broken_commitment_opens_the_next_syncs_agenda(running_app: RunningApp):
    """Marketing promised 30 leads a week and the week of 23–29 November brought 12: the sync of
    3 December lists it as a broken commitment, under the month's pace and the week's scorecard."""
    app = running_app
    save_settings(
        app.deps,
        TEAM,
        {
            "admins": [ADMIN],
            "timezone": "Europe/Berlin",
            "sales": [S1],
            "marketing": [M1, M2],
            "agreement_leads_per_week": 30,
        },
    )
    for user in (ADMIN, S1, M1, M2):
        app.slack.add_user(user)
    app.clock = Clock(datetime(2026, 11, 30, 10, tzinfo=UTC))
    app.deps.clock = app.clock
    _leads(app, (23, 24, 25, 26), 3, month=11)  # 12 leads in the week of 23 November
    _leads(app, (1, 2), 5)  # December so far
    with session_scope(app.deps.engine) as s:
        plans.set_values(s, team_id=TEAM, month="2026-12", values={"leads": 220.0}, set_by=ADMIN)
    setup_by_modal(app)
    tick(app, ASK)
    tick(app, AGENDA)
    parent = next(c for c in posts_in(app, SYNC) if "thread_ts" not in c.args)
    text = blocks_text(parent)
    assert "Plan · December 2026" in text and "Leads: 10 of 220" in text
    assert "Agreement · " in text
    broken = "*Broken commitment* · Marketing — leads a week: 12, promised 30"
    assert broken in text, text
    assert text.index("Plan · December") < text.index("Agreement · ") < text.index(broken)
