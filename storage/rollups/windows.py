"""Report windows read from a per-day roll-up: each window's whole UTC days from the roll-up, the
pieces at its ends from the rows it counts, added or taken away (storage.rollups.leadday.split); any
number of windows in one statement, each row marked with its window's place."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.types import Date
from sqlmodel import Session

from storage.rollups import leadday
from storage.rollups.perday import ROLLUPS, RollUp
from storage.types import UTCDateTime

if TYPE_CHECKING:
    from storage.repos.metrics import Window

# The leads-per-day roll-up, kept by storage.rollups.leadday, read the same way.
READS = ROLLUPS | {
    "leadday": RollUp(
        "lead",
        "created_at",
        None,
        (("channel", "coalesce(channel, '')"), ("campaign", "coalesce(campaign, '')")),
        (("leads", "count(*)"), ("target_leads", "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END)")),
    )
}

Shape = tuple[tuple[int, ...], bool]  # a window's pieces' signs, and whether it has whole days


@cache
def _statement(table: str, keys: tuple[str, ...], kinds: tuple[str, ...], shapes: tuple[Shape, ...]) -> TextClause:
    """Rows (window's place, *keys, *counts summed) of these windows' rows of these kinds grouped by
    `keys` (roll-up columns, or its kind column)."""
    r = READS[table]
    source = dict(r.keys) | ({r.kind: r.kind} if r.kind else {})
    among = f" AND {r.kind} IN ({', '.join(repr(k) for k in kinds)})" if r.kind else ""
    parts, binds = [], []
    for w, (signs, days) in enumerate(shapes):
        if days:
            columns = [f"{w} AS i", *(f"{k} AS {k}" for k in keys), *(f"{c} AS {c}" for c, _e in r.counts)]
            parts.append(
                f"SELECT {', '.join(columns)} FROM {table} "
                f"WHERE team_id = :team AND day >= :first_day_{w} AND day < :end_day_{w}{among}"
            )
            binds += [bindparam(f"first_day_{w}", type_=Date()), bindparam(f"end_day_{w}", type_=Date())]
        for n, sign in enumerate(signs):
            exprs = [
                f"{w} AS i",
                *(f"{source[k]} AS {k}" for k in keys),
                *(f"{e} * {sign} AS {c}" for c, e in r.counts),
            ]
            group = f" GROUP BY {', '.join(source[k] for k in keys)}" if keys else ""
            parts.append(
                f"SELECT {', '.join(exprs)} FROM {r.source} WHERE team_id = :team{among} "
                f"AND {r.at} >= :start{n}_{w} AND {r.at} < :end{n}_{w}{group}"
            )
            binds += [bindparam(f"{b}{n}_{w}", type_=UTCDateTime()) for b in ("start", "end")]
    outer = ["w.i", *(f"nullif(w.{k}, '')" for k in keys), *(f"sum(w.{c})" for c, _e in r.counts)]
    grouped = ", ".join(["w.i", *(f"w.{k}" for k in keys)])
    sql = f"SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(parts)}) AS w GROUP BY {grouped}"
    return text(sql).bindparams(*binds)


def read_many(
    session: Session,
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    windows: Sequence[Window],
) -> list[list[tuple]]:
    """For each window (of one workspace, never narrowed to a channel: the roll-ups hold every one), its
    rows (*keys, *counts)."""
    shapes: list[Shape] = []
    params: dict[str, Any] = {}
    for w, window in enumerate(windows):
        signs, days, p = leadday.window_params(window)
        shapes.append((signs, days))
        params |= {f"{k}_{w}": v for k, v in p.items()}
    params["team"] = windows[0].team_id
    out: list[list[tuple]] = [[] for _w in windows]
    for row in session.execute(_statement(table, keys, kinds, tuple(shapes)), params).all():
        out[row[0]].append(tuple(row[1:]))
    return out


def read(
    session: Session,
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    window: Window,
) -> list[tuple]:
    """read_many for one window."""
    return read_many(session, table, keys, kinds, [window])[0]
