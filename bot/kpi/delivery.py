"""Posting a KPI digest exactly once: the digest, and in its thread the channel table, the pictures and
the CSVs.

Keys: `{kind}/{period}` for the scheduled digests and `/kpi post` (the same digest is never posted
twice), `manual/{kind}/{period}/{channel filter}/{user}/{action_ts}` for a "Post to channel" click.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.blocks import build_digest
from bot.kpi.charts import render_funnel_png, render_trend_png
from bot.kpi.engine import Report
from bot.kpi.periods import Period
from bot.kpi.render import render_campaigns_csv, render_channels_csv
from bot.kpi.report import compute_report
from bot.kpi.table_png import render_channel_table_png
from bot.slack import once
from bot.slack.kit import md
from bot.workspace.admins import tell_admins
from bot.workspace.keys import REPORT_TITLES
from bot.workspace.store import load
from storage.models import PostedMessage

log = logging.getLogger(__name__)
NO_FILTER = "-"


def report_files(report: Report) -> tuple[once.Attachment, ...]:
    """The thread's files: the pictures, then the channel and campaign tables as CSV. The part keeps its
    name ("files") and its first file (the funnel, by which a cut-off upload is looked up): a digest posted
    before the campaigns CSV existed and resumed now is not sent its files again."""
    _ = translator(report.language)
    key, label = report.period.key(), report.period.label(report.language)
    files = [once.Attachment(f"funnel-{key}.png", render_funnel_png(report), f"{_('Funnel')} · {label}")]
    if report.trend:
        files.append(once.Attachment(f"trend-{key}.png", render_trend_png(report), f"{_('Trend')} · {label}"))
    if report.channels:
        files.append(once.Attachment(f"channels-{key}.csv", render_channels_csv(report).encode(), _("Channels")))
    if report.campaigns:
        files.append(once.Attachment(f"campaigns-{key}.csv", render_campaigns_csv(report).encode(), _("Campaigns")))
    return tuple(files)


def channel_table(report: Report) -> once.Attachment:
    _ = translator(report.language)
    key, label = report.period.key(), report.period.label(report.language)
    title = f"{_('Channels')} · {label}"
    return once.Attachment(f"channel-table-{key}.png", render_channel_table_png(report), title)


def thread_parts(report: Report) -> list[tuple[str, once.Part]]:
    """The digest's thread, each part under its own name (its claim's key ends in it): the channel table
    first, on its own so that Slack shows it full width, then the other files."""
    parts: list[tuple[str, once.Part]] = []
    if report.channels:
        parts.append(("table", once.Files((channel_table(report),))))
    parts.append(("files", once.Files(report_files(report))))
    return parts


def digest_key(kind: str, period: Period) -> str:
    return f"{kind}/{period.key()}"


def manual_key(kind: str, period: Period, channel_filter: str | None, user: str, action_ts: str) -> str:
    return f"manual/{kind}/{period.key()}/{channel_filter or NO_FILTER}/{user}/{action_ts}"


def digest_post(
    deps: Deps,
    team_id: str,
    kind: str,
    period: Period,
    *,
    key: str,
    channel: str,
    channel_filter: str | None = None,
    late: bool = False,
    report: Report | None = None,
) -> once.Post:
    """The digest as a post; its report is computed only when it is to be posted (or its thread finished)."""

    @cache
    def computed() -> Report:
        return report or compute_report(deps, team_id, kind, period, channel=channel_filter)

    return once.Post(
        key=key,
        kind=DIGEST,
        channel=channel,
        # A "Post to channel" click posts what /kpi showed: every finding that holds, not the transitions.
        build=lambda: build_digest(computed(), late=late, everything=key.startswith("manual/")),
        thread=lambda: thread_parts(computed()),
        period=period.key(),
        on_failure=_tell_admins(deps, team_id, kind, channel, key),
    )


def _tell_admins(deps: Deps, team_id: str, kind: str, channel: str, key: str) -> Callable[[str], None]:
    def tell(error: str) -> None:
        ws = load(deps, team_id)
        _ = translator(ws.language)
        what = _(REPORT_TITLES[kind])
        if error in once.CHANNEL_ERRORS:
            template = _(
                "I could not post the {what} in <#{channel}>: I'm not in that channel. Type /invite @Handoff there."
            )
        else:
            template = _("I could not post the {what} in <#{channel}>: Slack answered “{error}”.")
        text = md(template, what=what.lower() if ws.language == "en" else what, channel=channel, error=error)
        log.warning("post failed in %s: %s", channel, error)
        tell_admins(deps, ws, key, text)

    return tell


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    """A digest from its key and the channel its claim names."""
    if not held.channel:
        return None
    parts = held.key.split("/")
    if parts[0] == "manual" and len(parts) >= 6:
        kind, period_key, channel_filter = parts[1], parts[2], "/".join(parts[3:-2])
    elif len(parts) == 2:
        kind, period_key, channel_filter = parts[0], parts[1], NO_FILTER
    else:
        return None
    try:
        period = Period.from_key(period_key)
    except ValueError:
        return None
    return digest_post(
        deps,
        held.team_id,
        kind,
        period,
        key=held.key,
        channel=held.channel,
        channel_filter=None if channel_filter == NO_FILTER else channel_filter,
    )


DIGEST = once.Kind("digest", rebuild=_rebuild)
