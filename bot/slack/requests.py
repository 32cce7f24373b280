"""What a request to /slack/events must look like before Bolt sees it. Bolt verifies the signature,
but it parses the body first and trusts the signing headers' shape: a body of any size, a timestamp
of 400 digits, a non-ASCII signature or a `payload` that is not JSON ended in a 500 before anyone was
authenticated. Here each is a 4xx, and the body is read once, with a limit."""

from __future__ import annotations

import io
import json
import time
from typing import Any
from urllib.parse import parse_qs

from bot.slack import signing

MAX_BODY = 1 << 20  # Slack's largest payloads (a big modal's state) are far below a megabyte


def screen(environ: dict[str, Any]) -> tuple[str, str] | None:
    """(status line, reason) to refuse the request with, or None to hand it to Bolt (its body read
    here and put back for Bolt to read)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "Content-Length is not a number"
    if length > MAX_BODY:
        return "413 Payload Too Large", f"body over {MAX_BODY} bytes"
    if not signing.fresh(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""), time.time()):
        return "401 Unauthorized", "missing or stale timestamp"
    if not signing.well_formed(environ.get("HTTP_X_SLACK_SIGNATURE", "")):
        return "401 Unauthorized", "bad signature"
    body = environ["wsgi.input"].read(max(length, 0))
    environ["wsgi.input"] = io.BytesIO(body)
    if "x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        payload = parse_qs(body.decode("utf-8", "replace")).get("payload")
        if payload:
            try:
                json.loads(payload[0])
            except (ValueError, RecursionError):
                return "400 Bad Request", "payload is not JSON"
    return None
