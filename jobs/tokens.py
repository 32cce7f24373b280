"""With OAuth, rotating bot tokens are exchanged before they expire, for the work that runs without a
request (digests, cards, nudges, sync DMs)."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps


def rotate_tokens(*, deps: Deps, now: datetime) -> list[str]:
    if deps.installations is None:
        return []
    return deps.installations.rotate_due()
