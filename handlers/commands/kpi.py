"""`/kpi` and `/funnel`: ack at once, compute after, answer ephemerally; `/kpi post` for admins."""

from __future__ import annotations

from dataclasses import replace

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.i18n import translator
from bot.kpi.delivery import digest_key, digest_post
from bot.kpi.on_demand import RequestError, answer, local_today, parse_kpi_request, resolve_channel
from bot.slack import once
from bot.slack.access import is_admin
from bot.slack.kit import escape, md, notice
from bot.workspace.store import load


def _handle(ack: Ack, command: dict, client: WebClient, respond: Respond, deps: Deps, focus: str) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    try:
        req = parse_kpi_request(command.get("text") or "", today=local_today(deps.clock(), ws.timezone))
        if req.channel is not None:
            req = replace(req, channel=resolve_channel(deps, ws.team_id, req.channel))
    except RequestError as exc:
        usage = _("Try `/kpi last week`, `/kpi november channel Google Ads` or `/handoff help`.")
        ack(**notice(md("{}. {}", exc.text(ws.language), usage)).to_kwargs())
        return
    if req.post:
        if not is_admin(client, ws, command["user_id"]):
            ack(**notice(escape(_("Only Handoff admins can post digests to the channel."))).to_kwargs())
            return
        if not ws.digest_channel:
            ack(
                **notice(
                    escape(_("No digest channel is set yet: an admin chooses one in `/handoff config`."))
                ).to_kwargs()
            )
            return
        key = digest_key(req.kind, req.period)
        out_in = once.posted_at(deps, ws.team_id, key)
        if out_in:  # told at once, not "Posting it…" and then that it was already there
            ack(**notice(md(_("That digest has already been posted to <#{channel}>."), channel=out_in)).to_kwargs())
            return
        ack(**notice(md(_("Posting it to <#{channel}>…"), channel=ws.digest_channel)).to_kwargs())
        post = digest_post(deps, ws.team_id, req.kind, req.period, key=key, channel=ws.digest_channel)
        outcome = once.deliver(deps, ws.team_id, post)
        channel = outcome.channel or ws.digest_channel
        if outcome.status == "skipped" and outcome.ts:
            text = md(_("That digest has already been posted to <#{channel}>."), channel=channel)
        elif outcome.status == "unsure" or (outcome.status == "skipped" and not outcome.error):
            # Being posted by another process, or Slack took it and its answer was lost: the sweep
            # finds it (or posts it) within minutes.
            text = md(_("That digest is on its way to <#{channel}>: look there in a few minutes."), channel=channel)
        elif outcome.status != "posted":
            text = md(_("I could not post it: {error}."), error=outcome.error or outcome.status)
        else:
            return
        respond(**notice(text).to_kwargs())
        return
    ack()
    respond(response_type="ephemeral", **answer(deps, client, ws.team_id, req, focus=focus).to_kwargs())


def handle_kpi_command(ack: Ack, command: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    _handle(ack, command, client, respond, deps, focus="kpi")


def handle_funnel_command(ack: Ack, command: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    _handle(ack, command, client, respond, deps, focus="funnel")
