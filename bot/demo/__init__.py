"""`handoff demo`: a year of a realistic workspace (bot.demo.data) with its last weeks' lead cards and
threads (bot.demo.discussion), then its digests, the weekly lead-quality report and the agenda of its
next sync, written as files — no Slack needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo.data import REPS, TEAM, TZ, generate
from bot.demo.discussion import add_discussion
from bot.demo.plans import set_demo_plans, write_plan_status
from bot.deps import Deps
from bot.kpi.charts import render_funnel_png
from bot.kpi.coaching import build_coaching
from bot.kpi.outputs import write_all
from bot.kpi.periods import Period
from bot.kpi.report import compute_report, default_period
from bot.leads.outputs import write_quality
from bot.leads.quality import compute_quality
from bot.settings import Settings
from bot.slack.kit import Message
from bot.sync.agenda import agenda
from bot.sync.blocks.agenda import build_agenda, build_agenda_thread
from bot.sync.calendar import Calendar
from bot.sync.series import questions, setup
from bot.workspace.store import load
from storage.db import make_engine, migrate
from storage.repos import actions, meetings, pins

SYNC_ANSWERS = {
    ("sales", "q1"): "They buy when the trial shows the report on their own data; they refuse over price per seat.",
    ("sales", "q2"): "A demo in the first week and a champion in finance.",
    ("marketing", "q1"): "Webinar leads mention the funnel picture; price questions come from ads.",
    ("marketing", "q3"): "B2B SaaS, 50–500 people, a sales team of 5+.",
    ("marketing", "q5"): "Answer webinar leads the same day.",
}


def run_demo(*, out_dir: Path, seed: int, db_path: Path, today: date | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        db_path.unlink()
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    today = today or datetime.now(UTC).date()
    now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)
    deps = Deps(settings=Settings(_env_file=None), engine=engine, clock=lambda: now)
    generate(deps, seed=seed, today=today)
    add_discussion(deps, seed=seed, now=now)
    this_month = Period.containing("month", now.astimezone(ZoneInfo(TZ)).date())
    set_demo_plans(deps, TEAM, [this_month.previous(), this_month])
    written: list[Path] = [db_path]
    for kind in ("daily", "weekly", "monthly"):
        report = compute_report(deps, TEAM, kind, default_period(kind, now, TZ))
        written += write_all(report, out_dir)
    # The head of sales' DM beside the monthly report (the channel's report names no one).
    coaching = out_dir / "coaching-monthly.txt"
    coaching.write_text(_message_text(build_coaching(report)), encoding="utf-8")
    written.append(coaching)
    week = compute_quality(deps, TEAM, default_period("weekly", now, TZ))
    written += write_quality(week, load(deps, TEAM), out_dir)
    written += write_sync_agenda(deps, out_dir, now)
    written.append(write_plan_status(deps, TEAM, now, out_dir))
    engine.dispose()
    return written


def _message_text(msg: Message) -> str:
    """A Block Kit message as plain text (headers, sections, fields, context), for the demo files."""
    lines = []
    for block in (b.to_dict() for b in msg.blocks):
        if block["type"] == "header":
            lines += [block["text"]["text"], ""]
        elif block["type"] == "section":
            lines += [f["text"] for f in block.get("fields", [])]
            lines += [block["text"]["text"]] if "text" in block else []
            if block.get("accessory", {}).get("type") == "button":
                lines.append(f"[{block['accessory']['text']['text']}]")
        elif block["type"] == "context":
            lines += [e.get("text", "") for e in block["elements"]]
        elif block["type"] == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]))
        lines.append("")
    return "\n".join(lines)


def write_sync_agenda(deps: Deps, out_dir: Path, now: datetime) -> list[Path]:
    """A sync meeting of the demo workspace with answers, an action item and two ICP versions:
    its agenda message and thread as text, and the funnel picture of the data pack."""
    start = (now - timedelta(days=28)).date()
    series = setup(
        deps, TEAM, {"channel": "C0DEMOSYNC", "weekday": 3, "time": "15:00", "start_date": start, "timezone": TZ}
    )
    ws = load(deps, TEAM)
    slot = next(s for s in Calendar(series, ws).next_slots(now, 3) if not s.skipped)
    people = {"sales": REPS[0], "marketing": "U0DEMOMARK"}
    asked = dict(questions(ws, series))
    with deps.write() as s:
        m = meetings.ensure_meeting(s, team_id=TEAM, starts=slot.starts_utc, ends=slot.ends_utc, status="planned")
        assert m.id is not None
        for dept, user in people.items():
            meetings.add_participant(s, team_id=TEAM, meeting_id=m.id, user_id=user, department=dept)
            meetings.mark_participant(s, meeting_id=m.id, user_id=user, status="asked", asked_at=now)
            mine = {q: (asked[q], text) for (d, q), text in SYNC_ANSWERS.items() if d == dept}
            meetings.save_answers(
                s, team_id=TEAM, meeting_id=m.id, user_id=user, department=dept, answers=mine, now=now
            )
        icp = {"team_id": TEAM, "author": "U0DEMOMARK"}
        actions.add_icp(
            s, **icp, profile="B2B SaaS\n50–500 people", indicators="Asks for a demo", now=now - timedelta(days=20)
        )
        actions.add_icp(
            s,
            **icp,
            profile="B2B SaaS\n50–500 people\nSales team of 5+",
            indicators="Asks for a demo\nAsks about price per seat",
            now=now,
        )
        actions.add_action(
            s,
            team_id=TEAM,
            meeting_id=None,
            owner=people["marketing"],
            text="Answer webinar leads the same day",
            due=None,
            author=REPS[0],
            now=now,
        )
        pins.add_pin(s, team_id=TEAM, text="Deals stuck over 30 days", by=REPS[0], now=now)
    data = agenda(deps, TEAM, m.id)
    text = "\n\n---\n\n".join(_message_text(msg) for msg in [build_agenda(data), *build_agenda_thread(data)])
    agenda_path, png_path = out_dir / "sync-agenda.txt", out_dir / "sync-funnel.png"
    agenda_path.write_text(text, encoding="utf-8")
    png_path.write_bytes(render_funnel_png(data.pack.report))
    return [agenda_path, png_path]
