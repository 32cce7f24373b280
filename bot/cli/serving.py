"""`handoff run` and `handoff migrate`."""

from __future__ import annotations

import argparse

from bot.cli.common import deps_for
from bot.server import serve
from bot.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    settings.require_slack()
    serve(settings, deps_for(settings))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    deps_for(settings)
    print("database is up to date")
    return 0
