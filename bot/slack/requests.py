"""What a request to /slack/events must be before Bolt sees it. Bolt parses the body, and reads it as
a JSON object, before it checks the signature: a body of any size, a timestamp of 400 digits, a
non-ASCII signature or a body that is no JSON object ended in a 500 for anyone, signed or not. Here
the body is read once, with a limit, the signature is checked on it, and its shape is checked: each
of those is a 4xx. Bolt checks the signature again; that costs a hash."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from typing import Any
from urllib.parse import parse_qs

from bot.slack import signing

MAX_BODY = 1 << 20  # Slack's largest payloads (a big modal's state) are far below a megabyte


def screen(environ: dict[str, Any], signing_secret: str) -> tuple[str, str] | None:
    """(status line, reason) to refuse the request with, or None to hand it to Bolt (its body read
    here and put back for Bolt to read)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "Content-Length is not a number"
    if length > MAX_BODY:
        return "413 Payload Too Large", f"body over {MAX_BODY} bytes"
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not signing.fresh(timestamp, time.time()):
        return "401 Unauthorized", "missing or stale timestamp"
    body = environ["wsgi.input"].read(max(length, 0))
    environ["wsgi.input"] = io.BytesIO(body)
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    if not signing.same(expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
        return "401 Unauthorized", "bad signature"
    if not _an_object(body, environ.get("CONTENT_TYPE", "")):
        return "400 Bad Request", "the body is no JSON object (nor a form with one as its payload)"
    return None


def _an_object(body: bytes, content_type: str) -> bool:
    """Whether Bolt will find the JSON object it expects: the body itself (JSON), the form's `payload`
    (interactivity), or plain form fields (a slash command)."""
    text = body.decode("utf-8", "replace")
    if "application/json" in content_type or text.startswith("{"):
        return _parses_to_object(text)
    payload = parse_qs(text).get("payload")
    return _parses_to_object(payload[0]) if payload else True


def _parses_to_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False
