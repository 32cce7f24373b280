"""Signing requests exactly as Slack does (and as Handoff's lead webhook expects)."""

from __future__ import annotations

import hashlib
import hmac


def slack_signature(secret: str, timestamp: int | str, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_headers(secret: str, timestamp: int, body: bytes | str, content_type: str) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": slack_signature(secret, timestamp, body),
        "Content-Type": content_type,
    }
