"""Decisions per agenda item: the Decision button names a meeting and an item; both are checked
(the button's value comes from outside) before the modal opens and again when it is saved."""

from __future__ import annotations

from dataclasses import dataclass

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import modals
from bot.slack.kit import Mrkdwn
from bot.sync.blocks.items import item_heading
from bot.sync.items import parse_key
from bot.sync.series import SyncError
from bot.workspace.store import load
from storage.models import Meeting, MeetingNote, Workspace
from storage.repos import actions as actions_repo
from storage.repos import meetings as repo
from storage.repos import pins as pins_repo

DECISION_LIMIT = 3000


@dataclass(frozen=True)
class Target:
    ws: Workspace
    meeting: Meeting
    item: str
    heading: Mrkdwn


def target(deps: Deps, team_id: str, meeting_id: object, item: object) -> Target:
    """The open meeting of this workspace and the item a decision is about; SyncError (a polite
    sentence) for a meeting or item this workspace does not have, or a meeting already closed."""
    ws = load(deps, team_id)
    _ = translator(ws.language)
    unknown = SyncError(_("I don't know this agenda item: it may be from an older agenda. Use `/sync notes` instead."))
    number, parsed = modals.number(meeting_id), parse_key(item)
    if number is None or parsed is None or not isinstance(item, str):
        raise unknown
    kind, parts = parsed
    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=number)
        action = actions_repo.action(s, team_id=team_id, action_id=int(parts[0])) if kind == "action" else None
        pin = pins_repo.pin(s, team_id=team_id, pin_id=int(parts[0])) if kind == "pin" else None
    if m is None or (kind == "action" and action is None) or (kind == "pin" and pin is None):
        raise unknown
    if m.status not in ("planned", "open"):
        raise SyncError(_("This meeting is closed: its summary is out. Decisions now go to the next sync."))
    actions = {action.id: action} if action and action.id else {}
    pins = {pin.id: pin} if pin and pin.id else {}
    return Target(ws, m, item, item_heading(item, ws.language, actions, pins))


def parse_button(value: object) -> tuple[str, str]:
    """A Decision button's value `<meeting id>|<item key>` as (meeting id, key); ('', '') for junk."""
    if not isinstance(value, str) or "|" not in value:
        return "", ""
    meeting_id, _sep, key = value.partition("|")
    return meeting_id, key


def record(deps: Deps, team_id: str, meeting_id: object, item: object, author: str, text: str) -> MeetingNote:
    """Write the decision down for the meeting's summary, under its item."""
    t = target(deps, team_id, meeting_id, item)
    with deps.write() as s:
        return actions_repo.add_note(
            s, team_id=team_id, meeting_id=t.meeting.id, author=author, text=text, now=deps.clock(), item=t.item
        )
