"""Several workspaces by OAuth: slack_sdk's SQLAlchemy installation and OAuth state stores on the tables
of migration 0014, the tokens in them encrypted with TOKEN_ENCRYPTION_KEY, and a workspace's bot token
for work that runs without a request (the scheduler, the card worker), rotated before it expires — by one
process at a time, since Slack accepts a refresh token once."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, MultiFernet
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot.settings import Settings
from storage.locks import exclusive
from storage.repos.installs import due_teams, installed_teams
from storage.types import Sealed

log = logging.getLogger(__name__)

# The scopes Handoff asks for when installed (manifest.yml's bot scopes; a test keeps them equal).
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "reactions:read",
    "usergroups:read",
    "users:read",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token", "incoming_webhook_url")
# A rotating token (12 hours) is exchanged this long before it expires.
ROTATE_BEFORE_MINUTES = 120
STATE_SECONDS = 600  # an install link is good for ten minutes


class NotInstalled(LookupError):
    """The workspace has not installed Handoff, or has uninstalled it."""


class TokenKeyError(ValueError):
    """TOKEN_ENCRYPTION_KEY is not a key (a stored token sealed with another key: storage.types.Unsealable)."""


def cipher(keys: str) -> MultiFernet:
    """Comma-separated Fernet keys: the first seals, any of them opens (so a key can be replaced)."""
    try:
        return MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
    except ValueError as exc:
        raise TokenKeyError(f"TOKEN_ENCRYPTION_KEY: {exc}") from None


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's installation store with every token column sealed."""

    def __init__(self, client_id: str, engine: Engine, sealer: MultiFernet) -> None:
        super().__init__(client_id=client_id, engine=engine)
        for table in (self.bots, self.installations):
            for name in TOKEN_COLUMNS:
                if name in table.c:
                    table.c[name].type = Sealed(sealer)


class Installations:
    """The installed workspaces and their bot tokens."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        assert settings.slack_client_id and settings.slack_client_secret and settings.token_encryption_key
        self.engine = engine
        self.store = SealedInstallationStore(
            settings.slack_client_id, engine, cipher(settings.token_encryption_key.get_secret_value())
        )
        self.states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
        self.rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            client=WebClient(base_url=settings.slack_api_url, timeout=30),
        )

    def bot(self, team_id: str) -> Bot | None:
        """The workspace's bot installation, its token exchanged first when it expires within
        ROTATE_BEFORE_MINUTES; None when the workspace has not installed Handoff (or uninstalled it)."""
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not self._due(bot.bot_refresh_token, bot.bot_token_expires_at):
            return bot
        with exclusive(self.engine, f"rotate:{team_id}"):
            bot = self.store.find_bot(enterprise_id=None, team_id=team_id)  # another process may have rotated
            if bot is None:
                return None
            rotated = self.rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES)
            if rotated is not None:
                self.store.save_bot(rotated)
                log.info("the bot token of workspace %s was rotated", team_id)
                bot = rotated
        return bot

    def bot_token(self, team_id: str) -> str | None:
        bot = self.bot(team_id)
        return bot.bot_token if bot is not None else None

    def _due(self, refresh_token: str | None, expires_at: int | None) -> bool:
        return bool(refresh_token) and expires_at is not None and expires_at <= time.time() + ROTATE_BEFORE_MINUTES * 60

    def teams(self) -> set[str]:
        """The workspaces that have Handoff installed."""
        return installed_teams(self.engine, self.store.bots, self.store.client_id)

    def rotate_due(self) -> list[str]:
        """Exchange every token that expires within ROTATE_BEFORE_MINUTES (the scheduler calls this each
        minute, so work without a request never meets an expired token); the workspaces checked."""
        soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=ROTATE_BEFORE_MINUTES)
        teams = due_teams(self.engine, self.store.bots, self.store.client_id, soon)
        for team_id in teams:
            try:
                self.bot(team_id)
            except SlackTokenRotationError:
                log.exception("the bot token of workspace %s could not be rotated", team_id)
        return teams

    def forget(self, team_id: str) -> None:
        """Handoff was uninstalled or its tokens revoked: the workspace's tokens are deleted."""
        self.store.delete_installation(enterprise_id=None, team_id=team_id)
        self.store.delete_bot(enterprise_id=None, team_id=team_id)


class InstalledAuthorize(Authorize):
    """Bolt's authorization from the installations, through `Installations.bot`: a request's token is
    rotated under the same lock as the background work's, so a refresh token is used once."""

    def __init__(self, installations: Installations) -> None:
        self.installations = installations

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = self.installations.bot(team_id) if team_id else None
        if bot is None:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
