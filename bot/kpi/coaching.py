"""Coaching findings go to the head of sales by DM, once a month, beside the monthly report: a person's
results are talked about with them, not in a channel."""

from __future__ import annotations

from functools import cache

from slack_sdk.models.blocks import Block

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.alerts import MIN_REP_LEADS
from bot.kpi.blocks import finding_line
from bot.kpi.engine import Report
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.slack import once
from bot.slack.kit import Message, context, escape, header, is_user, join, md, section
from bot.workspace.store import load
from storage.models import PostedMessage

PREFIX = "coaching/"


def build_coaching(report: Report) -> Message:
    """The month's reps converting far below the team, as mentions, or that there are none."""
    _ = translator(report.language)
    found = [a for a in report.alerts if a.advice == "coach" and a.status != "ended"]
    title = f"{_('Coaching')} · {report.period.label(report.language)}"
    if found:
        body = join(md("• {}", finding_line(a)) for a in found)
    else:
        body = md(
            _("No rep with {n} or more leads converts under half the team's rate this month."),
            n=MIN_REP_LEADS,
        )
    blocks: list[Block] = [
        header(title),
        section(body),
        context(escape(_("Only you get this message: the monthly report in the channel does not name people."))),
    ]
    return Message(text=md("{}: {}", title, body), blocks=blocks)


def coaching_post(deps: Deps, team_id: str, period: Period, *, to: str) -> once.Post:
    """The month's coaching DM to `to` (the head of sales); the report is computed only to post it."""

    @cache
    def report() -> Report:
        return compute_report(deps, team_id, "monthly", period)

    return once.Post(
        key=f"{PREFIX}{period.key()}",
        kind=COACHING,
        channel=to,
        build=lambda: build_coaching(report()),
        period=period.key(),
    )


def head_of_sales(deps: Deps, team_id: str) -> str | None:
    """Whom the coaching DM goes to: the head of sales, when the setting names a person."""
    who = load(deps, team_id).head_of_sales
    return who if is_user(who) else None


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    if not held.channel or not held.key.startswith(PREFIX):
        return None
    try:
        period = Period.from_key(held.key.removeprefix(PREFIX))
    except ValueError:
        return None
    return coaching_post(deps, held.team_id, period, to=held.channel)


COACHING = once.Kind("coaching", rebuild=_rebuild)
