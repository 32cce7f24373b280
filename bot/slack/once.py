"""Posting to Slack exactly once.

Everything the bot posts by itself — digests, quality reports, lead cards, nudges and escalations,
sync DMs, the agenda and its thread, the summary, action-item DMs, notices to admins — goes through
`deliver`:

1. claim the post's key (a unique row: whoever inserts it posts, everyone else reads what happened);
2. post the message, carrying the key in its metadata;
3. record where it is — with the kind's own bookkeeping (a card's place) in the same transaction;
4. post each part of its thread (replies, files), each under a claim of its own;
5. mark it done.

Between 2 and 3 a process can die or a connection drop after Slack accepted the post: the claim is
then left `claimed` (or marked `unsure`) and is never posted blindly again. `resume`, run on every
tick, looks such a post up in its channel by the key in its metadata: recorded if it is there,
posted if it is not. Where Slack cannot be asked (a DM, a missing scope) the post is given up and
the kind's `on_failure` tells the admins. A post whose thread was cut off is finished the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.slack.kit import Message
from storage.models import PostedMessage
from storage.repos import posts as repo
from storage.repos.posts import CLAIMED, DONE, FAILED, PART, POSTED, UNSURE

log = logging.getLogger(__name__)

# A claim this old with no answer recorded was cut off (Slack's answer takes seconds; a 429 is waited
# out within a minute or two).
STALE = timedelta(minutes=5)
# A thread part Slack refused is tried again on later ticks; after this many tries it is given up.
MAX_ATTEMPTS = 3
LOOKUP_PAGES = 5
INTERRUPTED = "interrupted before Slack answered"
EVENT_TYPE = "handoff_post"


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
    """A kind of post: how to build one again from its key (to resume it), and the bookkeeping to do,
    in the record's transaction, when posts of this kind are out."""

    name: str
    rebuild: Callable[[Deps, PostedMessage], Post | None]  # the claim → its post again; None: give it up
    on_sent: Callable[[Session, str, list[Sent], datetime], None] | None = None  # (session, team, sent, now)


@dataclass
class Outcome:
    status: str  # posted | skipped | failed | unsure
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)


class _Unverifiable(Exception):
    pass


def deliver(deps: Deps, team_id: str, post: Post) -> Outcome:
    return deliver_all(deps, team_id, [post])[0]


def deliver_all(
    deps: Deps, team_id: str, posts: Sequence[Post], *, on_claim: Callable[[Session], None] | None = None
) -> list[Outcome]:
    """Deliver several posts of a workspace with one claim and one record for all (the card worker
    posts ten cards a time); `on_claim` runs in the claim's transaction. Outcomes in the posts' order."""
    now = deps.clock()
    with deps.write() as s:
        taken = repo.claim_many(
            s, team_id=team_id, claims=[(p.key, p.kind.name, p.period, p.channel) for p in posts], now=now
        )
        if on_claim is not None:
            on_claim(s)
    fresh = [(p, taken[p.key]) for p in posts if p.key in taken]
    done = dict(zip((p.key for p, _ in fresh), _send_all(deps, team_id, fresh), strict=True))
    return [done[p.key] if p.key in done else _carry_on(deps, team_id, p) for p in posts]


def resume(deps: Deps, kinds: Mapping[str, Kind]) -> int:
    """Finish every post left unfinished (cut off before its answer was recorded, unsure, or with its
    thread not finished); how many were taken up."""
    now = deps.clock()
    with deps.read() as s:
        held = repo.unfinished(s, before=now - STALE)
    for row in held:
        kind = kinds.get(row.kind)
        try:
            post = kind.rebuild(deps, row) if kind else None
        except Exception:
            log.exception("cannot rebuild %s to resume it", row.key)
            post = None
        if post is None:
            log.warning("%s cannot be resumed; given up", row.key)
            with deps.write() as s:
                repo.record(s, outcomes=[(_id(row), FAILED, None, None, "cannot be resumed")], now=deps.clock())
            continue
        try:
            _carry_on(deps, row.team_id, post, stale_after=timedelta(0) if row.status == UNSURE else STALE)
        except Exception:
            log.exception("resuming %s failed", row.key)
    return len(held)


# --- posting ---------------------------------------------------------------------------------------


def _send_all(deps: Deps, team_id: str, claimed: list[tuple[Post, int]]) -> list[Outcome]:
    """Post each claimed post, record every outcome in one transaction, then finish their threads."""
    client = deps.client(team_id)
    outcomes: list[Outcome] = []
    rows: list[tuple[int, str, str | None, str | None, str | None]] = []
    sent: dict[str, list[Sent]] = {}
    for post, claim_id in claimed:
        outcome = _send(client, post)
        outcomes.append(outcome)
        if outcome.status == "posted" and outcome.channel and outcome.ts:
            status = POSTED if post.thread else DONE
            rows.append((claim_id, status, outcome.channel, outcome.ts, None))
            sent.setdefault(post.kind.name, []).append(Sent(post, outcome.channel, outcome.ts))
        else:
            rows.append((claim_id, FAILED if outcome.status == "failed" else UNSURE, None, None, outcome.error))
    _record(deps, team_id, rows, sent)
    for (post, claim_id), outcome in zip(claimed, outcomes, strict=True):
        if outcome.status == "failed" and post.on_failure is not None and outcome.error:
            post.on_failure(outcome.error)
        elif outcome.status == "posted" and post.thread is not None and outcome.channel and outcome.ts:
            outcome.files = _finish_thread(deps, team_id, post, claim_id, outcome.channel, outcome.ts).files
    return outcomes


def _send(client: WebClient, post: Post) -> Outcome:
    try:
        message = post.build()
        resp = client.chat_postMessage(
            channel=post.channel,
            thread_ts=post.thread_ts,
            reply_broadcast=post.broadcast or None,
            metadata=_metadata(post.key),
            **message.to_kwargs(),
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


def _record(
    deps: Deps,
    team_id: str,
    rows: list[tuple[int, str, str | None, str | None, str | None]],
    sent: Mapping[str, list[Sent]],
) -> None:
    now = deps.clock()
    with deps.write() as s:
        repo.record(s, outcomes=rows, now=now)
        for batch in sent.values():
            hook = batch[0].post.kind.on_sent
            if hook is not None:
                hook(s, team_id, batch, now)


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}}


# --- a claim someone holds -------------------------------------------------------------------------


def _carry_on(deps: Deps, team_id: str, post: Post, *, stale_after: timedelta = STALE) -> Outcome:
    """The claim was held already: report what happened, finish its thread, or — when it was cut off —
    find out whether it is in Slack and record it or post it."""
    with deps.read() as s:
        held = repo.get(s, team_id=team_id, key=post.key)
    if held is None:
        return Outcome("skipped")
    if held.status in (DONE, FAILED):
        return Outcome("skipped", held.channel, held.ts, held.error)
    if held.status == POSTED and held.channel and held.ts:
        return _finish_thread(deps, team_id, post, _id(held), held.channel, held.ts)
    if held.status == CLAIMED and deps.clock() - held.updated_at < stale_after:
        return Outcome("skipped")  # being posted right now
    channel = held.channel or post.channel
    try:
        ts = _look_up(deps.client(team_id), channel, post.key, held.updated_at, thread_ts=post.thread_ts)
    except _Unverifiable as exc:
        return _give_up(deps, post, held, f"{INTERRUPTED} ({exc})")
    if ts is not None:
        log.info("%s was out after all: recorded", post.key)
        status = POSTED if post.thread else DONE
        _record(deps, team_id, [(_id(held), status, channel, ts, None)], {post.kind.name: [Sent(post, channel, ts)]})
        if post.thread is not None:
            return _finish_thread(deps, team_id, post, _id(held), channel, ts)
        return Outcome("posted", channel, ts)
    with deps.write() as s:
        if not repo.retake(s, held=held, now=deps.clock()):
            return Outcome("skipped")
    return _send_all(deps, team_id, [(post, _id(held))])[0]


def _give_up(deps: Deps, post: Post, held: PostedMessage, error: str) -> Outcome:
    log.warning("%s given up: %s", post.key, error)
    with deps.write() as s:
        repo.record(s, outcomes=[(_id(held), FAILED, None, None, error)], now=deps.clock())
    if post.on_failure is not None:
        post.on_failure(error)
    return Outcome("failed", error=error)


def _look_up(
    client: WebClient,
    channel: str,
    key: str,
    since: datetime,
    *,
    thread_ts: str | None = None,
    filename: str | None = None,
) -> str | None:
    """The ts of the message carrying `key` (or the file `filename`) in the channel or thread, posted
    since `since`; None when it is not there. Raises _Unverifiable when Slack cannot be asked."""
    if not channel.startswith(("C", "G", "D")):
        raise _Unverifiable("a direct message cannot be looked up")
    cursor = None
    for _ in range(LOOKUP_PAGES):
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp() - 60:.6f}",
            "include_all_metadata": True,
            "limit": 100,
        }
        if cursor:
            args["cursor"] = cursor
        try:
            resp = (
                client.conversations_replies(ts=thread_ts, **args)
                if thread_ts
                else client.conversations_history(**args)
            )
        except SlackApiError as exc:
            raise _Unverifiable(str(exc.response.get("error") or "unknown")) from None
        except OSError as exc:
            raise _Unverifiable(type(exc).__name__) from None
        for m in resp.get("messages") or []:
            if ((m.get("metadata") or {}).get("event_payload") or {}).get("key") == key:
                return str(m["ts"])
            if filename and any(f.get("name") == filename for f in m.get("files") or []):
                return str(m["ts"])
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    raise _Unverifiable("too many messages to look through")


# --- the thread ------------------------------------------------------------------------------------


def _finish_thread(deps: Deps, team_id: str, post: Post, parent_id: int, channel: str, ts: str) -> Outcome:
    """The parts of the thread not out yet, in order, each once; the post is done after the last.
    A part Slack refused stops the thread until a later tick, up to MAX_ATTEMPTS tries."""
    client = deps.client(team_id)
    files: list[str] = []
    for name, part in post.thread() if post.thread else []:
        key = f"{post.key}/{name}"
        with deps.write() as s:
            taken = repo.claim_many(s, team_id=team_id, claims=[(key, PART, None, channel)], now=deps.clock())
        if key in taken:
            claim_id = taken[key]
        else:
            with deps.read() as s:
                held = repo.get(s, team_id=team_id, key=key)
            if held is None or held.status == DONE:
                continue
            if held.status == FAILED and (held.attempts >= MAX_ATTEMPTS or (held.error or "").startswith(INTERRUPTED)):
                continue  # given up before
            if held.status in (CLAIMED, UNSURE):
                if held.status == CLAIMED and deps.clock() - held.updated_at < STALE:
                    return Outcome("posted", channel, ts)  # another process is finishing it
                filename = part.files[0].filename if isinstance(part, Files) else None
                try:
                    found = _look_up(client, channel, key, held.updated_at, thread_ts=ts, filename=filename)
                except _Unverifiable as exc:
                    _mark(deps, _id(held), FAILED, error=f"{INTERRUPTED} ({exc})")
                    continue
                if found is not None:
                    _mark(deps, _id(held), DONE, ts=found)
                    continue
            with deps.write() as s:
                if not repo.retake(s, held=held, now=deps.clock()):
                    return Outcome("posted", channel, ts)
            claim_id = _id(held)
        try:
            if isinstance(part, Files):
                files += _upload(client, channel, ts, part)
                _mark(deps, claim_id, DONE)
            else:
                resp = client.chat_postMessage(
                    channel=channel, thread_ts=ts, metadata=_metadata(key), **part.to_kwargs()
                )
                _mark(deps, claim_id, DONE, ts=resp["ts"])
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown")
            log.warning("%s: thread stopped at %s, to be finished later: %s", post.key, name, error)
            _mark(deps, claim_id, FAILED, error=error)
            with deps.read() as s:
                now_held = repo.get(s, team_id=team_id, key=key)
                tries = now_held.attempts if now_held is not None else MAX_ATTEMPTS
            if tries < MAX_ATTEMPTS:
                return Outcome("posted", channel, ts, error=error, files=files)
            if post.on_failure is not None:
                post.on_failure(error)
        except OSError as exc:
            _mark(deps, claim_id, UNSURE, error=type(exc).__name__)
            return Outcome("posted", channel, ts, error=type(exc).__name__, files=files)
    _mark(deps, parent_id, DONE)
    return Outcome("posted", channel, ts, files=files)


def _upload(client: WebClient, channel: str, thread_ts: str, part: Files) -> list[str]:
    """files_upload_v2 (getUploadURLExternal → bytes → completeUploadExternal) into the thread."""
    resp = client.files_upload_v2(
        file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in part.files],
        channel=channel,
        thread_ts=thread_ts,
    )
    return [f["id"] for f in resp.get("files") or []]


def _mark(deps: Deps, claim_id: int, status: str, *, ts: str | None = None, error: str | None = None) -> None:
    with deps.write() as s:
        repo.record(s, outcomes=[(claim_id, status, None, ts, error)], now=deps.clock())


def _id(row: PostedMessage) -> int:
    assert row.id is not None
    return row.id
