"""Findings fire once across consecutive daily digests posted through the Web API double (the test
drives the clock), and are told to be over when they end."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from bot.deps import Deps
from bot.settings import Settings
from bot.workspace.store import save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Deal
from tests.conftest import BOT_TOKEN, TEAM
from tests.runtime import deps_for
from tests.slack_double import SlackDouble

# (day of the month, product, amount): Mon 30 Nov Alpha leads, Tue 1 Dec still Alpha, Wed 2 Dec Beta.
SALES = [
    (datetime(2026, 11, 30, 10, tzinfo=UTC), "Alpha", 1000.0),
    (datetime(2026, 11, 30, 11, tzinfo=UTC), "Alpha", 1000.0),
    (datetime(2026, 11, 30, 12, tzinfo=UTC), "Beta", 500.0),
    (datetime(2026, 12, 1, 10, tzinfo=UTC), "Alpha", 1000.0),
    (datetime(2026, 12, 2, 10, tzinfo=UTC), "Beta", 800.0),
    (datetime(2026, 12, 2, 11, tzinfo=UTC), "Beta", 800.0),
]


def deps_at(engine: Engine, slack: SlackDouble, now: datetime) -> Deps:
    settings = Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="s", slack_api_url=slack.api_url, _env_file=None
    )
    return Deps(settings=settings, engine=engine, clock=lambda: now)


def what_to_do(slack: SlackDouble) -> tuple[str, list[str]]:
    """The last digest's "What to do" section and its context notes."""
    blocks = slack.calls_to("chat.postMessage")[-1].args["blocks"]
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    notes = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    found = [s for s in sections if s.startswith("*What to do*")]
    return (found[0] if found else ""), notes


def test_a_leading_product_is_told_once_then_its_end(engine: Engine, slack: SlackDouble):
    """Tue: Alpha leads (new, told). Wed: Alpha still leads (not told again, counted). Thu: Beta leads
    (told) and Alpha's lead is over (told)."""
    save_settings(deps_for(engine), TEAM, {"timezone": "Europe/Berlin", "digest_channel": "C0DIGEST", "name": "Acme"})
    with session_scope(engine) as s:
        for i, (closed, product, amount) in enumerate(SALES):
            s.add(
                Deal(
                    team_id=TEAM,
                    external_id=f"D{i}",
                    customer=f"C{i}",
                    product=product,
                    status="won",
                    amount=amount,
                    closed_at=closed,
                )
            )
    seen = []
    for day in (1, 2, 3):
        now = datetime(2026, 12, day, 8, 1, tzinfo=UTC)  # 09:01 in Berlin
        post_due_digests(deps=deps_at(engine, slack, now), now=now)
        seen.append(what_to_do(slack))
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert seen[0][0] == "*What to do*\n• Alpha leads sales (2 sold, 2,000 revenue): give it more advertising."
    assert seen[1][0] == ""
    assert "1 earlier finding still holds (/kpi shows it)." in seen[1][1]
    assert seen[2][0] == (
        "*What to do*\n• Beta leads sales (2 sold, 1,600 revenue): give it more advertising.\n"
        "✓ Over: Alpha — the best-selling product."
    )
