"""PostgreSQL's COPY for the bulk paths: rows streamed in COPY's text format, each value escaped by
psycopg (tabs, newlines, backslashes), far faster than a prepared INSERT per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Append rows to a table in the connection's transaction. A str value goes as written and the
    server reads it as the column's type (an ISO timestamp into a timestamp column)."""
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection inside a transaction is open
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def staging_table(conn: Connection, name: str, like: str, columns: Sequence[str]) -> None:
    """A new temporary table `name` with these columns of `like` (their types, no constraints), gone
    at the end of the transaction."""
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {like} WITH NO DATA"
    )
