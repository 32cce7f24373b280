"""Why? on a finding outside its band, end to end through signed block_actions requests against the Web
API double: the drill-down (channel → campaign → sample leads), hostile lead text shown as text, and
forged, stale or foreign values answered politely."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from bot import ids
from bot.workspace.store import save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Lead, LeadVerdict, ThreadReply
from tests.conftest import TEAM, RunningApp
from tests.http import button_click

NOW = datetime(2026, 12, 2, 9, 1, tzinfo=UTC)  # Wednesday: the daily digest of Tue 1 Dec
SPIKE = date(2026, 12, 1)
OTHER = "T0OTHER"
HOSTILE_NAME = "<!channel> Eve *boss*"
HOSTILE_REPLY = "<!here> call <@U0BOSS> & see <https://evil.example|this>"
_ids = itertools.count()


def _add(s, team: str, day: date, channel: str, campaign: str, n: int, hour: int = 9, **fields) -> list[Lead]:
    out = []
    for i in range(n):
        created = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour, minutes=i)
        lead = Lead(team_id=team, external_id=f"W{next(_ids)}", created_at=created, channel=channel, campaign=campaign)
        for k, v in fields.items():
            setattr(lead, k, v)
        s.add(lead)
        out.append(lead)
    s.flush()
    return out


def _seed(app: RunningApp, team: str = TEAM) -> None:
    """Each Tuesday of the 8 weeks before: ads 5 (brand) + 5 (promo), seo 4. Tue 1 Dec: ads brand 5,
    promo 25 (the newest a hostile one, rejected for no budget, with a thread reply), seo 4."""
    save_settings(app.deps, team, {"timezone": "UTC", "digest_channel": "C0DIGEST", "name": "Acme"})
    with session_scope(app.deps.engine) as s:
        for week in range(1, 9):
            day = SPIKE - timedelta(days=7 * week)
            _add(s, team, day, "ads", "brand", 5)
            _add(s, team, day, "ads", "promo", 5)
            _add(s, team, day, "seo", "", 4)
        _add(s, team, SPIKE, "ads", "brand", 5)
        _add(s, team, SPIKE, "ads", "promo", 24, name="Plain Lead", company="Beta")
        _add(s, team, SPIKE, "seo", "", 4)
        (eve,) = _add(s, team, SPIKE, "ads", "promo", 1, hour=14, name=HOSTILE_NAME, company="A & <b>")
        eve.verdict = "not_target"
        s.add(LeadVerdict(team_id=team, lead_id=eve.id, verdict="not_target", reason="no_budget"))
        s.add(ThreadReply(team_id=team, lead_id=eve.id, channel="C0LEADS", ts="1.1", text=HOSTILE_REPLY))


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    running_app.deps.clock = lambda: NOW
    return running_app


def _digest_button(app: RunningApp) -> dict:
    post_due_digests(deps=app.deps, now=NOW)
    blocks = app.slack.calls_to("chat.postMessage")[0].args["blocks"]
    buttons = [b["accessory"] for b in blocks if b["type"] == "section" and "accessory" in b]
    return next(b for b in buttons if b["value"].endswith("|ads"))


def _answer(app: RunningApp, value: str) -> dict:
    before = len(app.slack.responses)
    assert button_click(app, ids.WHY, value, user="U0MKT", channel="C0DIGEST").status == 200
    return app.slack.wait_for_response(before + 1)[-1]


def _texts(answer: dict) -> list[str]:
    return [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]


def test_why_drills_down_from_channel_to_campaign_to_sample_leads(app: RunningApp):
    """ads: 30 leads against 10 every Tuesday (band 7–13). By channel: all channels 34 (14 usual → 10.5–17.5),
    ads, seo 4 inside 1–7; by campaign in ads: promo 25 (usual 5) before brand 5 (usual 5); five promo
    leads, newest first, the hostile one shown literally with its verdict, reason and reply."""
    _seed(app)
    button = _digest_button(app)
    assert (button["action_id"], button["value"]) == (ids.WHY, "b1|daily|leads|2026-12-01|ads")
    answer = _answer(app, button["value"])
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    head, by_channel, by_campaign, sample = _texts(answer)
    assert head == "Why? *Leads* in ads, Tue 1 Dec 2026"
    assert by_channel == (
        "*By channel*\n▲ all channels: 34 (usual 10 – 18)\n▲ ads: 30 (usual 7 – 13)\n· seo: 4 (usual 1 – 7)"
    )
    assert by_campaign == "*By campaign in ads*\n• promo: 25 (usual 5)\n• brand: 5 (usual 5)"
    lines = sample.split("\n")
    assert lines[0] == "*Leads of ads · promo*"
    assert lines[1] == "• *&lt;!channel&gt; Eve *boss* · A &amp; &lt;b&gt;* — Not target: No budget"
    assert lines[2] == "> &lt;!here&gt; call &lt;@U0BOSS&gt; &amp; see &lt;https://evil.example|this&gt;"
    assert lines[3:] == ["• *Plain Lead · Beta* — no verdict yet"] * 4
    raw = str(answer)
    assert "<!channel>" not in raw and "<!here>" not in raw and "<@U0BOSS>" not in raw


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "b1|daily|leads|2026-W48|ads",  # a week for a daily digest
        "b1|daily|revenue|2026-12-01|ads",  # no band for revenue
        "b0|daily|leads|2026-12-01|ads",  # another release's
        "b1|daily|leads|2026-13-01|ads",
        "b1|daily|leads|2026-11-01..2026-11-30|ads",  # a month as a "day"
        "b1|weekly|leads|2026-W48|" + "x" * 300,
    ],
)
def test_a_forged_value_gets_a_polite_answer(app: RunningApp, value: str):
    """A value this release never wrote: a polite ephemeral pointing to /kpi, never an error."""
    answer = _answer(app, value)
    assert _texts(answer) == ["I can't read this button: ask for the numbers with /kpi."]


@pytest.mark.parametrize("value", ["b1|monthly|leads|2024-01|ads", "b1|daily|leads|2027-01-05|ads"])
def test_a_stale_or_future_period_gets_a_polite_answer(app: RunningApp, value: str):
    """A period over a year back, or not over yet: no drill-down, a word why."""
    assert _texts(_answer(app, value)) == ["This finding is too old to look into: ask for the numbers with /kpi."]


def test_a_value_never_reaches_another_workspaces_numbers(app: RunningApp):
    """Another workspace's spike clicked from ours: the answer is our (empty) numbers, none of theirs."""
    _seed(app, OTHER)
    save_settings(app.deps, TEAM, {"timezone": "UTC"})
    answer = _answer(app, "b1|daily|leads|2026-12-01|ads")
    assert _texts(answer)[1:] == [
        "No channel has enough history for a band any more.",
        "No leads in this period to show.",
    ]
    assert "Eve" not in str(answer) and "promo" not in str(answer)


def test_the_all_channels_answer_reads_as_all_channels_in_russian():
    """Why? about all channels together is headed `по всем каналам`, not `в канале все каналы`."""
    from bot.kpi.changes import Drill
    from bot.kpi.periods import Period
    from bot.leads.why import build_why
    from storage.models import Workspace

    day = Period.containing("day", date(2026, 12, 1))
    msg = build_why(Drill("daily", "leads", "", day, "ru", None, []), Workspace(team_id=TEAM, language="ru"))
    assert str(msg.text).startswith("Почему? Лиды по всем каналам, ")
    assert msg.blocks[0].to_dict()["text"]["text"].startswith("Почему? *Лиды* по всем каналам, ")
