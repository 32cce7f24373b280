"""The Slack Web API client: SLACK_API_URL as its base, HTTP 429 waited out by Retry-After, a connection
error retried only where sending the request twice is harmless, and the Tier 2 reads that clicks, option
loads and admin checks make kept for a while."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.settings import Settings

# Methods that change what people see each time they are called: a request Slack accepted before the
# connection dropped would be done twice. Their outcome is found out instead (bot.slack.once).
NOT_REPEATABLE = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage", "files.completeUploadExternal"}
)

# Tier 2 methods (about 20 calls a minute per workspace) read on every verdict click, group-picker
# keystroke and admin check: their answers are kept CACHE_SECONDS per client (one workspace's token),
# dropped early by the subteam_* and user_change events (handlers/events/usergroups.py).
CACHED = frozenset({"usergroups.list", "usergroups.users.list", "users.info"})
CACHE_SECONDS = 900.0
GROUP_METHODS = frozenset({"usergroups.list", "usergroups.users.list"})
USER_METHODS = frozenset({"users.info"})  # dropped on user_change: an admin demoted is one no more
# Set while a cached method is read again with an older answer at hand: a 429 then serves that answer at
# once instead of waiting Retry-After (an options request must be answered within 3 seconds).
_STALE_AT_HAND = threading.local()

log = logging.getLogger(__name__)


class _Unless:
    """A slack_sdk retry handler that does not retry where `_skip` says so."""

    def _skip(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if self._skip(request):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)  # type: ignore[misc]


class RepeatableConnectionErrorRetryHandler(_Unless, ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retries, except for the methods above."""

    def _skip(self, request: HttpRequest) -> bool:
        return method_of(request.url) in NOT_REPEATABLE


class PatientRateLimitRetryHandler(_Unless, RateLimitErrorRetryHandler):
    """slack_sdk's 429 retries (wait Retry-After), except for a cached read that has an older answer."""

    def _skip(self, request: HttpRequest) -> bool:
        return bool(getattr(_STALE_AT_HAND, "on", False))


class HandoffClient(WebClient):
    """A WebClient that keeps the answers of the CACHED methods for CACHE_SECONDS; when Slack refuses to
    answer again (a 429, an error), the older answer is used."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock
        self._kept: dict[tuple[str, str], tuple[float, SlackResponse]] = {}
        self._gates: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        if api_method not in CACHED or kwargs.get("files") or kwargs.get("json"):
            return super().api_call(api_method, **kwargs)
        args = {**(kwargs.get("params") or {}), **(kwargs.get("data") or {})}
        key = (api_method, json.dumps(args, sort_keys=True, default=str))
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:  # clicks arriving together make one request; the others wait for its answer
            kept = self._kept.get(key)
            if kept is not None and self._clock() - kept[0] < CACHE_SECONDS:
                return kept[1]
            _STALE_AT_HAND.on = kept is not None
            try:
                answer = super().api_call(api_method, **kwargs)
            except SlackApiError as exc:
                if kept is None:
                    raise
                log.warning("%s refused (%s): using its answer from before", api_method, exc.response.get("error"))
                return kept[1]
            finally:
                _STALE_AT_HAND.on = False
            with self._lock:
                self._kept[key] = (self._clock(), answer)
            return answer

    def forget(self, methods: frozenset[str] = CACHED) -> None:
        """Drop the kept answers of these methods (their data changed in Slack)."""
        with self._lock:
            self._kept = {k: v for k, v in self._kept.items() if k[0] not in methods}


def method_of(url: str) -> str:
    """`https://slack.com/api/chat.postMessage?x=1` → `chat.postMessage`."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def make_client(settings: Settings, *, token: str | None = None) -> HandoffClient:
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    return HandoffClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=30,
        retry_handlers=[
            RepeatableConnectionErrorRetryHandler(max_retry_count=2),
            PatientRateLimitRetryHandler(max_retry_count=5),
        ],
    )
