"""Standing agenda items: `/sync pin TEXT`, `/sync unpin N`, `/sync pins`."""

from __future__ import annotations

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import modals
from bot.slack.kit import Mrkdwn, md
from bot.sync.series import SyncError
from bot.text import from_slack
from bot.text import problem as text_problem
from bot.workspace.store import load
from storage.models import StandingItem, Workspace
from storage.repos import pins as repo

PIN_LIMIT = 300  # standingitem.text
MAX_PINS = 10  # an agenda of standing items only is no agenda


def pin(deps: Deps, team_id: str, text: str, by: str) -> StandingItem:
    """Pin `text` (as typed in Slack) to every coming agenda."""
    _ = translator(load(deps, team_id).language)
    words = from_slack(text).strip()
    if not words:
        raise SyncError(_("Write the item after the command, like `/sync pin Pipeline review`."))
    if len(words) > PIN_LIMIT or text_problem(words):
        raise SyncError(_("A standing item is at most {n} characters of text.").format(n=PIN_LIMIT))
    with deps.write() as s:
        if len(repo.pinned(s, team_id=team_id)) >= MAX_PINS:
            raise SyncError(_("{n} items are pinned already: unpin one first (`/sync pins`).").format(n=MAX_PINS))
        return repo.add_pin(s, team_id=team_id, text=words, by=by, now=deps.clock())


def unpin(deps: Deps, team_id: str, pin_id: int) -> StandingItem:
    _ = translator(load(deps, team_id).language)
    with deps.write() as s:
        done = repo.unpin(s, team_id=team_id, pin_id=pin_id, now=deps.clock())
        row = repo.pin(s, team_id=team_id, pin_id=pin_id)
    if not done or row is None:
        raise SyncError(_("No standing item #{id} is pinned. `/sync pins` lists them.").format(id=pin_id))
    return row


def pinned(deps: Deps, team_id: str) -> list[StandingItem]:
    with deps.read() as s:
        return repo.pinned(s, team_id=team_id)


def pin_command(deps: Deps, ws: Workspace, sub: str, rest: str, user: str) -> Mrkdwn:
    """`/sync pin TEXT` or `/sync unpin N` (an admin's): what to answer."""
    _ = translator(ws.language)
    if sub == "pin":
        row = pin(deps, ws.team_id, rest, user)
        return md(_("Pinned to every agenda as #{id}: {text}"), id=row.id, text=row.text)
    pin_id = modals.number(rest.lstrip("#"))
    if pin_id is None:
        raise SyncError(_("Give the standing item's number, like `/sync unpin 2` (`/sync pins` lists them)."))
    row = unpin(deps, ws.team_id, pin_id)
    return md(_("Unpinned #{id}: {text}"), id=row.id, text=row.text)
