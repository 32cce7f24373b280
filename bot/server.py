"""HTTP serving: /slack/events for Slack, /healthz for the orchestrator; waitress in production."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event

from slack_bolt import App
from slack_bolt.adapter.socket_mode.builtin import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from waitress import serve as waitress_serve
from waitress.server import create_server

from bot import worker
from bot.app import create_app
from bot.deps import Deps, freeze_startup_objects
from bot.leads import webhook
from bot.scheduler import start_scheduler
from bot.settings import Settings, SettingsError
from bot.slack import requests
from bot.slack.install import INSTALL_PATH, REDIRECT_PATH
from bot.slack.socket import PING_INTERVAL, SocketWatch
from bot.workspace.store import LOCAL_TEAM, adopt_local
from storage.db import ping

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def build_wsgi(app: App, deps: Deps, *, slack_events: bool = True, watch: SocketWatch | None = None) -> WSGIApp:
    """The HTTP app; `slack_events=False` (Socket Mode) leaves /slack/events unserved: Slack does not
    send there, and without a signing secret nothing sent there could be checked. With `watch` (Socket
    Mode), /healthz also fails once the connection to Slack has been down SOCKET_DOWN_AFTER seconds."""
    slack = SlackRequestHandler(app, path="/slack/events")
    signing_secret = deps.settings.slack_signing_secret
    secret = signing_secret.get_secret_value() if signing_secret is not None else ""

    def healthz(start_response: Callable) -> list[bytes]:
        body: dict[str, object]
        try:
            ping(deps.engine)
            status, body = "200 OK", {"ok": True}
        except Exception as exc:  # the probe must answer, whatever the database says
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            status, body = "503 Service Unavailable", {"ok": False, "error": "database unreachable"}
        down = watch.down_for() if watch is not None else 0.0
        if watch is not None:
            body["socket_mode"] = "down" if down else "connected"
        if down > deps.settings.socket_down_after:
            status, body["ok"] = "503 Service Unavailable", False
            body["error"] = f"Socket Mode connection down for {down:.0f} s"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return healthz(start_response)
        hook = webhook.PATH.match(path)
        if hook:
            return webhook.handle(deps, environ, start_response, hook.group(1))
        if path in (INSTALL_PATH, REDIRECT_PATH) and app.oauth_flow is not None and method == "GET":
            return slack(environ, start_response)
        if path == "/slack/events" and slack_events:
            if method != "POST":
                start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Type", "text/plain")])
                return [b"POST only"]
            answered = requests.screen(environ, secret)
            if answered is not None:  # refused, or Slack's TLS check
                start_response(answered[0], [("Content-Type", "text/plain")])
                return [answered[1].encode()]
            return slack(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return wsgi


class HttpServer:
    """A waitress server on its own thread (tests, and /healthz beside Socket Mode).

    The loop runs one poll at a time so that stop() ends it from the loop's own thread: closing the
    sockets from another thread while select() waits on them fails with EBADF.
    """

    def __init__(
        self,
        wsgi: WSGIApp,
        host: str,
        port: int,
        threads: int = 8,
        loop_timeout: float = 1.0,
        sock: socket.socket | None = None,
    ) -> None:
        where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self._server = create_server(wsgi, threads=threads, ident="handoff", **LIMITS, **where)
        self.port: int = self._server.effective_port
        self._timeout = loop_timeout
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="http", daemon=True)

    def _run(self) -> None:
        server = self._server
        while not self._stopping.is_set():
            server.asyncore.loop(timeout=self._timeout, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        server.close()

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):  # the loop closed its trigger already: it is ending by itself
            self._server.pull_trigger()
        self._thread.join(timeout=5)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


def shared_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other processes may bind to the same port (SO_REUSEPORT): the kernel
    hands each new connection to one of them. `host` is an IPv4 or IPv6 address (the settings check it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _web_process(settings: Settings, number: int, stop: Event) -> None:
    """One more HTTP process: its own app and database connections, no scheduler (the first process
    keeps that), until `stop` is set or the first process is gone."""
    settings.configure_logging()
    deps = Deps.from_settings(settings)
    deps.card_worker = settings.card_worker
    server = HttpServer(
        build_wsgi(create_app(settings, deps), deps), "", 0, sock=shared_socket(settings.host, settings.port)
    )
    freeze_startup_objects()
    server.start()
    log.info("HTTP process %s of %s answering on port %s", number, settings.web_processes, settings.port)
    parent = multiprocessing.parent_process()
    while not stop.wait(1.0) and (parent is None or parent.is_alive()):
        pass
    server.stop()
    deps.engine.dispose()


def _start_web_processes(settings: Settings, n: int) -> list[tuple[BaseProcess, Event]]:
    ctx = multiprocessing.get_context("spawn")
    out: list[tuple[BaseProcess, Event]] = []
    for i in range(n):
        stop = ctx.Event()
        proc = ctx.Process(target=_web_process, args=(settings, i + 2, stop), name=f"handoff-web-{i + 2}", daemon=True)
        proc.start()
        out.append((proc, stop))
    return out


# A body announced larger than any request takes is refused with 413 once its headers are in, before
# waitress reads (and buffers) it; the app's own checks name the limit of each path.
LIMITS = {"max_request_body_size": requests.MAX_BODY + 1}


def _checked_app(settings: Settings, deps: Deps) -> App:
    """The app, its token checked with Slack (auth.test); a refused token or an unreachable Slack is one
    line naming the setting, not a traceback."""
    try:
        return create_app(settings, deps)
    except BoltError as exc:
        refusal = getattr(exc.__context__, "response", None)
        error = refusal.get("error") if refusal is not None else str(exc)
        raise SettingsError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}): copy the Bot User OAuth Token (xoxb-…) again"
        ) from None
    except OSError as exc:
        raise SettingsError(f"Slack cannot be reached at SLACK_API_URL ({settings.slack_api_url}): {exc}") from None


def _team_of(app: App) -> tuple[str | None, str | None]:
    """The workspace of the bot token (team id, name), from the auth.test Bolt made building the app (Bolt
    keeps it only on its authorization middleware); asked again if it is not there."""
    found = [m.auth_test_result for m in app._middleware_list if isinstance(m, SingleTeamAuthorization)]
    result = found[0] if found and found[0] else app.client.auth_test()
    return result.get("team_id"), result.get("team")


def adopt_local_data(app: App, deps: Deps) -> dict[str, int] | None:
    """Data imported before Slack was connected becomes the token's workspace's (see store.adopt_local)."""
    team_id, name = _team_of(app)
    if not team_id:  # an org-wide install names no one workspace
        return None
    moved = adopt_local(deps, team_id, name)
    if moved is not None:
        rows = ", ".join(f"{table} {n}" for table, n in moved.items()) or "settings only"
        log.info("the data of workspace '%s' (imported before Slack) is now %s's: %s", LOCAL_TEAM, team_id, rows)
    return moved


def serve(settings: Settings, deps: Deps) -> None:
    """`handoff run`: the app, the scheduler, and HTTP (or Socket Mode with /healthz on PORT)."""
    # SIGTERM (a service manager, `docker stop`) ends the process through the `finally` below.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    children: list[tuple[BaseProcess, Event]] = []
    app = _checked_app(settings, deps)
    adopt_local_data(app, deps)  # before the worker and the web processes: nobody writes meanwhile
    if settings.card_worker:
        children.append(worker.start(settings))
        deps.card_worker = True
    scheduler = start_scheduler(deps)
    try:
        if settings.socket_mode:
            assert settings.slack_app_token is not None  # what socket_mode means
            socket_mode = SocketModeHandler(
                app, settings.slack_app_token.get_secret_value(), ping_interval=PING_INTERVAL
            )
            watch = SocketWatch(socket_mode.client)
            HttpServer(build_wsgi(app, deps, slack_events=False, watch=watch), settings.host, settings.port).start()
            log.info("Socket Mode; /healthz on port %s", settings.port)
            socket_mode.connect()  # a wrong app token stops the start here, with Slack's error
            watch.start()
            threading.Event().wait()
        else:
            wsgi = build_wsgi(app, deps)
            sock = shared_socket(settings.host, settings.port)
            extra = settings.web_processes - 1
            if extra and not hasattr(socket, "SO_REUSEPORT"):
                log.warning("WEB_PROCESSES=%s needs SO_REUSEPORT, which this system lacks: one process", extra + 1)
                extra = 0
            children += _start_web_processes(settings, extra)
            log.info(
                "HTTP mode: POST /slack/events and GET /healthz on port %s (%s processes)",
                settings.port,
                extra + 1,
            )
            freeze_startup_objects()
            waitress_serve(wsgi, sockets=[sock], threads=8, ident="handoff", **LIMITS)
    finally:
        scheduler.shutdown(wait=False)
        for _, stop in children:
            stop.set()
        for proc, _ in children:
            proc.join(timeout=5)
