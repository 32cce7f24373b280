"""The demo workspace's two-sided agreement and last week's scorecard, as text and JSON."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.demo.data import TEAM, TZ
from bot.deps import Deps
from bot.kpi.agreement import scorecard
from bot.kpi.agreement_blocks import render_scorecard_json, render_scorecard_text
from bot.kpi.report import default_period
from bot.workspace.store import save_settings

AGREEMENT = {
    "agreement_leads_per_week": 250,
    "agreement_target_share_pct": 45.0,
    "agreement_first_touch_hours": 24,
    "agreement_on_time_pct": 80.0,
}


def write_scorecard(deps: Deps, out_dir: Path, now: datetime) -> list[Path]:
    """`scorecard-weekly.txt` and `scorecard-weekly.json`: last week's, with the 8 weeks before it."""
    save_settings(deps, TEAM, dict(AGREEMENT))
    card = scorecard(deps, TEAM, default_period("weekly", now, TZ))
    text, data = out_dir / "scorecard-weekly.txt", out_dir / "scorecard-weekly.json"
    text.write_text(render_scorecard_text(card), encoding="utf-8")
    data.write_text(render_scorecard_json(card), encoding="utf-8")
    return [text, data]
