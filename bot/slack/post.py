"""What a post to make exactly once is (bot.slack.once): the post, its kind, its thread's parts, and
what became of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.slack.kit import Message
from storage.models import PostedMessage

# A claim this old with no answer recorded was cut off (Slack answers in seconds; a 429 is waited
# out within a minute or two).
STALE = timedelta(minutes=5)
# A post left unfinished longer than this is not taken up any more: yesterday's digest or a card of last
# week is no news, and the sweep reads only what may still matter.
RESUMABLE = timedelta(days=2)
# A claim is kept this long after its post was made (or given up): long after its post could come up
# again (a digest's day, a card's new lead, a meeting are long past), then removed.
KEPT = timedelta(days=90)
# A thread part Slack refused is tried again on later ticks; after this many tries it is given up.
MAX_ATTEMPTS = 3
INTERRUPTED = "interrupted before Slack answered"
# Slack's refusals that mean the bot cannot post in the channel (invited, it can).
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
# Slack's answers that do not say whether the call was carried out ("it's possible some aspect of the
# operation succeeded", Slack's common errors), beside a 5xx from its edge and a body that is no JSON.
UNKNOWN_ERRORS = frozenset({"fatal_error", "internal_error", "request_timeout", "service_unavailable"})
NOT_JSON = "Received a response in a non-JSON format"  # slack_sdk's error for such a body
# The calls that make something appear in Slack; a failure of any other (an upload URL asked for, say)
# leaves nothing behind.
POSTING = ("chat.postMessage", "files.completeUploadExternal")


def outcome_unknown(exc: Exception) -> str | None:
    """What to call a failed call whose outcome cannot be known — the connection dropped, or Slack's
    answer does not say — or None when Slack refused it for certain. Such a post is looked up, never
    blindly sent again."""
    if isinstance(exc, OSError | HTTPException):
        return type(exc).__name__
    if isinstance(exc, SlackApiError) and str(exc.response.api_url).endswith(POSTING):
        error = str(exc.response.get("error") or "")
        if exc.response.status_code >= 500 or error in UNKNOWN_ERRORS or error.startswith(NOT_JSON):
            return error.split(":")[0] if error else f"HTTP {exc.response.status_code}"
    return None


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
