"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the Python side on every database.

    SQLite keeps no zone, so values are stored as naive UTC and given back as aware UTC;
    a naive value handed in is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Unsealable(ValueError):
    """A sealed value that the key given does not open (sealed with another key)."""


class Sealed(TypeDecorator[str]):
    """A text column whose values are stored encrypted with `sealer` (Fernet; bot.slack.install)."""

    impl = Text
    cache_ok = True

    def __init__(self, sealer: MultiFernet) -> None:
        super().__init__()
        self.sealer = sealer

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.sealer.encrypt(str(value).encode()).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return self.sealer.decrypt(value.encode()).decode()
        except InvalidToken:
            raise Unsealable("a stored token does not open with TOKEN_ENCRYPTION_KEY") from None
