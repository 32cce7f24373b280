""" "Post to channel" under an on-demand /kpi or /funnel answer."""

from __future__ import annotations

from slack_bolt import Ack, Respond

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.delivery import digest_post, manual_key
from bot.kpi.on_demand import KpiRequest, RequestError
from bot.slack import once
from bot.slack.kit import escape, md, notice
from bot.workspace.store import load


def handle_post_report(ack: Ack, body: dict, action: dict, respond: Respond, deps: Deps) -> None:
    ack()
    team_id = body["team"]["id"]
    ws = load(deps, team_id)
    _ = translator(ws.language)
    channel = body["channel"]["id"]
    try:
        req = KpiRequest.from_value(action.get("value") or "")
    except RequestError:
        respond(
            replace_original=False,
            **notice(escape(_("This button's report cannot be read: ask for it again."))).to_kwargs(),
        )
        return
    # One post per click: a retried or double click carries the same action_ts.
    key = manual_key(req.kind, req.period, req.channel, body["user"]["id"], action["action_ts"])
    post = digest_post(deps, team_id, req.kind, req.period, key=key, channel=channel, channel_filter=req.channel)
    outcome = once.deliver(deps, team_id, post)
    if outcome.status == "failed":
        text = (
            escape(_("I'm not in this channel yet: type /invite @Handoff, then press the button again."))
            if outcome.error in once.CHANNEL_ERRORS
            else md(_("I could not post it: {error}."), error=outcome.error)
        )
        respond(replace_original=False, **notice(text).to_kwargs())
        return
    respond(replace_original=True, **notice(md(_("Posted to <#{channel}>."), channel=channel)).to_kwargs())
