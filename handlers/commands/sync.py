"""`/sync setup|next|answers|action|done|actions|notes|icp` and `/feedback`."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home import help_lines
from bot.i18n import N_, translator
from bot.slack import modals
from bot.slack.access import group_names, is_admin
from bot.slack.kit import Message, Mrkdwn, escape, md, notice
from bot.sync.blocks.items import build_pins_text
from bot.sync.blocks.modals import build_icp_modal, build_setup_modal
from bot.sync.blocks.text import action_added_text, build_actions_list, build_next_text
from bot.sync.closing import add_action, add_note, mark_done, open_actions
from bot.sync.commands import ParseError, answers_message, parse_action, parse_feedback
from bot.sync.feedback import save_feedback
from bot.sync.icp import latest_icp
from bot.sync.pins import pin_command, pinned
from bot.sync.series import SyncError, find_series, local_today, next_slots
from bot.text import from_slack
from bot.workspace.store import load

SYNC_HELP = [
    ("/sync next", N_("the coming meetings, with when the questions and the agenda go out")),
    ("/sync answers [last|DATE] [question N]", N_("the answers of a meeting, by question and department")),
    ("/sync action @owner text [due YYYY-MM-DD]", N_("add an action item")),
    ("/sync done ID", N_("mark an action item done")),
    ("/sync actions", N_("the open action items")),
    ("/sync notes text", N_("write down a decision")),
    ("/sync icp", N_("the ideal customer profile and the indicators of readiness to buy")),
    ("/sync setup", N_("when the sync meets and who takes part (admins)")),
    ("/sync pin text", N_("pin a standing item to every agenda (admins)")),
    ("/sync unpin N", N_("take standing item N off the agenda (admins)")),
    ("/sync pins", N_("the standing agenda items")),
    ("/feedback review|complaint|wish [1-5] text", N_("keep a customer's words for the next sync")),
]


def _help(language: str, lead: Mrkdwn | None = None) -> Message:
    lines = help_lines(SYNC_HELP, language)
    return notice(md("{}\n\n{}", lead, lines) if lead else lines)


def handle_sync_command(ack: Ack, command: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    user = command["user_id"]
    text = (command.get("text") or "").strip()
    sub, _sep, rest = text.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    try:
        if sub == "setup":
            if not is_admin(client, ws, user):
                ack(**notice(escape(_("Only Handoff admins and workspace admins can set up the sync."))).to_kwargs())
                return
            series = find_series(deps, ws.team_id)
            ack()
            view = build_setup_modal(ws, series, local_today(deps, ws), group_names(client))
            client.views_open(trigger_id=command["trigger_id"], view=view)
        elif sub == "icp":
            latest = latest_icp(deps, ws.team_id)
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=build_icp_modal(ws, latest))
        elif sub == "next":
            ws, series, slots, cal = next_slots(deps, ws.team_id)
            ack(**notice(build_next_text(ws, series, slots, cal)).to_kwargs())
        elif sub == "action":
            owner, what, due = parse_action(rest)
            item = add_action(deps, ws.team_id, owner, what, due, user)
            ack(response_type="in_channel", **notice(action_added_text(ws, item)).to_kwargs())
        elif sub == "done":
            item_id = modals.number(rest.lstrip("#"))
            if item_id is None:
                raise ParseError(N_("give the action item's number, like `/sync done 12`"))
            item = mark_done(deps, ws.team_id, item_id)
            ack(**notice(md(_("Done: #{id} {text}"), id=item.id, text=item.text)).to_kwargs())
        elif sub == "actions":
            ack(**build_actions_list(ws, open_actions(deps, ws.team_id)).to_kwargs())
        elif sub == "notes":
            if not rest:
                raise ParseError(N_("write the decision after the command, like `/sync notes Webinars move to Q2`"))
            note = from_slack(rest)
            add_note(deps, ws.team_id, user, note)
            ack(**notice(md(_("Written down for the summary: {text}"), text=note)).to_kwargs())
        elif sub in ("pin", "unpin"):
            if not is_admin(client, ws, user):
                ack(**notice(escape(_("Only Handoff admins and workspace admins can pin agenda items."))).to_kwargs())
                return
            ack(**notice(pin_command(deps, ws, sub, rest, user)).to_kwargs())
        elif sub == "pins":
            ack(**notice(build_pins_text(ws, pinned(deps, ws.team_id))).to_kwargs())
        elif sub == "answers":
            ack()
            respond(response_type="ephemeral", **answers_message(deps, ws, rest).to_kwargs())
        else:
            lead = md(_("I don't know `/sync {word}`."), word=sub) if sub not in ("", "help") else None
            ack(**_help(ws.language, lead).to_kwargs())
    except (ParseError, SyncError) as exc:
        why = exc.text(ws.language) if isinstance(exc, ParseError) else str(exc)
        ack(**notice(escape(why)).to_kwargs())


def handle_feedback_command(ack: Ack, command: dict, deps: Deps) -> None:
    ws = load(deps, command["team_id"])
    _ = translator(ws.language)
    try:
        kind, rating, text = parse_feedback(command.get("text") or "")
    except ParseError as exc:
        ack(**notice(escape(exc.text(ws.language))).to_kwargs())
        return
    save_feedback(
        deps,
        ws.team_id,
        f"slack-cmd-{command['trigger_id']}",
        kind=kind,
        rating=rating,
        text=text,
        author=command["user_id"],
        source="slack",
    )
    ack(**notice(escape(_("Kept for the next sync. Thank you!"))).to_kwargs())
