"""What a request to /slack/events must be before Bolt sees it. Bolt parses the body, and reads it as
a JSON object, before it checks the signature: a body of any size, a timestamp of 400 digits, a
non-ASCII signature or a body that is no JSON object ended in a 500 for anyone, signed or not. Here
the body is read once, with a limit, the signature is checked on it, then its shape, parsed the way
Bolt parses it: each of those is a 4xx. Bolt checks the signature again; that costs a hash."""

from __future__ import annotations

import io
import time
from typing import Any
from urllib.parse import parse_qs

from slack_bolt.request.internals import parse_body

from bot.slack import signing

MAX_BODY = 1 << 20  # Slack's largest payloads (a big modal's state) are far below a megabyte
OK = "200 OK"


def screen(environ: dict[str, Any], signing_secret: str) -> tuple[str, str] | None:
    """(status line, text) to answer the request with, or None to hand it to Bolt (its body read here
    and put back for Bolt to read)."""
    if not signing_secret:
        return "503 Service Unavailable", "no signing secret is set: nothing sent here can be checked"
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "Content-Length is not a number"
    if length > MAX_BODY:
        return "413 Payload Too Large", f"body over {MAX_BODY} bytes"
    body = environ["wsgi.input"].read(max(length, 0))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and parse_qs(text).get("ssl_check") == ["1"]:
        # Slack's unsigned check that a slash command's URL answers over TLS: an empty 200, as Bolt
        # would answer it.
        return OK, ""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    if not signing.fresh(timestamp, time.time()):
        return "401 Unauthorized", "missing or stale timestamp"
    expected = signing.signature(signing_secret, "v0", timestamp, body)
    if not signing.same(expected, environ.get("HTTP_X_SLACK_SIGNATURE", "")):
        return "401 Unauthorized", "bad signature"
    if text is None:
        return "400 Bad Request", "the body is not UTF-8"
    if not _an_object(text, environ.get("CONTENT_TYPE")):
        return "400 Bad Request", "the body is no JSON object (nor a form with one as its payload)"
    return None


def _an_object(text: str, content_type: str | None) -> bool:
    """Whether Bolt will find the JSON object it expects, parsing the body as it does."""
    try:
        return isinstance(parse_body(text, content_type.split(";")[0] if content_type else None), dict)
    except (ValueError, RecursionError):
        return False
