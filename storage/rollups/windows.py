"""Report windows read from a per-day roll-up: each window's whole UTC days from the roll-up, the
pieces at its ends from the rows it counts, added or taken away (storage.rollups.leadday.split); any
number of windows in one statement, each row marked with its window's place."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from storage import driver
from storage.rollups import leadday
from storage.rollups.perday import ROLLUPS, RollUp

if TYPE_CHECKING:
    from storage.repos.metrics import Window

# The leads-per-day roll-ups, kept by storage.rollups.leadday, read the same way.
READS = ROLLUPS | {
    "leadday": RollUp(
        "lead",
        "created_at",
        None,
        (("channel", "coalesce(channel, '')"), ("campaign", "coalesce(campaign, '')")),
        (("leads", "count(*)"), ("target_leads", "sum(CASE WHEN verdict = 'target' THEN 1 ELSE 0 END)")),
    ),
    "ownerday": RollUp("lead", "created_at", None, (("owner", "coalesce(owner, '')"),), (("leads", "count(*)"),)),
}


@cache
def _statement(
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    narrow: bool,
    mark: str,
    postgres: bool,
    days: int,
    pieces: int,
    uses: int,
) -> str:
    """Rows (window's place, *keys, *counts summed) of windows' rows of these kinds grouped by `keys`
    (roll-up columns, or its kind column), as two joins: the roll-up's rows of `days` spans of whole
    UTC days (span_i, span_lo, span_hi), the source's rows of `pieces` spans of instants, each added or
    taken away by windows (`uses` of them) by their signs; one index range per span. One plan
    however many windows (a statement of a subquery per piece took PostgreSQL longer to plan than to run).
    On PostgreSQL the lists are arrays (storage.driver.listed), and `days`, `pieces` and `uses` only say
    whether there are any.
    `narrow`: only the rows of one channel."""
    r = READS[table]
    source = dict(r.keys) | ({r.kind: r.kind} if r.kind else {})
    if narrow and "channel" not in source:
        raise ValueError(f"{table} has no channel: a narrowed window is read from its rows")

    def among(kind: str, channel: str) -> str:
        """The conditions on the kind and the channel (after the team's and the span's)."""
        conds = [f"{kind} IN ({', '.join(repr(k) for k in kinds)})"] if r.kind else []
        return "".join(f" AND {c}" for c in (*conds, *([f"{channel} = {mark}"] if narrow else [])))

    spans, parts = [], []
    if days:
        spans.append(driver.listed(postgres, mark, "days (span_i, span_lo, span_hi)", ("int", "date", "date"), days))
        columns = ["days.span_i AS i", *(f"t.{k} AS {k}" for k in keys), *(f"t.{c} AS {c}" for c, _e in r.counts)]
        parts.append(
            f"SELECT {', '.join(columns)} FROM days JOIN {table} t ON t.team_id = {mark} "
            f"AND t.day >= days.span_lo AND t.day < days.span_hi{among(f't.{r.kind}', 't.channel')}"
        )
    if pieces:
        # Each piece read once, however many windows add or take it away (the end of one day is where the
        # next begins): `pieces` (piece_j, span_lo, span_hi), and `uses` (piece_j, span_i, span_sign).
        instants = ("int", "timestamptz", "timestamptz")
        spans.append(driver.listed(postgres, mark, "pieces (piece_j, span_lo, span_hi)", instants, pieces))
        spans.append(driver.listed(postgres, mark, "uses (piece_j, span_i, span_sign)", ("int", "int", "int"), uses))
        scope = f"team_id = {mark} AND {r.at} >= pieces.span_lo AND {r.at} < pieces.span_hi"
        scope += among(str(r.kind), source.get("channel", ""))
        named = [*(f"{source[k]} AS {k}" for k in keys), *(f"{e} AS {c}" for c, e in r.counts)]
        if postgres:
            # PostgreSQL: one index range per piece as a LATERAL subquery (as a join it is planned as a scan of
            # the whole table, the planner unable to tell that the pieces are hours), counted once per piece
            # (MATERIALIZED: else the join to the uses is planned first and each piece counted per use).
            group = f" GROUP BY {', '.join(source[k] for k in keys)}" if keys else ""
            spans.append(
                f"each AS MATERIALIZED (SELECT pieces.piece_j, s.* FROM pieces CROSS JOIN LATERAL "
                f"(SELECT {', '.join(named)} FROM {r.source} WHERE {scope}{group}) AS s)"
            )
            each = "each"
        else:
            group = ", ".join(["pieces.piece_j", *(source[k] for k in keys)])
            joined = f"FROM pieces JOIN {r.source} ON {scope} GROUP BY {group}"
            each = f"(SELECT pieces.piece_j, {', '.join(named)} {joined})"
        columns = ["uses.span_i AS i", *(f"p.{k} AS {k}" for k in keys)]
        columns += [f"p.{c} * uses.span_sign AS {c}" for c, _e in r.counts]
        parts.append(f"SELECT {', '.join(columns)} FROM {each} AS p JOIN uses ON uses.piece_j = p.piece_j")
    outer = ["w.i", *(f"nullif(w.{k}, '')" for k in keys), *(f"sum(w.{c})" for c, _e in r.counts)]
    grouped = ", ".join(["w.i", *(f"w.{k}" for k in keys)])
    return (
        f"WITH {', '.join(spans)} SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(parts)}) AS w GROUP BY {grouped}"
    )


def read_many(
    session: Session,
    table: str,
    keys: tuple[str, ...],
    kinds: tuple[str, ...],
    windows: Sequence[Window],
) -> list[list[tuple]]:
    """For each window (of one workspace, and one channel or none), its rows (*keys, *counts)."""
    conn = session.connection()
    days: list[tuple[Any, Any, Any]] = []
    pieces: dict[tuple[Any, Any], int] = {}  # (start, end) → its place
    uses: list[tuple[Any, Any, Any]] = []
    for w, window in enumerate(windows):
        whole, parts = leadday.split(window)
        if whole is not None:
            days.append((w, driver.bound(conn, whole[0]), driver.bound(conn, whole[1])))
        for sign, piece in parts:
            j = pieces.setdefault((driver.bound(conn, piece.start), driver.bound(conn, piece.end)), len(pieces))
            uses.append((j, w, sign))
    team, channel = windows[0].team_id, windows[0].channel
    scope = [team] if channel is None else [team, channel]
    postgres = conn.dialect.name == "postgresql"
    spans = [(j, lo, hi) for (lo, hi), j in pieces.items()]
    # PostgreSQL takes each list as three arrays: its statement is the same for any number of rows.
    shape = tuple(min(len(x), 1) if postgres else len(x) for x in (days, spans, uses))
    sql = _statement(table, keys, kinds, channel is not None, driver.mark(conn), postgres, *shape)
    listed = [v for rows in (days, spans, uses) if rows for v in driver.listed_params(postgres, rows)]
    # The spans, then the workspace (and channel) of each part in the order the text names them: PostgreSQL's
    # pieces in a WITH before the days' part, elsewhere the days' part first.
    of_days, of_pieces = (scope if days else []), (scope if pieces else [])
    params = [*listed, *of_pieces, *of_days] if postgres else [*listed, *of_days, *of_pieces]
    out: list[list[tuple]] = [[] for _w in windows]
    for row in conn.exec_driver_sql(sql, tuple(params)).all():  # at once: a fetch per row costs more than its row
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
