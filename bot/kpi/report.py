"""Building a KPI report for a workspace and a period: queries in storage, math in bot.kpi."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session

from bot.deps import Deps
from bot.kpi import engine as kpi
from bot.kpi.alerts import Evidence, build_alerts
from bot.kpi.bands import HISTORY
from bot.kpi.catalog import CHANNEL_COLUMNS
from bot.kpi.changes import band_findings, history
from bot.kpi.funnel import build_funnel, cohort_of
from bot.kpi.pacing import Known, pace_month_of, pace_window, report_pace
from bot.kpi.pacing import prefetch as prefetch_paces
from bot.kpi.periods import Period
from bot.kpi.sales import compute_sales
from bot.kpi.schedule import daily_period
from bot.kpi.transitions import with_status
from bot.workspace.keys import DAYS, parse_workdays
from bot.workspace.store import load
from storage.models import Workspace
from storage.repos import bands as bands_repo
from storage.repos import deals as deals_repo
from storage.repos import funnel as funnel_repo
from storage.repos import history as history_repo
from storage.repos import metrics, rollups, workspaces

REPORT_PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "range": "range"}


def default_period(kind: str, now: datetime, tz: str) -> Period:
    """The last complete day, week or month in the workspace's time zone."""
    today = now.astimezone(ZoneInfo(tz)).date()
    p = Period.containing(REPORT_PERIODS[kind], today)
    return p.previous()


def period_for(
    kind: str,
    *,
    day: date | None = None,
    first: date | None = None,
    last: date | None = None,
    now: datetime,
    tz: str,
) -> Period:
    if first is not None or last is not None:
        if first is None or last is None:
            raise ValueError("give both --from and --to")
        return Period.between(first, last)
    if day is not None:
        return Period.containing(REPORT_PERIODS[kind], day)
    return default_period(kind, now, tz)


class _Queries:
    """The report's queries in one read session, each window asked once: the period before is also the
    comparison of a week or a month, and the findings of that period need most of the same numbers."""

    def __init__(self, session: Session, team_id: str, tz: str, channel: str | None) -> None:
        self.session, self.team_id, self.tz, self.channel = session, team_id, tz, channel
        self._seen: dict[tuple[str, metrics.Window], Any] = {}

    def window(self, period: Period) -> metrics.Window:
        return period.window(self.team_id, self.tz, self.channel)

    def __call__(self, query: Callable[..., Any], period: Period) -> Any:
        if query is bands_repo.band_rows:  # a band's rows are two of the report's groupings merged
            return bands_repo.merged(self(metrics.leads_by_channel, period), self(metrics.spend_by_channel, period))
        w = self.window(period)
        key = (query.__name__, w)
        if key not in self._seen:
            self._seen[key] = query(self.session, window=w)
        return self._seen[key]

    def prefetch(self, query: Callable[..., Any], each: Callable[..., list[Any]], periods: list[Period]) -> None:
        """Ask `query` of these periods at once (`each`: the same of many windows, in one statement), so
        asking it of each one later reads what is here."""
        self.prefetch_windows(query, each, [self.window(p) for p in periods])

    def prefetch_windows(
        self, query: Callable[..., Any], each: Callable[..., list[Any]], windows: list[metrics.Window]
    ) -> None:
        """prefetch of windows, which need not be whole local days (a pace's month to date may end now)."""
        todo = list(dict.fromkeys(w for w in windows if (query.__name__, w) not in self._seen))
        if todo and self.channel is None:  # the roll-ups read at once hold every channel
            for w, rows in zip(todo, each(self.session, windows=todo), strict=True):
                self._seen[(query.__name__, w)] = rows

    def totals_known(self) -> dict[metrics.Window, Any]:
        """The totals of every window asked so far (a trend and the paces read them rather than asking again)."""
        return {w: v for (name, w), v in self._seen.items() if name == metrics.totals.__name__}

    def channels(self, period: Period, *, leads_only: bool = False, by: str = "channel") -> pd.DataFrame:
        leads = self(metrics.leads_by_channel, period)
        if leads_only:
            return kpi.build_channels(leads, [], [], by=by)
        sales, spend = self(metrics.sales_by_channel, period), self(metrics.spend_by_channel, period)
        return kpi.build_channels(leads, sales, spend, by=by)


def _evidence(q: _Queries, kind: str, period: Period, ws: Workspace, margins: list[tuple]) -> Evidence:
    """What the findings of one period are drawn from. A day is too short for margins and channels."""
    before = period.comparison()
    daily = kind == "daily"
    return Evidence(
        kind=kind,
        language=ws.language,
        currency=ws.currency,
        kpis=kpi.build_kpis(q(metrics.totals, period), q(metrics.totals, before)),
        channels=pd.DataFrame(columns=["channel"]) if daily else q.channels(period),
        prev_channels=pd.DataFrame(columns=["channel"]) if daily else q.channels(before, leads_only=True),
        products=kpi.build_products(
            q(metrics.deals_by_product, period),
            q(metrics.deals_by_product, before),
            [] if daily else margins,
            margin_threshold=None if ws.margin_threshold is None else ws.margin_threshold / 100,
        ),
        reps=kpi.build_reps(q(metrics.deals_by_rep, period), q(metrics.leads_by_owner, period))
        if kind == "monthly"
        else [],
    )


def _reported_before(kind: str, period: Period, workdays: str) -> Period:
    """The period the digest of this kind before this one reported on: a daily digest's is the one
    posted on this period's first day (Monday's Friday-to-Sunday, then Monday's own day)."""
    if kind == "daily":
        return daily_period(period.start, {DAYS.index(d) for d in parse_workdays(workdays)})
    return period.previous()


def compute_report(deps: Deps, team_id: str, kind: str, period: Period, *, channel: str | None = None) -> kpi.Report:
    """The report of a period against the one before; `channel` narrows it to one acquisition channel.
    Its findings are marked new, ongoing or over against the findings of the period before it. Its reads
    are one read (storage.db.joined_read): one state of the data, whatever is written meanwhile."""
    with deps.joined_read():
        return _report(deps, team_id, kind, period, channel)


def _report(deps: Deps, team_id: str, kind: str, period: Period, channel: str | None) -> kpi.Report:
    ws = load(deps, team_id)
    previous = period.comparison()
    daily = kind == "daily"
    now_at = deps.clock()  # one instant for all the report's paces: a period still running is paced to it
    with deps.read() as s:
        q = _Queries(s, team_id, ws.timezone, channel)
        # Every period whose totals the report shows, asked at once: its own, the ones compared with, its trend.
        reported = _reported_before(kind, period, ws.workdays)
        compared = [period, previous, reported, reported.comparison()]
        trend = [period.shifted(back) for back in range(TREND_PERIODS)] if kind in ("weekly", "monthly") else []
        # …and the months to date of the paces of this period and of the one reported before (which shows a
        # pace only of the same month).
        month = pace_month_of(ws, period, now_at)
        paced = [p for p in (period, reported) if pace_month_of(ws, p, now_at) == month]
        to_date = [w for p in paced if (w := pace_window(ws, kind, p, now_at, channel))]
        q.prefetch_windows(metrics.totals, history_repo.totals_each, [*map(q.window, compared + trend), *to_date])
        # The findings of this period and the one reported before, the seasonal bands of both (bot.kpi.changes)
        # and the cohort whose conversions the funnel shows: each grouping of their periods at once.
        bands = [*history(kind, period), *history(kind, reported)] if kind in HISTORY else []
        matured = cohort_of(period)
        q.prefetch(metrics.deals_by_product, deals_repo.by_product_each, compared)
        grouped = [period, *bands] if daily else compared + bands
        q.prefetch(metrics.leads_by_channel, metrics.leads_by_channel_each, [*grouped, matured])
        q.prefetch(metrics.spend_by_channel, history_repo.spend_by_channel_each, [period, reported, *bands])
        q.prefetch(
            metrics.sales_by_channel, deals_repo.sales_by_channel_each, [period] if daily else [period, reported]
        )
        if kind == "monthly":
            q.prefetch(metrics.deals_by_rep, deals_repo.by_rep_each, [period, reported])
            q.prefetch(metrics.leads_by_owner, metrics.leads_by_owner_each, [period, reported])
        margins = [] if daily else metrics.product_margins(s, team_id=team_id)
        now = _evidence(q, kind, period, ws, margins)
        before = _evidence(q, kind, reported, ws, margins)
        cur, prev = q(metrics.totals, period), q(metrics.totals, previous)
        reps = kpi.build_reps(q(metrics.deals_by_rep, period), q(metrics.leads_by_owner, period))
        cohort = []
        if kind == "monthly":
            by_channel = q(metrics.leads_by_channel, period)
            cohort = kpi.build_cohort(funnel_repo.month_cohort(s, window=q.window(period), by_channel=by_channel))
        # A day is too short for the campaign table.
        campaigns = pd.DataFrame(columns=["campaign"]) if daily else q.channels(period, by="campaign")
        channels = q.channels(period)
        # The funnel's conversions follow one matured cohort of leads up to the period's end.
        progress = funnel_repo.progress(
            s, window=q.window(matured), as_of=q.window(period).end, by_channel=q(metrics.leads_by_channel, matured)
        )
        # Changes worth a look: each KPI and channel against its seasonal band.
        band_now = band_findings(q, kind, period, ws.language, ws.currency)
        band_before = band_findings(q, kind, reported, ws.language, ws.currency)
    report = kpi.Report(
        kind=kind,
        team_id=team_id,
        workspace=(ws.name or team_id) + (f" · {channel}" if channel else ""),
        language=ws.language,
        tz=ws.timezone,
        period=period,
        previous_period=previous,
        kpis=now.kpis,
        funnel=build_funnel(cur, prev, progress, period=period),
        channels=kpi.frame_records(channels, ["channel", *CHANNEL_COLUMNS]),
        products=now.products,
        reps=reps,
        campaigns=kpi.frame_records(campaigns, ["campaign", *CHANNEL_COLUMNS]),
        cohort=cohort,
        channel=channel,
        currency=ws.currency,
    )
    actual = {k: v.value for k, v in now.kpis.items()}
    # The paces' months to date are among the totals read; their plans and trailing days are read at once.
    known = Known(totals=q.totals_known())
    prefetch_paces(deps, ws, kind, paced, now_at, known, channel=channel)
    report.pace = now.pace = report_pace(deps, ws, kind, period, now_at, actual=actual, channel=channel, known=known)
    before.pace = report_pace(deps, ws, kind, reported, now_at, channel=channel, month_of_report=month, known=known)
    report.alerts = with_status(build_alerts(now) + band_now, build_alerts(before) + band_before, ws.language)
    report.sales = compute_sales(deps, ws, q.window(period), report.kpis)
    if kind in ("weekly", "monthly"):
        report.trend = compute_trend(
            deps,
            team_id,
            ws.timezone,
            period,
            periods=TREND_PERIODS,
            channel=channel,
            known=q.totals_known(),
            language=ws.language,
        )
    return report


TREND_PERIODS = 8


def compute_trend(
    deps: Deps,
    team_id: str,
    tz: str,
    period: Period,
    *,
    periods: int,
    channel: str | None = None,
    known: dict[metrics.Window, dict] | None = None,
    language: str = "en",
) -> list[dict]:
    """The headline KPIs of this period and the ones before it, oldest first (`known`: totals of
    windows already computed)."""
    shown = [period.shifted(back) for back in range(periods - 1, -1, -1)]
    with deps.read() as s:
        windows = [p.window(team_id, tz, channel) for p in shown]
        numbers = [(known or {}).get(w) or metrics.totals(s, window=w, trend_only=True) for w in windows]
    return [kpi.trend_point(p, t, language) for p, t in zip(shown, numbers, strict=True)]


def has_data(deps: Deps, team_id: str) -> bool:
    """Whether the workspace holds any leads, deals, spend or traffic to report on."""
    with deps.read() as s:
        counts = workspaces.data_counts(s, team_id=team_id)
    return any(counts[k] for k in ("leads", "deals", "spend_days", "traffic_days"))


def known_channels(deps: Deps, team_id: str) -> list[str]:
    """The acquisition channels the workspace has leads or spend in."""
    with deps.read() as s:
        return rollups.channels(s, team_id=team_id)
