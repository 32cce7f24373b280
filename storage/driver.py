"""SQL pieces the repositories share: for plain driver SQL on the bulk paths (where compiling
SQLAlchemy expressions per batch costs more than running them) the driver's parameter mark and long
lists cut into batches for IN (…); and the dialect's INSERT for ON CONFLICT statements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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


def values_of(conn: Connection, table: str, column: str, team_id: str, external_ids: Sequence[str]) -> set[str]:
    """The distinct non-null `column` values of a workspace's `table` rows with these external ids."""
    out: set[str] = set()
    for batch in batches(external_ids):
        rows = conn.exec_driver_sql(
            f"SELECT DISTINCT {column} FROM {table} WHERE team_id = {mark(conn)} AND {column} IS NOT NULL "
            f"AND external_id IN ({marks(conn, len(batch))})",
            (team_id, *batch),
        )
        out.update(v for (v,) in rows)
    return out


def instant(conn: Connection, t: datetime) -> Any:
    """A UTC timestamp as the driver takes it for a UTCDateTime column: SQLite keeps naive UTC text."""
    t = t.astimezone(UTC)
    if conn.dialect.name == "sqlite":
        return t.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return t


def listed(postgres: bool, mark: str, name: str, types: tuple[str, ...], n: int) -> str:
    """A CTE `name` (with its columns, e.g. "spans (i, lo, hi)") of n rows given as parameters (listed_params):
    on PostgreSQL one array per column of these SQL `types`, so the statement's text is short and the same
    however many rows; elsewhere a VALUES list."""
    if postgres:
        return f"{name} AS (SELECT * FROM unnest({', '.join(f'{mark}::{t}[]' for t in types)}))"
    row = f"({', '.join([mark] * len(types))})"
    return f"{name} AS (VALUES {', '.join([row] * n)})"


def listed_params(postgres: bool, rows: Sequence[Sequence[Any]]) -> list[Any]:
    """The parameters of a `listed` CTE of these rows (at least one): on PostgreSQL an array per column,
    written as the text of an array (`{1,2}`, `{2026-03-29T01:00:00+00:00,…}`): psycopg's adaptation of a
    Python list quotes each value on its own, a third of the time a report's longest lists take."""
    if not rows:
        raise ValueError("a listed CTE needs a row")
    if postgres:
        return ["{" + ",".join(_array_items(column)) + "}" for column in zip(*rows, strict=True)]
    return [v for row in rows for v in row]


def _array_items(column: Sequence[Any]) -> Iterator[str]:
    """A column of ints, of days or of zoned instants as an array's items: none holds a character an
    array's text quotes. Anything else is refused."""
    kinds = set(map(type, column))
    if kinds == {int}:
        return map(str, column)
    if kinds == {date}:
        return map(date.isoformat, column)
    if kinds == {datetime} and all(v.tzinfo is not None for v in column):
        return map(datetime.isoformat, column)
    raise TypeError(f"an array of spans holds ints, days or zoned instants, not {', '.join(k.__name__ for k in kinds)}")


def per_span(
    conn: Connection,
    columns: str,
    join: str,
    spans: Sequence[tuple[datetime, datetime]] | Sequence[tuple[date, date]],
    params: Sequence[Any],
) -> dict[int, tuple]:
    """`columns` of the rows of `join` (a table and its ON condition, reading `slices.lo` and
    `slices.hi`), grouped by the [lo, hi) span they fall in: {span's place: row}; one index range per span.
    Spans of instants or of days."""
    rows = [(i, bound(conn, lo), bound(conn, hi)) for i, (lo, hi) in enumerate(spans) if lo < hi]
    if not rows:
        return {}
    postgres, kind = conn.dialect.name == "postgresql", "timestamptz" if isinstance(spans[0][0], datetime) else "date"
    slices = listed(postgres, mark(conn), "slices (i, lo, hi)", ("int", kind, kind), len(rows))
    sql = f"WITH {slices} SELECT slices.i, {columns} FROM slices JOIN {join} GROUP BY slices.i"
    return {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(sql, (*listed_params(postgres, rows), *params))}


def money(v: Any) -> float | None:
    """A sum of money to a millionth: a float sum's last bits follow the order its rows were added in,
    which differs between statements and databases (and a day's sum less a piece of it from the rest)."""
    return None if v is None else round(float(v), 6)


def bound(conn: Connection, v: datetime | date) -> Any:
    """An instant or a day as the driver takes it for a column of that kind."""
    if isinstance(v, datetime):
        return instant(conn, v)
    return v.isoformat() if conn.dialect.name == "sqlite" else v  # SQLite keeps a day as ISO text


def reshaped(conn: Connection, table: str, written: int) -> bool:
    """Whether a SQLite table has no statistics yet, or this load wrote a tenth of its rows or more."""
    if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        return True
    stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL", (table,)).first()
    return stat is None or written * 10 >= int(str(stat[0]).split()[0])


class binary(FunctionElement[str]):
    """A text expression compared byte by byte: `COLLATE "C"` on PostgreSQL (a DISTINCT of a month's
    customers sorts twice as fast as under the database's locale), as is on SQLite (already binary).
    Equal strings are equal under either, so counts do not change."""

    type = String()
    name = "binary"
    inherit_cache = True


@compiles(binary)
def _binary(element: binary, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(binary, "postgresql")
def _binary_postgresql(element: binary, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


def insert_into(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT with ON CONFLICT clauses, in the dialect's own spelling (SQLite or PostgreSQL)."""
    return (sqlite_insert if dialect == "sqlite" else pg_insert)(table)
