"""The long-lived objects every part of the bot shares, built once by main() or a test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.settings import Settings
from storage.db import make_engine
from storage.types import utcnow


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime] = field(default=utcnow)
    _client: WebClient | None = field(default=None, repr=False)

    def client(self, team_id: str) -> WebClient:
        """The Web API client for a workspace (single-workspace mode: the bot token's)."""
        if self._client is None:
            from bot.slack_client import make_client

            self._client = make_client(self.settings)
        return self._client

    @classmethod
    def from_settings(cls, settings: Settings) -> Deps:
        return cls(settings=settings, engine=make_engine(settings.database_url))
