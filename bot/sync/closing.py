"""During and after a sync: notes, action items and their DMs, closing the meeting with its summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deps import Deps
from bot.i18n import translator
from bot.slack import once
from bot.sync.blocks.agenda import build_summary
from bot.sync.blocks.dms import build_action_dm
from bot.sync.icp import icp_changes
from bot.sync.items import item_refs
from bot.sync.model import Summary
from bot.sync.series import SyncError, load_series, shown
from bot.workspace.keys import parse_hhmm
from bot.workspace.store import load
from storage.models import ActionItem, Meeting, MeetingNote, PostedMessage, Workspace
from storage.repos import actions as actions_repo
from storage.repos import meetings as repo
from storage.repos import pins as pins_repo
from storage.repos import posts

# How long after its end a meeting the bot missed still gets its summary posted.
GRACE = timedelta(hours=12)
SUMMARY_PREFIX = "sync-summary/"
ACTION_DM, ACTION_DUE = "action-dm/", "action-due/"


def current(deps: Deps, team_id: str) -> Meeting | None:
    with deps.read() as s:
        return repo.current_meeting(s, team_id=team_id)


def open_actions(deps: Deps, team_id: str) -> list[ActionItem]:
    with deps.read() as s:
        return actions_repo.open_actions(s, team_id=team_id)


def action_post(ws: Workspace, item: ActionItem, *, due_today: bool) -> once.Post:
    prefix = ACTION_DUE if due_today else ACTION_DM
    return once.Post(
        key=f"{prefix}{item.id}",
        kind=SYNC_ACTION_DM,
        channel=item.owner or "",
        build=lambda: build_action_dm(ws, item, due_today=due_today),
    )


def add_action(deps: Deps, team_id: str, owner: str, text: str, due: date | None, author: str) -> ActionItem:
    """An action item of the meeting in progress (its owner hears of it in the summary) or, between
    meetings, of the next one — then the owner gets a DM at once."""
    m = current(deps, team_id)
    with deps.write() as s:
        item = actions_repo.add_action(
            s,
            team_id=team_id,
            meeting_id=m.id if m else None,
            owner=owner,
            text=text,
            due=due,
            author=author,
            now=deps.clock(),
        )
    if m is None or m.status != "open":
        once.deliver(deps, team_id, action_post(load(deps, team_id), item, due_today=False))
    return item


def add_note(deps: Deps, team_id: str, author: str, text: str) -> MeetingNote:
    m = current(deps, team_id)
    with deps.write() as s:
        return actions_repo.add_note(
            s, team_id=team_id, meeting_id=m.id if m else None, author=author, text=text, now=deps.clock()
        )


def mark_done(deps: Deps, team_id: str, action_id: int) -> ActionItem:
    ws = load(deps, team_id)
    _ = translator(ws.language)
    with deps.write() as s:
        done = actions_repo.mark_done(s, team_id=team_id, action_id=action_id, now=deps.clock())
        item = actions_repo.action(s, team_id=team_id, action_id=action_id)
    if item is None:
        raise SyncError(_("There is no action item #{id}. `/sync actions` lists the open ones.").format(id=action_id))
    if not done:
        raise SyncError(_("Action item #{id} is already done.").format(id=action_id))
    return item


def summary(deps: Deps, team_id: str, m: Meeting, now: datetime) -> Summary:
    ws, series = load_series(deps, team_id)
    with deps.read() as s:
        prev = repo.previous_meeting(s, team_id=team_id, before=m.starts_at)
        since = prev.ends_at if prev else m.starts_at - timedelta(weeks=2)
        notes = actions_repo.notes(s, meeting_id=_id(m))
        new = actions_repo.actions_created(s, team_id=team_id, meeting_id=_id(m))
        done = actions_repo.actions_done(s, team_id=team_id, start=since, end=now + timedelta(seconds=1))
        before = actions_repo.icp_at(s, team_id=team_id, when=m.starts_at)
        newest_one = actions_repo.icp_versions(s, team_id=team_id, limit=1)
        action_ids, pin_ids = item_refs([n.item for n in notes])
        named = [actions_repo.action(s, team_id=team_id, action_id=i) for i in action_ids]
        pinned = [pins_repo.pin(s, team_id=team_id, pin_id=i) for i in pin_ids]
    newest = newest_one[0] if newest_one else None
    out = Summary(shown(ws, series), m, notes, new, done, icp_changes(before, newest), newest)
    out.item_actions = {a.id: a for a in named if a is not None and a.id is not None}
    out.item_pins = {p.id: p for p in pinned if p is not None and p.id is not None}
    return out


def summary_post(deps: Deps, team_id: str, m: Meeting, now: datetime) -> once.Post | None:
    """The summary: a reply under the agenda, also shown in the channel (or a post of its own when
    there was no agenda). None when the workspace has no sync channel."""
    ws = load(deps, team_id)
    with deps.read() as s:
        agenda = posts.get(s, team_id=team_id, key=f"sync-agenda/{m.id}")
    under = agenda if agenda is not None and agenda.channel and agenda.ts else None
    channel = under.channel if under else ws.sync_channel
    if not channel:
        return None
    return once.Post(
        key=f"{SUMMARY_PREFIX}{m.id}",
        kind=SYNC_SUMMARY,
        channel=channel,
        thread_ts=under.ts if under else None,
        broadcast=under is not None,
        build=lambda: build_summary(summary(deps, team_id, m, now), m.closed_by),
    )


class _ClosedAlready(Exception):
    pass


def close(deps: Deps, team_id: str, meeting_id: int, now: datetime, *, by: str | None, quiet: bool = False) -> bool:
    """Close the meeting once: the summary in the sync channel, then each owner's new items by DM.
    The close and the claims on those posts are one transaction: a process that dies after it leaves
    posts the sweep finishes, never a closed meeting without its summary. False when it was already
    closed."""

    def closing(s: Session) -> None:
        if not repo.set_status(
            s, team_id=team_id, meeting_id=meeting_id, status="closed", only_from=("planned", "open"), closed_by=by
        ):
            raise _ClosedAlready

    with deps.read() as s:
        m = repo.meeting(s, team_id=team_id, meeting_id=meeting_id)
        new_items = actions_repo.actions_created(s, team_id=team_id, meeting_id=meeting_id)
    if m is None or m.status not in ("planned", "open"):
        return False
    m.closed_by = by
    ws = load(deps, team_id)
    post = None if quiet else summary_post(deps, team_id, m, now)
    owed = [action_post(ws, i, due_today=False) for i in new_items if i.status == "open" and i.owner]
    to_post = [] if quiet else [*([post] if post else []), *owed]
    try:
        if to_post:
            once.deliver_all(deps, team_id, to_post, on_claim=closing)
        else:
            with deps.write() as s:
                closing(s)
    except _ClosedAlready:
        return False
    return True


def remind_due_actions(deps: Deps, ws: Workspace, now: datetime) -> int:
    """On an item's due date, from the start of the working day, its owner gets one reminder."""
    local = now.astimezone(ZoneInfo(ws.timezone))
    if local.time() < parse_hhmm(ws.work_hours.split("-")[0]):
        return 0
    with deps.read() as s:
        items = actions_repo.due_on(s, team_id=ws.team_id, day=local.date())
    posts_due = [action_post(ws, i, due_today=True) for i in items if i.owner]
    return sum(once.deliver(deps, ws.team_id, p).status == "posted" for p in posts_due)


def _rebuild_summary(deps: Deps, held: PostedMessage) -> once.Post | None:
    meeting_id = held.key.removeprefix(SUMMARY_PREFIX)
    with deps.read() as s:
        m = repo.meeting(s, team_id=held.team_id, meeting_id=int(meeting_id)) if meeting_id.isdigit() else None
    return summary_post(deps, held.team_id, m, deps.clock()) if m is not None else None


def _rebuild_action(deps: Deps, held: PostedMessage) -> once.Post | None:
    due_today = held.key.startswith(ACTION_DUE)
    item_id = held.key.removeprefix(ACTION_DUE if due_today else ACTION_DM)
    with deps.read() as s:
        item = actions_repo.action(s, team_id=held.team_id, action_id=int(item_id)) if item_id.isdigit() else None
    if item is None or not item.owner:
        return None
    return action_post(load(deps, held.team_id), item, due_today=due_today)


def _id(m: Meeting) -> int:
    assert m.id is not None
    return m.id


SYNC_SUMMARY = once.Kind("sync-summary", rebuild=_rebuild_summary)
SYNC_ACTION_DM = once.Kind("action-dm", rebuild=_rebuild_action)
