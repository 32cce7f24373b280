"""The `handoff` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings
from bot.workspace.store import WorkspaceError

log = logging.getLogger("handoff")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="handoff", description="Handoff: Sales and Marketing as one funnel, in Slack.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="migrate the database, then serve Slack (HTTP or Socket Mode) and the scheduler")
    sub.add_parser("migrate", help="bring the database schema up to date")

    imp = sub.add_parser("import", help="import a CSV/XLSX export: leads, deals, activities, spend, traffic, feedback")
    imp.add_argument("kind", choices=["leads", "deals", "activities", "spend", "traffic", "feedback"])
    imp.add_argument("file")
    imp.add_argument("--team", help="workspace (Slack team id); default: the only one")
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", help="which column fills a field")
    imp.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a fixed value for a field")
    imp.add_argument("--mapping", metavar="FILE.yml", help="columns/constants/statuses in a YAML file")
    imp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    imp.add_argument("--post", action="store_true", help="post the newly added leads as cards (needs SLACK_BOT_TOKEN)")
    imp.add_argument("--post-limit", type=int, default=50, metavar="N", help="post at most the N newest (default 50)")

    cfg = sub.add_parser("config", help="show or change a workspace's settings")
    cfg.add_argument("action", choices=["show", "set"])
    cfg.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    cfg.add_argument("--team")

    rep = sub.add_parser("report", help="compute a KPI digest offline and print or write it")
    rep.add_argument("kind", choices=["daily", "weekly", "monthly"])
    rep.add_argument("--date", type=_date, help="a day inside the period (default: the last complete one)")
    rep.add_argument("--from", dest="first", type=_date, help="first day of a custom range")
    rep.add_argument("--to", dest="last", type=_date, help="last day of a custom range (inclusive)")
    rep.add_argument("--team")
    rep.add_argument("--format", choices=["text", "json", "blocks", "csv"], default="text")
    rep.add_argument("--out", help="write every format and the pictures into this folder")

    sch = sub.add_parser("schedule", help="list the coming scheduled posts")
    sch.add_argument("--team")
    sch.add_argument("--from", dest="first", type=_date, help="start on this local day (default: now)")
    sch.add_argument("--days", type=int, default=14)
    sch.add_argument("--format", choices=["text", "json"], default="text")

    hook = sub.add_parser("webhook", help="the lead webhook's signing secret")
    hook.add_argument("action", choices=["secret"])
    hook.add_argument("--rotate", action="store_true", help="make a new secret (the old one stops working)")
    hook.add_argument("--team")

    syn = sub.add_parser("sync", help="show or set up the biweekly Sales × Marketing sync")
    syn.add_argument("action", choices=["show", "setup"])
    syn.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    syn.add_argument("--team")

    exp = sub.add_parser("export", help="export lead verdicts, thread replies, sync answers, action items, ICP")
    exp.add_argument("what", choices=["verdicts", "replies", "answers", "actions", "icp"])
    exp.add_argument("--from", dest="first", type=_date)
    exp.add_argument("--to", dest="last", type=_date)
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--out", help="file to write (default: standard output for CSV)")
    exp.add_argument("--team")

    forget = sub.add_parser("forget", help="erase a lead's personal data (its verdicts still count)")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--lead", type=int, help="the lead's id")
    who.add_argument("--email", help="every lead with this email")
    forget.add_argument("--team")

    recount = sub.add_parser(
        "recount",
        help="recount the kept-up aggregates (leads per day, first won deals) from the stored rows, "
        "after rows were changed in the database by something other than Handoff",
    )
    recount.add_argument("--team", help="workspace (Slack team id); default: the only one")

    demo = sub.add_parser("demo", help="build a realistic workspace from generated data and write its digests")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", default="handoff-demo")
    demo.add_argument("--db", default=None, help="SQLite file for the demo workspace (default: OUT/demo.db)")
    return p


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        settings.configure_logging()
        return COMMANDS[args.command](args, settings)
    except SettingsError as exc:
        print(f"handoff: {exc}", file=sys.stderr)
        return 2
    except WorkspaceError as exc:
        print(f"handoff {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _deps(settings: Settings, *, migrate: bool = True):
    from bot.deps import Deps
    from storage.db import migrate as run_migrations

    deps = Deps.from_settings(settings)
    if migrate:
        run_migrations(deps.engine)
    return deps


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    settings.require_slack()
    deps = _deps(settings)
    serve(settings, deps)
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _deps(settings)
    print("database is up to date")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.imports.readers import ReadError
    from bot.imports.run import ImportError_, Mapping, run_import
    from bot.workspace.store import load, resolve_team

    if args.post and args.kind != "leads":
        print("handoff import: --post posts lead cards; it only goes with `import leads`", file=sys.stderr)
        return 2
    if args.post and settings.slack_bot_token is None:
        print("handoff import: --post needs SLACK_BOT_TOKEN to post the cards", file=sys.stderr)
        return 2
    deps = _deps(settings)
    try:
        team = resolve_team(deps.engine, args.team)
        mapping = Mapping.load(args.mapping, args.map, args.set)
        before = newest_lead_id(deps.engine, team)
        result = run_import(
            deps.engine,
            team_id=team,
            kind=args.kind,
            path=args.file,
            mapping=mapping,
            tz=load(deps.engine, team).timezone,
            progress=args.progress,
        )
    except ImportError_ as exc:
        print(f"{args.file}: {exc.total} error(s); nothing was imported.", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
        if exc.total > len(exc.errors):
            print(f"  … and {exc.total - len(exc.errors)} more", file=sys.stderr)
        return 1
    except (ReadError, WorkspaceError, ValueError, OSError) as exc:
        print(f"handoff import: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    if args.post:
        return post_imported_cards(deps, team, before, args.post_limit)
    return 0


def newest_lead_id(engine, team: str) -> int:
    from storage.db import read_scope
    from storage.repos import leads

    with read_scope(engine) as s:
        return leads.newest_id(s, team)


def post_imported_cards(deps, team: str, after_id: int, limit: int) -> int:
    """Cards for the leads the import added (ids above `after_id`), the newest `limit` of them, oldest first."""
    from bot.leads.cards import post_card
    from bot.workspace.store import load
    from storage.db import read_scope
    from storage.repos import leads

    if not load(deps.engine, team).leads_channel:
        print("handoff import: no leads channel is set (`handoff config set leads_channel=C…`); no cards posted")
        return 1
    with read_scope(deps.engine) as s:
        added = leads.added_after(s, team, after_id)
    chosen = added[-limit:] if limit > 0 else []
    posted = sum(post_card(deps, team, lead_id) is not None for lead_id in chosen)
    print(
        f"posted {posted} lead card(s)"
        + (
            f"; {len(added) - len(chosen)} older new lead(s) not posted (--post-limit)"
            if len(added) > len(chosen)
            else ""
        )
    )
    return 0 if posted == len(chosen) else 1


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workspace.keys import ConfigError, parse_assignments
    from bot.workspace.store import WorkspaceError, load, resolve_team, save_settings, settings_table

    deps = _deps(settings)
    try:
        team = resolve_team(deps.engine, args.team)
        if args.action == "set":
            if not args.pairs:
                print("handoff config set: give at least one KEY=VALUE", file=sys.stderr)
                return 2
            save_settings(deps.engine, team, parse_assignments(args.pairs))
    except (ConfigError, WorkspaceError) as exc:
        print(f"handoff config: {exc}", file=sys.stderr)
        return 2
    ws = load(deps.engine, team)
    print(f"workspace {team}")
    for key, value in settings_table(ws):
        print(f"  {key:<20} {value}")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.kpi.outputs import render, write_all
    from bot.kpi.report import compute_report, period_for
    from bot.workspace.store import load, resolve_team

    deps = _deps(settings)
    try:
        team = resolve_team(deps.engine, args.team)
        tz = load(deps.engine, team).timezone
        period = period_for(args.kind, day=args.date, first=args.first, last=args.last, now=deps.clock(), tz=tz)
    except (WorkspaceError, ValueError) as exc:
        print(f"handoff report: {exc}", file=sys.stderr)
        return 2
    report = compute_report(deps.engine, team, args.kind, period)
    if args.out:
        for path in write_all(report, Path(args.out)):
            print(f"wrote {path}")
    else:
        sys.stdout.write(render(report, args.format))
    return 0


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from bot.kpi.schedule import occurrences
    from bot.workspace.store import load, resolve_team

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    ws = load(deps.engine, team)
    start = deps.clock()
    if args.first:
        start = datetime.combine(args.first, datetime.min.time(), ZoneInfo(ws.timezone)).astimezone(UTC)
    end = start + timedelta(days=args.days)
    zone = ZoneInfo(ws.timezone)
    rows = [
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


def sync_events(deps, ws, start, end):
    from bot.sync.calendar import Calendar, events
    from bot.sync.service import find_series

    series = find_series(deps, ws.team_id)
    return events(Calendar(series, ws), start, end) if series and series.active else []


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sync import service as meetings
    from bot.sync.calendar import SYNC_KEYS, parse_sync_assignments
    from bot.workspace.keys import DAYS, ConfigError, display
    from bot.workspace.store import load, resolve_team

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    if args.action == "setup":
        if not args.pairs:
            print(
                "handoff sync setup: give KEY=VALUE pairs, e.g. weekday=thu time=15:00 channel=C0123", file=sys.stderr
            )
            return 2
        try:
            values = parse_sync_assignments(args.pairs)
        except ConfigError as exc:
            print(f"handoff sync setup: {exc}", file=sys.stderr)
            return 2
        meetings.setup(deps, team, values)
    series = meetings.find_series(deps, team)
    if series is None:
        print("the sync is not set up: `handoff sync setup weekday=thu time=15:00 channel=C0123`")
        return 0
    ws = load(deps.engine, team)
    rows = [("channel", ws.sync_channel)] + [(k, getattr(series, k)) for k in SYNC_KEYS if k != "channel"]
    for key, value in rows:
        shown = DAYS[value] if key == "weekday" else display(value)
        print(f"{key:<16} {shown}")
    _ws, _series, slots, _cal = meetings.next_slots(deps, team, 3)
    for slot in slots:
        note = " (skipped: holiday)" if slot.skipped else " (moved: holiday)" if slot.moved else ""
        print(f"next             {slot.starts:%a %Y-%m-%d %H:%M %Z}{note}")
    return 0


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.leads.webhook import webhook_secret
    from bot.workspace.store import resolve_team

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    print(webhook_secret(deps, team, rotate=args.rotate))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.leads.exports import export_rows, write_table
    from bot.workspace.store import resolve_team

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    if args.format == "xlsx" and not args.out:
        print("handoff export: --format xlsx needs --out FILE.xlsx", file=sys.stderr)
        return 2
    header, rows = export_rows(deps.engine, team, args.what, args.first, args.last)
    write_table(header, rows, args.format, Path(args.out) if args.out else None)
    if args.out:
        print(f"wrote {len(rows)} rows to {args.out}")
    return 0


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workspace.store import resolve_team
    from storage.db import session_scope
    from storage.repos import leads

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    with session_scope(deps.engine) as s:
        erased = leads.forget(s, team, lead_id=args.lead, email=args.email)
    if not erased:
        print("handoff forget: no such lead", file=sys.stderr)
        return 1
    print(f"erased the personal data of {len(erased)} lead(s): {', '.join(map(str, erased))}")
    return 0


def cmd_recount(args: argparse.Namespace, settings: Settings) -> int:
    from bot.workspace.store import resolve_team
    from storage.repos import customers, leadday

    deps = _deps(settings)
    team = resolve_team(deps.engine, args.team)
    with deps.engine.begin() as conn:
        days = leadday.rebuild_all(conn, team)
        customers.refresh(conn, team)
    print(f"recounted {team}: {days} rows of leads per day and channel; first won deals marked again")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    out = Path(args.out)
    written = run_demo(out_dir=out, seed=args.seed, db_path=Path(args.db) if args.db else out / "demo.db")
    for path in written:
        print(f"wrote {path}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "migrate": cmd_migrate,
    "import": cmd_import,
    "config": cmd_config,
    "report": cmd_report,
    "schedule": cmd_schedule,
    "webhook": cmd_webhook,
    "sync": cmd_sync,
    "export": cmd_export,
    "forget": cmd_forget,
    "recount": cmd_recount,
    "demo": cmd_demo,
}


if __name__ == "__main__":
    sys.exit(main())
