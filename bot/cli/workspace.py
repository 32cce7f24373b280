"""`handoff config`, `handoff webhook secret`, `handoff sync`."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import deps_for
from bot.leads.webhook import webhook_secret
from bot.settings import Settings
from bot.sync.calendar import SYNC_KEYS, parse_sync_assignments
from bot.sync.series import find_series, next_slots, setup
from bot.workspace.keys import DAYS, ConfigError, display, parse_assignments
from bot.workspace.store import WorkspaceError, load, resolve_team, save_settings, settings_table


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    try:
        team = resolve_team(deps, args.team)
        if args.action == "set":
            if not args.pairs:
                print("handoff config set: give at least one KEY=VALUE", file=sys.stderr)
                return 2
            save_settings(deps, team, parse_assignments(args.pairs))
    except (ConfigError, WorkspaceError) as exc:
        print(f"handoff config: {exc}", file=sys.stderr)
        return 2
    ws = load(deps, team)
    print(f"workspace {team}")
    for key, value in settings_table(ws):
        print(f"  {key:<28} {value}")
    return 0


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
    print(webhook_secret(deps, team, rotate=args.rotate))
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
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
        setup(deps, team, values)
    series = find_series(deps, team)
    if series is None:
        print("the sync is not set up: `handoff sync setup weekday=thu time=15:00 channel=C0123`")
        return 0
    ws = load(deps, team)
    rows = [("channel", ws.sync_channel)] + [(k, getattr(series, k)) for k in SYNC_KEYS if k != "channel"]
    for key, value in rows:
        shown = DAYS[value] if key == "weekday" else display(value)
        print(f"{key:<16} {shown}")
    _ws, _series, slots, _cal = next_slots(deps, team, 3)
    for slot in slots:
        note = " (skipped: holiday)" if slot.skipped else " (moved: holiday)" if slot.moved else ""
        print(f"next             {slot.starts:%a %Y-%m-%d %H:%M %Z}{note}")
    return 0
