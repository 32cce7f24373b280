"""A post's own thread (bot.slack.once): its parts posted in order, each under a claim of its own, a
part cut off looked up before it is posted again, a part Slack refused tried again on later ticks."""

from __future__ import annotations

import logging
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import lookup
from bot.slack.post import INTERRUPTED, MAX_ATTEMPTS, STALE, Files, Outcome, Part, Post, Runtime, outcome_unknown
from storage.models import PostedMessage
from storage.repos import posts as repo
from storage.repos.posts import CLAIMED, DONE, FAILED, PART, UNSURE

log = logging.getLogger(__name__)
BUSY = -1  # a part another process is posting right now


def finish(deps: Runtime, team_id: str, post: Post, parent_id: int, channel: str, ts: str) -> Outcome:
    """The parts of the thread not out yet, in order, each once; the post is done after the last.
    A part Slack refused stops the thread until a later tick, up to MAX_ATTEMPTS tries. The parts of a
    post that is itself a reply go into the thread it is in (Slack has no threads within threads)."""
    client = deps.client(team_id)
    where = post.thread_ts or ts
    files: list[str] = []
    for name, part in post.thread() if post.thread else []:
        claim_id = _claim_part(deps, team_id, post, f"{post.key}/{name}", part, channel, where)
        if claim_id is None:
            continue  # out already, or given up before
        if claim_id == BUSY:
            return Outcome("posted", channel, ts, files=files)  # another process is finishing it
        try:
            if isinstance(part, Files):
                files += _upload(client, channel, where, part)
                mark(deps, claim_id, DONE)
            else:
                key = f"{post.key}/{name}"
                resp = client.chat_postMessage(
                    channel=channel, thread_ts=where, metadata=lookup.metadata(key), **part.to_kwargs()
                )
                mark(deps, claim_id, DONE, ts=resp["ts"])
        except (SlackApiError, OSError, HTTPException) as exc:
            unknown = outcome_unknown(exc)
            if unknown is not None:  # Slack may have the part: looked up before it is posted again
                mark(deps, claim_id, UNSURE, error=unknown)
                return Outcome("posted", channel, ts, error=unknown, files=files)
            error = str(exc.response.get("error") or "unknown") if isinstance(exc, SlackApiError) else repr(exc)
            log.warning("%s: thread stopped at %s, to be finished later: %s", post.key, name, error)
            mark(deps, claim_id, FAILED, error=error)
            if _attempts(deps, team_id, f"{post.key}/{name}") < MAX_ATTEMPTS:
                return Outcome("posted", channel, ts, error=error, files=files)
            if post.on_failure is not None:
                post.on_failure(error)
    mark(deps, parent_id, DONE)
    return Outcome("posted", channel, ts, files=files)


def _claim_part(
    deps: Runtime, team_id: str, post: Post, key: str, part: Part, channel: str, thread_ts: str
) -> int | None:
    """The claim id to post this part under; None when it needs no posting (out, or given up), BUSY when
    another process holds it right now. A part cut off is looked up in the thread first; one whose fate
    cannot be known is given up and reported like a part Slack refused."""
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
    if held.status in (CLAIMED, UNSURE) and deps.clock() - held.updated_at < STALE:
        return BUSY
    if held.status in (CLAIMED, UNSURE):
        filename = part.files[0].filename if isinstance(part, Files) else None
        try:
            found = lookup.find(
                deps.client(team_id), channel, key, held.created_at, thread_ts=thread_ts, filename=filename
            )
        except lookup.Unknowable as exc:
            error = f"{INTERRUPTED} ({exc})"
            log.warning("%s given up: %s", key, error)
            mark(deps, row_id(held), FAILED, error=error)
            if post.on_failure is not None:
                post.on_failure(error)
            return None
        if found is not None:
            mark(deps, row_id(held), DONE, ts=found)
            return None
    with deps.write() as s:
        return row_id(held) if repo.retake(s, held=held, now=deps.clock()) else BUSY


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


def mark(deps: Runtime, claim_id: int, status: str, *, ts: str | None = None, error: str | None = None) -> None:
    with deps.write() as s:
        repo.record(s, outcomes=[(claim_id, status, None, ts, error)], now=deps.clock())


def row_id(row: PostedMessage) -> int:
    assert row.id is not None
    return row.id
