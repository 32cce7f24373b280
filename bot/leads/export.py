"""The weekly lead-quality report's Export button: the report's numbers as CSV, posted in the report's
thread once per click (bot.slack.once).

Key: `quality-export/{period}/{user}/{action_ts}`: a retried or double-delivered click carries the same
action_ts and is posted once; another click is another export. The thread is the one of the week's
report, `quality/{period}` (bot.leads.report), wherever it was posted.
"""

from __future__ import annotations

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.periods import Period
from bot.leads.outputs import render_quality_csv
from bot.leads.quality import compute_quality
from bot.leads.report import PREFIX as REPORT_PREFIX
from bot.slack import once
from bot.slack.kit import Message, md, mention, notice
from bot.workspace.store import load
from storage.models import PostedMessage
from storage.repos import posts

PREFIX = "quality-export/"


def export_key(period: Period, user: str, action_ts: str) -> str:
    return f"{PREFIX}{period.key()}/{user}/{action_ts}"


def export_post(deps: Deps, team_id: str, period: Period, *, key: str, channel: str, thread_ts: str) -> once.Post:
    user = key.removeprefix(PREFIX).split("/")[1]

    def build() -> Message:
        _ = translator(load(deps, team_id).language)
        return notice(md(_("{user} asked for this report as CSV."), user=mention(user)))

    def files() -> list[tuple[str, once.Part]]:
        q = compute_quality(deps, team_id, period)
        _ = translator(q.language)
        title = _("Lead quality") + f" · {q.period.label(q.language)}"
        csv_file = once.Attachment(f"lead-quality-{period.key()}.csv", render_quality_csv(q).encode(), title)
        return [("files", once.Files((csv_file,)))]

    return once.Post(
        key=key,
        kind=QUALITY_EXPORT,
        channel=channel,
        thread_ts=thread_ts,
        build=build,
        thread=files,
        period=period.key(),
    )


def export_quality(deps: Deps, team_id: str, period: Period, *, user: str, action_ts: str) -> once.Outcome:
    """Post the CSV of the week's report in its thread, once for this click; `skipped` when it was
    posted for this click before, `failed` (error `no_report`) when the week has no report posted."""
    with deps.read() as s:
        report = posts.get(s, team_id=team_id, key=REPORT_PREFIX + period.key())
    if report is None or not report.channel or not report.ts:
        return once.Outcome("failed", error="no_report")
    key = export_key(period, user, action_ts)
    return once.deliver(
        deps, team_id, export_post(deps, team_id, period, key=key, channel=report.channel, thread_ts=report.ts)
    )


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    parts = held.key.removeprefix(PREFIX).split("/")
    with deps.read() as s:
        report = posts.get(s, team_id=held.team_id, key=REPORT_PREFIX + parts[0])
    if len(parts) != 3 or report is None or not report.ts or not held.channel:
        return None
    try:
        period = Period.from_key(parts[0])
    except ValueError:
        return None
    return export_post(deps, held.team_id, period, key=held.key, channel=held.channel, thread_ts=report.ts)


QUALITY_EXPORT = once.Kind("quality-export", rebuild=_rebuild)
