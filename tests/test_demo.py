"""`handoff demo` writes real digests built from the database it generated."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import text

from bot.demo import TEAM, run_demo
from storage.db import make_engine


def test_demo_writes_digests_from_its_own_data(tmp_path: Path):
    out = tmp_path / "demo"
    written = run_demo(out_dir=out, seed=3, db_path=out / "demo.db", today=date(2026, 11, 30))
    names = {p.name for p in written}
    for kind in ("daily", "weekly", "monthly"):
        assert {f"digest-{kind}.txt", f"digest-{kind}.blocks.json", f"funnel-{kind}.png"} <= names
        assert (out / f"funnel-{kind}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        blocks = json.loads((out / f"digest-{kind}.blocks.json").read_text())
        assert blocks["text"] and 0 < len(blocks["blocks"]) <= 50
    report = json.loads((out / "report-monthly.json").read_text())
    assert report["period"]["start"] == "2026-10-01" and report["period"]["end"] == "2026-10-31"
    engine = make_engine(f"sqlite:///{out / 'demo.db'}")
    with engine.connect() as conn:  # an independent count of October's leads and won deals (Berlin time)
        leads = conn.execute(
            text(
                "SELECT count(*) FROM lead WHERE team_id=:t AND created_at >= '2026-09-30 22:00' "
                "AND created_at < '2026-10-31 23:00'"
            ),
            {"t": TEAM},
        ).scalar_one()
        sales = conn.execute(
            text(
                "SELECT count(*) FROM deal WHERE team_id=:t AND status='won' AND closed_at >= '2026-09-30 22:00' "
                "AND closed_at < '2026-10-31 23:00'"
            ),
            {"t": TEAM},
        ).scalar_one()
    engine.dispose()
    assert report["kpis"]["leads"]["value"] == leads > 500
    assert report["kpis"]["sales"]["value"] == sales > 20
    assert f"{leads:,}" in (out / "digest-monthly.txt").read_text()
    agenda = (out / "sync-agenda.txt").read_text()
    assert "Sales × Marketing sync · 03.12.2026" in agenda and "Sales 1/1 (100%)" in agenda
    assert agenda.index("Why do clients agree to buy") < agenda.index("price per seat") < agenda.index("Data pack")
    assert "+ Sales team of 5+" in agenda and (out / "sync-funnel.png").read_bytes()[:4] == b"\x89PNG"
    # The demo plans each month a tenth above the month before: October's leads plan is September's × 1.1.
    assert "plan-status.txt" in names and (out / "plan-status.txt").read_text().startswith("Plan · November 2026 · ")
    with engine.connect() as conn:
        september = conn.execute(
            text(
                "SELECT count(*) FROM lead WHERE team_id=:t AND created_at >= '2026-08-31 22:00' "
                "AND created_at < '2026-09-30 22:00'"
            ),
            {"t": TEAM},
        ).scalar_one()
    engine.dispose()
    paced = report["plan"]["leads"]
    assert paced["plan"] == round(september * 1.1) and paced["actual"] == leads
    assert paced["elapsed_pct"] == 100.0 and paced["projected"] == leads
    assert "Plan · October 2026 · 100% of the working time gone" in (out / "digest-monthly.txt").read_text()
    # The agenda opens with the goal, then its items, each with a Decision button.
    assert agenda.index("*Plan · December 2026*") < agenda.index("*Agreement · ") < agenda.index("*Agenda items*")
    assert "*Carried over* · #1 Answer webinar leads the same day — <@U0DEMOMARK> · open 3 days\n[Decision]" in agenda
    assert "*Standing item* · Deals stuck over 30 days\n[Decision]" in agenda


def test_demo_writes_the_weekly_quality_report_with_threads_and_the_sales_block(tmp_path: Path):
    """The demo's cards and threads give the quality report quotes and an SLA; every digest has a sales block."""
    out = tmp_path / "demo"
    written = run_demo(out_dir=out, seed=3, db_path=out / "demo.db", today=date(2026, 11, 30))
    assert {"quality.txt", "quality.blocks.json", "report-quality.json", "quality.csv"} <= {p.name for p in written}
    quality = json.loads((out / "report-quality.json").read_text())
    assert quality["period"]["key"] == "2026-W48" and quality["leads"] > 100
    assert quality["judged_target_share_pct"] == quality["target"] / quality["judged"] * 100
    assert quality["quotes"] and quality["sla"]["due"] > 0 and "spam" not in {r["reason"] for r in quality["reasons"]}
    assert "From the threads" in (out / "quality.txt").read_text()
    # The monthly report names no one; the head of sales' DM does (Dmitry converts least in the demo).
    coaching = (out / "coaching-monthly.txt").read_text()
    assert coaching.startswith("Coaching · October 2026") and "• <@U0DEMODMITRY> converts" in coaching
    assert "coaching" not in (out / "digest-monthly.txt").read_text()
    assert (out / "quality.csv").read_text().startswith("group,name,leads,judged,target,")
    for kind in ("daily", "weekly", "monthly"):
        sales = json.loads((out / f"report-{kind}.json").read_text())["sales"]
        assert sales["waiting"]["count"] > 0 and sales["waiting"]["by_owner"]
        assert [s["stage"] for s in sales["steps"]] == ["requests", "meetings", "sales"]
        blocks = json.dumps(json.loads((out / f"digest-{kind}.blocks.json").read_text()))
        assert "*Sales*" in blocks and "<@U0DEMO" in blocks


def test_demo_is_reproducible_for_a_seed(tmp_path: Path):
    a = run_demo(out_dir=tmp_path / "a", seed=5, db_path=tmp_path / "a.db", today=date(2026, 3, 2))
    b = run_demo(out_dir=tmp_path / "b", seed=5, db_path=tmp_path / "b.db", today=date(2026, 3, 2))
    for pa, pb in zip(a, b, strict=True):
        if pa.suffix in (".txt", ".json", ".csv"):
            assert pa.read_bytes() == pb.read_bytes(), pa.name
