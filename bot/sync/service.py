"""The biweekly Sales × Marketing sync: asking, reminding, the agenda with its data pack, closing.

Every message goes out once: a participant row is the claim on the question DM, and the agenda,
reminders, summaries and action-item DMs hold claims in `postedmessage` like the digests.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import Message
from bot.deps import Deps
from bot.i18n import N_, translator
from bot.kpi.delivery import INTERRUPTED, STALE_CLAIM, Attachment, tell_admins, upload
from bot.kpi.periods import Period
from bot.sync.calendar import Calendar, Slot, Timeline
from bot.workspace.store import load, save_settings
from storage.db import read_scope
from storage.models import ActionItem, IcpVersion, Meeting, MeetingAnswer, SyncSeries, Workspace
from storage.repos import posts
from storage.repos import sync as repo
from storage.types import utcnow

log = logging.getLogger(__name__)

STANDARD_QUESTIONS = (
    ("q1", N_("Why do clients agree to buy, or refuse?")),
    ("q2", N_("What do the successful cases have in common?")),
    ("q3", N_("What are the characteristic traits of a potential buyer?")),
    ("q4", N_("Do the ideal customer profile and the profile of a ready-to-buy client match?")),
    ("q5", N_("What can be improved in the work with clients?")),
)
DEPARTMENTS = ("sales", "marketing")
DEPARTMENT_LABELS = {"sales": N_("Sales"), "marketing": N_("Marketing")}
# How long after its end a meeting the bot missed still gets its summary posted.
GRACE = timedelta(hours=12)
# Late joiners of a user group are looked up this often while the questions are open.
ROSTER_REFRESH_MINUTES = 30


class SyncError(ValueError):
    """Something the person asking can fix; the text says what."""


def questions(ws: Workspace, series: SyncSeries) -> list[tuple[str, str]]:
    """(key, text) of every question, the standard ones in the workspace's language first."""
    _ = translator(ws.language)
    own = [(f"own{i}", q) for i, q in enumerate(series.questions, start=1)]
    return [(key, _(text)) for key, text in STANDARD_QUESTIONS] + own


def shown(ws: Workspace, series: SyncSeries) -> Workspace:
    """The workspace as the sync's messages show it: times in the series' own time zone."""
    return ws if ws.timezone == series.timezone else ws.model_copy(update={"timezone": series.timezone})


def find_series(deps: Deps, team_id: str) -> SyncSeries | None:
    with read_scope(deps.engine) as s:
        return repo.series(s, team_id)


def latest_icp(deps: Deps, team_id: str) -> IcpVersion | None:
    with read_scope(deps.engine) as s:
        return (repo.icp_versions(s, team_id, 1) or [None])[0]


def open_actions(deps: Deps, team_id: str) -> list[ActionItem]:
    with read_scope(deps.engine) as s:
        return repo.open_actions(s, team_id)


def load_series(deps: Deps, team_id: str) -> tuple[Workspace, SyncSeries]:
    ws = load(deps.engine, team_id)
    with read_scope(deps.engine) as s:
        series = repo.series(s, team_id)
    if series is None:
        _ = translator(ws.language)
        raise SyncError(_("The sync is not set up yet: an admin runs `/sync setup`."))
    return ws, series


def setup(deps: Deps, team_id: str, values: dict) -> SyncSeries:
    """Save the series (the channel is the workspace's sync channel); a new series starts from
    the workspace's time zone and its sales and marketing teams."""
    ws = load(deps.engine, team_id)
    values = dict(values)
    if "channel" in values:
        save_settings(deps.engine, team_id, {"sync_channel": values.pop("channel")})
    today = deps.clock().astimezone(ZoneInfo(values.get("timezone", ws.timezone))).date()
    defaults = {"timezone": ws.timezone, "sales": ws.sales, "marketing": ws.marketing, "start_date": today}
    return repo.save_series(deps.engine, team_id, values, defaults)


def people(client: WebClient, principals: list[str]) -> list[str]:
    """User ids behind a list of users and user groups (S…), in order, without repeats."""
    out: list[str] = []
    for p in principals:
        if p.startswith("S"):
            try:
                out += client.usergroups_users_list(usergroup=p).get("users", [])
            except SlackApiError as exc:
                log.warning("cannot read user group %s: %s", p, exc.response.get("error"))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def roster(client: WebClient, series: SyncSeries) -> dict[str, str]:
    """user id → department; someone in both teams is asked once, as sales."""
    out: dict[str, str] = {}
    for dept in DEPARTMENTS:
        for user in people(client, getattr(series, dept)):
            out.setdefault(user, dept)
    return out


def timeline(cal: Calendar, m: Meeting) -> Timeline:
    zone = cal.zone
    starts = m.starts_at.astimezone(zone)
    return cal.timeline(Slot(starts, m.ends_at.astimezone(zone), starts.date()))


# --- the ticker ---------------------------------------------------------------------------------


def run(deps: Deps, now: datetime) -> None:
    """Everything due around the sync at `now`, for every workspace with a series."""
    with read_scope(deps.engine) as s:
        all_series = repo.active_series(s)
    for series in all_series:
        try:
            run_series(deps, series, now)
        except Exception:
            log.exception("sync run failed for %s", series.team_id)


def run_series(deps: Deps, series: SyncSeries, now: datetime) -> None:
    ws = load(deps.engine, series.team_id)
    cal = Calendar(series, ws)
    length = timedelta(minutes=series.length_minutes)
    horizon = timedelta(days=7 * 3 + series.ask_days * 2)
    slots = [slot for slot in cal.slots(now - GRACE - length, now + horizon) if not slot.skipped]
    for slot in slots:
        # A meeting that ended while the bot was down is not run after the fact.
        if cal.timeline(slot).ask <= now < slot.ends_utc:
            repo.ensure_meeting(deps.engine, ws.team_id, slot.starts_utc, slot.ends_utc, "planned")
    with read_scope(deps.engine) as s:
        meetings = repo.unfinished_meetings(s, ws.team_id)
    valid = {slot.starts_utc for slot in slots}
    for m in meetings:
        if m.status == "planned" and m.starts_at not in valid:
            # The series changed (another day or time, a new holiday): this meeting no longer happens.
            repo.set_status(deps.engine, m.id, "skipped", only_from=("planned",))
            continue
        tl = timeline(cal, m)
        if now < tl.starts:
            ask(deps, ws, series, m, tl, now)
            remind(deps, shown(ws, series), m, tl, now)
        if tl.agenda <= now < tl.ends and m.status in ("planned", "open"):
            post_agenda(deps, ws.team_id, m.id, now)  # once; an open meeting's unfinished thread is resumed
        if now >= tl.ends:
            close(deps, ws.team_id, m.id, now, by=None, quiet=now > tl.ends + GRACE)
    remind_due_actions(deps, ws, cal, now)


def _dm(client: WebClient, user: str, msg: Message) -> dict:
    return client.chat_postMessage(channel=user, **msg.to_kwargs())


def ask(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting, tl: Timeline, now: datetime) -> int:
    """DM the questions to every participant not asked yet; returns how many were asked now."""
    from bot.sync.blocks import build_ask_dm

    with read_scope(deps.engine) as s:
        known = {p.user_id for p in repo.participants(s, m.id)}
    if known and now.minute % ROSTER_REFRESH_MINUTES:
        return 0
    client = deps.client(ws.team_id)
    asked, unreachable = 0, []
    for user, dept in roster(client, series).items():
        if user in known:
            continue
        pid = repo.claim_participant(deps.engine, ws.team_id, m.id, user, dept)
        if pid is None:
            continue
        try:
            resp = _dm(client, user, build_ask_dm(shown(ws, series), m, questions(ws, series)))
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown")
            repo.mark_participant(deps.engine, pid, status="unreachable", error=error)
            unreachable.append((user, error))
            continue
        repo.mark_participant(
            deps.engine, pid, status="asked", asked_at=now, dm_channel=resp.get("channel"), dm_ts=resp.get("ts")
        )
        asked += 1
    if unreachable:
        _tell_admins_unreachable(deps, ws, unreachable)
    return asked


def _tell_admins_unreachable(deps: Deps, ws: Workspace, who: list[tuple[str, str]]) -> None:
    _ = translator(ws.language)
    lines = "\n".join(f"• <@{u}> — {e}" for u, e in who)
    text = _(
        "I could not send the sync questions to these people (left the workspace or closed DMs with apps). "
        "They will not be asked again for this meeting:\n{lines}"
    ).format(lines=lines)
    log.warning("sync questions undeliverable to %d people", len(who))
    tell_admins(deps, ws, text)


def remind(deps: Deps, ws: Workspace, m: Meeting, tl: Timeline, now: datetime) -> int:
    """The latest reminder due, once, to those asked before it who have not answered (`ws` as
    `shown`: the reminder names the meeting's time)."""
    from bot.sync.blocks import build_reminder_dm

    due = [i for i, at in enumerate(tl.reminders) if at <= now]
    if not due:
        return 0
    index, at = due[-1], tl.reminders[due[-1]]
    with read_scope(deps.engine) as s:
        waiting = [
            p
            for p in repo.participants(s, m.id)
            if p.status == "asked" and p.answered_at is None and p.asked_at and p.asked_at < at
        ]
    return sum(
        _send_once(deps, ws, f"sync-remind/{m.id}/{index}/{p.user_id}", p.user_id, build_reminder_dm(ws, m))
        for p in waiting
    )


# --- answers ------------------------------------------------------------------------------------


def answer_form(deps: Deps, team_id: str, meeting_id: int, user_id: str):
    """What the Answer modal needs: the workspace, the meeting, the questions and this person's answers."""
    ws, series = load_series(deps, team_id)
    with read_scope(deps.engine) as s:
        m = repo.meeting(s, team_id, meeting_id)
        mine = {a.question: a.answer for a in repo.answers(s, meeting_id) if a.user_id == user_id} if m else {}
    if m is None:
        raise SyncError(translator(ws.language)("This meeting no longer exists."))
    return shown(ws, series), m, questions(ws, series), mine


def save_answers(deps: Deps, team_id: str, meeting_id: int, user_id: str, texts: dict[str, str]) -> None:
    """Keep the answers (empty ones clear a stored answer); refused once the meeting has started."""
    ws, series = load_series(deps, team_id)
    _ = translator(ws.language)
    with read_scope(deps.engine) as s:
        m = repo.meeting(s, team_id, meeting_id)
        p = repo.participant(s, meeting_id, user_id)
    if m is None:
        raise SyncError(_("This meeting no longer exists."))
    if deps.clock() >= m.starts_at or m.status != "planned":
        raise SyncError(_("The meeting has started: answers can no longer be changed. Bring them to the meeting."))
    dept = p.department if p else roster(deps.client(team_id), series).get(user_id)
    asked = questions(ws, series)
    values = {k: (text, (texts.get(k) or "").strip()) for k, text in asked}
    repo.save_answers(deps.engine, team_id, meeting_id, user_id, dept, values, deps.clock())
    if p is not None and p.dm_channel and p.dm_ts:
        from bot.sync.blocks import build_ask_dm

        answered = any(text for _q, text in values.values())
        try:
            deps.client(team_id).chat_update(
                channel=p.dm_channel,
                ts=p.dm_ts,
                **build_ask_dm(shown(ws, series), m, asked, answered=answered).to_kwargs(),
            )
        except SlackApiError as exc:
            log.warning("could not mark the question DM answered: %s", exc.response.get("error"))


def answer_sheet(deps: Deps, team_id: str, meeting_id: int) -> tuple[list[tuple[str, str]], list[MeetingAnswer]]:
    """The questions and every answer given for a meeting."""
    ws, series = load_series(deps, team_id)
    with read_scope(deps.engine) as s:
        return questions(ws, series), repo.answers(s, meeting_id)


def local_today(deps: Deps, ws: Workspace) -> date:
    return deps.clock().astimezone(ZoneInfo(ws.timezone)).date()


def response_rate(parts: list, answered: set[str]) -> dict[str, tuple[int, int]]:
    """department → (answered, asked); people the bot could not reach are not counted as asked."""
    out = {d: (0, 0) for d in DEPARTMENTS}
    for p in parts:
        if p.status != "asked":
            continue
        a, n = out[p.department]
        out[p.department] = (a + (p.user_id in answered), n + 1)
    return out


# --- the agenda and its data pack ---------------------------------------------------------------


@dataclass
class DataPack:
    period: Period
    report: object  # bot.kpi.Report
    quality: object  # bot.leads.quality.Quality
    feedback: dict[str, list]  # kind → newest first
    open_actions: list[ActionItem]
    icp: IcpVersion | None
    icp_before: IcpVersion | None


@dataclass
class Agenda:
    ws: Workspace
    meeting: Meeting
    participants: list
    answers: list[MeetingAnswer]
    questions: list[tuple[str, str]]
    rate: dict[str, tuple[int, int]]
    pack: DataPack

    @property
    def unreachable(self) -> list[str]:
        """Participants the question DM could not reach."""
        return [p.user_id for p in self.participants if p.status == "unreachable"]


def since_last_sync(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting) -> Period:
    """From the day of the previous meeting to the day before this one (local days)."""
    zone = ZoneInfo(ws.timezone)
    last_day = m.starts_at.astimezone(zone).date() - timedelta(days=1)
    with read_scope(deps.engine) as s:
        prev = repo.previous_meeting(s, ws.team_id, m.starts_at)
    first = prev.starts_at.astimezone(zone).date() if prev else last_day - timedelta(weeks=series.every_weeks, days=-1)
    return Period.between(min(first, last_day), last_day)


def data_pack(deps: Deps, ws: Workspace, series: SyncSeries, m: Meeting) -> DataPack:
    from bot.kpi.report import compute_report
    from bot.leads.quality import compute_quality

    period = since_last_sync(deps, ws, series, m)
    report = compute_report(deps.engine, ws.team_id, "range", period)
    quality = compute_quality(deps, ws.team_id, period)
    w = period.window(ws.team_id, ws.timezone)
    with read_scope(deps.engine) as s:
        # Feedback counts up to the meeting itself, not only up to the last whole day.
        items = repo.feedback_between(s, ws.team_id, w.start, m.starts_at)
        actions = repo.open_actions(s, ws.team_id)
        prev = repo.previous_meeting(s, ws.team_id, m.starts_at)
        newest_two = repo.icp_versions(s, ws.team_id, 2)
        # Changes since the last sync; before the first sync, since the version before the newest.
        before = repo.icp_at(s, ws.team_id, prev.starts_at) if prev else (newest_two[1:] or [None])[0]
    icp = (newest_two or [None])[0]
    feedback: dict[str, list] = {"review": [], "complaint": [], "wish": []}
    for f in items:
        feedback.setdefault(f.kind, []).append(f)
    return DataPack(period, report, quality, feedback, actions, icp, before)


def agenda(deps: Deps, team_id: str, meeting_id: int) -> Agenda:
    ws, series = load_series(deps, team_id)
    with read_scope(deps.engine) as s:
        m = repo.meeting(s, team_id, meeting_id)
        parts = repo.participants(s, meeting_id)
        answers = repo.answers(s, meeting_id)
    answered = {a.user_id for a in answers}
    return Agenda(
        ws=shown(ws, series),
        meeting=m,
        participants=parts,
        answers=answers,
        questions=questions(ws, series),
        rate=response_rate(parts, answered),
        pack=data_pack(deps, ws, series, m),
    )


def post_agenda(deps: Deps, team_id: str, meeting_id: int, now: datetime) -> str | None:
    """The agenda once: parent message, then answers, data pack, funnel picture and ICP in its thread.
    Each part of the thread is claimed on its own: a thread cut off half-way (Slack down, a restart) is
    finished on a later tick without posting again what is out."""
    from bot.sync.blocks import build_agenda

    ws = load(deps.engine, team_id)
    if not ws.sync_channel:
        log.warning("sync agenda for %s: no sync channel set", team_id)
        return None
    key = f"sync-agenda/{meeting_id}"
    claim = posts.claim(deps.engine, team_id, key, "sync-agenda", None)
    if claim is None:
        held = posts.find(deps.engine, team_id, key)
        if held is None or held.status != "posted" or not (held.channel and held.ts):
            return None  # done, failed, or being posted by another instance
        return _agenda_thread(deps, ws, meeting_id, held.id, held.channel, held.ts)
    repo.set_status(deps.engine, meeting_id, "open", only_from=("planned",))
    data = agenda(deps, team_id, meeting_id)
    client = deps.client(team_id)
    try:
        resp = client.chat_postMessage(channel=ws.sync_channel, **build_agenda(data).to_kwargs())
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown")
        posts.mark(deps.engine, claim.id, "failed", error=error)
        _tell_admins_channel(deps, ws, error)
        return None
    channel, ts = resp.get("channel", ws.sync_channel), resp["ts"]
    posts.mark(deps.engine, claim.id, "posted", channel=channel, ts=ts)
    return _agenda_thread(deps, ws, meeting_id, claim.id, channel, ts, data)


def _agenda_thread(
    deps: Deps,
    ws: Workspace,
    meeting_id: int,
    parent_claim: int,
    channel: str,
    ts: str,
    data: Agenda | None = None,
) -> str:
    """The parts of the agenda's thread not out yet, each once; the parent's claim is done after the last."""
    from bot.kpi.charts import render_funnel_png
    from bot.sync.blocks import build_agenda_thread

    data = data or agenda(deps, ws.team_id, meeting_id)
    client = deps.client(ws.team_id)
    _ = translator(ws.language)
    parts: list[tuple[str, object]] = [(f"{i}", msg) for i, msg in enumerate(build_agenda_thread(data))]
    parts.append(("funnel", None))
    for name, msg in parts:
        key = f"sync-agenda/{meeting_id}/{name}"
        part = posts.claim(deps.engine, ws.team_id, key, "sync-agenda-part", None)
        if part is None:
            held = posts.find(deps.engine, ws.team_id, key)
            if held is None or held.status == "done":
                continue
            if held.status == "claimed":
                if utcnow() - held.updated_at < STALE_CLAIM:  # claims carry wall-clock time
                    return ts  # another instance is posting this thread right now
                # Cut off between the claim and Slack's answer: it may be out; not posted again.
                posts.mark(deps.engine, held.id, "failed", error=INTERRUPTED)
                continue
            if held.error == INTERRUPTED:
                continue
            part = held  # Slack refused it last time: once more
            posts.mark(deps.engine, part.id, "claimed")
        try:
            if msg is None:
                png = render_funnel_png(data.pack.report)
                upload(client, channel, ts, [Attachment("sync-funnel.png", png, _("Funnel since the last sync"))])
            else:
                client.chat_postMessage(channel=channel, thread_ts=ts, **msg.to_kwargs())
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown")
            posts.mark(deps.engine, part.id, "failed", error=error)
            log.warning("sync agenda thread stopped at %s, to be finished later: %s", name, error)
            return ts
        posts.mark(deps.engine, part.id, "done")
    posts.mark(deps.engine, parent_claim, "done")
    return ts


def _tell_admins_channel(deps: Deps, ws: Workspace, error: str) -> None:
    _ = translator(ws.language)
    text = _("I could not post the sync agenda in <#{channel}>: Slack answered “{error}”. Type /invite @Handoff there.")
    tell_admins(deps, ws, text.format(channel=ws.sync_channel, error=error))


# --- during and after -----------------------------------------------------------------------------


def current(deps: Deps, team_id: str) -> Meeting | None:
    with read_scope(deps.engine) as s:
        return repo.current_meeting(s, team_id)


def add_action(deps: Deps, team_id: str, owner: str, text: str, due: date | None, author: str) -> ActionItem:
    """An action item of the meeting in progress (its owner hears of it in the summary) or, between
    meetings, of the next one — then the owner gets a DM at once."""
    from bot.sync.blocks import build_action_dm

    m = current(deps, team_id)
    item = repo.add_action(deps.engine, team_id, m.id if m else None, owner, text, due, author, deps.clock())
    if m is None or m.status != "open":
        ws = load(deps.engine, team_id)
        _send_once(deps, ws, f"action-dm/{item.id}", owner, build_action_dm(ws, item, due_today=False))
    return item


def add_note(deps: Deps, team_id: str, author: str, text: str):
    m = current(deps, team_id)
    return repo.add_note(deps.engine, team_id, m.id if m else None, author, text, deps.clock())


def mark_done(deps: Deps, team_id: str, action_id: int) -> ActionItem:
    ws = load(deps.engine, team_id)
    _ = translator(ws.language)
    if not repo.mark_done(deps.engine, team_id, action_id, deps.clock()):
        with read_scope(deps.engine) as s:
            item = repo.action(s, team_id, action_id)
        if item is None:
            raise SyncError(
                _("There is no action item #{id}. `/sync actions` lists the open ones.").format(id=action_id)
            )
        raise SyncError(_("Action item #{id} is already done.").format(id=action_id))
    with read_scope(deps.engine) as s:
        return repo.action(s, team_id, action_id)


def save_icp(deps: Deps, team_id: str, profile: str, indicators: str, author: str) -> IcpVersion | None:
    """A new version when something changed; None when the text is the same as the newest."""
    newest = latest_icp(deps, team_id)
    if newest and newest.profile == profile and newest.indicators == indicators:
        return None
    return repo.add_icp(deps.engine, team_id, profile, indicators, author, deps.clock())


def icp_changes(before: IcpVersion | None, after: IcpVersion | None) -> list[str]:
    """Lines added (+) and removed (−) between two versions, profile then indicators."""
    if after is None or (before is not None and before.version == after.version):
        return []
    out = []
    for attr in ("profile", "indicators"):
        old = (getattr(before, attr) if before else "").splitlines()
        new = getattr(after, attr).splitlines()
        for line in difflib.ndiff(old, new):
            if line[:2] in ("+ ", "- ") and line[2:].strip():
                out.append(("+ " if line[0] == "+" else "− ") + line[2:].strip())
    return out


@dataclass
class Summary:
    ws: Workspace
    meeting: Meeting
    notes: list
    new_actions: list[ActionItem]
    done_actions: list[ActionItem]
    icp_changes: list[str]
    icp: IcpVersion | None


def summary(deps: Deps, team_id: str, m: Meeting, now: datetime) -> Summary:
    ws, series = load_series(deps, team_id)
    ws = shown(ws, series)
    with read_scope(deps.engine) as s:
        prev = repo.previous_meeting(s, team_id, m.starts_at)
        since = prev.ends_at if prev else m.starts_at - timedelta(weeks=2)
        notes = repo.notes(s, m.id)
        new = repo.actions_created(s, team_id, m.id)
        done = repo.actions_done(s, team_id, since, now + timedelta(seconds=1))
        before = repo.icp_at(s, team_id, m.starts_at)
        newest = (repo.icp_versions(s, team_id, 1) or [None])[0]
    return Summary(ws, m, notes, new, done, icp_changes(before, newest), newest)


def close(deps: Deps, team_id: str, meeting_id: int, now: datetime, *, by: str | None, quiet: bool = False) -> bool:
    """Close the meeting once: the summary in the sync channel, then each owner's new items by DM.
    False when it was already closed."""
    from bot.sync.blocks import build_action_dm, build_summary

    if not repo.set_status(deps.engine, meeting_id, "closed", only_from=("planned", "open")):
        return False
    if quiet:
        return True
    ws = load(deps.engine, team_id)
    with read_scope(deps.engine) as s:
        m = repo.meeting(s, team_id, meeting_id)
    data = summary(deps, team_id, m, now)
    client = deps.client(team_id)
    agenda_post = posts.find(deps.engine, team_id, f"sync-agenda/{meeting_id}")
    claim = posts.claim(deps.engine, team_id, f"sync-summary/{meeting_id}", "sync-summary", None)
    if claim is not None and ws.sync_channel:
        thread = {"thread_ts": agenda_post.ts, "reply_broadcast": True} if agenda_post and agenda_post.ts else {}
        try:
            resp = client.chat_postMessage(
                channel=agenda_post.channel if thread else ws.sync_channel,
                **thread,
                **build_summary(data, by).to_kwargs(),
            )
            posts.mark(deps.engine, claim.id, "done", channel=resp.get("channel"), ts=resp.get("ts"))
        except SlackApiError as exc:
            posts.mark(deps.engine, claim.id, "failed", error=exc.response.get("error", "unknown"))
    for item in data.new_actions:
        if item.status == "open" and item.owner:
            _send_once(deps, ws, f"action-dm/{item.id}", item.owner, build_action_dm(ws, item, due_today=False))
    return True


def _send_once(deps: Deps, ws: Workspace, key: str, user: str, msg: Message) -> bool:
    """A DM under a claim on `key` (its kind is the key's first part): sent at most once, ever."""
    claim = posts.claim(deps.engine, ws.team_id, key, key.split("/")[0], None)
    if claim is None:
        return False
    try:
        resp = _dm(deps.client(ws.team_id), user, msg)
    except SlackApiError as exc:
        posts.mark(deps.engine, claim.id, "failed", error=exc.response.get("error", "unknown"))
        return False
    posts.mark(deps.engine, claim.id, "done", channel=resp.get("channel"), ts=resp.get("ts"))
    return True


def remind_due_actions(deps: Deps, ws: Workspace, cal: Calendar, now: datetime) -> int:
    """On an item's due date, from the start of the working day, its owner gets one reminder."""
    from bot.sync.blocks import build_action_dm
    from bot.workspace.keys import parse_hhmm

    local = now.astimezone(ZoneInfo(ws.timezone))
    if local.time() < parse_hhmm(ws.work_hours.split("-")[0]):
        return 0
    with read_scope(deps.engine) as s:
        items = repo.due_on(s, ws.team_id, local.date())
    return sum(
        _send_once(deps, ws, f"action-due/{i.id}", i.owner, build_action_dm(ws, i, due_today=True))
        for i in items
        if i.owner
    )


# --- for people -----------------------------------------------------------------------------------


def next_slots(deps: Deps, team_id: str, count: int = 4) -> tuple[Workspace, SyncSeries, list[Slot], Calendar]:
    ws, series = load_series(deps, team_id)
    cal = Calendar(series, ws)
    return ws, series, cal.next_slots(deps.clock(), count), cal


def meeting_for_answers(deps: Deps, team_id: str, which: str) -> Meeting | None:
    """`last` (the newest meeting with questions out) or a local date."""
    ws = load(deps.engine, team_id)
    with read_scope(deps.engine) as s:
        if which in ("", "last"):
            return repo.previous_meeting(s, team_id, deps.clock() + timedelta(days=31))
        day = date.fromisoformat(which)
        zone = ZoneInfo(ws.timezone)
        start = datetime.combine(day, datetime.min.time(), zone)
        return repo.meeting_on(s, team_id, start, start + timedelta(days=1))


class ParseError(ValueError):
    """A command's text that does not parse: a catalog message and its values, translated when shown."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid, self.params = msgid, params

    def text(self, language: str) -> str:
        return translator(language)(self.msgid).format(**self.params)


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")
_DUE = re.compile(r"\s+due\s+(\S+)\s*$", re.IGNORECASE)


def parse_action(text: str) -> tuple[str, str, date | None]:
    """`@owner text [due YYYY-MM-DD]` → (owner id, text, due date); ParseError says what is wrong."""
    owner_word, _sep, rest = text.strip().partition(" ")
    m = _MENTION.match(owner_word)
    if not m:
        raise ParseError(N_("start with the owner, like `/sync action @anna Update the lead form due 2026-12-15`"))
    due = None
    found = _DUE.search(rest)
    if found:
        try:
            due = date.fromisoformat(found.group(1))
        except ValueError:
            raise ParseError(N_("“{value}” is not a date (YYYY-MM-DD)"), value=found.group(1)) from None
        rest = rest[: found.start()]
    if not rest.strip():
        raise ParseError(N_("say what is to be done after the owner"))
    return m.group(1) or m.group(2), rest.strip(), due


FEEDBACK_KINDS = ("review", "complaint", "wish")


def parse_feedback(text: str) -> tuple[str, int | None, str]:
    """`review|complaint|wish [1-5] text` → (kind, rating, text)."""
    words = text.strip().split(maxsplit=1)
    if not words or words[0].lower() not in FEEDBACK_KINDS:
        raise ParseError(N_("start with review, complaint or wish, like `/feedback review 5 Fast delivery`"))
    kind, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    rating = None
    head, _sep, tail = rest.partition(" ")
    if head.isdigit():
        if not 1 <= int(head) <= 5:
            raise ParseError(N_("a rating is 1 to 5"))
        rating, rest = int(head), tail
    if not rest.strip():
        raise ParseError(N_("add the customer's words after the kind"))
    return kind, rating, rest.strip()


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
    from storage.models import Feedback

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
    return repo.add_feedback(deps.engine, row)
