"""The Bolt app factory. Nothing happens on import; main() and tests call create_app()."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.settings import Settings
from bot.slack.acks import AckWaitingExecutor
from bot.slack.client import make_client
from handlers import register

log = logging.getLogger(__name__)


def create_app(settings: Settings, deps: Deps, *, token_verification: bool = True) -> App:
    signing = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    listeners = AckWaitingExecutor()
    app = App(
        client=make_client(settings),
        signing_secret=signing,
        token_verification_enabled=token_verification,
        # Answer Slack as soon as ack() runs; the listener goes on in the background.
        process_before_response=False,
        listener_executor=listeners,
        logger=logging.getLogger("handoff.bolt"),
    )
    app.middleware(listeners.middleware)

    @app.middleware
    def inject_deps(context: dict, next: Callable[[], object]) -> object:
        # Keys set on context become listener arguments: listeners take `deps`.
        context["deps"] = deps
        return next()

    @app.error
    def handle_error(error: Exception, body: dict) -> BoltResponse | None:
        kind = body.get("type") or body.get("command") or "request"
        log.exception("a Slack listener failed on %s", kind, exc_info=error)
        return None

    register(app)
    return app
