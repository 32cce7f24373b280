"""The channel table of a digest's thread: the channels that move the most money first, the rest summed
into one row. Pure: channel rows (report.channels) in, rows out; the picture is bot.kpi.table_png."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.kpi.catalog import ratio, value

# Rows a phone shows without scrolling past the point: the top ones, then the rest summed. A rest of one
# channel is shown as itself (a row of "1 other channel" says less than its name).
MAX_ROWS = 8
COUNTED = ("leads", "target_leads", "sales", "revenue", "customers", "new_customers")
OTHERS = "others"  # the key of the summed row: how many channels it holds


def money_at_stake(row: Mapping[str, Any]) -> float:
    """What a channel moves: its spend and the revenue of its sales (unknown counts as nothing)."""
    return float(row.get("spend") or 0) + float(row.get("revenue") or 0)


def ranked(rows: Sequence[Mapping[str, Any]], by: str = "channel") -> list[Mapping[str, Any]]:
    """Most money at stake first; then more leads; then by name, so the order never depends on the query."""
    return sorted(rows, key=lambda r: (-money_at_stake(r), -float(r.get("leads") or 0), str(r.get(by) or "")))


def top_rows(rows: Sequence[Mapping[str, Any]], by: str = "channel", limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """The table's rows: up to `limit` channels by money at stake, and — when more are left than one — a
    last row summing them, marked with OTHERS (their number) and `by` None."""
    order = ranked(rows, by)
    if len(order) <= limit + 1:
        return [dict(r) for r in order]
    return [*(dict(r) for r in order[:limit]), summed(order[limit:], by)]


def summed(rows: Sequence[Mapping[str, Any]], by: str = "channel") -> dict[str, Any]:
    """Channels as one: counts and money added up, the ratios computed again from the sums as the
    catalogue defines them. Money ratios (cost per lead, CAC, ROMI) count only the channels whose spend is
    known — a channel without spend data has unknown costs, not free leads."""
    total = _add(rows)
    paid = _add([r for r in rows if r.get("spend") is not None])
    spend = sum(float(r["spend"]) for r in rows if r.get("spend") is not None) if paid["rows"] else None
    money = {**paid, "spend": spend}
    out: dict[str, Any] = {by: None, OTHERS: len(rows), **{k: total[k] for k in COUNTED}, "spend": spend}
    out["target_share_pct"] = value("target_share_pct", total)
    out["conversion_pct"] = value("conversion_pct", total)
    for key in ("cost_per_lead", "cost_per_target_lead", "cac"):
        out[key] = value(key, money)
    out["romi_pct"] = None if spend is None else ratio(paid["revenue"] - spend, spend, 100)
    return out


def _add(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    sums = {k: sum(float(r.get(k) or 0) for r in rows) for k in COUNTED}
    return {**sums, "rows": len(rows)}
