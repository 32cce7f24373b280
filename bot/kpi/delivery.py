"""Posting a report exactly once: claim → parent message → files in its thread → done."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import build_digest, build_notice
from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.charts import render_funnel_png, render_trend_png
from bot.kpi.engine import Report
from bot.kpi.render import REPORT_TITLES, render_channels_csv
from bot.workspace.store import load
from storage.models import Workspace
from storage.repos import posts

log = logging.getLogger(__name__)
CHANNEL_ERRORS = {"not_in_channel", "channel_not_found", "is_archived"}
# A claim left "claimed" this long was cut off mid-post: it is not re-posted blindly.
STALE_CLAIM = timedelta(minutes=10)
INTERRUPTED = "interrupted before Slack answered"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    title: str


@dataclass
class Outcome:
    status: str  # posted | skipped | failed
    channel: str | None = None
    ts: str | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)


def report_files(report: Report) -> list[Attachment]:
    _ = translator(report.language)
    key, label = report.period.key(), report.period.label()
    files = [Attachment(f"funnel-{key}.png", render_funnel_png(report), f"{_('Funnel')} · {label}")]
    if report.trend:
        files.append(Attachment(f"trend-{key}.png", render_trend_png(report), f"{_('Trend')} · {label}"))
    if report.channels:
        files.append(Attachment(f"channels-{key}.csv", render_channels_csv(report).encode(), _("Channels")))
    return files


def upload(client: WebClient, channel: str, thread_ts: str, files: list[Attachment]) -> list[str]:
    """files_upload_v2 (getUploadURLExternal → bytes → completeUploadExternal) into the thread."""
    if not files:
        return []
    resp = client.files_upload_v2(
        file_uploads=[{"content": f.content, "filename": f.filename, "title": f.title} for f in files],
        channel=channel,
        thread_ts=thread_ts,
    )
    return [f["id"] for f in resp.get("files", [])]


def post_report(deps: Deps, report: Report, *, channel: str, key: str, late: bool = False) -> Outcome:
    """Claim `key`, post the digest and its files; a held claim means someone else posted it."""
    client = deps.client(report.team_id)
    claim = posts.claim(deps.engine, report.team_id, key, report.kind, report.period.key())
    if claim is None:
        return _resume(deps, client, report, key)
    msg = build_digest(report, late=late)
    try:
        resp = client.chat_postMessage(
            channel=channel,
            **msg.to_kwargs(),
            metadata={"event_type": "handoff_digest", "event_payload": {"key": key}},
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown")
        posts.mark(deps.engine, claim.id, "failed", error=error)
        tell_admins_post_failed(deps, report, channel, error)
        return Outcome("failed", channel, error=error)
    ts = resp["ts"]
    posts.mark(deps.engine, claim.id, "posted", channel=resp.get("channel", channel), ts=ts)
    return _finish_files(deps, client, report, claim.id, resp.get("channel", channel), ts)


def _finish_files(deps: Deps, client: WebClient, report: Report, post_id: int, channel: str, ts: str) -> Outcome:
    try:
        ids = upload(client, channel, ts, report_files(report))
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown")
        log.warning("digest posted but its files failed: %s", error)
        return Outcome("posted", channel, ts, error=error)
    posts.mark(deps.engine, post_id, "done")
    return Outcome("posted", channel, ts, files=ids)


def _resume(deps: Deps, client: WebClient, report: Report, key: str) -> Outcome:
    """The claim exists: finish a thread whose parent is out, never post the parent again."""
    held = posts.find(deps.engine, report.team_id, key)
    if held and held.status == "posted" and held.channel and held.ts:
        return _finish_files(deps, client, report, held.id, held.channel, held.ts)
    if held and held.status == "claimed" and deps.clock() - held.updated_at > STALE_CLAIM:
        # Cut off between the claim and Slack's answer: the message may be out. Not re-posted.
        posts.mark(deps.engine, held.id, "failed", error=INTERRUPTED)
    return Outcome("skipped", held.channel if held else None, held.ts if held else None)


def tell_admins_post_failed(deps: Deps, report: Report, channel: str, error: str) -> None:
    ws = load(deps.engine, report.team_id)
    _ = translator(ws.language)
    what = _(REPORT_TITLES[report.kind])
    if error in CHANNEL_ERRORS:
        text = _("I could not post the {what} in <#{channel}>: I'm not in that channel. Type /invite @Handoff there.")
    else:
        text = _("I could not post the {what} in <#{channel}>: Slack answered “{error}”.")
    text = text.format(what=what.lower() if ws.language == "en" else what, channel=channel, error=error)
    log.warning("post failed in %s: %s", channel, error)
    tell_admins(deps, ws, text)


def tell_admins(deps: Deps, ws: Workspace, text: str) -> None:
    """A notice by DM to each listed Handoff admin (user groups are not DM'd); failures are logged."""
    client = deps.client(ws.team_id)
    for admin in (a for a in ws.admins if a.startswith(("U", "W"))):
        try:
            client.chat_postMessage(channel=admin, **build_notice(text).to_kwargs())
        except SlackApiError as exc:
            log.warning("cannot tell admin %s: %s", admin, exc.response.get("error"))
