"""Customer feedback kept for the next sync (`/feedback`, the message shortcut, imports)."""

from __future__ import annotations

from bot.deps import Deps
from storage.models import Feedback
from storage.repos import actions as repo


def save_feedback(
    deps: Deps,
    team_id: str,
    external_id: str,
    *,
    kind: str,
    rating: int | None,
    text: str,
    author: str,
    source: str,
    customer: str | None = None,
) -> bool:
    """Keep a piece of customer feedback; False when this one is already kept."""
    positive = None if rating is None else rating >= 4
    row = Feedback(
        team_id=team_id,
        external_id=external_id,
        kind=kind,
        rating=rating,
        positive=positive,
        text=text,
        source=source,
        customer=customer,
        author=author,
        created_at=deps.clock(),
    )
    with deps.write() as s:
        return repo.add_feedback(s, row=row)
