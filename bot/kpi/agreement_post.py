"""The weekly scorecard in the sales and marketing channels, each posted once for its week (the one
delivery protocol, bot.slack.once): on the first working day of a week, at the weekly digest's local
time, about the week before. Keys: `agreement/{week}/{channel}`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.agreement import agreed, scorecard
from bot.kpi.agreement_blocks import build_scorecard
from bot.kpi.periods import Period
from bot.slack import once
from bot.slack.kit import Message, md
from bot.workspace.admins import tell_admins
from bot.workspace.keys import DAYS, parse_hhmm, parse_workdays
from bot.workspace.store import load
from storage.models import PostedMessage, Workspace

log = logging.getLogger(__name__)
PREFIX = "agreement/"
GRACE = timedelta(hours=12)  # as the digests': a bot down at the slot posts when back, within the day


def channels(ws: Workspace) -> list[str]:
    """Where sales works (the lead cards' channel) and the marketing channel; one post if they are one."""
    return list(dict.fromkeys(c for c in (ws.leads_channel, ws.marketing_channel) if c))


def due_week(ws: Workspace, now: datetime, grace: timedelta = GRACE) -> Period | None:
    """The week whose scorecard is due at `now`: the week before a week's first working day, from the
    weekly digest's local time on that day until `grace` later. Pure."""
    zone = ZoneInfo(ws.timezone)
    workdays = {DAYS.index(d) for d in parse_workdays(ws.workdays)}
    this = Period.containing("week", now.astimezone(zone).date())
    for week in (this, this.previous()):
        first = next(week.start + timedelta(days=i) for i in range(7) if i in workdays)  # weeks start on Monday
        # A wall time that DST skips is posted at the same UTC offset as the hour before it.
        at = datetime.combine(first, parse_hhmm(ws.weekly_digest_time), zone).astimezone(UTC)
        if at <= now < at + grace:
            return week.previous()
    return None


def scorecard_key(week: Period, channel: str) -> str:
    return f"{PREFIX}{week.key()}/{channel}"


def scorecard_post(deps: Deps, team_id: str, week: Period, channel: str) -> once.Post:
    """The scorecard as a post; computed only when it is posted."""

    def build() -> Message:
        return build_scorecard(scorecard(deps, team_id, week))

    key = scorecard_key(week, channel)
    return once.Post(
        key=key,
        kind=SCORECARD,
        channel=channel,
        build=build,
        period=week.key(),
        on_failure=_tell_admins(deps, team_id, channel, key),
    )


def post_scorecards(deps: Deps, ws: Workspace, now: datetime) -> list[once.Outcome]:
    """Post the scorecard due at `now` to each channel, once per week and channel."""
    week = due_week(ws, now) if agreed(ws) else None
    if week is None:
        return []
    outcomes = []
    for channel in channels(ws):
        outcome = once.deliver(deps, ws.team_id, scorecard_post(deps, ws.team_id, week, channel))
        log.info("%s %s: %s", ws.team_id, scorecard_key(week, channel), outcome.status)
        outcomes.append(outcome)
    return outcomes


def _tell_admins(deps: Deps, team_id: str, channel: str, key: str) -> Callable[[str], None]:
    def tell(error: str) -> None:
        ws = load(deps, team_id)
        _ = translator(ws.language)
        if error in once.CHANNEL_ERRORS:
            template = _(
                "I could not post the agreement's scorecard in <#{channel}>: I'm not in that channel. "
                "Type /invite @Handoff there."
            )
        else:
            template = _("I could not post the agreement's scorecard in <#{channel}>: Slack answered “{error}”.")
        log.warning("scorecard failed in %s: %s", channel, error)
        tell_admins(deps, ws, key, md(template, channel=channel, error=error))

    return tell


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    week_key, _sep, channel = held.key.removeprefix(PREFIX).partition("/")
    if not held.key.startswith(PREFIX) or not channel:
        return None
    try:
        week = Period.from_key(week_key)
    except ValueError:
        return None
    return scorecard_post(deps, held.team_id, week, channel)


SCORECARD = once.Kind("scorecard", rebuild=_rebuild)
