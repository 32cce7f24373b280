"""The lead-quality report for marketing: target share per channel and campaign with its change,
the top rejection reasons with quotes from the threads, leads still waiting, SLA compliance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ContextBlock, HeaderBlock, SectionBlock

from bot.blocks import Message, _md
from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.engine import change_pct, ratio
from bot.kpi.periods import Period
from bot.kpi.render import fmt_number, fmt_pct
from bot.leads.cards import VERDICT_LABELS, reason_label
from bot.workspace.store import load
from bot.workspace.worktime import working_hours_between
from storage.db import read_scope
from storage.models import Workspace
from storage.repos import posts
from storage.repos import quality as repo


@dataclass
class Quality:
    team_id: str
    language: str
    period: Period
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel / campaign rows
    reasons: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    leads: int = 0
    judged: int = 0
    target: int = 0
    waiting: int = 0
    within_sla: int = 0
    carded: int = 0

    @property
    def target_share_pct(self) -> float | None:
        return ratio(self.target, self.judged, 100)

    @property
    def sla_pct(self) -> float | None:
        return ratio(self.within_sla, self.carded, 100)


def _rows(current: list[tuple], previous: list[tuple]) -> list[dict[str, Any]]:
    before = {r[0]: ratio(r[3], r[2], 100) for r in previous}
    out = []
    for key, leads, judged, target in sorted(current, key=lambda r: -r[1]):
        share = ratio(target or 0, judged or 0, 100)
        out.append(
            {
                "name": key,
                "leads": leads,
                "judged": judged or 0,
                "target": target or 0,
                "target_share_pct": share,
                "previous_share_pct": before.get(key),
                "change_pct": change_pct(share, before.get(key)),
            }
        )
    return out


def compute_quality(deps: Deps, team_id: str, period: Period) -> Quality:
    ws = load(deps.engine, team_id)
    w, pw = period.window(team_id, ws.timezone), period.previous().window(team_id, ws.timezone)
    q = Quality(team_id, ws.language, period)
    with read_scope(deps.engine) as s:
        for by in ("channel", "campaign"):
            q.groups[by] = _rows(repo.by_group(s, w, by), repo.by_group(s, pw, by))
        reasons = sorted(repo.by_group(s, w, "reason"), key=lambda r: -r[1])
        q.quotes = [{"channel": c, "verdict": v, "text": t} for c, v, t in repo.quotes(s, w)]
        times = repo.response_times(s, w)
    q.reasons = [{"reason": reason_label(ws, r[0]) or "—", "count": r[1]} for r in reasons[:5]]
    rows = q.groups["channel"]
    q.leads = sum(r["leads"] for r in rows)
    q.judged = sum(r["judged"] for r in rows)
    q.target = sum(r["target"] for r in rows)
    q.waiting = q.leads - q.judged
    q.carded = len(times)
    q.within_sla = sum(
        1
        for posted, first in times
        if first is not None
        and working_hours_between(
            posted, first, tz=ws.timezone, workdays=ws.workdays, work_hours=ws.work_hours, holidays=ws.holidays
        )
        <= ws.sla_hours
    )
    return q


def build_quality_message(q: Quality, ws: Workspace) -> Message:
    _ = translator(q.language)
    lang = q.language
    title = _("Lead quality") + f" · {q.period.label()}"
    summary = _("{leads} leads, {judged} judged, {waiting} still waiting. Target share {share}.").format(
        leads=q.leads, judged=q.judged, waiting=q.waiting, share=fmt_pct(q.target_share_pct, lang)
    )
    if q.carded:
        summary += " " + _("Judged within the SLA ({n} working hours): {pct}.").format(
            n=ws.sla_hours, pct=fmt_pct(q.sla_pct, lang)
        )
    lines = []
    for r in q.groups.get("channel", [])[:10]:
        change = ""
        if r["change_pct"] is not None:
            change = f" ({'+' if r['change_pct'] >= 0 else '−'}{fmt_number(abs(r['change_pct']), lang, 0)}%)"
        lines.append(
            f"• *{r['name'] or _('(not set)')}*: {fmt_pct(r['target_share_pct'], lang)}{change} · "
            + _("{n} leads").format(n=r["leads"])
        )
    blocks = [
        HeaderBlock(text=title[:150]),
        SectionBlock(text=_md(summary)),
        SectionBlock(text=_md(f"*{_('Target share by channel')}*\n" + ("\n".join(lines) or "—"))),
    ]
    if q.reasons:
        reasons = "\n".join(f"• {r['reason']} — {r['count']}" for r in q.reasons)
        blocks.append(SectionBlock(text=_md(f"*{_('Top rejection reasons')}*\n{reasons}")))
    if q.quotes:
        quotes = "\n".join(
            f"> {x['text'][:280]}\n— {x['channel'] or '—'}, {_(VERDICT_LABELS.get(x['verdict'], x['verdict']))}"
            for x in q.quotes[:3]
        )
        blocks.append(SectionBlock(text=_md(f"*{_('From the threads')}*\n{quotes}"[:3000])))
    blocks.append(ContextBlock(elements=[_md(_("Verdicts and thread replies: `handoff export verdicts|replies`."))]))
    return Message(text=f"{title}: {summary}", blocks=blocks)


def post_quality(deps: Deps, team_id: str, period: Period) -> str | None:
    """Post the report to the marketing channel once for its week (claim `quality/<week>`)."""
    ws = load(deps.engine, team_id)
    if not ws.marketing_channel:
        return None
    claim = posts.claim(deps.engine, team_id, f"quality/{period.key()}", "quality", period.key())
    if claim is None:
        return None
    msg = build_quality_message(compute_quality(deps, team_id, period), ws)
    try:
        resp = deps.client(team_id).chat_postMessage(channel=ws.marketing_channel, **msg.to_kwargs())
    except SlackApiError as exc:
        posts.mark(deps.engine, claim.id, "failed", error=exc.response.get("error"))
        return None
    posts.mark(deps.engine, claim.id, "done", channel=ws.marketing_channel, ts=resp["ts"])
    return resp["ts"]


def build_quality_table(q: Quality, by: str) -> Message:
    """The ephemeral `/leads quality` answer: one line per channel, campaign or reason."""
    _ = translator(q.language)
    title = _("Lead quality") + f" · {q.period.label()}"
    if by == "reason":
        lines = [f"• {r['reason']} — {r['count']}" for r in q.reasons] or ["—"]
    else:
        lines = [
            f"• *{r['name'] or _('(not set)')}*: {fmt_pct(r['target_share_pct'], q.language)} · "
            + _("{n} leads").format(n=r["leads"])
            + f", {r['judged']}/{r['target']}"
            for r in q.groups.get(by, [])[:40]
        ] or ["—"]
    head = _("{leads} leads, {judged} judged, {waiting} still waiting. Target share {share}.").format(
        leads=q.leads, judged=q.judged, waiting=q.waiting, share=fmt_pct(q.target_share_pct, q.language)
    )
    return Message(
        text=f"{title}: {head}",
        blocks=[
            HeaderBlock(text=title[:150]),
            SectionBlock(text=_md(head)),
            SectionBlock(text=_md("\n".join(lines)[:3000])),
        ],
    )
