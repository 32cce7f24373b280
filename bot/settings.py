"""The one place that reads the environment."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///handoff.db"
# Loggers that write request or response bodies at DEBUG (what people typed, cards with e-mails).
QUIET_AT_DEBUG = ("slack_sdk", "slack_bolt", "handoff.bolt", "urllib3")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line meant for the person running the bot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # OAuth (several workspaces install Handoff through /slack/install): the app's credentials, and the
    # Fernet key(s) the stored tokens are encrypted with (comma-separated: the first encrypts).
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    token_encryption_key: SecretStr | None = None
    # A workspace that uninstalls Handoff: its data is kept (installing again goes on with it) or deleted.
    uninstalled_data: Literal["keep", "delete"] = "keep"
    database_url: str = DEFAULT_DATABASE_URL
    # The address HTTP is served on: every interface by default (a container, a proxy on another host);
    # 127.0.0.1 when the reverse proxy runs on the same machine.
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Post lead cards from a separate process, so the HTTP answers never wait behind them.
    card_worker: bool = True
    # HTTP mode: processes answering on PORT (each with its own interpreter lock; the kernel spreads the
    # connections over them). 1 keeps everything in one process.
    web_processes: int = Field(default=2, ge=1, le=32)
    # Socket Mode: /healthz answers 503 once the connection to Slack has been down this many seconds.
    socket_down_after: float = Field(default=30, gt=0, le=3600)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return v

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not v.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return v

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return v if v.endswith("/") else v + "/"

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            raise ValueError("must be an IP address, like 127.0.0.1 or 0.0.0.0") from None
        return v

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, v: object) -> object:
        return v.upper() if isinstance(v, str) else v

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def oauth(self) -> bool:
        return self.slack_client_id is not None

    def require_slack(self) -> None:
        """What `handoff run` needs; offline commands (import, report, demo) need none of it."""
        if self.oauth:
            if self.slack_client_secret is None:
                raise SettingsError("SLACK_CLIENT_SECRET is not set: copy it from Basic Information → App Credentials")
            if self.token_encryption_key is None:
                raise SettingsError(
                    "TOKEN_ENCRYPTION_KEY is not set: the installed workspaces' tokens are stored encrypted with it "
                    '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
                )
            if self.socket_mode:
                raise SettingsError("SLACK_APP_TOKEN: Socket Mode serves one workspace; unset it to install by OAuth")
        elif self.slack_bot_token is None:
            raise SettingsError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…)")
        if not self.socket_mode and self.slack_signing_secret is None:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: copy it from Basic Information → App Credentials "
                "(or set SLACK_APP_TOKEN to use Socket Mode)"
            )

    def configure_logging(self) -> None:
        level = logging.getLevelName(self.log_level)
        handler = logging.StreamHandler()
        handler.setFormatter(LogFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.basicConfig(level=self.log_level, handlers=[handler])
        logging.getLogger("alembic").setLevel(max(logging.WARNING, level))
        # At DEBUG these log every request's body: a lead card's name, e-mail and phone. Personal data
        # stays out of the log whatever LOG_LEVEL says.
        if level < logging.INFO:
            for name in QUIET_AT_DEBUG:
                logging.getLogger(name).setLevel(logging.INFO)


class LogFormatter(logging.Formatter):
    """Log lines without a database error's DETAIL and CONTEXT: PostgreSQL quotes the data there
    ("Failing row contains (…, ann@example.com, …)", "Key (email)=(…)", "JSON data, line 1: {…"), which
    SQLAlchemy's hidden parameters do not cover. From the first of them to the end of that error
    (SQLAlchemy's `[SQL: …]`, the next exception of the chain, or the end) the text is left out, a value
    spread over several lines included."""

    QUOTED = re.compile(
        r"^(\s*(?:DETAIL|CONTEXT):).*?(?=^\[SQL:|^The above exception|^During handling|^Traceback|\Z)",
        re.MULTILINE | re.DOTALL,
    )

    def format(self, record: logging.LogRecord) -> str:
        return self.QUOTED.sub(r"\1 (left out: it may hold personal data)\n", super().format(record))


def load_settings(**overrides: Any) -> Settings:
    """Read the environment; a bad value becomes one SettingsError line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "setting"
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {msg}") from None
