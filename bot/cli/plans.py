"""`handoff plan set|show|required` and `handoff import plans`."""

from __future__ import annotations

import argparse
import json
import sys
from zoneinfo import ZoneInfo

from bot.cli.common import deps_for, print_refused_import
from bot.deps import Deps
from bot.imports.readers import ReadError
from bot.imports.run import ImportError_
from bot.plans.importing import import_plans
from bot.plans.reverse import required_for
from bot.plans.store import month_plans, set_plan
from bot.plans.text import plan_text, required_text
from bot.plans.values import PlanError, month_of, parse_month, parse_pairs
from bot.settings import Settings
from bot.workspace.store import WorkspaceError, load, resolve_team


def _month(deps: Deps, team: str, given: str | None) -> str:
    """The month asked for, or this month in the workspace's time zone."""
    if given:
        return parse_month(given)
    return month_of(deps.clock().astimezone(ZoneInfo(load(deps, team).timezone)).date())


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    try:
        team = resolve_team(deps, args.team)
        if args.action == "set":
            if not args.month:
                raise PlanError("month", "month: give the month with --month YYYY-MM")
            if not args.pairs:
                raise PlanError("kpi", "give at least one KPI=VALUE, e.g. leads=500 sales=40")
            values = parse_pairs(args.pairs)
        elif args.pairs:
            raise PlanError("kpi", "KPI=VALUE pairs go with `handoff plan set`")
        month = _month(deps, team, args.month)
    except (PlanError, WorkspaceError) as exc:
        print(f"handoff plan {args.action}: {exc}", file=sys.stderr)
        return 2
    ws = load(deps, team)
    if args.action == "set":
        set_plan(deps, team, month, values, channel=args.channel)
    if args.action == "required":
        req = required_for(deps, team, month, now=deps.clock())
        if args.format == "json":
            print(json.dumps({"team_id": team, **req.to_json()}, indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(required_text(req, ws.language, ws.currency))
        return 0
    plans = month_plans(deps, team, month)
    if args.format == "json":
        print(json.dumps({"team_id": team, **plans.to_json()}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(plan_text(plans, ws.language, ws.currency))
    return 0


def cmd_import_plans(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    try:
        team = resolve_team(deps, args.team)
        result = import_plans(deps, team, args.file)
    except ImportError_ as exc:
        print_refused_import(args.file, exc)
        return 1
    except (ReadError, WorkspaceError, OSError) as exc:
        print(f"handoff import: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
