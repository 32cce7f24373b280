"""`handoff report` and `handoff schedule`."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from bot.cli.common import deps_for
from bot.deps import Deps
from bot.kpi.outputs import render, write_all
from bot.kpi.periods import Period
from bot.kpi.report import compute_report, has_data, period_for
from bot.kpi.schedule import occurrences
from bot.leads.outputs import FORMATS as QUALITY_FORMATS
from bot.leads.outputs import render_quality, write_quality
from bot.leads.quality import compute_quality
from bot.settings import Settings
from bot.sync.calendar import Calendar, SyncEvent, events
from bot.sync.series import find_series
from bot.workspace.store import WorkspaceError, load, resolve_team
from storage.models import Workspace


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    try:
        team = resolve_team(deps, args.team)
        tz = load(deps, team).timezone
        kind = "weekly" if args.kind == "quality" else args.kind  # the quality report is of a week
        period = period_for(kind, day=args.date, first=args.first, last=args.last, now=deps.clock(), tz=tz)
    except (WorkspaceError, ValueError) as exc:
        print(f"handoff report: {exc}", file=sys.stderr)
        return 2
    if not has_data(deps, team):
        print(
            f"handoff report: workspace {team} has no leads, deals, spend or traffic in {shown_url(settings)}: "
            "import a CRM export (handoff import leads FILE), or read the demo's database: "
            "DATABASE_URL=sqlite:///handoff-demo/demo.db handoff report weekly",
            file=sys.stderr,
        )
    if args.kind == "quality":
        return _quality(deps, team, period, args)
    report = compute_report(deps, team, args.kind, period)
    if args.out:
        for path in write_all(report, Path(args.out)):
            print(f"wrote {path}")
    else:
        sys.stdout.write(render(report, args.format))
    return 0


def _quality(deps: Deps, team: str, period: Period, args: argparse.Namespace) -> int:
    if args.format not in QUALITY_FORMATS:
        print(f"handoff report quality: no {args.format} (one of {', '.join(QUALITY_FORMATS)})", file=sys.stderr)
        return 2
    q, ws = compute_quality(deps, team, period), load(deps, team)
    if args.out:
        for path in write_quality(q, ws, Path(args.out)):
            print(f"wrote {path}")
    else:
        sys.stdout.write(render_quality(q, ws, args.format))
    return 0


def shown_url(settings: Settings) -> str:
    """The database URL as it may be printed: its password hidden."""
    return make_url(settings.database_url).render_as_string(hide_password=True)


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
    ws = load(deps, team)
    zone = ZoneInfo(ws.timezone)
    start = deps.clock()
    if args.first:
        start = datetime.combine(args.first, datetime.min.time(), zone).astimezone(UTC)
    end = start + timedelta(days=args.days)
    rows: list[dict[str, Any]] = [
        {"kind": o.kind, "period": o.period.key(), "channel": o.channel, "local": o.local, "utc": o.utc}
        for o in occurrences(ws, start, end)
    ]
    rows += [
        {
            "kind": e.kind,
            "period": e.meeting.isoformat(),
            "channel": ws.sync_channel,
            "local": e.utc.astimezone(zone),
            "utc": e.utc,
        }
        for e in sync_events(deps, ws, start, end)
    ]
    rows.sort(key=lambda r: r["utc"])
    if args.format == "json":
        out = [{**r, "local": r["local"].isoformat(), "utc": r["utc"].isoformat()} for r in rows]
        print(json.dumps({"team_id": team, "timezone": ws.timezone, "posts": out}, indent=2))
        return 0
    if not ws.digest_channel:
        print("note: no digest channel is set; set one with `handoff config set digest_channel=C…`")
    print(f"{'kind':<15} {'reports':<24} {'channel':<12} {'local time (' + ws.timezone + ')':<30} utc")
    for r in rows:
        print(
            f"{r['kind']:<15} {r['period']:<24} {r['channel'] or '—':<12} "
            f"{r['local']:%a %Y-%m-%d %H:%M}{'':<10} {r['utc']:%Y-%m-%d %H:%M}"
        )
    if not rows:
        print("nothing scheduled in this window (digests off, or no working days)")
    return 0


def sync_events(deps: Deps, ws: Workspace, start: datetime, end: datetime) -> list[SyncEvent]:
    series = find_series(deps, ws.team_id)
    return events(Calendar(series, ws), start, end) if series and series.active else []
