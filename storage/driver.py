"""SQL pieces the repositories share: for plain driver SQL on the bulk paths (where compiling
SQLAlchemy expressions per batch costs more than running them) the driver's parameter mark and long
lists cut into batches for IN (…); and the dialect's INSERT for ON CONFLICT statements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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


def insert_into(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with ON CONFLICT clauses, in the dialect's own spelling (SQLite or PostgreSQL)."""
    return (sqlite_insert if dialect == "sqlite" else pg_insert)(table)
