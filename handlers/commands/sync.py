"""`/sync setup|next|answers|action|done|actions|notes|icp` and `/feedback`."""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks import build_notice
from bot.deps import Deps
from bot.i18n import N_, translator
from bot.slack.access import group_names, is_admin
from bot.sync import service as meetings
from bot.sync.blocks import (
    action_added_text,
    build_actions_list,
    build_answers_text,
    build_icp_modal,
    build_next_text,
    build_setup_modal,
    text_messages,
    when,
)
from bot.sync.service import ParseError, SyncError
from bot.workspace.store import load

SYNC_HELP = (
    ("/sync next", N_("the coming meetings, with when the questions and the agenda go out")),
    ("/sync answers [last|DATE] [question N]", N_("the answers of a meeting, by question and department")),
    ("/sync action @owner text [due YYYY-MM-DD]", N_("add an action item")),
    ("/sync done ID", N_("mark an action item done")),
    ("/sync actions", N_("the open action items")),
    ("/sync notes text", N_("write down a decision")),
    ("/sync icp", N_("the ideal customer profile and the indicators of readiness to buy")),
    ("/sync setup", N_("when the sync meets and who takes part (admins)")),
    ("/feedback review|complaint|wish [1-5] text", N_("keep a customer's words for the next sync")),
)


def _help(language: str, lead: str | None = None):
    _ = translator(language)
    lines = "\n".join(f"• `{cmd}` — {_(desc)}" for cmd, desc in SYNC_HELP)
    return build_notice(f"{lead}\n\n{lines}" if lead else lines)


def handle_sync_command(ack: Ack, command: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ws = load(deps.engine, command["team_id"])
    _ = translator(ws.language)
    user = command["user_id"]
    text = (command.get("text") or "").strip()
    sub, _sep, rest = text.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    try:
        if sub == "setup":
            if not is_admin(client, ws, user):
                ack(**build_notice(_("Only Handoff admins and workspace admins can set up the sync.")).to_kwargs())
                return
            series = meetings.find_series(deps, ws.team_id)
            ack()
            view = build_setup_modal(ws, series, meetings.local_today(deps, ws), group_names(client))
            client.views_open(trigger_id=command["trigger_id"], view=view)
        elif sub == "icp":
            latest = meetings.latest_icp(deps, ws.team_id)
            ack()
            client.views_open(trigger_id=command["trigger_id"], view=build_icp_modal(ws, latest))
        elif sub == "next":
            ws, series, slots, cal = meetings.next_slots(deps, ws.team_id)
            ack(**build_notice(build_next_text(ws, series, slots, cal)).to_kwargs())
        elif sub == "action":
            owner, what, due = meetings.parse_action(rest)
            item = meetings.add_action(deps, ws.team_id, owner, what, due, user)
            ack(response_type="in_channel", **build_notice(action_added_text(ws, item)).to_kwargs())
        elif sub == "done":
            if not rest.lstrip("#").isdigit():
                raise ParseError(N_("give the action item's number, like `/sync done 12`"))
            item = meetings.mark_done(deps, ws.team_id, int(rest.lstrip("#")))
            ack(**build_notice(_("Done: #{id} {text}").format(id=item.id, text=item.text)).to_kwargs())
        elif sub == "actions":
            ack(**build_actions_list(ws, meetings.open_actions(deps, ws.team_id)).to_kwargs())
        elif sub == "notes":
            if not rest:
                raise ParseError(N_("write the decision after the command, like `/sync notes Webinars move to Q2`"))
            meetings.add_note(deps, ws.team_id, user, rest)
            ack(**build_notice(_("Written down for the summary: {text}").format(text=rest)).to_kwargs())
        elif sub == "answers":
            ack()
            respond(response_type="ephemeral", **answers_message(deps, ws, rest).to_kwargs())
        else:
            lead = _("I don't know `/sync {word}`.").format(word=sub) if sub not in ("", "help") else None
            ack(**_help(ws.language, lead).to_kwargs())
    except (ParseError, SyncError) as exc:
        why = exc.text(ws.language) if isinstance(exc, ParseError) else str(exc)
        ack(**build_notice(why).to_kwargs())


def answers_message(deps: Deps, ws, rest: str):
    _ = translator(ws.language)
    words = rest.split()
    only = None
    if len(words) >= 2 and words[-2].lower() == "question" and words[-1].isdigit():
        only, words = int(words[-1]), words[:-2]
    which = words[0].lower() if words else "last"
    try:
        m = meetings.meeting_for_answers(deps, ws.team_id, which)
    except ValueError:
        return build_notice(
            _("Try `/sync answers last`, `/sync answers 2026-12-03` or `/sync answers last question 2`.")
        )
    if m is None:
        return build_notice(_("No sync meeting found for “{which}”.").format(which=which))
    form = meetings.answer_sheet(deps, ws.team_id, m.id)
    heading = f"*{_('Answers')} · {when(ws, m.starts_at)}*\n\n"
    return text_messages(heading + (build_answers_text(ws, *form, only=only) or _("no answers")))[0]


def handle_feedback_command(ack: Ack, command: dict, deps: Deps) -> None:
    ws = load(deps.engine, command["team_id"])
    _ = translator(ws.language)
    try:
        kind, rating, text = meetings.parse_feedback(command.get("text") or "")
    except ParseError as exc:
        ack(**build_notice(exc.text(ws.language)).to_kwargs())
        return
    meetings.save_feedback(
        deps,
        ws.team_id,
        f"slack-cmd-{command['trigger_id']}",
        kind=kind,
        rating=rating,
        text=text,
        author=command["user_id"],
        source="slack",
    )
    ack(**build_notice(_("Kept for the next sync. Thank you!")).to_kwargs())
