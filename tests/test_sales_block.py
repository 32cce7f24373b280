"""The digests' sales block against a week counted by hand: requests → meetings → sales, the leads
waiting for a verdict, the SLA kept; in the report JSON, the digest's blocks and its text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.kpi.blocks import build_digest
from bot.kpi.periods import Period
from bot.kpi.render import render_text
from bot.kpi.report import compute_report
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Activity, Deal, Lead, LeadVerdict
from tests.blockkit import assert_escaped, assert_fits, section_texts
from tests.runtime import deps_for

T = "T1"
WEEK = Period.containing("week", date(2024, 3, 6))  # Mon 4 – Sun 10 March 2024
NOW = datetime(2024, 3, 11, 10, tzinfo=UTC)  # Mon 11 March, 10:00: an hour into the working week


def at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


def carded(ext: str, created: datetime, owner: str | None, judged_after: timedelta | None = None) -> list:
    """A lead whose card went out when it came in; judged `judged_after` later, or waiting."""
    lead = Lead(
        team_id=T,
        external_id=ext,
        created_at=created,
        channel="ads",
        owner=owner,
        card_channel="C0LEADS",
        card_ts=f"{int(created.timestamp())}.000100",
        card_posted_at=created,
    )
    if judged_after is None:
        return [lead]
    lead.verdict, lead.verdict_at = "target", created + judged_after
    return [lead, ("verdict", ext, created + judged_after)]


@pytest.fixture
def week(engine: Engine) -> Engine:
    """UTC, Mon–Fri 09:00–18:00, SLA 4 working hours. In the week, carded:
    L1 Mon 10:00 judged 2 working hours later (kept); L2 Tue 10:00 judged Wed 10:00, 9 hours (late);
    L3 Wed 10:00 waiting, 27 hours by now (late, U0BORIS); L4 Fri 17:00 waiting, 2 hours (inside, U0BORIS);
    L5 Sun 12:00 waiting, 1 hour (inside, no owner). L6 has no card (imported): neither waiting nor due.
    W0 of the week before (Wed 28 Feb, U0BORIS) still waits: the oldest, 12 days by now.
    Kept 1 of 3 due, 2 pending; 4 waiting, 3 of them U0BORIS's. Requests 4, meetings 2, sales 2; the
    week before 1 request and no meeting."""
    save_settings(deps_for(engine), T, {"timezone": "UTC", "sla_hours": 4, "name": "Acme"})
    rows = [
        *carded("L1", at(4, 10), "U0ANNA", timedelta(hours=2)),
        *carded("L2", at(5, 10), "U0ANNA", timedelta(hours=24)),
        *carded("L3", at(6, 10), "U0BORIS"),
        *carded("L4", at(8, 17), "U0BORIS"),
        *carded("L5", at(10, 12), None),
        *carded("W0", at(28, 10, month=2), "U0BORIS"),
    ]
    with session_scope(engine) as s:
        leads = [r for r in rows if isinstance(r, Lead)]
        s.add_all([*leads, Lead(team_id=T, external_id="L6", created_at=at(5, 11), channel="seo")])
        s.flush()
        ids = {x.external_id: x.id for x in leads}
        s.add_all(
            LeadVerdict(team_id=T, lead_id=ids[ext], verdict="target", user_id="U0ANNA", created_at=when)
            for _v, ext, when in (r for r in rows if isinstance(r, tuple))
        )
        activities = [("request", at(day, 9)) for day in (4, 5, 6, 7)]
        activities += [("meeting", at(6, 15)), ("meeting", at(8, 15)), ("request", at(28, 9, month=2))]
        for i, (kind, when) in enumerate(activities):
            s.add(Activity(team_id=T, external_id=f"a{i}", kind=kind, occurred_at=when))
        for i, day in enumerate((5, 8)):
            s.add(
                Deal(team_id=T, external_id=f"D{i}", customer=f"C{i}", status="won", amount=100, closed_at=at(day, 12))
            )
    return engine


def test_the_sales_object_matches_the_hand_count(week: Engine):
    """The report JSON's `sales`: steps with conversions, 4 waiting (U0BORIS 3, 1 unassigned), SLA 1 of 3."""
    sales = compute_report(deps_for(week, clock=lambda: NOW), T, "weekly", WEEK).to_json()["sales"]
    assert sales["steps"] == [
        {"stage": "requests", "count": 4, "previous": 1, "conversion_pct": None, "conversion_change_pp": None},
        {"stage": "meetings", "count": 2, "previous": 0, "conversion_pct": 50.0, "conversion_change_pp": 50.0},
        {"stage": "sales", "count": 2, "previous": 0, "conversion_pct": 100.0, "conversion_change_pp": None},
    ]
    waiting = sales["waiting"]
    assert (waiting["count"], waiting["unassigned"], waiting["oldest_hours"]) == (4, 1, 12 * 24)
    assert waiting["by_owner"] == [{"owner": "U0BORIS", "count": 3}]
    assert waiting["oldest_since"] == "2024-02-28T10:00:00+00:00" and waiting["as_of"] == NOW.isoformat()
    assert sales["sla"] == {"hours": 4, "kept": 1, "due": 3, "pending": 2, "kept_pct": pytest.approx(100 / 3)}


@pytest.mark.parametrize(
    ("judged_after", "sla"),
    [
        (None, {"hours": 4, "kept": 0, "due": 1, "pending": 0}),  # waited far past 4 hours by now
        (timedelta(hours=1), {"hours": 4, "kept": 1, "due": 1, "pending": 0}),
    ],
)
def test_a_day_with_one_carded_lead_counts_it(engine: Engine, judged_after: timedelta | None, sla: dict):
    """A period's carded leads are read as two lists (when posted, when first judged): one lead alone,
    judged or still waiting, is one lead of the account on either database."""
    save_settings(deps_for(engine), T, {"timezone": "UTC", "sla_hours": 4, "name": "Acme"})
    rows = carded("L1", at(4, 10), "U0ANNA", judged_after)
    with session_scope(engine) as s:
        s.add(rows[0])
        s.flush()
        for _v, _ext, when in rows[1:]:
            s.add(LeadVerdict(team_id=T, lead_id=rows[0].id, verdict="target", user_id="U0ANNA", created_at=when))
    day = Period.containing("day", date(2024, 3, 4))
    got = compute_report(deps_for(engine, clock=lambda: NOW), T, "daily", day).to_json()["sales"]["sla"]
    assert {k: got[k] for k in sla} == sla


def test_the_digest_shows_the_sales_block_with_mentions(week: Engine):
    """The digest's sales section: the steps with the catalogue's labels, the owner as a mention, the SLA."""
    report = compute_report(deps_for(week, clock=lambda: NOW), T, "weekly", WEEK)
    msg = build_digest(report)
    assert_fits(msg)
    assert section_texts(msg)[1] == (  # after the funnel
        "*Sales*\n"
        "Requests 4 → Meetings 2 (50.0% ▲ +50.0 pp 🟢) → Sales 2 (100.0%)\n"
        "Waiting for a verdict: 4 leads, the oldest for 12 days; most with <@U0BORIS> (3)\n"
        "Judged within the SLA (4 working hours): 33.3%, 1 of 3; 2 still inside it"
    )
    text = render_text(report)
    assert "\nSales\n  Requests 4 → Meetings 2" in text and "most with @U0BORIS (3)" in text


def test_the_sales_block_in_russian(week: Engine):
    """In Russian: plural forms, a decimal comma, no English words."""
    save_settings(deps_for(week), T, {"language": "ru"})
    report = compute_report(deps_for(week, clock=lambda: NOW), T, "weekly", WEEK)
    assert section_texts(build_digest(report))[1] == (
        "*Продажи*\n"
        "Обращения 4 → Встречи 2 (50,0% ▲ +50,0 п.\u00a0п. 🟢) → Продажи 2 (100,0%)\n"
        "Ждут оценки: 4 лида, самый давний — 12 дней; больше всего у <@U0BORIS> (3)\n"
        "Оценено в срок (срок — 4 раб. ч): 33,3%, 1 из 3; ещё 2 в пределах срока"
    )


def test_an_owner_named_in_a_crm_is_data_and_nothing_waits(engine: Engine):
    """An owner written as markup is escaped; no waiting leads reads "none"; no SLA reads so."""
    save_settings(deps_for(engine), T, {"timezone": "UTC", "sla_hours": 0})
    with session_scope(engine) as s:
        s.add_all(carded("X1", at(5, 10), "<!channel> & co"))
    report = compute_report(deps_for(engine, clock=lambda: NOW), T, "weekly", WEEK)
    msg = build_digest(report)
    assert_escaped(msg, shown=("&lt;!channel&gt; &amp; co",), entity=False)
    assert "Judged within the SLA: no SLA set" in section_texts(msg)[1]
    report.sales["waiting"] = {"count": 0, "by_owner": []}
    assert "Waiting for a verdict: none" in section_texts(build_digest(report))[1]
