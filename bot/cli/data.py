"""`handoff import`, `handoff export`, `handoff forget`, `handoff recount`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import deps_for, print_refused_import
from bot.cli.plans import cmd_import_plans
from bot.deps import Deps
from bot.exports import export_rows, write_table
from bot.imports.readers import ReadError
from bot.imports.run import ImportError_, Mapping, recount, run_import
from bot.leads.cards import post_card
from bot.leads.intake import added_after, newest_lead_id
from bot.leads.privacy import forget
from bot.settings import Settings
from bot.workspace.store import WorkspaceError, load, resolve_team


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    if args.kind == "plans":
        return cmd_import_plans(args, settings)
    if args.post and args.kind != "leads":
        print("handoff import: --post posts lead cards; it only goes with `import leads`", file=sys.stderr)
        return 2
    if args.post and settings.slack_bot_token is None:
        print("handoff import: --post needs SLACK_BOT_TOKEN to post the cards", file=sys.stderr)
        return 2
    deps = deps_for(settings)
    try:
        team = resolve_team(deps, args.team)
        mapping = Mapping.load(args.mapping, args.map, args.set)
        before = newest_lead_id(deps, team)
        result = run_import(
            deps,
            team_id=team,
            kind=args.kind,
            path=args.file,
            mapping=mapping,
            tz=load(deps, team).timezone,
            progress=args.progress,
        )
    except ImportError_ as exc:
        print_refused_import(args.file, exc)
        return 1
    except (ReadError, WorkspaceError, ValueError, OSError) as exc:
        print(f"handoff import: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    if args.post:
        return post_imported_cards(deps, team, before, args.post_limit)
    return 0


def post_imported_cards(deps: Deps, team: str, after_id: int, limit: int) -> int:
    """Cards for the leads the import added (ids above `after_id`), the newest `limit` of them, oldest first."""
    if not load(deps, team).leads_channel:
        print("handoff import: no leads channel is set (`handoff config set leads_channel=C…`); no cards posted")
        return 1
    added = added_after(deps, team, after_id)
    chosen = added[-limit:] if limit > 0 else []
    posted = sum(post_card(deps, team, lead_id) is not None for lead_id in chosen)
    skipped = (
        f"; {len(added) - len(chosen)} older new lead(s) not posted (--post-limit)" if len(added) > len(chosen) else ""
    )
    print(f"posted {posted} lead card(s){skipped}")
    return 0 if posted == len(chosen) else 1


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
    if args.format == "xlsx" and not args.out:
        print("handoff export: --format xlsx needs --out FILE.xlsx", file=sys.stderr)
        return 2
    header, rows = export_rows(deps, team, args.what, args.first, args.last)
    write_table(header, rows, args.format, Path(args.out) if args.out else None)
    if args.out:
        print(f"wrote {len(rows)} rows to {args.out}")
    return 0


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
    erased = forget(deps, team, lead_id=args.lead, email=args.email)
    if not erased:
        print("handoff forget: no such lead", file=sys.stderr)
        return 1
    print(f"erased the personal data of {len(erased)} lead(s): {', '.join(map(str, erased))}")
    return 0


def cmd_recount(args: argparse.Namespace, settings: Settings) -> int:
    deps = deps_for(settings)
    team = resolve_team(deps, args.team)
    days = recount(deps, team)
    print(f"recounted {team}: {days} rows of leads per day and channel; first won deals marked again")
    return 0
