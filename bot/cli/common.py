"""What the command line's commands share: the runtime they act with, how a refused import is told."""

from __future__ import annotations

import sys

from bot.deps import Deps
from bot.imports.run import ImportError_
from bot.settings import Settings
from storage.db import migrate


def deps_for(settings: Settings, *, migrated: bool = True) -> Deps:
    """The runtime for a command, its database brought up to date first."""
    deps = Deps.from_settings(settings)
    if migrated:
        migrate(deps.engine)
    return deps


def print_refused_import(path: object, exc: ImportError_) -> None:
    """A file with bad rows imports nothing: say so, with the errors (row and column) found."""
    print(f"{path}: {exc.total} error(s); nothing was imported.", file=sys.stderr)
    for err in exc.errors:
        print(f"  {err}", file=sys.stderr)
    if exc.total > len(exc.errors):
        print(f"  … and {exc.total - len(exc.errors)} more", file=sys.stderr)
