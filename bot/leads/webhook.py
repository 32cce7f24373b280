"""`POST /webhooks/{team_id}/leads`: a CRM sends a lead, signed the way Slack signs its requests.

Headers: `X-Handoff-Timestamp: <unix seconds>` and
`X-Handoff-Signature: v1=<hex HMAC-SHA256(secret, "v1:<timestamp>:<raw body>")>`.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable

from bot.deps import Deps
from bot.leads.cards import post_card
from bot.leads.intake import check, store
from bot.slack import signing
from storage.repos import workspaces as ws_repo

log = logging.getLogger(__name__)
PATH = re.compile(r"^/webhooks/([A-Za-z0-9_-]{1,32})/leads$")
MAX_BODY = 64 * 1024
NO_CHANNEL = (
    "no leads channel is set: the lead is kept, and its card is posted once an admin sets one "
    "in /handoff config (for leads of the last 24 hours)"
)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    return signing.signature(secret, "v1", timestamp, body)


def new_secret() -> str:
    return secrets.token_hex(32)


def webhook_secret(deps: Deps, team_id: str, *, rotate: bool = False) -> str:
    with deps.write() as s:
        ws = ws_repo.get_or_create(s, team_id=team_id)
        if rotate or not ws.webhook_secret:
            ws = ws_repo.update(s, team_id=team_id, values={"webhook_secret": new_secret()})
        return ws.webhook_secret or ""


def _reply(start_response: Callable, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def handle(deps: Deps, environ: dict, start_response: Callable, team_id: str) -> Iterable[bytes]:
    if environ.get("REQUEST_METHOD") != "POST":
        return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length > MAX_BODY:
        return _reply(start_response, "413 Payload Too Large", {"ok": False, "error": f"body over {MAX_BODY} bytes"})
    body = environ["wsgi.input"].read(min(max(length, 0), MAX_BODY + 1))
    if len(body) > MAX_BODY:
        return _reply(start_response, "413 Payload Too Large", {"ok": False, "error": f"body over {MAX_BODY} bytes"})
    ts = environ.get("HTTP_X_HANDOFF_TIMESTAMP", "")
    given = environ.get("HTTP_X_HANDOFF_SIGNATURE", "")
    # One read-only unit of work for the secret and, once the request is known to be genuine, the
    # look-up of the lead's external id; closed before the lead is written.
    with deps.read() as s:
        secret, leads_channel = ws_repo.webhook_settings(s, team_id=team_id)
        if secret is None:
            return _reply(start_response, "404 Not Found", {"ok": False, "error": "unknown workspace"})
        if not signing.fresh(ts, time.time()):
            return _reply(start_response, "401 Unauthorized", {"ok": False, "error": "missing or stale timestamp"})
        if not signing.same(sign(secret, ts, body), given):
            return _reply(start_response, "401 Unauthorized", {"ok": False, "error": "bad signature"})
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _reply(start_response, "400 Bad Request", {"ok": False, "errors": {"body": "not valid JSON"}})
        except RecursionError:
            return _reply(start_response, "400 Bad Request", {"ok": False, "errors": {"body": "nested too deeply"}})
        except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits())
            return _reply(start_response, "400 Bad Request", {"ok": False, "errors": {"body": "a number is too long"}})
        checked = check(s, team_id, payload, deps.clock())
    result = store(deps, team_id, checked)
    if result.status == 400:
        return _reply(start_response, "400 Bad Request", {"ok": False, "errors": result.errors})
    if result.status == 201 and not deps.card_worker:
        deps.run_later(post_card, deps, team_id, result.lead_id)
    if result.status == 201:
        answer: dict[str, object] = {"ok": True, "lead_id": result.lead_id, "created": True}
        if not leads_channel:
            answer["warning"] = NO_CHANNEL
        return _reply(start_response, "201 Created", answer)
    return _reply(start_response, "200 OK", {"ok": True, "lead_id": result.lead_id, "created": False})
