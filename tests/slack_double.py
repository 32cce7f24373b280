"""A Slack Web API double served over HTTP on loopback.

It records every call, answers with the shapes Slack documents (../shared/slack/payloads/web_api),
checks the token and each method's required arguments (../shared/slack/web-api-ref), implements the
external file upload (files.getUploadURLExternal → POST the bytes → files.completeUploadExternal),
keeps what a response_url receives, and can be told to answer 429 with Retry-After or an error.
Posted messages (with their metadata and files) are kept per channel, so conversations.history and
conversations.replies answer with them; a call can be made to lose its answer (Slack did the work,
the connection dropped) or to answer late (the caller may be killed meanwhile).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

# The project's reference material (Slack's payloads and method reference, the real data sets): beside
# the checkout, or where HANDOFF_SHARED points (a checkout elsewhere).
SHARED = Path(os.environ.get("HANDOFF_SHARED") or Path(__file__).resolve().parents[2] / "shared")
if not SHARED.is_dir():
    raise RuntimeError(f"the reference material is not at {SHARED}: set HANDOFF_SHARED to the shared folder")
SLACK = SHARED / "slack"
# Methods the reference lacks, with their required arguments.
EXTRA_REQUIRED = {
    "usergroups.users.list": ["token", "usergroup"],
    "usergroups.list": ["token"],
    "conversations.open": ["token"],
}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


def _load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


class SlackDouble:
    def __init__(self, tokens: tuple[str, ...] = ("xoxb-test-token",), team_id: str = "T0TEST") -> None:
        self.tokens = set(tokens)
        self.team_id = team_id
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # bodies POSTed to response_url
        self.uploads: dict[str, bytes] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.group_names: dict[str, tuple[str, str]] = {}  # id → (handle, name), for usergroups.list
        self.not_member: set[str] = set()
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel → messages, oldest first
        self.socket_url: Callable[[], str] | None = None  # apps.connections.open's answer (Socket Mode)
        # OAuth: the app's credentials, the workspace each token belongs to, codes and refresh tokens
        self.client_credentials: tuple[str, str] = ("", "")
        self.token_teams: dict[str, str] = {}
        self.codes: dict[str, dict[str, Any]] = {}  # code → oauth.v2.access answer
        self.refresh: dict[str, dict[str, Any]] = {}  # refresh token → the next answer (usable once)
        self.token_lifetime: int | None = None  # seconds: rotating tokens
        self._filenames: dict[str, str] = {}
        self._faults: dict[str, list[tuple[int, dict[str, Any], dict[str, str]] | None]] = {}
        self._lost: dict[str, int] = {}  # method → answers still to lose
        self._garbled: dict[str, list[tuple[int, str] | None]] = {}  # method → answers to replace, in order
        self._late: dict[str, float] = {}  # method → seconds to hold each answer
        self._late_after: dict[str, int] = {}  # method → calls answered at once before the holding starts
        self._released = threading.Event()
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._refs = {p.stem: _load_json(p) for p in (SLACK / "web-api-ref").glob("*.json")}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._wake, self._waker = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, name: str = "r1") -> str:
        return self.url + f"response/{name}"

    def start(self) -> SlackDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._waker.send(b"x")
        self._thread.join()
        self._server.server_close()
        self._wake.close()
        self._waker.close()

    def _serve(self) -> None:
        # Not serve_forever(): it notices a shutdown only at its next poll, up to half a second after
        # every test. This loop wakes as soon as stop() writes to the other end of `_wake`.
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._wake, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake:
                        return
                    self._server.handle_request()

    # -- steering --------------------------------------------------------------------------------
    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        body = {"ok": False, "error": "ratelimited"}
        self._faults.setdefault(method, []).extend([(429, body, {"Retry-After": str(retry_after)})] * times)

    def fail(self, method: str, error: str, times: int = 1, *, after: int = 0) -> None:
        """The next `times` calls are refused with `error`, once `after` more calls have been answered."""
        self._faults.setdefault(method, []).extend([None] * after + [(200, {"ok": False, "error": error}, {})] * times)

    def add_install(self, code: str, team_id: str, bot_token: str, team_name: str = "") -> None:
        """A user approves the install in `team_id`: Slack redirects with `code`, exchanged for `bot_token`."""
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": "A0HANDOFF",
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "chat:write,commands",
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": "U0BOT",
            "team": {"id": team_id, "name": team_name or team_id},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        self.codes[code] = self._rotating(answer)

    def _rotating(self, answer: dict[str, Any], lifetime: int | None = None) -> dict[str, Any]:
        """With token_lifetime set, the answer carries a refresh token whose exchange gives the next token
        (an installation's token lives token_lifetime seconds, an exchanged one Slack's 12 hours)."""
        self.tokens.add(answer["access_token"])
        self.token_teams[answer["access_token"]] = answer["team"]["id"]
        if self.token_lifetime is None:
            return answer
        n = next(self._ts)
        refresh = f"xoxe-1-refresh-{n}"
        answer = {**answer, "refresh_token": refresh, "expires_in": lifetime or self.token_lifetime}
        self.refresh[refresh] = {**answer, "access_token": f"xoxb-rotated-{n}-{answer['team']['id']}"}
        return answer

    def _oauth(self, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        credentials = (args.get("client_id"), args.get("client_secret"))
        basic = headers.get("authorization", "")
        if basic.startswith("Basic "):  # slack_sdk sends them so
            credentials = tuple(base64.b64decode(basic.removeprefix("Basic ")).decode().split(":", 1))
        if credentials != self.client_credentials:
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("grant_type") == "refresh_token":
            answer = self.refresh.pop(args.get("refresh_token", ""), None)
            return self._rotating(answer, 43200) if answer else {"ok": False, "error": "invalid_refresh_token"}
        answer = self.codes.pop(args.get("code", ""), None)  # a code works once
        return answer if answer else {"ok": False, "error": "invalid_code"}

    def heal(self, method: str) -> None:
        """The refusals still queued for `method` are dropped: its next call is answered as usual."""
        self._faults.pop(method, None)

    def lose_answers(self, method: str, times: int = 1) -> None:
        """The next calls do their work, then the connection drops before the answer is sent."""
        self._lost[method] = self._lost.get(method, 0) + times

    def garble_answers(self, method: str, status: int, body: str, times: int = 1, *, after: int = 0) -> None:
        """The next `times` calls do their work, then Slack's edge answers `status` with `body` (say, a 502
        page), once `after` more calls have been answered as usual."""
        self._garbled.setdefault(method, []).extend([None] * after + [(status, body)] * times)

    def answer_late(self, method: str, seconds: float, *, after: int = 0) -> None:
        """Every call does its work, then waits `seconds` before answering — once `after` calls have been
        answered as usual; 0 answers the waiting ones now."""
        self._late[method] = seconds
        self._late_after[method] = after
        if not seconds:
            self._released.set()
            self._released = threading.Event()

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted (every channel, or one), oldest first."""
        with self._lock:
            chans = [channel] if channel else list(self.messages)
            return [m for c in chans for m in self.messages.get(c, [])]

    def add_user(self, user_id: str, *, admin: bool = False, owner: bool = False, name: str | None = None) -> None:
        self.users[user_id] = {"is_admin": admin, "is_owner": owner, "name": name or user_id.lower()}

    # -- reading ---------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method == method and c.status == 200]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"{method} was called {len(found)} time(s), wanted {count}; calls: {seen}")
                self._lock.wait(left)

    def wait_for_response(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.responses) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"response_url got {len(self.responses)} bodies, wanted {count}")
                self._lock.wait(left)
            return list(self.responses)

    # -- answering -------------------------------------------------------------------------------
    def _answer(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict, dict]:
        faults = self._faults.get(method)
        fault = faults.pop(0) if faults else None
        if fault is not None:
            return fault
        if method == "oauth.v2.access":
            return 200, self._oauth(args, headers), {}
        token = args.get("token") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token not in self.tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        required = self._required(method)
        if required is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        missing = [a for a in required if a != "token" and args.get(a) in (None, "")]
        if missing:
            return 200, {"ok": False, "error": "invalid_arguments", "missing": missing}, {}
        return 200, self._success(method, args, token), {}

    def _required(self, method: str) -> list[str] | None:
        if method in self._refs:
            return list(self._refs[method].get("args", {}).get("required", []))
        return EXTRA_REQUIRED.get(method)

    def _sample(self, method: str) -> dict[str, Any]:
        path = SLACK / "payloads" / "web_api" / f"{method}.success.json"
        return copy.deepcopy(_load_json(path)) if path.exists() else {"ok": True}

    def _success(self, method: str, args: dict[str, Any], token: str = "") -> dict[str, Any]:
        body = self._sample(method)
        if method == "auth.test":
            team = self.token_teams.get(token, self.team_id)
            body.update({"team_id": team, "user_id": "U0BOT", "bot_id": "B0BOT"})
        elif method in ("chat.postMessage", "chat.update"):
            channel = args["channel"]
            if channel in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            ts = args.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            body.update({"channel": channel, "ts": ts})
            body["message"] = {"type": "message", "text": args.get("text", ""), "ts": ts, "bot_id": "B0BOT"}
            if args.get("blocks"):
                body["message"]["blocks"] = args["blocks"]
            if method == "chat.postMessage":
                self._keep(
                    channel, {**body["message"], "thread_ts": args.get("thread_ts"), "metadata": args.get("metadata")}
                )
        elif method == "chat.postEphemeral":
            body["message_ts"] = f"{1700000000 + next(self._ts)}.000200"
        elif method == "apps.connections.open":
            if self.socket_url is None:
                return {"ok": False, "error": "socket_mode_not_enabled"}
            body["url"] = self.socket_url()
        elif method == "users.info":
            user = self.users.get(args["user"])
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            body["user"] = {**body.get("user", {}), "id": args["user"], "team_id": self.team_id, **user}
        elif method == "usergroups.users.list":
            body = {"ok": True, "users": self.usergroups.get(args["usergroup"], [])}
        elif method == "usergroups.list":
            body = {
                "ok": True,
                "usergroups": [
                    {"id": gid, "handle": handle, "name": name} for gid, (handle, name) in self.group_names.items()
                ],
            }
        elif method == "conversations.info":
            channel = args["channel"]
            body["channel"] = {
                **body.get("channel", {}),
                "id": channel,
                "is_member": channel not in self.not_member,
            }
        elif method == "files.getUploadURLExternal":
            file_id = f"F0{next(self._files):06d}"
            self._filenames[file_id] = args.get("filename", "")
            body.update({"file_id": file_id, "upload_url": self.url + f"upload/{file_id}"})
        elif method == "files.completeUploadExternal":
            files = args["files"]
            files = json.loads(files) if isinstance(files, str) else files
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:
                return {"ok": False, "error": "file_not_found", "missing": missing}
            body["files"] = [{"id": f["id"], "title": f.get("title", "")} for f in files]
            if args.get("channel_id"):
                ts = f"{1700000000 + next(self._ts)}.000300"
                shared = [{"id": f["id"], "name": self._filenames.get(f["id"], "")} for f in files]
                self._keep(
                    args["channel_id"],
                    {
                        "type": "message",
                        "ts": ts,
                        "bot_id": "B0BOT",
                        "files": shared,
                        "thread_ts": args.get("thread_ts"),
                    },
                )
        elif method in ("conversations.history", "conversations.replies"):
            return self._history(method, args)
        elif method in ("views.open", "views.publish", "views.update", "views.push"):
            view = args.get("view")
            body["view"] = {
                **body.get("view", {}),
                **(json.loads(view) if isinstance(view, str) else view or {}),
            }
        return body

    def _keep(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            self.messages.setdefault(channel, []).append({k: v for k, v in message.items() if v is not None})

    def _history(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Messages newest first (history: the channel's own; replies: a thread's, its parent first),
        a page of `limit` at a time; metadata only when asked for, as Slack does."""
        with self._lock:
            kept = list(self.messages.get(args["channel"], []))
        if method == "conversations.replies":
            kept = [m for m in kept if m["ts"] == args["ts"] or m.get("thread_ts") == args["ts"]]
        else:
            kept = [m for m in reversed(kept) if m.get("thread_ts") in (None, m["ts"])]
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        kept = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"} for m in kept]
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 100)
        page, rest = kept[start : start + limit], kept[start + limit :]
        meta = {"next_cursor": str(start + limit) if rest else ""}
        return {"ok": True, "messages": page, "has_more": bool(rest), "response_metadata": meta}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _args(self, raw: bytes) -> dict[str, Any]:
                parsed = urlparse(self.path)
                args: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                ctype = self.headers.get("Content-Type", "")
                if raw and "application/json" in ctype:
                    args.update(json.loads(raw))
                elif raw and "x-www-form-urlencoded" in ctype:
                    args.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
                for key in ("blocks", "view", "files", "attachments", "metadata"):
                    if isinstance(args.get(key), str) and args[key][:1] in "[{":
                        args[key] = json.loads(args[key])
                return args

            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlparse(self.path).path
                headers = {k.lower(): v for k, v in self.headers.items()}
                if path.startswith("/upload/"):
                    with double._lock:
                        double.uploads[path.rsplit("/", 1)[1]] = raw
                        double._lock.notify_all()
                    self.send_response(200)
                    self.end_headers()
                    return
                if path.startswith("/response/"):
                    with double._lock:
                        double.responses.append(json.loads(raw or b"{}"))
                        double._lock.notify_all()
                    self._send(200, {"ok": True})
                    return
                if not path.startswith("/api/"):
                    self._send(404, {"ok": False, "error": "not_found"})
                    return
                method = path.removeprefix("/api/")
                args = self._args(raw)
                status, body, extra = double._answer(method, args, headers)
                with double._lock:
                    double.calls.append(Call(method, args, headers, status, body))
                    double._lock.notify_all()
                    nth = sum(1 for c in double.calls if c.method == method)
                    lose = double._lost.get(method, 0) > 0
                    if lose:
                        double._lost[method] -= 1
                    garbled = double._garbled.get(method, [])
                    garble = garbled.pop(0) if garbled and not lose else None
                if garble is not None:  # the work is done; the answer is no JSON of Slack's
                    data = garble[1].encode()
                    self.send_response(garble[0])
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if lose:  # the work is done; the caller never hears of it
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if double._late.get(method) and nth > double._late_after.get(method, 0):
                    double._released.wait(double._late[method])
                try:
                    self._send(status, body, extra)
                except OSError:  # the caller is gone (killed while Slack held its answer)
                    self.close_connection = True

            do_POST = _handle
            do_GET = _handle

        return Handler
