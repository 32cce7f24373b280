"""Changes worth a look, read from storage: the band findings of a report's period and the drill-down
a Why? button asks for (the KPI by channel against its band, by campaign in the channel that moved
most, sample leads). The math is bot.kpi.bands'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from bot.deps import Deps
from bot.kpi import bands
from bot.kpi.engine import Alert
from bot.kpi.periods import Period
from bot.workspace.store import load
from storage.repos import bands as bands_repo

COLUMNS = ["back", "channel", "campaign", "leads", "target_leads", "spend"]
SAMPLE_LEADS = 5
# How many campaigns of the channel the drill-down lists.
CAMPAIGNS_SHOWN = 8

Move = tuple[str, float, float | None]  # a campaign, its value now, its usual value
Ask = Callable[[Callable[..., Any], Period], Any]  # a report's query cache: (query, period) → rows


def history(kind: str, period: Period) -> list[Period]:
    """The reported period (back 0) and the ones its band is drawn from: for a daily digest the same
    weekdays of the weeks before, else the weeks or months before."""
    out = [period]
    for back in range(1, bands.HISTORY[kind] + 1):
        if kind == "daily":
            shift = timedelta(days=7 * back)
            out.append(Period(period.kind, period.start - shift, period.end - shift))
        else:
            out.append(period.shifted(back))
    return out


def frame(ask: Ask, kind: str, period: Period) -> tuple[pd.DataFrame, dict[int, int]]:
    """The rows of the reported period and its history, and each one's number of days."""
    periods = history(kind, period)
    rows = [(back, *r) for back, p in enumerate(periods) for r in ask(bands_repo.band_rows, p)]
    return pd.DataFrame(rows, columns=COLUMNS), {back: p.days for back, p in enumerate(periods)}


def band_findings(ask: Ask, kind: str, period: Period, language: str, currency: str | None) -> list[Alert]:
    """The outside-band findings of a report (none for a range of days: it has no season)."""
    if kind not in bands.HISTORY:
        return []
    rows, days = frame(ask, kind, period)
    found = bands.compute_bands(bands.per_channel(rows), kind, days)
    return bands.findings(found, kind=kind, period_key=period.key(), language=language, currency=currency)


@dataclass
class Drill:
    """What the Why? answer shows."""

    kind: str
    kpi: str
    channel: str
    period: Period
    language: str
    currency: str | None
    channels: list[bands.Band]  # this KPI of every channel (ALL first) that has a band
    focus: str | None = None  # the channel looked into: the one asked about, or the one that moved most
    campaigns: list[Move] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    sample_campaign: str | None = None


def _moved(b: bands.Band) -> float:
    return abs(b.value - b.median)


def campaign_moves(rows: pd.DataFrame, kind: str, days: dict[int, int], kpi: str) -> list[Move]:
    """Each campaign's value of the KPI now and its usual value (the median of its history, None
    without any), the one that moved most first."""
    per = bands.per_channel(rows, by="campaign")
    per = per[per["campaign"] != bands.ALL]
    out: list[Move] = []
    for name, group in per.groupby("campaign", sort=True):
        one = bands.compute_bands(group, kind, days, by="campaign")
        band = next((b for b in one if b.kpi == kpi), None)
        now = group[group["back"] == 0]
        point = bands.Point.of(now.iloc[0]) if not now.empty else bands.Point(0, 0, 0.0)
        value = bands.value_of(point, kpi)
        if value is None:
            continue
        out.append((str(name), value, band.median if band else None))
    return sorted(out, key=lambda c: (-(abs(c[1] - c[2]) if c[2] is not None else c[1]), c[0]))[:CAMPAIGNS_SHOWN]


def drill_down(deps: Deps, team_id: str, kind: str, kpi: str, channel: str, period: Period) -> Drill:
    """The drill-down of one finding, recomputed from today's numbers for the asking workspace."""
    ws = load(deps, team_id)
    with deps.read() as s:
        seen: dict[Period, list[tuple]] = {}

        def ask(query: Callable[..., Any], p: Period) -> Any:
            if p not in seen:
                seen[p] = query(s, window=p.window(team_id, ws.timezone))
            return seen[p]

        rows, days = frame(ask, kind, period)
        found = [b for b in bands.compute_bands(bands.per_channel(rows), kind, days) if b.kpi == kpi]
        drill = Drill(kind, kpi, channel, period, ws.language, ws.currency, sorted(found, key=_order))
        named = [b for b in found if b.channel != bands.ALL]
        if channel != bands.ALL:
            drill.focus = channel
        elif named:
            drill.focus = max(named, key=lambda b: (_moved(b), b.channel)).channel
        if drill.focus is None:
            return drill
        mine = rows[rows["channel"] == drill.focus]
        drill.campaigns = campaign_moves(mine, kind, days, kpi)
        drill.sample_campaign = drill.campaigns[0][0] if drill.campaigns else None
        window = period.window(team_id, ws.timezone, drill.focus)
        drill.leads = bands_repo.sample_leads(s, window=window, campaign=drill.sample_campaign, limit=SAMPLE_LEADS)
    return drill


def _order(b: bands.Band) -> tuple:
    return (b.channel != bands.ALL, -b.score, -_moved(b), b.channel)


def too_old(period: Period, today: date) -> bool:
    """A period whose drill-down is not offered any more (or one not over yet: a forged value)."""
    return period.end > today + timedelta(days=1) or period.start < today - timedelta(days=400)
