"""Changes worth a look: each KPI of each channel (and of all channels) against its seasonal band.

The band of a period is drawn from the same period before: a daily digest's day (or Monday's Friday
to Sunday) against the same weekdays of the last weeks, a week against the weeks before it, a month
against the months before it (scaled to its number of days). Its centre is the median of those
values and its half-width `BAND_MADS` scaled median absolute deviations, never narrower than a floor
(a few leads, some per cent of the median): a history of identical values does not make every change
a finding. A value outside its band is a finding of kind `outside_band`. Pure: frames in, findings out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bot.i18n import plural, translator
from bot.kpi import catalog
from bot.kpi.engine import Alert
from bot.kpi.render import fmt_kpi_value

KIND = "outside_band"
# The KPIs with daily data: leads and target leads from the leads-per-day roll-up, spend per day.
KPIS = ("leads", "target_leads", "target_share_pct", "spend")
# How many periods back a band looks, and how many of them must hold a value for a band to exist.
HISTORY = {"daily": 8, "weekly": 8, "monthly": 6}
MIN_POINTS = {"daily": 4, "weekly": 4, "monthly": 3}
# Half-width: BAND_MADS × MAD × MAD_TO_SD (the MAD of a normal sample times 1.4826 estimates its
# standard deviation, so 3 is about "three sigma" and robust to one odd week in the history) …
BAND_MADS = 3.0
MAD_TO_SD = 1.4826
# … and at least this much: a share of the median, and an absolute floor per KPI (leads, percentage
# points, money: none, the share of the median covers it).
MIN_HALF_WIDTH_SHARE = 0.25
MIN_HALF_WIDTH = {"leads": 3.0, "target_leads": 2.0, "target_share_pct": 10.0, "spend": 0.0}
# A target share is judged on at least this many leads in the period (and in each point of its history).
MIN_LEADS_FOR_SHARE = 5
# Counted KPIs of a month are scaled to the reported month's days (February against 31-day months).
SCALED = ("leads", "target_leads", "spend")
ALL = ""  # the channel key of the workspace's total


@dataclass(frozen=True)
class Band:
    kpi: str
    channel: str  # ALL: every channel together
    value: float
    low: float
    high: float
    median: float
    points: int

    @property
    def outside(self) -> bool:
        return self.value < self.low or self.value > self.high

    @property
    def score(self) -> float:
        """How far outside, in half-widths beyond the edge (0 inside): ranks the changes."""
        half = max((self.high - self.low) / 2, 1e-9)
        return max(self.low - self.value, self.value - self.high, 0.0) / half


def band_of(history: list[float], kpi: str, *, min_points: int) -> tuple[float, float, float] | None:
    """(low, high, median) of a history of values, or None with fewer than `min_points` of them."""
    if len(history) < min_points:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(v - median) for v in history)
    half = max(BAND_MADS * MAD_TO_SD * mad, MIN_HALF_WIDTH_SHARE * abs(median), MIN_HALF_WIDTH[kpi])
    low = median - half
    return (max(low, 0.0), median + half, median)


def per_channel(rows: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """Rows (back, channel, campaign, leads, target_leads, spend) summed per period and `by` (channel or
    campaign), plus each period's total under ALL. `back`: 0 the reported period, 1 the one before…
    A missing name is left out of the names (it is in the total). The total only when the rows hold
    more than one name (a missing one counts): else it would repeat the one channel — a report narrowed
    to a channel, a workspace with one. A few hundred rows: summed in one pass over them, a pandas
    group-by costs more than the sums."""
    sums: dict[tuple[int, str], list[float]] = {}
    names = set()
    for back, name, leads, target, spend in rows[["back", by, "leads", "target_leads", "spend"]].itertuples(
        index=False
    ):
        missing = name is None or name == ALL or name != name  # None, "" or pandas' NaN
        names.add(None if missing else str(name))
        keys = [(int(back), ALL)] if missing else [(int(back), str(name)), (int(back), ALL)]
        for key in keys:
            m = sums.setdefault(key, [0, 0, 0.0])
            m[0] += leads
            m[1] += target
            m[2] += spend or 0.0
    return pd.DataFrame(
        [(back, name, *m) for (back, name), m in sums.items() if name != ALL or len(names) > 1],
        columns=["back", by, "leads", "target_leads", "spend"],
    )


@dataclass(frozen=True)
class Point:
    """A channel's (or campaign's) counts in one period."""

    leads: float
    target_leads: float
    spend: float

    @classmethod
    def of(cls, row: Any) -> Point:
        return cls(float(row.leads), float(row.target_leads), float(row.spend or 0))


def value_of(p: Point, kpi: str) -> float | None:
    if kpi == "target_share_pct":
        return p.target_leads / p.leads * 100 if p.leads >= MIN_LEADS_FOR_SHARE else None
    return float(getattr(p, kpi))


def compute_bands(frame: pd.DataFrame, kind: str, days: dict[int, int], by: str = "channel") -> list[Band]:
    """The band of every KPI of every channel (`by`) whose history holds enough values; `days`: each
    period's number of days by `back`. A period of the history counts for a channel when the channel
    had leads or spend in it; the reported period always counts (a channel gone silent is a 0). Month
    values are scaled to the reported month's days."""
    if kind not in HISTORY or frame.empty:
        return []
    out = []
    series: dict[str, dict[int, Point]] = {}
    for r in frame.itertuples(index=False):
        series.setdefault(str(getattr(r, by)), {})[int(r.back)] = Point.of(r)
    for name, points in sorted(series.items()):
        now = points.get(0, Point(0, 0, 0.0))
        past = [(back, p) for back, p in sorted(points.items()) if 1 <= back <= HISTORY[kind] and (p.leads or p.spend)]
        for kpi in KPIS:
            value = value_of(now, kpi)
            if value is None:
                continue
            history = []
            for back, p in past:
                v = value_of(p, kpi)
                if v is not None:
                    scale = days[0] / days[back] if kind == "monthly" and kpi in SCALED else 1.0
                    history.append(v * scale)
            band = band_of(history, kpi, min_points=MIN_POINTS[kind])
            if band is not None:
                out.append(Band(kpi, name, value, band[0], band[1], band[2], len(history)))
    return out


def findings(bands: list[Band], *, kind: str, period_key: str, language: str, currency: str | None) -> list[Alert]:
    """One finding per channel (and one for all channels) whose KPI is outside its band: of its KPIs
    the one furthest outside. Subject: the KPI and the channel as read."""
    _ = translator(language)
    ngettext = plural(language)
    worst: dict[str, Band] = {}
    for b in sorted((b for b in bands if b.outside), key=lambda b: (-b.score, KPIS.index(b.kpi))):
        worst.setdefault(b.channel, b)
    out = []
    for b in worst.values():
        n = b.points
        if kind == "daily":
            over = ngettext("the same weekday of the last week", "the same weekday over the last {n} weeks", n)
        elif kind == "weekly":
            over = ngettext("the last week", "the last {n} weeks", n)
        else:
            over = ngettext("the last month", "the last {n} months", n)
        if b.channel == ALL:  # every channel together is no channel: `по всем каналам`, not `в канале`
            template = (
                _("{kpi} in all channels rose to {value}, above its usual {low} – {high} ({over}).")
                if b.value > b.high
                else _("{kpi} in all channels fell to {value}, below its usual {low} – {high} ({over}).")
            )
        else:
            template = (
                _("{kpi} in {channel} rose to {value}, above its usual {low} – {high} ({over}).")
                if b.value > b.high
                else _("{kpi} in {channel} fell to {value}, below its usual {low} – {high} ({over}).")
            )
        channel = b.channel or _("all channels")
        values = {
            "kpi": catalog.name(b.kpi, language),
            "channel": channel,
            "value": fmt_kpi_value(b.kpi, b.value, language, currency),
            "low": fmt_kpi_value(b.kpi, b.low, language, currency),
            "high": fmt_kpi_value(b.kpi, b.high, language, currency),
            "over": over.format(n=n),
        }
        out.append(
            Alert(
                kind=KIND,
                text=template.format(**values),
                template=template,
                values=values,
                subject_type="channel_kpi",
                subject=f"{catalog.name(b.kpi, language)} · {channel}",
                advice="watch",
                severity="high" if b.score >= 1 else "medium",
                facts={
                    "kpi": b.kpi,
                    "channel": b.channel,
                    "report": kind,
                    "period": period_key,
                    "value": b.value,
                    "low": b.low,
                    "high": b.high,
                    "median": b.median,
                    "points": n,
                },
                stake=abs(b.value - b.median) if b.kpi == "spend" else 0.0,
            )
        )
    return out
