"""The Bolt app factory. Nothing happens on import; main() and tests call create_app()."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from slack_bolt import App, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.deps import Deps
from bot.settings import Settings
from bot.slack.acks import AckWaitingExecutor
from bot.slack.client import make_client
from bot.slack.install import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH, InstalledAuthorize, NotInstalled
from handlers import register

log = logging.getLogger(__name__)
BOLT_LOG = "handoff.bolt"


class _SameTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and, given a client as well, warns on every
    start that the token is unused; the client is made from that same setting, so the line says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def create_app(settings: Settings, deps: Deps, *, token_verification: bool = True) -> App:
    signing = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    listeners = AckWaitingExecutor()
    oauth: dict[str, object] = {}
    if deps.installations is not None:  # several workspaces, each installed through /slack/install
        assert settings.slack_client_id and settings.slack_client_secret
        oauth = {
            "oauth_settings": OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value(),
                scopes=list(BOT_SCOPES),
                installation_store=deps.installations.store,
                state_store=deps.installations.states,
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
                installation_store_bot_only=True,
            ),
            "authorize": InstalledAuthorize(deps.installations),
        }
    bolt_log = logging.getLogger(BOLT_LOG)
    if not any(isinstance(f, _SameTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_SameTokenWarning())
    app = App(
        client=make_client(settings, token=None) if oauth else deps.client(""),
        signing_secret=signing,
        token_verification_enabled=token_verification,
        # Answer Slack as soon as ack() runs; the listener goes on in the background.
        process_before_response=False,
        listener_executor=listeners,
        logger=bolt_log,
        **oauth,  # type: ignore[arg-type]
    )
    app.middleware(listeners.middleware)

    @app.middleware
    def inject_deps(context: dict, next: Callable[[], object]) -> object:
        # Keys set on context become listener arguments: listeners take `deps`. The `client` they take is
        # the workspace's long-lived one (Bolt makes a new one per request), so what it keeps is kept.
        context["deps"] = deps
        with contextlib.suppress(NotInstalled):  # app_uninstalled, tokens_revoked: Bolt's own client stays
            context["client"] = deps.client(context.get("team_id") or "")
        return next()

    @app.error
    def handle_error(error: Exception, body: dict) -> BoltResponse | None:
        kind = body.get("type") or body.get("command") or "request"
        log.exception("a Slack listener failed on %s", kind, exc_info=error)
        return None

    register(app)
    return app
