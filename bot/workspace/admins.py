"""Telling a workspace's Handoff admins: one DM each, once per matter."""

from __future__ import annotations

from bot.deps import Deps
from bot.slack import once
from bot.slack.kit import Mrkdwn, notice
from storage.models import PostedMessage, Workspace


def _no_rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    return None  # a notice cut off mid-post is not sent again: its text is gone with the process


NOTICE = once.Kind("notice", rebuild=_no_rebuild)


def tell_admins(deps: Deps, ws: Workspace, about: str, text: Mrkdwn) -> None:
    """A notice by DM to each listed Handoff admin (user groups are not DM'd), once per `about` (a
    post's key, say): the same matter never reaches an admin twice."""
    message = notice(text)
    for admin in (a for a in ws.admins if a.startswith(("U", "W"))):
        once.deliver(
            deps,
            ws.team_id,
            once.Post(key=f"notice/{about}/{admin}", kind=NOTICE, channel=admin, build=lambda: message),
        )
