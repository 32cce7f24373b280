"""Posting to Slack exactly once.

Everything the bot posts by itself — digests, quality reports, lead cards, nudges and escalations,
sync DMs, the agenda and its thread, the summary, action-item DMs, notices to admins — goes through
`deliver`:

1. claim the post's key (a unique row: whoever inserts it posts, everyone else reads what happened);
2. post the message, carrying the key in its metadata;
3. record where it is — with the kind's own bookkeeping (a card's place) in the same transaction;
4. post each part of its thread (replies, files), each under a claim of its own;
5. mark it done.

Between 2 and 3 a process can die, or a connection drop after Slack accepted the post: the claim is
then left `claimed` (or marked `unsure`) and is never posted blindly again. `resume`, run on every
tick, looks such a post up in its channel by the key in its metadata (bot.slack.lookup): recorded if
it is there, posted if it is not. Where Slack cannot tell (a DM, a missing scope) the post is given
up and its `on_failure` tells the admins. A post whose thread was cut off is finished the same way.
Every time is the injected clock's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.slack import lookup
from bot.slack.kit import Message
from storage.models import PostedMessage
from storage.repos import posts as repo
from storage.repos.posts import CLAIMED, DONE, FAILED, PART, POSTED, UNSURE

log = logging.getLogger(__name__)

# A claim this old with no answer recorded was cut off (Slack answers in seconds; a 429 is waited
# out within a minute or two).
STALE = timedelta(minutes=5)
# A thread part Slack refused is tried again on later ticks; after this many tries it is given up.
MAX_ATTEMPTS = 3
INTERRUPTED = "interrupted before Slack answered"

Row = tuple[int, str, str | None, str | None, str | None]  # claim id, status, channel, ts, error
BUSY = -1  # a thread part another process is posting right now


class Runtime(Protocol):
    """What posting needs of the process (bot.deps.Deps): units of work, the Slack client, the clock."""

    def read(self) -> AbstractContextManager[Session]: ...
    def write(self) -> AbstractContextManager[Session]: ...
    def client(self, team_id: str) -> WebClient: ...
    def clock(self) -> datetime: ...


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class Files:
    """Files uploaded into the thread (files_upload_v2)."""

    files: tuple[Attachment, ...]


Part = Message | Files


@dataclass(frozen=True)
class Post:
    """One post to make exactly once."""

    key: str  # unique in the workspace, e.g. daily/2026-11-30, lead-card/42
    kind: Kind
    channel: str  # a channel id, or a user id for a DM
    build: Callable[[], Message]  # called once the claim is taken: nothing is computed for a held claim
    thread_ts: str | None = None  # a reply in an existing thread (a nudge under its card)
    broadcast: bool = False
    thread: Callable[[], Sequence[tuple[str, Part]]] | None = None  # named parts of its own thread
    period: str | None = None
    on_failure: Callable[[str], None] | None = None  # Slack refused it, or whether it is out cannot be known


@dataclass(frozen=True)
class Sent:
    post: Post
    channel: str
    ts: str


@dataclass(frozen=True)
class Kind:
    """A kind of post: how to build one again from its claim (to resume it), and the bookkeeping to do,
    in the record's transaction, when posts of this kind are out."""

    name: str
    # The claim → its post again (None: give it up), given the resuming process's Deps.
    rebuild: Callable[[Any, PostedMessage], Post | None]
    on_sent: Callable[[Session, str, list[Sent], datetime], None] | None = None  # (session, team, sent, now)


@dataclass
class Outcome:
    status: str  # posted | skipped | failed | unsure
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)


def deliver(deps: Runtime, team_id: str, post: Post) -> Outcome:
    return deliver_all(deps, team_id, [post])[0]


def deliver_all(
    deps: Runtime, team_id: str, posts: Sequence[Post], *, on_claim: Callable[[Session], None] | None = None
) -> list[Outcome]:
    """Deliver several posts of a workspace with one claim and one record for all (the card worker
    posts ten cards a time); `on_claim` runs in the claim's transaction. Outcomes in the posts' order."""
    with deps.write() as s:
        claims = [(p.key, p.kind.name, p.period, p.channel) for p in posts]
        taken = repo.claim_many(s, team_id=team_id, claims=claims, now=deps.clock())
        if on_claim is not None:
            on_claim(s)
    fresh = [(p, taken[p.key]) for p in posts if p.key in taken]
    done = dict(zip((p.key for p, _ in fresh), _send_all(deps, team_id, fresh), strict=True))
    return [done[p.key] if p.key in done else _carry_on(deps, team_id, p) for p in posts]


def resume(deps: Runtime, kinds: Mapping[str, Kind]) -> int:
    """Take up every post left unfinished — cut off before its answer was recorded, unsure, or with
    its thread not finished — once it is stale; how many were taken up."""
    with deps.read() as s:
        held = repo.unfinished(s, before=deps.clock() - STALE)
    for row in held:
        try:
            kind = kinds.get(row.kind)
            post = kind.rebuild(deps, row) if kind else None
            if post is None:
                log.warning("%s cannot be resumed; given up", row.key)
                _mark(deps, _id(row), FAILED, error="cannot be resumed")
            else:
                _carry_on(deps, row.team_id, post)
        except Exception:
            log.exception("resuming %s failed", row.key)
    return len(held)


# --- posting ---------------------------------------------------------------------------------------


def _send_all(deps: Runtime, team_id: str, claimed: list[tuple[Post, int]]) -> list[Outcome]:
    """Post each claimed post, record every outcome in one transaction, then finish their threads."""
    client = deps.client(team_id)
    outcomes = [_send(client, post) for post, _ in claimed]
    rows: list[Row] = []
    sent: list[Sent] = []
    for (post, claim_id), out in zip(claimed, outcomes, strict=True):
        if out.status == "posted" and out.channel and out.ts:
            rows.append((claim_id, POSTED if post.thread else DONE, out.channel, out.ts, None))
            sent.append(Sent(post, out.channel, out.ts))
        else:
            rows.append((claim_id, FAILED if out.status == "failed" else UNSURE, None, None, out.error))
    _record(deps, team_id, rows, sent)
    for (post, claim_id), out in zip(claimed, outcomes, strict=True):
        if out.status == "failed" and post.on_failure is not None and out.error:
            post.on_failure(out.error)
        elif out.status == "posted" and post.thread is not None and out.channel and out.ts:
            finished = _finish_thread(deps, team_id, post, claim_id, out.channel, out.ts)
            out.error, out.files = finished.error, finished.files
    return outcomes


def _send(client: WebClient, post: Post) -> Outcome:
    try:
        resp = client.chat_postMessage(
            channel=post.channel,
            thread_ts=post.thread_ts,
            reply_broadcast=post.broadcast or None,
            metadata=lookup.metadata(post.key),
            **post.build().to_kwargs(),
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown")
        log.warning("%s not posted: %s", post.key, error)
        return Outcome("failed", error=error)
    except OSError as exc:  # the connection dropped: Slack may have the message
        log.warning("%s: no answer from Slack (%s); to be looked up", post.key, type(exc).__name__)
        return Outcome("unsure", error=type(exc).__name__)
    except Exception:
        log.exception("%s could not be posted", post.key)
        return Outcome("failed", error="exception")
    return Outcome("posted", resp.get("channel") or post.channel, resp["ts"])


def _record(deps: Runtime, team_id: str, rows: list[Row], sent: list[Sent]) -> None:
    now = deps.clock()
    by_kind: dict[str, list[Sent]] = {}
    for x in sent:
        by_kind.setdefault(x.post.kind.name, []).append(x)
    with deps.write() as s:
        repo.record(s, outcomes=rows, now=now)
        for batch in by_kind.values():
            if batch[0].post.kind.on_sent is not None:
                batch[0].post.kind.on_sent(s, team_id, batch, now)


def _mark(deps: Runtime, claim_id: int, status: str, *, ts: str | None = None, error: str | None = None) -> None:
    with deps.write() as s:
        repo.record(s, outcomes=[(claim_id, status, None, ts, error)], now=deps.clock())


# --- a claim someone holds -------------------------------------------------------------------------


def _carry_on(deps: Runtime, team_id: str, post: Post) -> Outcome:
    """The claim was held already: say what became of it, finish its thread, or — when it was cut off —
    find out whether Slack has it and record it, or post it."""
    with deps.read() as s:
        held = repo.get(s, team_id=team_id, key=post.key)
    if held is None or held.status in (DONE, FAILED):
        return Outcome("skipped", *((held.channel, held.ts, held.error) if held else ()))
    if held.status == POSTED and held.channel and held.ts:
        return _finish_thread(deps, team_id, post, _id(held), held.channel, held.ts)
    if held.status == CLAIMED and deps.clock() - held.updated_at < STALE:
        return Outcome("skipped")  # being posted right now
    channel = held.channel or post.channel
    try:
        ts = lookup.find(deps.client(team_id), channel, post.key, held.updated_at, thread_ts=post.thread_ts)
    except lookup.Unknowable as exc:
        error = f"{INTERRUPTED} ({exc})"
        log.warning("%s given up: %s", post.key, error)
        _mark(deps, _id(held), FAILED, error=error)
        if post.on_failure is not None:
            post.on_failure(error)
        return Outcome("failed", error=error)
    if ts is None:
        with deps.write() as s:
            if not repo.retake(s, held=held, now=deps.clock()):
                return Outcome("skipped")  # another process took it over first
        return _send_all(deps, team_id, [(post, _id(held))])[0]
    log.info("%s was out after all: recorded", post.key)
    _record(deps, team_id, [(_id(held), POSTED if post.thread else DONE, channel, ts, None)], [Sent(post, channel, ts)])
    if post.thread is not None:
        return _finish_thread(deps, team_id, post, _id(held), channel, ts)
    return Outcome("posted", channel, ts)


# --- the thread ------------------------------------------------------------------------------------


def _finish_thread(deps: Runtime, team_id: str, post: Post, parent_id: int, channel: str, ts: str) -> Outcome:
    """The parts of the thread not out yet, in order, each once; the post is done after the last.
    A part Slack refused stops the thread until a later tick, up to MAX_ATTEMPTS tries."""
    client = deps.client(team_id)
    files: list[str] = []
    for name, part in post.thread() if post.thread else []:
        claim_id = _claim_part(deps, team_id, f"{post.key}/{name}", part, channel, ts)
        if claim_id is None:
            continue  # out already, or given up before
        if claim_id == BUSY:
            return Outcome("posted", channel, ts, files=files)  # another process is finishing it
        try:
            if isinstance(part, Files):
                files += _upload(client, channel, ts, part)
                _mark(deps, claim_id, DONE)
            else:
                key = f"{post.key}/{name}"
                resp = client.chat_postMessage(
                    channel=channel, thread_ts=ts, metadata=lookup.metadata(key), **part.to_kwargs()
                )
                _mark(deps, claim_id, DONE, ts=resp["ts"])
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown")
            log.warning("%s: thread stopped at %s, to be finished later: %s", post.key, name, error)
            _mark(deps, claim_id, FAILED, error=error)
            if _attempts(deps, team_id, f"{post.key}/{name}") < MAX_ATTEMPTS:
                return Outcome("posted", channel, ts, error=error, files=files)
            if post.on_failure is not None:
                post.on_failure(error)
        except OSError as exc:
            _mark(deps, claim_id, UNSURE, error=type(exc).__name__)
            return Outcome("posted", channel, ts, error=type(exc).__name__, files=files)
    _mark(deps, parent_id, DONE)
    return Outcome("posted", channel, ts, files=files)


def _claim_part(deps: Runtime, team_id: str, key: str, part: Part, channel: str, thread_ts: str) -> int | None:
    """The claim id to post this part under; None when it needs no posting (out, or given up), BUSY when
    another process holds it right now. A part cut off is looked up in the thread first."""
    with deps.write() as s:
        taken = repo.claim_many(s, team_id=team_id, claims=[(key, PART, None, channel)], now=deps.clock())
    if key in taken:
        return taken[key]
    with deps.read() as s:
        held = repo.get(s, team_id=team_id, key=key)
    if held is None or held.status == DONE:
        return None
    if held.status == FAILED and (held.attempts >= MAX_ATTEMPTS or (held.error or "").startswith(INTERRUPTED)):
        return None
    if held.status == CLAIMED and deps.clock() - held.updated_at < STALE:
        return BUSY
    if held.status in (CLAIMED, UNSURE):
        filename = part.files[0].filename if isinstance(part, Files) else None
        try:
            found = lookup.find(
                deps.client(team_id), channel, key, held.updated_at, thread_ts=thread_ts, filename=filename
            )
        except lookup.Unknowable as exc:
            _mark(deps, _id(held), FAILED, error=f"{INTERRUPTED} ({exc})")
            return None
        if found is not None:
            _mark(deps, _id(held), DONE, ts=found)
            return None
    with deps.write() as s:
        return _id(held) if repo.retake(s, held=held, now=deps.clock()) else BUSY


def _attempts(deps: Runtime, team_id: str, key: str) -> int:
    with deps.read() as s:
        held = repo.get(s, team_id=team_id, key=key)
    return held.attempts if held else MAX_ATTEMPTS


def _upload(client: WebClient, channel: str, thread_ts: str, part: Files) -> list[str]:
    """files_upload_v2 (getUploadURLExternal → bytes → completeUploadExternal) into the thread."""
    resp = client.files_upload_v2(
        file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in part.files],
        channel=channel,
        thread_ts=thread_ts,
    )
    return [f["id"] for f in resp.get("files") or []]


def _id(row: PostedMessage) -> int:
    assert row.id is not None
    return row.id
