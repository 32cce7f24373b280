"""What the tables share: UTC timestamps."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field

from storage.types import UTCDateTime


def ts(**kw: Any) -> Any:
    """A timezone-aware UTC timestamp column (nullable when told)."""
    nullable = kw.pop("nullable", False)
    return Field(sa_type=UTCDateTime, nullable=nullable, **kw)
