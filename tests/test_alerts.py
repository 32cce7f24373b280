"""Findings: one subject, one advice, the facts in the words, ranked by money, fired on transitions."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kpi import engine
from bot.kpi.alerts import MIN_SPEND_SHARE, Evidence, build_alerts
from bot.kpi.blocks import build_digest
from bot.kpi.catalog import PERIOD_KPIS
from bot.kpi.engine import Alert, Kpi, Report
from bot.kpi.funnel import build_funnel
from bot.kpi.periods import Period
from bot.kpi.transitions import with_status
from tests.blockkit import EVIL, assert_escaped, context_texts, section_texts

NO_KPIS = {k: Kpi(None, None, None) for k in PERIOD_KPIS}
WEEK = Period.containing("week", date(2026, 11, 23))


def channel_mix() -> pd.DataFrame:
    """Counted by hand. Spend 3,588 in all, so 5% is 179.4. email: 78 spent (below that), 1 customer,
    1,108 revenue. ads: 3,000 spent, 5 target, 3 customers, 9,000 revenue, ROMI (9,000 − 3,000) ÷ 3,000
    = 200%. events: 500 spent, nothing. tiny: 10 spent, nothing."""
    return engine.build_channels(
        leads=[("email", "e", 6, 0), ("ads", "a", 40, 5), ("events", "v", 3, 0), ("tiny", "t", 1, 0)],
        sales=[("email", "e", 1, 1108.0, 1, 1), ("ads", "a", 3, 9000.0, 3, 3)],
        spend=[("email", "e", 78.0), ("ads", "a", 3000.0), ("events", "v", 500.0), ("tiny", "t", 10.0)],
    )


def evidence(channels: pd.DataFrame, *, kind: str = "weekly", language: str = "en", **kw) -> Evidence:
    return Evidence(kind=kind, language=language, kpis=kw.pop("kpis", NO_KPIS), channels=channels, **kw)


def test_channel_advice_rests_on_enough_money_and_says_its_facts():
    """events is told to stop (500 spent, nothing); ads, not the 78-spent email, is the best return and
    also has the most revenue, so it gets one finding; tiny and email get no money advice."""
    found = build_alerts(evidence(channel_mix()))
    assert [(a.kind, a.subject, a.advice, a.text) for a in found] == [
        (
            "channel_best_return",
            "ads",
            "more_budget",
            "ads returns the most per unit spent (ROMI 200% on 3,000 spent, 9,000 revenue): "
            "a candidate for more budget.",
        ),
        (
            "channel_no_result",
            "events",
            "cut_or_fix",
            "events: 500 spent, no target leads and no customers — switch it off or fix it.",
        ),
    ]
    assert found[1].facts == {"spend": 500.0, "leads": 3.0, "target_leads": 0, "customers": 0}
    assert [a.stake for a in found] == [9000.0, 500.0]  # ranked by money at stake


def test_money_in_findings_carries_the_workspace_currency():
    """With a currency set, the amounts in a finding are written with it, the Russian way in Russian."""
    (usd,) = [a.text for a in build_alerts(evidence(channel_mix(), currency="USD")) if a.subject == "events"]
    assert usd == "events: $500 spent, no target leads and no customers — switch it off or fix it."
    ru = evidence(channel_mix(), currency="RUB", language="ru")
    (rub,) = [a.text for a in build_alerts(ru) if a.subject == "ads"]
    assert rub == (
        "ads окупается лучше всех (ROMI 200% при расходах 3\u202f000\u00a0₽, выручка 9\u202f000\u00a0₽): "
        "кандидат на больший бюджет."
    )


def test_the_best_return_and_the_most_revenue_are_different_findings():
    """small returns (1,800 − 300) ÷ 300 = 500% on 300 of 4,300 spent (above 5%); big brings 10,000 of
    11,800 revenue (85%) at (10,000 − 4,000) ÷ 4,000 = 150%."""
    channels = engine.build_channels(
        leads=[("small", "s", 5, 2), ("big", "b", 50, 20)],
        sales=[("small", "s", 2, 1800.0, 2, 2), ("big", "b", 10, 10000.0, 10, 10)],
        spend=[("small", "s", 300.0), ("big", "b", 4000.0)],
    )
    found = build_alerts(evidence(channels))
    assert [(a.kind, a.subject) for a in found] == [("channel_most_revenue", "big"), ("channel_best_return", "small")]
    assert found[0].text == "big brings the most revenue (10,000, 85% of all; ROMI 150%): keep it funded."
    assert found[1].text.startswith("small returns the most per unit spent (ROMI 500% on 300 spent")


def test_a_day_is_too_short_for_money_advice_and_russian_numbers_are_russian():
    """No channel advice in a daily report; Russian findings use Russian separators."""
    assert not [a for a in build_alerts(evidence(channel_mix(), kind="daily")) if a.subject_type == "channel"]
    texts = [a.text for a in build_alerts(evidence(channel_mix(), language="ru")) if a.kind == "channel_best_return"]
    assert texts == [
        "ads окупается лучше всех (ROMI 200% при расходах 3\u202f000, выручка 9\u202f000): кандидат на больший бюджет."
    ]


def test_a_channel_whose_share_fell_is_not_also_told_to_grow():
    """ads is the best return and its target share fell 50% → 10%: one finding, the warning."""
    prev = engine.build_channels(leads=[("ads", "a", 40, 20)], sales=[], spend=[])
    channels = engine.build_channels(
        leads=[("ads", "a", 40, 4), ("seo", "s", 10, 5)],
        sales=[("ads", "a", 3, 9000.0, 3, 3), ("seo", "s", 1, 100.0, 1, 1)],
        spend=[("ads", "a", 3000.0), ("seo", "s", 1000.0)],
    )
    found = build_alerts(evidence(channels, prev_channels=prev))
    assert [(a.kind, a.subject) for a in found if a.subject == "ads"] == [("target_share_down", "ads")]
    assert found[0].text == "ads: target share fell from 50% to 10% on 40 leads — check its targeting."


amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False)
counts = st.integers(min_value=0, max_value=50)


@st.composite
def channel_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    names = draw(st.lists(st.sampled_from(["ads", "seo", "email", "events", "tv", None]), unique=True, max_size=6))
    leads, sales, spend, prev = [], [], [], []
    for n in names:
        total = draw(counts)
        leads.append((n, "c", total, draw(st.integers(0, total))))
        prev.append((n, "c", total, draw(st.integers(0, total))))
        won = draw(counts)
        sales.append((n, "c", won, draw(amounts), won, won))
        if draw(st.booleans()):
            spend.append((n, "c", draw(amounts)))
    return engine.build_channels(leads, sales, spend), engine.build_channels(prev, [], [])


@settings(max_examples=300, deadline=None)
@given(channel_frames(), st.sampled_from(["daily", "weekly", "monthly"]))
def test_no_subject_ever_gets_two_findings_or_advice_against_its_facts(frames, kind):
    """Any channel mix: one finding per subject; "switch it off" only with neither target leads nor
    customers; money advice only on at least 5% of the spend, never in a daily report."""
    channels, prev = frames
    found = build_alerts(evidence(channels, kind=kind, prev_channels=prev))
    subjects = [(a.subject_type, a.subject) for a in found]
    assert len(subjects) == len(set(subjects))
    total = channels["spend"].fillna(0).sum() if "spend" in channels else 0
    by_name = {("" if pd.isna(r["channel"]) else r["channel"]): r for _i, r in channels.iterrows()}
    for a in found:
        if a.kind in ("channel_no_result", "channel_best_return"):
            assert kind != "daily"
            row = by_name[a.subject]
            assert row["spend"] >= total * MIN_SPEND_SHARE
        if a.kind == "channel_no_result":
            assert row["target_leads"] == 0 and row["customers"] == 0
        if a.kind == "channel_best_return":
            assert row["revenue"] > row["spend"]
    assert [a.stake for a in found] == sorted((a.stake for a in found), reverse=True)


def finding(kind: str, subject: str, severity: str = "medium") -> Alert:
    return Alert(kind, f"{kind} {subject}", subject_type="channel", subject=subject, severity=severity)


def test_a_finding_fires_on_its_transition_and_says_when_it_is_over():
    """Before: a, b. Now: b, c. So c is new, b ongoing, a over; b again but more severe is new again."""
    before = [finding("channel_no_result", "a"), finding("channel_no_result", "b")]
    now = [finding("channel_no_result", "b"), finding("channel_no_result", "c")]
    out = with_status(now, before, "en")
    assert [(a.subject, a.status) for a in out] == [("b", "ongoing"), ("c", "new"), ("a", "ended")]
    assert out[2].text == "Over: a — spend with no target leads or customers."
    worse = with_status([finding("channel_no_result", "b", "high")], before[1:], "en")
    assert [a.status for a in worse] == ["new"]


def report_with(alerts: list[Alert], language: str = "en") -> Report:
    return Report(
        kind="weekly",
        team_id="T1",
        workspace="Acme",
        language=language,
        tz="UTC",
        period=WEEK,
        previous_period=WEEK.previous(),
        kpis={k: Kpi(None, None, None) for k in PERIOD_KPIS},
        funnel=build_funnel({}, {}, {}, period=WEEK),
        alerts=alerts,
    )


def test_the_digest_tells_transitions_and_counts_what_still_holds():
    """New findings as bullets, the over ones ticked, the ongoing ones counted; /kpi shows all that holds."""
    out = with_status(
        [finding("channel_no_result", "b"), finding("channel_no_result", "c")],
        [finding("channel_no_result", "a"), finding("channel_no_result", "b")],
        "en",
    )
    msg = build_digest(report_with(out))
    assert section_texts(msg)[-1] == (
        "*What to do*\n• channel_no_result c\n✓ Over: a — spend with no target leads or customers."
    )
    assert "1 earlier finding still holds (/kpi shows it)." in context_texts(msg)
    everything = build_digest(report_with(out), everything=True)
    assert section_texts(everything)[-1] == "*What to do*\n• channel_no_result b\n• channel_no_result c"
    ru = build_digest(report_with(out, "ru"))
    assert "1 прежний вывод в силе (/kpi покажет)." in context_texts(ru)


def test_coaching_never_reaches_the_channel():
    """A rep finding (advice coach) is not in the public digest, whatever its status."""
    rep = Alert("rep_below_team", "U1 converts", subject_type="rep", subject="U1", advice="coach")
    assert section_texts(build_digest(report_with([rep]))) == section_texts(build_digest(report_with([])))
    assert "U1" not in str(build_digest(report_with([rep]), everything=True).to_kwargs())


def test_hostile_names_in_findings_are_data():
    """Channel and product names from the CRM reach the finding as they are and Slack gets them escaped."""
    channels = engine.build_channels(
        leads=[(EVIL, "camp", 10, 0), ("<!here>", "c2", 4, 2)],
        sales=[("<!here>", "c2", 2, 3000.0, 2, 2)],
        spend=[(EVIL, "camp", 500.0), ("<!here>", "c2", 100.0)],
    )
    products = {"leaders": [{"product": "<!channel> Pro", "sales": 3, "revenue": 900.0}]}
    found = build_alerts(evidence(channels, products=products))
    assert {a.subject for a in found} == {EVIL, "<!here>", "<!channel> Pro"}
    texts = assert_escaped(build_digest(report_with(found)))
    assert "• &lt;!channel&gt; Pro leads sales (3 sold, 900 revenue): give it more advertising." in "\n".join(texts)


def test_a_finding_replaced_by_another_about_the_same_subject_is_not_over():
    """google was the best return; now its target share fell too, and a subject keeps one finding (the
    warning): the warning is new, and "the best return" is not told as over, since it still holds."""
    before = [Alert("channel_best_return", "best", subject_type="channel", subject="google", advice="more_budget")]
    now = [Alert("target_share_down", "fell", subject_type="channel", subject="google", advice="cut_or_fix")]
    assert [(a.kind, a.status) for a in with_status(now, before, "en")] == [("target_share_down", "new")]


def test_the_top_earner_without_spend_has_no_unknown_return_in_its_words():
    """organic brings 9,000 of 11,000 revenue with no spend: no "ROMI —%", no "keep it funded"."""
    channels = engine.build_channels(
        leads=[("organic", "o", 20, 10), ("ads", "a", 20, 5)],
        sales=[("organic", "o", 3, 9000.0, 3, 3), ("ads", "a", 1, 2000.0, 1, 1)],
        spend=[("ads", "a", 1000.0)],
    )
    (top,) = [a for a in build_alerts(evidence(channels)) if a.kind == "channel_most_revenue"]
    assert top.text == "organic brings the most revenue (9,000, 82% of all) with no spend recorded."
