"""Lead cards: posted once each in the leads channel, refreshed in place when sales gives a verdict."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.i18n import translator
from bot.leads.blocks import build_lead_card
from bot.leads.verdicts import VERDICTS, CardState
from bot.slack import once
from bot.slack.access import in_group
from bot.slack.kit import md
from bot.workspace.admins import tell_admins
from bot.workspace.store import load
from storage.models import Lead, PostedMessage, Workspace
from storage.repos import leads as repo

log = logging.getLogger(__name__)
PREFIX = "lead-card/"


def card_states(session: Session, team_id: str, lead_ids: list[int]) -> dict[int, tuple[Lead, CardState]]:
    """lead id → (lead, what its card shows) for the leads found, in two queries however many."""
    leads = repo.get_many(session, team_id=team_id, lead_ids=lead_ids)
    histories = repo.histories(session, team_id=team_id, lead_ids=list(leads))
    return {lead_id: (lead, CardState.of(histories.get(lead_id, []))) for lead_id, lead in leads.items()}


def card_state(deps: Deps, team_id: str, lead_id: int) -> tuple[Lead, CardState]:
    with deps.read() as s:
        found = card_states(s, team_id, [lead_id])
    if lead_id not in found:
        raise LookupError(f"no lead {lead_id}")
    return found[lead_id]


def card_post(deps: Deps, ws: Workspace, lead: Lead, state: CardState, channel: str) -> once.Post:
    return once.Post(
        key=f"{PREFIX}{lead.id}",
        kind=CARD,
        channel=channel,
        build=lambda: build_lead_card(ws, lead, state, now=deps.clock()),
        on_failure=lambda error: _tell_admins(deps, ws, channel, error),
    )


def _tell_admins(deps: Deps, ws: Workspace, channel: str, error: str) -> None:
    """Cards Slack refused: the admins are told once a day for each channel and cause, not once a card."""
    _ = translator(ws.language)
    if error in once.CHANNEL_ERRORS:
        template = _(
            "I could not post lead cards in <#{channel}>: I'm not in that channel. Type /invite @Handoff "
            "there; the cards of the last day follow within {minutes} minutes."
        )
    else:
        template = _(
            "I could not post lead cards in <#{channel}>: Slack answered “{error}”. I try again every "
            "{minutes} minutes for a day."
        )
    minutes = int(CARD_RETRY.total_seconds() // 60)
    day = deps.clock().date().isoformat()
    tell_admins(
        deps, ws, f"lead-cards/{channel}/{error}/{day}", md(template, channel=channel, error=error, minutes=minutes)
    )


def post_card(deps: Deps, team_id: str, lead_id: int) -> str | None:
    """Post the lead's card once and take it off the card queue; its ts when posted now."""
    return post_cards(deps, team_id, [lead_id])[lead_id]


def post_cards(deps: Deps, team_id: str, lead_ids: list[int]) -> dict[int, str | None]:
    """The cards of several leads of a workspace with one claim and one record for all (the card worker
    takes ten at a time, so it seldom holds the database's write lock while the web processes answer).
    Every lead is taken off the card queue when its claim is taken (or found held): from then on the
    claim is what makes the card go out, resumed if the post is cut off. lead id → card ts (None: not
    posted now)."""
    out: dict[int, str | None] = dict.fromkeys(lead_ids)
    ws = load(deps, team_id)
    with deps.read() as s:
        states = card_states(s, team_id, lead_ids) if ws.leads_channel else {}
    channel = ws.leads_channel or ""
    posts = [card_post(deps, ws, lead, state, channel) for lead, state in (states[i] for i in lead_ids if i in states)]

    def dequeue(s: Session) -> None:
        repo.dequeue_cards(s, lead_ids=lead_ids)

    if not posts:  # no leads channel, or no such leads
        with deps.write() as s:
            dequeue(s)
        return out
    for post, outcome in zip(posts, once.deliver_all(deps, team_id, posts, on_claim=dequeue), strict=True):
        if outcome.status == "posted" and outcome.ts:
            out[int(post.key.removeprefix(PREFIX))] = outcome.ts
    posted = [lead_id for lead_id, ts in out.items() if ts]
    if posted:  # a person forgotten while their card was on its way: the card shows the erased lead
        with deps.read() as s:
            forgotten = repo.forgotten_among(s, lead_ids=posted)
        for lead_id in forgotten:
            refresh_card(deps, ws, lead_id)
    return out


def refresh_card(deps: Deps, ws: Workspace, lead_id: int) -> None:
    """Show the lead's card again as its data now stands (after an erasure, say), if it has one."""
    lead, state = card_state(deps, ws.team_id, lead_id)
    if not (lead.card_channel and lead.card_ts):
        return
    try:
        card = build_lead_card(ws, lead, state, now=deps.clock())
        deps.client(ws.team_id).chat_update(channel=lead.card_channel, ts=lead.card_ts, **card.to_kwargs())
    except SlackApiError as exc:
        log.warning("the card of lead %s could not be shown again: %s", lead_id, exc.response.get("error"))


def _recorded(session: Session, team_id: str, sent: list[once.Sent], now: datetime) -> None:
    """Where each card is: replies in its thread and reactions on it belong to the lead."""
    cards = [(int(x.post.key.removeprefix(PREFIX)), x.channel, x.ts) for x in sent]
    repo.set_cards(session, team_id=team_id, cards=cards, now=now)


def _rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    if not held.channel or not held.key.startswith(PREFIX):
        return None
    lead_id = int(held.key.removeprefix(PREFIX))
    with deps.read() as s:
        found = card_states(s, held.team_id, [lead_id])
    if lead_id not in found:
        return None
    return card_post(deps, load(deps, held.team_id), *found[lead_id], held.channel)


CARD = once.Kind("lead-card", rebuild=_rebuild, on_sent=_recorded)


def give_verdict(
    deps: Deps,
    team_id: str,
    lead_id: int,
    *,
    verdict: str,
    user_id: str,
    reason: str | None = None,
    note: str | None = None,
    source: str = "button",
    ws: Workspace | None = None,
) -> bool:
    """Record the verdict (history kept) and refresh the card in place; False when nothing changed.
    `ws`: the workspace's settings when the caller has them already."""
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict}")
    with deps.write() as s:
        lead = repo.get(s, team_id=team_id, lead_id=lead_id)
        if lead is None:
            raise LookupError(f"no lead {lead_id}")
        if lead.forgotten_at is not None:  # the verdict still counts; what a person wrote of them is not kept
            note = None
        at = deps.clock()
        place = repo.record_verdict(
            s,
            team_id=team_id,
            lead=lead,
            verdict=verdict,
            reason=reason,
            note=note,
            user_id=user_id,
            source=source,
            at=at,
        )
    if place is not None and lead.card_channel and lead.card_ts:
        # What the card shows follows from the write itself: no reads after it, before the commit.
        state = CardState(verdict, reason, note, user_id, at, place)
        msg = build_lead_card(ws or load(deps, team_id), lead, state, now=at)
        deps.client(team_id).chat_update(channel=lead.card_channel, ts=lead.card_ts, **msg.to_kwargs())
    return place is not None


CARD_LOOKBACK = timedelta(hours=24)
CARD_GRACE = timedelta(minutes=2)
# A card Slack refused is tried again this often, for CARD_LOOKBACK.
CARD_RETRY = timedelta(minutes=10)


def post_missing_cards(deps: Deps, ws: Workspace, now: datetime) -> int:
    """Cards of the last day's leads that arrived by webhook or in Slack and have none (young leads are
    still in the card queue: the card worker posts them): never posted, or refused by Slack and due
    another try (every CARD_RETRY, oldest first, stopping at the first refused again); how many were
    posted now."""
    with deps.read() as s:
        ids = repo.without_card(s, team_id=ws.team_id, since=now - CARD_LOOKBACK, before=now - CARD_GRACE)
    posted = sum(post_card(deps, ws.team_id, lead_id) is not None for lead_id in ids)
    if not ids or not ws.leads_channel:
        return posted
    with deps.read() as s:
        states = card_states(s, ws.team_id, ids)
    refused = [card_post(deps, ws, *states[i], ws.leads_channel) for i in ids if i in states]
    return posted + once.try_again(deps, ws.team_id, refused, after=CARD_RETRY)


def refusal(client: WebClient, ws: Workspace, user_id: str) -> str | None:
    """Why this user may not judge leads, or None when they may."""
    _ = translator(ws.language)
    if not ws.sales:
        return _("Nobody is set as sales yet: an admin adds the sales team in `/handoff config`.")
    if not in_group(client, ws.sales, user_id):
        return _("Only the sales team gives verdicts on leads. Ask an admin to add you in `/handoff config`.")
    return None


QUEUE_BATCH = 50
# Cards posted between two records of where they are: a crash in between leaves at most this many
# cards claimed without their place noted; the claims' resumption finds them in the channel.
CHUNK = 10


def drain(deps: Deps, limit: int = QUEUE_BATCH) -> int:
    """Post the cards of up to `limit` queued leads, a few at a time per workspace; how many were taken
    off the queue."""
    with deps.read() as s:
        queued = repo.queued_cards(s, limit=limit)
    by_team: dict[str, list[int]] = {}
    for team_id, lead_id in queued:
        by_team.setdefault(team_id, []).append(lead_id)
    for team_id, lead_ids in by_team.items():
        for i in range(0, len(lead_ids), CHUNK):
            try:
                post_cards(deps, team_id, lead_ids[i : i + CHUNK])
            except Exception:
                log.exception("cards for leads %s failed", lead_ids[i : i + CHUNK])
    return len(queued)
