"""A report window read from a per-day roll-up: its whole UTC days from the roll-up, the pieces at its
ends from the rows it counts, added or taken away, in one statement (storage.rollups.leadday.split)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, TextClause, bindparam, text
from sqlalchemy.types import Date
from sqlmodel import Session

from storage.rollups import leadday
from storage.rollups.perday import ROLLUPS
from storage.types import UTCDateTime

if TYPE_CHECKING:
    from storage.repos.metrics import Window


@cache
def _statement(
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    signs: tuple[int, ...],
    days: bool,
    extra: tuple[str, ...],
) -> TextClause:
    """The window's rows of these kinds grouped by `keys` (roll-up columns, or its kind column), each
    count summed; `extra`: more columns (scalar subqueries, which may read :start and :end)."""
    r = ROLLUPS[table]
    source = dict(r.keys) | {r.kind: r.kind}
    among = f"{r.kind} IN ({', '.join(repr(k) for k in kinds)})"
    parts = []
    if days:
        parts.append(
            f"SELECT {', '.join([*(f'{k} AS {k}' for k in keys), *(f'{c} AS {c}' for c, _e in r.counts)])} "
            f"FROM {table} WHERE team_id = :team AND day >= :first_day AND day < :end_day AND {among}"
        )
    for n, sign in enumerate(signs):
        exprs = [f"{source[k]} AS {k}" for k in keys] + [f"{e} * {sign} AS {c}" for c, e in r.counts]
        group = f" GROUP BY {', '.join(source[k] for k in keys)}" if keys else ""
        parts.append(
            f"SELECT {', '.join(exprs)} FROM {r.source} WHERE team_id = :team AND {among} "
            f"AND {r.at} >= :start{n} AND {r.at} < :end{n}{group}"
        )
    outer = [f"nullif(w.{k}, '')" for k in keys] + [f"sum(w.{c})" for c, _e in r.counts] + list(extra)
    sql = f"SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(parts)}) AS w"
    if keys:
        sql += f" GROUP BY {', '.join(f'w.{k}' for k in keys)}"
    binds: list[BindParameter[Any]] = [bindparam(f"start{n}", type_=UTCDateTime()) for n in range(len(signs))]
    binds += [bindparam(f"end{n}", type_=UTCDateTime()) for n in range(len(signs))]
    if days:
        binds += [bindparam("first_day", type_=Date()), bindparam("end_day", type_=Date())]
    if any(":start" in e or ":end" in e for e in extra):
        binds += [bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())]
    return text(sql).bindparams(*binds)


def read(
    session: Session,
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    window: Window,
    extra: tuple[str, ...] = (),
) -> list[tuple]:
    """The rows of _statement for a window (never narrowed to a channel: the roll-ups hold every one)."""
    signs, days, params = leadday.window_params(window)
    stmt = _statement(table, keys, kinds, signs, days, extra)
    params |= {"team": window.team_id, "start": window.start, "end": window.end}
    return [tuple(r) for r in session.execute(stmt, params).all()]
