"""The weekly lead-quality report's Export button: its CSV in the report's thread."""

from __future__ import annotations

from slack_bolt import Ack, Respond

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.periods import Period
from bot.leads.export import export_quality
from bot.slack import once
from bot.slack.kit import escape, md, notice
from bot.workspace.store import load


def handle_quality_export(ack: Ack, body: dict, action: dict, respond: Respond, deps: Deps) -> None:
    ack()
    team_id = body["team"]["id"]
    _ = translator(load(deps, team_id).language)
    try:
        period = Period.from_key(action.get("value") or "")
    except ValueError:
        period = None
    outcome = (
        export_quality(deps, team_id, period, user=body["user"]["id"], action_ts=action["action_ts"])
        if period
        else once.Outcome("failed", error="no_report")
    )
    if outcome.status != "failed":
        return  # the CSV is in the thread: the click's answer is the file itself
    if outcome.error == "no_report":
        text = escape(_("This report is not in Slack's records any more: ask for it with `/leads quality`."))
    elif outcome.error in once.CHANNEL_ERRORS:
        text = escape(_("I'm not in this channel yet: type /invite @Handoff, then press the button again."))
    else:
        text = md(_("I could not post it: {error}."), error=outcome.error)
    respond(replace_original=False, **notice(text).to_kwargs())
