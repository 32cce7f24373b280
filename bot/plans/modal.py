"""The /plan modal: one month's plan (the workspace's, or one channel's), read back with an error under
each field, and its Propose button, which fills marketing's numbers from sales' goal.

A field's block id is its KPI, with a revision once the Propose button rewrote it (`leads.1`): Slack
keeps what a person typed in an input whose block id stays the same across views.update, so a
proposed number only shows in an input with a new block id.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot import ids
from bot.deps import Deps
from bot.i18n import N_, translator
from bot.kpi.catalog import label
from bot.kpi.on_demand import RequestError, resolve_channel
from bot.kpi.plan import PLANNED
from bot.plans.reverse import MARKETING, needs_for
from bot.plans.store import plan_of
from bot.plans.text import needs_sentence
from bot.plans.values import PlanError, month_of, parse_month, parse_value, shown_value
from bot.slack import modals
from bot.slack.kit import context, escape, shorten
from bot.text import from_slack
from storage.models import Workspace

HINTS = {
    "leads": N_("Marketing: the leads the month should bring"),
    "target_leads": N_("Marketing: of them, the leads sales will judge target"),
    "sales": N_("Sales: won deals to close in the month"),
    "new_customers": N_("Sales: customers whose first sale falls in the month"),
    "revenue": N_("Revenue of the month's sales, e.g. 2 000 000"),
    "spend": N_("The marketing budget: kept by staying at or under it"),
    "cac": N_("A cap on the cost of a new customer: kept by staying at or under it"),
}
VALUE_LIMIT = 30
MAX_REV = 10_000  # a forged revision must not make a block id longer than Slack takes


@dataclass
class PlanForm:
    """What the modal shows: the month, the channel (None: the whole workspace), the typed values, the
    revision of each field's block id, and the last proposal's sentence."""

    month: str
    channel: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    revs: dict[str, int] = field(default_factory=dict)
    note: str | None = None

    def block(self, kpi: str) -> str:
        rev = self.revs.get(kpi, 0)
        return f"{kpi}.{rev}" if rev else kpi

    def meta(self) -> dict[str, Any]:
        return {"month": self.month, "channel": self.channel, "revs": self.revs}

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> PlanForm:
        """The form a submitted or clicked view holds (its metadata, the values typed in it)."""
        meta = modals.metadata(view)
        revs = meta.get("revs") if isinstance(meta.get("revs"), dict) else {}
        form = cls(
            month=parse_month(str(meta.get("month") or "")),
            channel=str(meta["channel"])[:200] if meta.get("channel") else None,
            revs={k: v for k, v in (revs or {}).items() if k in PLANNED and type(v) is int and 0 <= v < MAX_REV},
        )
        state = (view.get("state") or {}).get("values") or {}
        for kpi in PLANNED:
            typed = modals.field(state, form.block(kpi)).get("value")
            form.values[kpi] = typed if isinstance(typed, str) else ""
        return form


def parse_command(text: str, today_month: str) -> PlanForm:
    """`/plan`, `/plan 2026-12`, `/plan 2026-12 channel paid_search`, `/plan channel paid_search`."""
    words = text.split()
    month = today_month
    if words and words[0].lower() != "channel":
        month = parse_month(words.pop(0))
    channel = None
    if words:
        if words[0].lower() != "channel" or len(words) < 2:
            raise PlanError("channel", N_("Write /plan [YYYY-MM] [channel NAME]."))
        channel = " ".join(words[1:])[:200]
    return PlanForm(month=month, channel=channel)


def open_form(deps: Deps, ws: Workspace, text: str) -> PlanForm:
    """The form /plan opens: the month and channel asked for, with the plan saved for them."""
    today = deps.clock().astimezone(ZoneInfo(ws.timezone)).date()
    form = parse_command(from_slack(text), month_of(today))
    if form.channel is not None:  # the data's name of it, as /kpi reads a channel; else as typed
        with contextlib.suppress(RequestError):
            form.channel = resolve_channel(deps, ws.team_id, form.channel)
    saved = plan_of(deps, ws.team_id, form.month, form.channel)
    form.values = {k: shown_value(k, v) for k, v in saved.items()}
    return form


def build_plan_modal(ws: Workspace, form: PlanForm) -> View:
    _ = translator(ws.language)
    where = _("Channel {channel}").format(channel=form.channel) if form.channel else _("Whole workspace")
    blocks: list[Block] = [context(escape(_("Plan for {month}").format(month=form.month) + " · " + where))]
    for kpi in PLANNED:
        blocks.append(
            modals.text_input(
                form.block(kpi), label(kpi, ws.language), form.values.get(kpi), _(HINTS[kpi]), max_length=VALUE_LIMIT
            )
        )
    blocks.append(
        ActionsBlock(
            block_id="plan_actions",
            elements=[ButtonElement(action_id=ids.PLAN_PROPOSE, text=_("Propose from sales goal"), value=form.month)],
        )
    )
    if form.note:
        blocks.append(context(escape(shorten(form.note, 2000))))
    return modals.modal(ws.language, ws.team_id, ids.PLAN_MODAL, _("Plan"), blocks, **form.meta())


def read_values(form: PlanForm, language: str) -> tuple[dict[str, float | None], dict[str, str]]:
    """The typed values → (plan values, an error under each bad field by its block id)."""
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for kpi in PLANNED:
        try:
            values[kpi] = parse_value(kpi, form.values.get(kpi, ""))
        except PlanError as exc:
            errors[form.block(kpi)] = exc.text(language)
    return values, errors


def propose(deps: Deps, ws: Workspace, form: PlanForm, now: datetime) -> PlanForm:
    """The form with leads and target leads filled from the typed sales or revenue goal at the funnel's
    trailing rates, and the sentence saying how; an unreadable goal or missing rates only the sentence."""
    _ = translator(ws.language)
    goal: dict[str, float | None] = {}
    for kpi in ("sales", "revenue"):
        try:
            goal[kpi] = parse_value(kpi, form.values.get(kpi, ""))
        except PlanError as exc:
            form.note = exc.text(ws.language)
            return form
    if not goal["sales"] and not goal["revenue"]:
        form.note = _("Type a sales or revenue goal first, then propose.")
        return form
    needs = needs_for(
        deps, ws.team_id, form.month, now=now, sales=goal["sales"], revenue=goal["revenue"], channel=form.channel
    )
    form.note = needs_sentence(needs, ws.language, ws.currency)
    if needs.leads is not None and needs.target_leads is not None:
        for kpi, value in zip(MARKETING, (needs.leads, needs.target_leads), strict=True):
            form.values[kpi] = str(value)
            form.revs[kpi] = form.revs.get(kpi, 0) + 1
    return form
