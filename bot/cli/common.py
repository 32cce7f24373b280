"""What the command line's commands share: the runtime they act with."""

from __future__ import annotations

from bot.deps import Deps
from bot.settings import Settings
from storage.db import migrate


def deps_for(settings: Settings, *, migrated: bool = True) -> Deps:
    """The runtime for a command, its database brought up to date first."""
    deps = Deps.from_settings(settings)
    if migrated:
        migrate(deps.engine)
    return deps
