""" "Post to channel" under an on-demand /kpi or /funnel answer."""

from __future__ import annotations

from slack_bolt import Ack, Respond

from bot.blocks import build_notice
from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.delivery import CHANNEL_ERRORS, post_report
from bot.kpi.on_demand import KpiRequest
from bot.kpi.report import compute_report
from bot.workspace.store import load


def handle_post_report(ack: Ack, body: dict, action: dict, respond: Respond, deps: Deps) -> None:
    ack()
    team_id = body["team"]["id"]
    ws = load(deps.engine, team_id)
    _ = translator(ws.language)
    channel = body["channel"]["id"]
    req = KpiRequest.from_value(action["value"])
    report = compute_report(deps.engine, team_id, req.kind, req.period, channel=req.channel)
    # One post per click: a retried or double click carries the same action_ts.
    key = f"manual/{req.kind}/{req.period.key()}/{req.channel or '-'}/{body['user']['id']}/{action['action_ts']}"
    outcome = post_report(deps, report, channel=channel, key=key)
    if outcome.status == "failed":
        text = (
            _("I'm not in this channel yet: type /invite @Handoff, then press the button again.")
            if outcome.error in CHANNEL_ERRORS
            else _("I could not post it: {error}.").format(error=outcome.error)
        )
        respond(replace_original=False, **build_notice(text).to_kwargs())
        return
    respond(replace_original=True, **build_notice(_("Posted to <#{channel}>.").format(channel=channel)).to_kwargs())
