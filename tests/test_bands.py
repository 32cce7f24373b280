"""Seasonal bands: the math on literal frames against hand computations, and an outside-band finding
told once across consecutive daily digests (the test drives the clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from bot.kpi import bands
from bot.kpi.changes import history
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.workspace.store import save_settings
from jobs.digests import post_due_digests
from storage.db import session_scope
from storage.models import Lead
from tests.conftest import TEAM
from tests.runtime import deps_for
from tests.slack_double import SlackDouble
from tests.test_alerts_days import deps_at, what_to_do

COLUMNS = ["back", "channel", "campaign", "leads", "target_leads", "spend"]
DAYS = dict.fromkeys(range(9), 1)


def test_band_is_the_median_plus_minus_three_scaled_mads():
    """History 10, 12, 11, 30, 9: median 11, MAD 1, half-width 3 × 1.4826 = 4.4478 (the odd 30 moves nothing)."""
    low, high, median = bands.band_of([10, 12, 11, 30, 9], "leads", min_points=4)
    assert median == 11
    assert low == pytest.approx(6.5522) and high == pytest.approx(15.4478)


def test_band_floors_keep_a_flat_history_from_flagging_every_change():
    """A flat history (MAD 0): a quarter of the median, or the KPI's floor, whichever is wider; never below 0."""
    assert bands.band_of([100, 100, 100, 100], "spend", min_points=4) == (75.0, 125.0, 100)
    assert bands.band_of([4, 4, 4, 4], "leads", min_points=4) == (1.0, 7.0, 4)
    assert bands.band_of([1, 1, 1, 1], "leads", min_points=4) == (0.0, 4.0, 1)


def test_no_band_on_too_short_a_history():
    """Three values are no band for a day or a week (four needed), and are one for a month (three):
    5, 6, 7 → median 6, MAD 1, 6 ± 4.4478."""
    assert bands.band_of([5, 6, 7], "leads", min_points=bands.MIN_POINTS["daily"]) is None
    low, high, median = bands.band_of([5, 6, 7], "leads", min_points=bands.MIN_POINTS["monthly"])
    assert (low, high, median) == (pytest.approx(1.5522), pytest.approx(10.4478), 6)


def _frame() -> pd.DataFrame:
    """ads: 20 leads (4 target, 100 spent) now; before 10/12/11/30/9 leads, 5/6/5/15/4 target, 100 spent
    each. seo: 2 leads now and three periods before (too short a history); an idle period for seo."""
    rows = [(0, "ads", "a1", 20, 4, 100.0), (0, "seo", None, 2, 1, 0.0), (4, "seo", None, 0, 0, 0.0)]
    for back, (n, t) in enumerate(zip([10, 12, 11, 30, 9], [5, 6, 5, 15, 4], strict=True), start=1):
        rows.append((back, "ads", "a1", n, t, 100.0))
    rows += [(back, "seo", None, 2, 1, 0.0) for back in (1, 2, 3)]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_bands_of_every_kpi_of_a_channel_against_hand_values():
    """ads: leads 20 above 6.55–15.45; target leads 4 inside 0.55–9.45; target share 20% below 37.5–62.5%
    (history 50, 50, 45.45, 50, 44.44: median 50, MAD 0, floor a quarter of 50); spend 100 inside 75–125.
    seo has three active periods of history (its idle one does not count): no band."""
    found = {(b.channel, b.kpi): b for b in bands.compute_bands(bands.per_channel(_frame()), "daily", DAYS)}
    assert not any(ch == "seo" for ch, _k in found)
    leads, target, share, spend = (found["ads", k] for k in bands.KPIS)
    assert (leads.value, leads.median, leads.points) == (20, 11, 5) and leads.high == pytest.approx(15.4478)
    assert leads.outside and leads.score == pytest.approx((20 - 15.4478) / 4.4478)
    assert (target.value, target.median, target.outside) == (4, 5, False)
    assert target.low == pytest.approx(0.5522) and target.high == pytest.approx(9.4478)
    assert (share.value, share.median, share.low, share.high) == (20.0, 50.0, 37.5, 62.5)
    assert share.score == pytest.approx(1.4)
    assert (spend.low, spend.high, spend.outside) == (75.0, 125.0, False)
    # All channels: leads 22 against 12, 14, 13, 30, 11 → median 13, MAD 1 → 8.55 – 17.45.
    total = found[bands.ALL, "leads"]
    assert (total.value, total.median) == (22, 13) and total.high == pytest.approx(17.4478)


def test_a_channel_gets_one_finding_its_kpi_furthest_outside():
    """ads is outside on leads (1.02 half-widths) and target share (1.4): one finding, on target share."""
    found = bands.compute_bands(bands.per_channel(_frame()), "daily", DAYS)
    out = bands.findings(found, kind="daily", period_key="2026-12-01", language="en", currency=None)
    ads = next(a for a in out if a.facts["channel"] == "ads")
    assert ads.kind == "outside_band" and ads.subject == "Target share of all leads · ads"
    assert (
        ads.text == "Target share of all leads in ads fell to 20.0%, below its usual 37.5% – 62.5% "
        "(the same weekday over the last 5 weeks)."
    )
    assert [a.facts["channel"] for a in out] == ["ads", ""]  # and all channels, on leads


def test_one_channel_has_no_total_of_its_own():
    """Rows of one channel (a narrowed report, a one-channel workspace): no all-channels band repeating it;
    a lead without a channel beside it makes the total differ, so it is kept."""
    ads = _frame()[lambda f: f["channel"] == "ads"]
    assert set(bands.per_channel(ads)["channel"]) == {"ads"}
    stray = pd.concat([ads, pd.DataFrame([(0, None, None, 1, 0, 0.0)], columns=COLUMNS)], ignore_index=True)
    totals = bands.per_channel(stray)
    assert totals[(totals["channel"] == bands.ALL) & (totals["back"] == 0)]["leads"].tolist() == [21]


def test_a_month_is_compared_with_months_scaled_to_its_days():
    """February (28 days) against 31, 30 and 31 leads in 31-, 30- and 31-day months: each is 28 leads a
    February, band 21–35 (a quarter of 28); 36 is above it."""
    rows = pd.DataFrame(
        [
            (0, "ads", None, 36, 0, 0.0),
            (1, "ads", None, 31, 0, 0.0),
            (2, "ads", None, 30, 0, 0.0),
            (3, "ads", None, 31, 0, 0.0),
        ],
        columns=COLUMNS,
    )
    found = bands.compute_bands(bands.per_channel(rows), "monthly", {0: 28, 1: 31, 2: 30, 3: 31})
    leads = next(b for b in found if b.channel == "ads" and b.kpi == "leads")
    assert (leads.low, leads.high, leads.median) == (21.0, 35.0, 28.0) and leads.outside


def test_a_monday_digest_is_banded_on_the_same_weekend_days_of_the_weeks_before():
    """Fri–Sun 27–29 Nov: its history is Fri–Sun of each of the 8 weeks before; a week's is the 8 weeks before."""
    weekend = Period.between(date(2026, 11, 27), date(2026, 11, 29))
    periods = history("daily", weekend)
    assert len(periods) == 9 and periods[1] == Period.between(date(2026, 11, 20), date(2026, 11, 22))
    assert periods[8].start == date(2026, 10, 2)
    week = Period.containing("week", date(2026, 11, 25))
    assert history("weekly", week)[8] == Period.containing("week", date(2026, 9, 30))


_ids = itertools.count()


def _leads(s, day: date, channel: str, n: int) -> None:
    for _i in range(n):
        created = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
        s.add(Lead(team_id=TEAM, external_id=f"B{next(_ids)}", created_at=created, channel=channel))


def _seed(engine: Engine) -> None:
    """ads 5 leads a day and seo 20 for eight weeks and more; ads 10 on Tue 1 and Wed 2 Dec."""
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC", "digest_channel": "C0DIGEST", "name": "Acme"})
    with session_scope(engine) as s:
        for back in range(1, 60):
            day = date(2026, 12, 4) - timedelta(days=back)
            _leads(s, day, "ads", 10 if day in (date(2026, 12, 1), date(2026, 12, 2)) else 5)
            _leads(s, day, "seo", 20)


def test_the_report_json_of_an_outside_band_finding(engine: Engine):
    """The finding as the README documents it: 10 is 2 beyond the edge 8, under one half-width (3): medium."""
    _seed(engine)
    report = compute_report(deps_for(engine), TEAM, "daily", Period.containing("day", date(2026, 12, 1)))
    (found,) = [a.to_json() for a in report.alerts if a.kind == "outside_band"]
    assert found == {
        "kind": "outside_band",
        "subject_type": "channel_kpi",
        "subject": "Leads · ads",
        "advice": "watch",
        "severity": "medium",
        "status": "new",
        "stake": 0.0,
        "facts": {
            "kpi": "leads",
            "channel": "ads",
            "report": "daily",
            "period": "2026-12-01",
            "value": 10.0,
            "low": 2.0,
            "high": 8.0,
            "median": 5.0,
            "points": 8,
        },
        "text": "Leads in ads rose to 10, above its usual 2 – 8 (the same weekday over the last 8 weeks).",
    }


def test_outside_band_fires_once_then_is_over(engine: Engine, slack: SlackDouble):
    """ads brings 5 leads a day and seo 20 for eight weeks; ads has 10 on Tue 1 and Wed 2 Dec. Wed's digest
    tells it (new, with its Why? button), Thu's does not repeat it, Fri's says it is over. All channels
    (30 against 25, band 18.75–31.25) stays inside."""
    _seed(engine)
    seen, buttons = [], []
    for day in (2, 3, 4):
        now = datetime(2026, 12, day, 9, 1, tzinfo=UTC)
        post_due_digests(deps=deps_at(engine, slack, now), now=now)
        seen.append(what_to_do(slack))
        blocks = slack.calls_to("chat.postMessage")[-1].args["blocks"]
        buttons.append([b["accessory"] for b in blocks if b["type"] == "section" and "accessory" in b])
    blocks = slack.calls_to("chat.postMessage")[0].args["blocks"]
    band = next(b for b in blocks if "accessory" in b)
    assert (
        band["text"]["text"]
        == "• Leads in ads rose to 10, above its usual 2 – 8 (the same weekday over the last 8 weeks)."
    )
    assert band["accessory"]["action_id"] == "band_why"
    assert band["accessory"]["value"] == "b1|daily|leads|2026-12-01|ads"
    assert [len(b) for b in buttons] == [1, 0, 0]
    assert "1 earlier finding still holds (/kpi shows it)." in seen[1][1]
    assert seen[2][0] == "*What to do*\n✓ Over: Leads · ads — outside its usual range."


def test_a_hostile_channel_name_is_text_in_the_finding_and_whole_in_the_button():
    """A channel named `<!channel>`: escaped in the digest's line, its Why? value carries the name as is."""
    from bot.kpi.blocks import finding_line
    from bot.kpi.why import parse, why_button

    rows = _frame().replace({"channel": {"ads": "<!channel>"}})
    found = bands.compute_bands(bands.per_channel(rows), "daily", DAYS)
    out = bands.findings(found, kind="daily", period_key="2026-12-01", language="en", currency=None)
    hostile = next(a for a in out if a.facts["channel"] == "<!channel>")
    assert str(finding_line(hostile)).startswith("Target share of all leads in &lt;!channel&gt; fell to 20.0%")
    button = why_button(hostile, "en")
    assert button is not None and parse(button.value).channel == "<!channel>"


def test_a_finding_now_over_comes_after_every_finding_that_fired():
    """A fired outside-band finding (with its Why?) is listed before a finding that is over, not after it."""
    from dataclasses import replace

    from bot.kpi.blocks import findings_block
    from bot.kpi.engine import Alert
    from tests.test_channel_table import report

    found = bands.compute_bands(bands.per_channel(_frame()), "daily", DAYS)
    band = bands.findings(found, kind="daily", period_key="2026-12-01", language="en", currency=None)[0]
    fired = Alert(kind="cac_up", text="CAC rose.", subject="cac")
    over = Alert(kind="cac_up", text="Over: CAC.", subject="cac", status="ended")
    blocks = findings_block(report(alerts=[fired, replace(band, status="new"), over]))
    texts = [b.text.text for b in blocks if b.text is not None]
    assert texts == ["*What to do*\n• CAC rose.", "• " + band.text, "✓ Over: CAC."]


def test_the_all_channels_finding_reads_as_all_channels_in_russian():
    """All channels together is no channel: the finding says `по всем каналам`, not `в канале все каналы`."""
    from bot.kpi.blocks import finding_line

    found = bands.compute_bands(bands.per_channel(_frame()), "daily", DAYS)
    out = bands.findings(found, kind="daily", period_key="2026-12-01", language="ru", currency=None)
    total = next(a for a in out if a.facts["channel"] == "")
    said = "Доля целевых среди всех лидов по всем каналам: снижение до 22,7%, ниже обычных 37,5% – 62,5%"
    assert total.text.startswith(said) and str(finding_line(total)).startswith(said)
    english = bands.findings(found, kind="daily", period_key="2026-12-01", language="en", currency=None)
    assert next(a for a in english if a.facts["channel"] == "").text.startswith(
        "Target share of all leads in all channels fell to 22.7%, below its usual 37.5% – 62.5%"
    )
