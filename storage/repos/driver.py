"""Plain driver SQL for the bulk paths, where compiling SQLAlchemy expressions per batch costs more
than running them: the driver's parameter mark, and long lists cut into batches for IN (…)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection

T = TypeVar("T")
IN_BATCH = 10_000  # values per IN (…): well under every driver's parameter limit


def mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def batches(values: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def marks(conn: Connection, n: int) -> str:
    """`?, ?, …` (or `%s, …`) for n values."""
    return ", ".join([mark(conn)] * n)
