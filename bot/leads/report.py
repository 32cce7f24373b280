"""The weekly lead-quality report in the marketing channel, posted once per week."""

from __future__ import annotations

from bot.deps import Deps
from bot.kpi.periods import Period
from bot.leads.blocks import build_quality_message
from bot.leads.quality import compute_quality
from bot.slack import once
from bot.slack.kit import Message
from bot.workspace.store import load
from storage.models import PostedMessage

PREFIX = "quality/"


def quality_post(deps: Deps, team_id: str, period: Period, channel: str) -> once.Post:
    def build() -> Message:
        return build_quality_message(compute_quality(deps, team_id, period), load(deps, team_id))

    return once.Post(key=PREFIX + period.key(), kind=QUALITY, channel=channel, build=build, period=period.key())


def post_quality(deps: Deps, team_id: str, period: Period) -> str | None:
    """Post the report to the marketing channel once for its week; its ts when posted now."""
    ws = load(deps, team_id)
    if not ws.marketing_channel:
        return None
    outcome = once.deliver(deps, team_id, quality_post(deps, team_id, period, ws.marketing_channel))
    return outcome.ts if outcome.status == "posted" else None


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    if not held.channel or not held.key.startswith(PREFIX):
        return None
    return quality_post(deps, held.team_id, Period.from_key(held.key.removeprefix(PREFIX)), held.channel)


QUALITY = once.Kind("quality", rebuild=_rebuild)
