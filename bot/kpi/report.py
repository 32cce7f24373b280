"""Building a KPI report for a workspace and a period: queries in storage, math in bot.kpi."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.kpi import engine as kpi
from bot.kpi.alerts import build_alerts
from bot.kpi.catalog import CHANNEL_COLUMNS
from bot.kpi.periods import Period
from bot.workspace.store import load
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


def compute_report(deps: Deps, team_id: str, kind: str, period: Period, *, channel: str | None = None) -> kpi.Report:
    """The report of a period against the one before; `channel` narrows it to one acquisition channel."""
    ws = load(deps, team_id)
    previous = period.comparison()
    w, pw = period.window(team_id, ws.timezone, channel), previous.window(team_id, ws.timezone, channel)
    # A day is too short for margins, campaign tables and share-drop alerts: the longer reports have them.
    daily = kind == "daily"
    no_rows: tuple[list[tuple], list[tuple], list[tuple]] = ([], [], [])
    with deps.read() as s:
        cur, prev = metrics.totals(s, window=w), metrics.totals(s, window=pw)
        rows = (
            metrics.leads_by_channel(s, window=w),
            metrics.sales_by_channel(s, window=w),
            metrics.spend_by_channel(s, window=w),
        )
        # The previous period's channels serve one alert, a channel's target share falling: leads suffice.
        prev_rows = no_rows if daily else (metrics.leads_by_channel(s, window=pw), [], [])
        margins = [] if daily else metrics.product_margins(s, team_id=team_id)
        threshold = None if ws.margin_threshold is None else ws.margin_threshold / 100
        products = kpi.build_products(
            metrics.deals_by_product(s, window=w),
            metrics.deals_by_product(s, window=pw),
            margins,
            margin_threshold=threshold,
        )
        reps = kpi.build_reps(metrics.deals_by_rep(s, window=w), metrics.leads_by_owner(s, window=w))
        cohort = kpi.build_cohort(metrics.cohort(s, window=w)) if kind == "monthly" else []
    channels, prev_channels = kpi.build_channels(*rows), kpi.build_channels(*prev_rows)
    campaigns = kpi.build_channels(*(no_rows if daily else rows), by="campaign")
    report = kpi.Report(
        kind=kind,
        team_id=team_id,
        workspace=(ws.name or team_id) + (f" · {channel}" if channel else ""),
        language=ws.language,
        tz=ws.timezone,
        period=period,
        previous_period=previous,
        kpis=kpi.build_kpis(cur, prev),
        funnel=kpi.build_funnel(cur, prev),
        channels=kpi.frame_records(channels, ["channel", *CHANNEL_COLUMNS]),
        products=products,
        reps=reps,
        campaigns=kpi.frame_records(campaigns, ["campaign", *CHANNEL_COLUMNS]),
        cohort=cohort,
    )
    report.alerts = build_alerts(report, channels, prev_channels)
    if kind in ("weekly", "monthly"):
        report.trend = compute_trend(
            deps,
            team_id,
            ws.timezone,
            period,
            periods=TREND_PERIODS,
            channel=channel,
            known={w: cur, pw: prev},
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
