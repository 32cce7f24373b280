"""`/lead` (add a lead by hand) and `/leads quality [period] [by channel|campaign|reason]`."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.on_demand import RequestError, local_today, parse_kpi_request
from bot.leads.blocks import build_lead_modal, build_quality_table
from bot.leads.quality import compute_quality
from bot.slack.kit import Mrkdwn, md, notice
from bot.workspace.store import load

GROUPINGS = ("channel", "campaign", "reason")


def handle_lead_command(ack: Ack, command: dict, client: WebClient, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    view = build_lead_modal(ws)
    ack()
    client.views_open(trigger_id=command["trigger_id"], view=view)


def handle_leads_command(ack: Ack, command: dict, respond: Respond, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    words = (command.get("text") or "").split()
    usage = Mrkdwn(_("Try `/leads quality week by campaign` or `/leads quality 2026-11-01..2026-11-30 by reason`."))
    if not words or words[0].lower() != "quality":
        ack(**notice(usage).to_kwargs())
        return
    words = words[1:]
    by = "channel"
    if len(words) >= 2 and words[-2].lower() == "by":
        by = words[-1].lower()
        words = words[:-2]
    if by not in GROUPINGS:
        ack(**notice(usage).to_kwargs())
        return
    try:
        req = parse_kpi_request(" ".join(words) or "week", today=local_today(deps.clock(), ws.timezone))
    except RequestError as exc:
        ack(**notice(md("{}. {}", exc.text(ws.language), usage)).to_kwargs())
        return
    ack()
    respond(
        response_type="ephemeral", **build_quality_table(compute_quality(deps, ws.team_id, req.period), by).to_kwargs()
    )
