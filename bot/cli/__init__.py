"""The `handoff` command line."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date

from bot.settings import Settings, SettingsError, load_settings
from bot.workspace.store import WorkspaceError

log = logging.getLogger("handoff")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="handoff", description="Handoff: Sales and Marketing as one funnel, in Slack.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="migrate the database, then serve Slack (HTTP or Socket Mode) and the scheduler")
    sub.add_parser("migrate", help="bring the database schema up to date")

    imp = sub.add_parser(
        "import", help="import a CSV/XLSX export: leads, deals, activities, spend, traffic, feedback; or plans"
    )
    imp.add_argument("kind", choices=["leads", "deals", "activities", "spend", "traffic", "feedback", "plans"])
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

    rep = sub.add_parser("report", help="compute a KPI digest or the weekly lead-quality report offline")
    rep.add_argument("kind", choices=["daily", "weekly", "monthly", "quality"])
    rep.add_argument("--date", type=_date, help="a day inside the period (default: the last complete one)")
    rep.add_argument("--from", dest="first", type=_date, help="first day of a custom range")
    rep.add_argument("--to", dest="last", type=_date, help="last day of a custom range (inclusive)")
    rep.add_argument("--team")
    rep.add_argument("--format", choices=["text", "json", "blocks", "csv", "campaigns-csv"], default="text")
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
        help="recount the kept-up aggregates (leads per day, first meetings and sales, first won deals, "
        "margins per product) from the stored rows, "
        "after rows were changed in the database by something other than Handoff",
    )
    recount.add_argument("--team", help="workspace (Slack team id); default: the only one")

    plan = sub.add_parser("plan", help="set or show a month's plan, and what its sales goal needs of marketing")
    plan.add_argument("action", choices=["set", "show", "required"])
    plan.add_argument("pairs", nargs="*", metavar="KPI=VALUE")
    plan.add_argument("--month", metavar="YYYY-MM", help="the month (default: this month)")
    plan.add_argument("--channel", help="an acquisition channel's own plan (default: the whole workspace)")
    plan.add_argument("--format", choices=["text", "json"], default="text")
    plan.add_argument("--team")

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


# Each command's module is imported when it runs: `handoff config show` starts without pandas and
# matplotlib, which only the reports and imports need.
COMMANDS = {
    "run": "bot.cli.serving:cmd_run",
    "migrate": "bot.cli.serving:cmd_migrate",
    "demo": "bot.cli.demo:cmd_demo",
    "import": "bot.cli.data:cmd_import",
    "export": "bot.cli.data:cmd_export",
    "forget": "bot.cli.data:cmd_forget",
    "recount": "bot.cli.data:cmd_recount",
    "config": "bot.cli.workspace:cmd_config",
    "webhook": "bot.cli.workspace:cmd_webhook",
    "sync": "bot.cli.workspace:cmd_sync",
    "report": "bot.cli.reports:cmd_report",
    "schedule": "bot.cli.reports:cmd_schedule",
    "plan": "bot.cli.plans:cmd_plan",
}


def command(name: str) -> Callable[[argparse.Namespace, Settings], int]:
    module, _sep, func = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(module), func)


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; KEY=VALUE pairs may also follow the options (`config set --team T KEY=VALUE`)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and isinstance(getattr(args, "pairs", None), list) and not any(x.startswith("-") for x in extra):
        args.pairs += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        settings = load_settings()
        settings.configure_logging()
        return command(args.command)(args, settings)
    except SettingsError as exc:
        print(f"handoff: {exc}", file=sys.stderr)
        return 2
    except WorkspaceError as exc:
        print(f"handoff {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `handoff export … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
