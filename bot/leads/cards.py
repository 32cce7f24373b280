"""Lead intake, lead cards and verdicts: the core loop between sales and marketing."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.deps import Deps
from bot.i18n import N_, translator
from bot.imports.run import KINDS
from bot.workspace.store import load
from storage.db import read_scope, session_scope
from storage.models import Lead, LeadVerdict, Workspace
from storage.repos import leads as repo
from storage.repos import posts

log = logging.getLogger(__name__)

VERDICTS = ("target", "not_target", "spam", "duplicate", "cant_reach", "not_now")
VERDICT_LABELS = {
    "target": N_("Target"),
    "not_target": N_("Not target"),
    "spam": N_("Spam"),
    "duplicate": N_("Duplicate"),
    "cant_reach": N_("Can't reach"),
    "not_now": N_("Not now"),
}
# The built-in reasons, used until admins set their own catalogue (`handoff config set reasons=…`).
DEFAULT_REASONS = {
    "no_budget": N_("No budget"),
    "wrong_region": N_("Wrong region"),
    "no_real_need": N_("No real need"),
    "student_or_job_seeker": N_("Student or job seeker"),
    "competitor": N_("Competitor"),
    "wrong_contact_data": N_("Wrong contact data"),
    "b2c_instead_of_b2b": N_("B2C instead of B2B"),
    "already_a_customer": N_("Already a customer"),
    "timing": N_("Not the right time"),
    "other": N_("Other"),
}
# The lead's text fields are the import's: one list of what a lead is.
TEXT_FIELDS = tuple(f.name for f in KINDS["leads"] if f.type == "text" and f.name != "external_id")
MAX_FIELD = {"message": 4000}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def reason_options(ws: Workspace) -> list[tuple[str, str]]:
    """(value, label) pairs in the workspace's language."""
    if ws.reasons:
        return [(r, r) for r in ws.reasons]
    _ = translator(ws.language)
    return [(code, _(label)) for code, label in DEFAULT_REASONS.items()]


def reason_label(ws: Workspace, reason: str | None) -> str | None:
    if reason is None:
        return None
    _ = translator(ws.language)
    return _(DEFAULT_REASONS[reason]) if reason in DEFAULT_REASONS else reason


@dataclass
class Intake:
    status: int  # 200 known, 201 created, 400 bad
    lead_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def validate(payload: Any, now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """A webhook body → lead fields (unknown fields kept in `extra`), or errors by field."""
    if not isinstance(payload, dict):
        return {}, {"body": "must be a JSON object"}
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    ext = payload.get("external_id")
    if isinstance(ext, int | str) and not isinstance(ext, bool) and str(ext).strip():
        fields["external_id"] = str(ext).strip()[:200]
    else:
        errors["external_id"] = "required: a non-empty string or number"
    raw_created = payload.get("created_at")
    if raw_created in (None, ""):
        fields["created_at"] = now
    else:
        try:
            created = datetime.fromisoformat(str(raw_created).replace("Z", "+00:00"))
            if created.tzinfo is None:
                raise ValueError
            fields["created_at"] = created
        except ValueError:
            errors["created_at"] = "must be an ISO 8601 time with an offset, e.g. 2026-11-30T09:15:00+03:00"
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            errors[name] = "must be a string"
            continue
        value = str(value).strip()
        limit = MAX_FIELD.get(name, 500)
        if len(value) > limit:
            errors[name] = f"longer than {limit} characters"
            continue
        fields[name] = value
    if "email" in fields and not _EMAIL.match(fields["email"]):
        errors["email"] = "is not an email address"
    known = {"external_id", "created_at", *TEXT_FIELDS}
    extra = {k: v for k, v in payload.items() if k not in known}
    if extra:
        fields["extra"] = extra
    return fields, errors


@dataclass
class Checked:
    """A lead's payload after validation and the look-up of its external id."""

    fields: dict[str, Any]
    errors: dict[str, str]
    known_id: int | None = None


def check(session: Session, team_id: str, payload: Any, now: datetime, source: str = "webhook") -> Checked:
    """Validate a payload and look its external id up, in the caller's read-only unit of work (the
    webhook reads its secret in the same one): a lead sent again is answered without the write lock."""
    fields, errors = validate(payload, now)
    if errors:
        return Checked({}, errors)
    fields["source"] = source
    return Checked(fields, {}, repo.id_by_external_id(session, team_id, fields["external_id"]))


def store(deps: Deps, team_id: str, checked: Checked) -> Intake:
    """Insert a checked lead unless it was known: 201 created, 200 known, 400 invalid."""
    if checked.errors:
        return Intake(400, errors=checked.errors)
    if checked.known_id is not None:
        return Intake(200, checked.known_id)
    with session_scope(deps.engine) as s:
        lead_id = repo.insert_new(s.connection(), team_id, checked.fields)
    if lead_id is not None:
        return Intake(201, lead_id)
    with read_scope(deps.engine) as s:  # the same lead, stored meanwhile by a request beside this one
        return Intake(200, repo.id_by_external_id(s, team_id, checked.fields["external_id"]))


def intake(deps: Deps, team_id: str, payload: Any, source: str = "webhook") -> Intake:
    with read_scope(deps.engine) as s:
        checked = check(s, team_id, payload, deps.clock(), source)
    return store(deps, team_id, checked)


@dataclass(frozen=True)
class CardState:
    """What a card shows besides the lead: its verdict, who gave it and when, how often it changed."""

    verdict: str | None = None
    reason: str | None = None
    note: str | None = None
    user_id: str | None = None
    at: datetime | None = None
    changes: int = 0

    @classmethod
    def of(cls, history: list[LeadVerdict]) -> CardState:
        """From the lead's verdicts, oldest first."""
        if not history:
            return cls()
        last = history[-1]
        return cls(last.verdict, last.reason, last.note, last.user_id, last.created_at, len(history) - 1)


def card_state(deps: Deps, team_id: str, lead_id: int) -> tuple[Lead, CardState]:
    with read_scope(deps.engine) as s:
        found = _card_states_in(s, team_id, [lead_id])
    if lead_id not in found:
        raise LookupError(f"no lead {lead_id}")
    return found[lead_id]


def _card_states_in(session, team_id: str, lead_ids: list[int]) -> dict[int, tuple[Lead, CardState]]:
    """lead id → (lead, what its card shows) for the leads found, in two queries however many."""
    leads = repo.get_many(session, team_id, lead_ids)
    histories = repo.histories(session, team_id, list(leads))
    return {lead_id: (lead, CardState.of(histories.get(lead_id, []))) for lead_id, lead in leads.items()}


def post_card(deps: Deps, team_id: str, lead_id: int) -> str | None:
    """Post the lead's card once (claim `lead-card/ID`) and take it off the card queue, posted or not:
    a card whose claim is held or whose post failed is not tried again from the queue. Its ts, or None."""
    return post_cards(deps, team_id, [lead_id])[lead_id]


def post_cards(deps: Deps, team_id: str, lead_ids: list[int]) -> dict[int, str | None]:
    """`post_card` for several leads of a workspace with three database visits in all (claim, read,
    record) rather than per card: the card worker takes a few at a time, so it holds the database's
    write lock seldom while the web processes answer. lead id → card ts (None: not posted)."""
    from bot.blocks import build_lead_card

    out: dict[int, str | None] = dict.fromkeys(lead_ids)
    ws = load(deps.engine, team_id)
    claims: dict[str, int] = {}
    with session_scope(deps.engine) as s:
        if ws.leads_channel:
            claims = posts.claim_many(s, team_id, [f"lead-card/{i}" for i in lead_ids], "lead-card")
        if not claims:  # nothing to post: no leads channel, or every claim held elsewhere
            repo.dequeue_cards(s, lead_ids)
            return out
    with read_scope(deps.engine) as s:
        states = _card_states_in(s, team_id, [i for i in lead_ids if f"lead-card/{i}" in claims])
    client = deps.client(team_id)
    done: list[tuple[int, int, str, str]] = []
    failed: list[tuple[int, str]] = []
    for lead_id in lead_ids:
        claim_id = claims.get(f"lead-card/{lead_id}")
        if claim_id is None:
            continue
        if lead_id not in states:
            failed.append((claim_id, "lead_not_found"))
            continue
        lead, state = states[lead_id]
        try:
            resp = client.chat_postMessage(channel=ws.leads_channel, **build_lead_card(ws, lead, state).to_kwargs())
        except SlackApiError as exc:
            failed.append((claim_id, exc.response.get("error", "unknown")))
            log.warning("lead card %s not posted: %s", lead_id, failed[-1][1])
            continue
        except Exception:
            failed.append((claim_id, "exception"))
            log.exception("lead card %s failed", lead_id)
            continue
        done.append((lead_id, claim_id, resp.get("channel", ws.leads_channel), resp["ts"]))
        out[lead_id] = resp["ts"]
    with session_scope(deps.engine) as s:  # where each card is, its claim done or failed, the batch off the queue
        conn = s.connection()
        if done:
            repo.set_cards(conn, team_id, [(lead_id, channel, ts) for lead_id, _, channel, ts in done])
        posts.mark_outcomes(conn, [(claim_id, channel, ts) for _, claim_id, channel, ts in done], failed)
        repo.dequeue_cards(s, lead_ids)
    return out


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
    from bot.blocks import build_lead_card

    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict}")
    with session_scope(deps.engine) as s:
        lead = repo.get(s, team_id, lead_id)
        if lead is None:
            raise LookupError(f"no lead {lead_id}")
        at = deps.clock()
        place = repo.record_verdict(
            s, team_id, lead, verdict=verdict, reason=reason, note=note, user_id=user_id, source=source, at=at
        )
    if place is not None and lead.card_channel and lead.card_ts:
        # What the card shows follows from the write itself: no reads after it, before the commit.
        state = CardState(verdict, reason, note, user_id, at, place)
        msg = build_lead_card(ws or load(deps.engine, team_id), lead, state)
        deps.client(team_id).chat_update(channel=lead.card_channel, ts=lead.card_ts, **msg.to_kwargs())
    return place is not None


SLA_LOOKBACK = timedelta(days=14)


def nudge_overdue(deps: Deps, ws: Workspace, now: datetime) -> int:
    """One nudge in the thread after N working hours without a verdict, one escalation after 2N."""
    from bot.workspace.worktime import working_hours_between

    _ = translator(ws.language)
    sent = 0
    with read_scope(deps.engine) as s:
        waiting = repo.awaiting_verdict(s, ws.team_id, now - SLA_LOOKBACK)
    for lead in waiting:
        hours = working_hours_between(
            lead.card_posted_at,
            now,
            tz=ws.timezone,
            workdays=ws.workdays,
            work_hours=ws.work_hours,
            holidays=ws.holidays,
        )
        steps = []
        if hours >= ws.sla_hours:
            who = _mention(lead.owner) or _group_mention(ws.sales)
            steps.append(
                (
                    "sla-nudge",
                    _("{who} this lead has waited {n} working hours for a verdict.").format(who=who, n=ws.sla_hours),
                )
            )
        if hours >= 2 * ws.sla_hours:
            head = _mention(ws.head_of_sales) or _group_mention(ws.admins)
            steps.append(
                (
                    "sla-escalate",
                    _("{who} no verdict after {n} working hours: please see to it.").format(
                        who=head, n=2 * ws.sla_hours
                    ),
                )
            )
        for kind, text in steps:
            claim = posts.claim(deps.engine, ws.team_id, f"{kind}/{lead.id}", kind, None)
            if claim is None:
                continue
            try:
                resp = deps.client(ws.team_id).chat_postMessage(
                    channel=lead.card_channel, thread_ts=lead.card_ts, text=text.strip()
                )
                posts.mark(deps.engine, claim.id, "done", channel=lead.card_channel, ts=resp["ts"])
                sent += 1
            except SlackApiError as exc:
                posts.mark(deps.engine, claim.id, "failed", error=exc.response.get("error"))
    return sent


def _mention(user: str | None) -> str:
    return f"<@{user}>" if user and user[:1] in "UW" else ""


def _group_mention(principals: list[str]) -> str:
    return " ".join(f"<!subteam^{p}>" if p.startswith("S") else f"<@{p}>" for p in principals[:5])
