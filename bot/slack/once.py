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
Every time is the injected clock's. What a post is: bot.slack.post; its thread: bot.slack.thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.slack import lookup, thread
from bot.slack.post import (
    CHANNEL_ERRORS,
    INTERRUPTED,
    KEPT,
    MAX_ATTEMPTS,
    RESUMABLE,
    STALE,
    Attachment,
    Files,
    Kind,
    Outcome,
    Part,
    Post,
    Runtime,
    Sent,
    outcome_unknown,
)
from storage.models import PostedMessage
from storage.repos import posts as repo
from storage.repos import retention
from storage.repos.posts import DONE, FAILED, POSTED, UNSURE

log = logging.getLogger(__name__)
Row = tuple[int, str, str | None, str | None, str | None]  # claim id, status, channel, ts, error
OnClaim = Callable[[Session], None]

__all__ = [
    "CHANNEL_ERRORS",
    "INTERRUPTED",
    "KEPT",
    "MAX_ATTEMPTS",
    "RESUMABLE",
    "STALE",
    "Attachment",
    "Files",
    "Kind",
    "Outcome",
    "Part",
    "Post",
    "Runtime",
    "Sent",
    "deliver",
    "deliver_all",
    "posted_at",
    "purge",
    "resume",
    "try_again",
]


def deliver(deps: Runtime, team_id: str, post: Post, *, thread_now: bool = True) -> Outcome:
    """Post once; `thread_now=False` leaves its thread to the next delivery of the same post (or resume)."""
    return deliver_all(deps, team_id, [post], thread_now=thread_now)[0]


def posted_at(deps: Runtime, team_id: str, key: str) -> str | None:
    """The channel a post of this key is already out in (its answer recorded), else None."""
    with deps.read() as s:
        row = repo.get(s, team_id=team_id, key=key)
        return row.channel if row is not None and row.ts else None


def deliver_all(
    deps: Runtime, team_id: str, posts: Sequence[Post], *, on_claim: OnClaim | None = None, thread_now: bool = True
) -> list[Outcome]:
    """Deliver several posts of a workspace with one claim and one record for all (the card worker
    posts ten cards a time); `on_claim` runs in the claim's transaction, whether or not the claims were
    taken (it must be idempotent). Outcomes in the posts' order."""
    now = deps.clock()
    with deps.write() as s:
        claims = [(p.key, p.kind.name, p.period, p.channel) for p in posts]
        taken = repo.claim_many(s, team_id=team_id, claims=claims, now=now)
        if on_claim is not None:
            on_claim(s)
    fresh = [(p, taken[p.key]) for p in posts if p.key in taken]
    sent = _send_all(deps, team_id, fresh, since=now, thread_now=thread_now)
    done = dict(zip((p.key for p, _ in fresh), sent, strict=True))
    return [done[p.key] if p.key in done else _carry_on(deps, team_id, p, thread_now=thread_now) for p in posts]


def resume(deps: Runtime, kinds: Mapping[str, Kind]) -> int:
    """Take up every post of the last RESUMABLE left unfinished — cut off before its answer was
    recorded, unsure, or with its thread not finished — once it is stale; how many were taken up.
    Older ones (the bot was down for days) are given up and reported."""
    now = deps.clock()
    with deps.read() as s:
        too_old = repo.expired(s, before=now - RESUMABLE)
        held = repo.unfinished(s, before=now - STALE, since=now - RESUMABLE)
    for row in too_old:
        late = f"not finished within {RESUMABLE.days} days"
        _give_up(deps, kinds, row, f"its thread was {late}" if row.status == POSTED else f"{INTERRUPTED} ({late})")
    seen: lookup.Seen = {}  # a channel's history read once for all its cut-off posts
    for row in held:
        try:
            kind = kinds.get(row.kind)
            post = kind.rebuild(deps, row) if kind else None
            if post is None:
                log.warning("%s cannot be resumed; given up", row.key)
                thread.mark(deps, thread.row_id(row), FAILED, error="cannot be resumed")
            else:
                _carry_on(deps, row.team_id, post, seen=seen)
        except Exception:
            log.exception("resuming %s failed", row.key)
    return len(held)


def purge(deps: Runtime, now: datetime) -> int:
    """Remove the claims of posts made or given up more than KEPT ago; how many."""
    with deps.write() as s:
        return retention.purge_claims(s, before=now - KEPT)


def try_again(deps: Runtime, team_id: str, posts: Sequence[Post], *, after: timedelta) -> int:
    """Posts Slack refused (a channel the bot is not in, say) posted again once `after` has passed since
    the last try, in order; the first refused again ends the round, since the others would meet the
    same cause. Posts given up as interrupted are never posted again: Slack may have them. How many went
    out."""
    now = deps.clock()
    by_key = {p.key: p for p in posts}
    with deps.read() as s:
        held = repo.refused(s, team_id=team_id, keys=list(by_key), before=now - after, not_like=INTERRUPTED)
    sent = 0
    for claim in held:
        with deps.write() as s:
            if not repo.retake(s, held=claim, now=now):
                continue  # another process took it
        if _send_all(deps, team_id, [(by_key[claim.key], thread.row_id(claim))], since=now)[0].status != "posted":
            break
        sent += 1
    return sent


def _give_up(deps: Runtime, kinds: Mapping[str, Kind], row: PostedMessage, error: str) -> None:
    """Fail a post that will not be taken up, and report it as its kind reports a failure."""
    log.warning("%s given up: %s", row.key, error)
    thread.mark(deps, thread.row_id(row), FAILED, error=error)
    try:
        kind = kinds.get(row.kind)
        post = kind.rebuild(deps, row) if kind else None
        if post is not None and post.on_failure is not None:
            post.on_failure(error)
    except Exception:
        log.exception("reporting %s failed", row.key)


# --- posting ---------------------------------------------------------------------------------------


def _send_all(
    deps: Runtime, team_id: str, claimed: list[tuple[Post, int]], *, since: datetime, thread_now: bool = True
) -> list[Outcome]:
    """Post each claimed post, record the outcomes in one transaction, then (if `thread_now`) finish threads."""
    client = deps.client(team_id)
    outcomes = [
        _send(client, post) if _still_ours(deps, claim_id, since) else Outcome("skipped") for post, claim_id in claimed
    ]
    rows: list[Row] = []
    sent: list[Sent] = []
    for (post, claim_id), out in zip(claimed, outcomes, strict=True):
        if out.status == "skipped":
            continue  # taken over by another process
        if out.status == "posted" and out.channel and out.ts:
            rows.append((claim_id, POSTED if post.thread else DONE, out.channel, out.ts, None))
            sent.append(Sent(post, out.channel, out.ts))
        else:
            rows.append((claim_id, FAILED if out.status == "failed" else UNSURE, None, None, out.error))
    _record(deps, team_id, rows, sent)
    for (post, claim_id), out in zip(claimed, outcomes, strict=True):
        if out.status == "failed" and post.on_failure is not None and out.error:
            post.on_failure(out.error)
        elif out.status == "posted" and post.thread is not None and out.channel and out.ts and thread_now:
            finished = thread.finish(deps, team_id, post, claim_id, out.channel, out.ts)
            out.error, out.files = finished.error, finished.files
    return outcomes


def _still_ours(deps: Runtime, claim_id: int, since: datetime) -> bool:
    """Whether this process may still post under a claim taken at `since`. Taken long ago (slow answers,
    429s waited out), it may soon look stale to another process: it is renewed first, unless someone took
    it over meanwhile."""
    now = deps.clock()
    if now - since < STALE / 2:
        return True
    with deps.write() as s:
        return repo.touch(s, claim_id=claim_id, since=since, now=now)


def _send(client: WebClient, post: Post) -> Outcome:
    try:
        resp = client.chat_postMessage(
            channel=post.channel,
            thread_ts=post.thread_ts,
            reply_broadcast=post.broadcast or None,
            metadata=lookup.metadata(post.key),
            **post.build().to_kwargs(),
        )
    except (SlackApiError, OSError, HTTPException) as exc:
        unknown = outcome_unknown(exc)
        if unknown is not None:  # Slack may have the message
            log.warning("%s: no answer from Slack (%s); to be looked up", post.key, unknown)
            return Outcome("unsure", error=unknown)
        error = str(exc.response.get("error") or "unknown") if isinstance(exc, SlackApiError) else repr(exc)
        log.warning("%s not posted: %s", post.key, error)
        return Outcome("failed", error=error)
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


# --- a claim someone holds -------------------------------------------------------------------------


def _carry_on(
    deps: Runtime, team_id: str, post: Post, *, seen: lookup.Seen | None = None, thread_now: bool = True
) -> Outcome:
    """The claim was held already: say what became of it, finish its thread (if `thread_now`), or — when
    it was cut off — find out whether Slack has it and record it, or post it."""
    with deps.read() as s:
        held = repo.get(s, team_id=team_id, key=post.key)
    if held is None or held.status in (DONE, FAILED):
        return Outcome("skipped", *((held.channel, held.ts, held.error) if held else ()))
    if held.status == POSTED and held.channel and held.ts:  # out before; only its thread may be missing
        if not thread_now:
            return Outcome("skipped", held.channel, held.ts)
        finished = thread.finish(deps, team_id, post, thread.row_id(held), held.channel, held.ts)
        finished.status = "skipped"
        return finished
    if deps.clock() - held.updated_at < STALE:
        # Being posted right now; or unsure, and Slack may still be at it: a timed-out request can
        # still be carried out. Looked up once it is stale.
        return Outcome("skipped")
    channel = held.channel or post.channel
    try:
        client = deps.client(team_id)
        # From the first claim: its record (or a retake) came later than the post it may hold.
        ts = lookup.find(client, channel, post.key, held.created_at, thread_ts=post.thread_ts, seen=seen)
    except lookup.Unknowable as exc:
        error = f"{INTERRUPTED} ({exc})"
        log.warning("%s given up: %s", post.key, error)
        thread.mark(deps, thread.row_id(held), FAILED, error=error)
        if post.on_failure is not None:
            post.on_failure(error)
        return Outcome("failed", error=error)
    if ts is None:
        now = deps.clock()
        with deps.write() as s:
            if not repo.retake(s, held=held, now=now):
                return Outcome("skipped")  # another process took it over first
        return _send_all(deps, team_id, [(post, thread.row_id(held))], since=now)[0]
    log.info("%s was out after all: recorded", post.key)
    status = POSTED if post.thread else DONE
    _record(deps, team_id, [(thread.row_id(held), status, channel, ts, None)], [Sent(post, channel, ts)])
    if post.thread is not None:
        return thread.finish(deps, team_id, post, thread.row_id(held), channel, ts)
    return Outcome("posted", channel, ts)
