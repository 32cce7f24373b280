"""Checking signed requests without trusting their headers: Slack's own (`X-Slack-Signature`) and the
lead webhook's, which is signed the same way. Garbage in a header is a refusal, never an exception."""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_AGE = 300  # seconds a signed request may be old (or early): Slack's own rule
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def fresh(timestamp: str, now: float, max_age: int = MAX_AGE) -> bool:
    """Whether a timestamp header is plain digits and within `max_age` seconds of `now`."""
    return bool(_TIMESTAMP.fullmatch(timestamp)) and abs(now - int(timestamp)) <= max_age


def same(expected: str, given: str) -> bool:
    """A constant-time comparison that takes any header, ASCII or not."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def signature(secret: str, version: str, timestamp: int | str, body: bytes) -> str:
    """`{version}=` and the HMAC-SHA256 of `{version}:{timestamp}:{body}`: Slack's scheme (v0), and the
    webhook's (v1)."""
    base = f"{version}:{timestamp}:".encode() + body
    return f"{version}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
