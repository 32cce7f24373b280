"""What sales can say about a lead: the verdicts and the reasons behind them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot import ids
from bot.i18n import N_, translator
from bot.slack.modals import number
from bot.text import problem as text_problem
from storage.models import LeadVerdict, Workspace

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
    "no_answer": N_("No answer"),
    "other": N_("Other"),
}
# Which built-in reasons each verdict offers. Spam and Duplicate need none: the verdict says it all.
VERDICT_REASONS = {
    "not_target": (
        "no_budget",
        "wrong_region",
        "no_real_need",
        "student_or_job_seeker",
        "competitor",
        "b2c_instead_of_b2b",
        "already_a_customer",
        "other",
    ),
    "cant_reach": ("no_answer", "wrong_contact_data", "other"),
    "not_now": ("timing", "no_budget", "other"),
    "spam": ("competitor", "other"),
    "duplicate": ("already_a_customer", "other"),
}
REASON_OPTIONAL = frozenset({"spam", "duplicate"})
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")  # snake_case, at least two words


def verdict_label(verdict: str, language: str) -> str:
    return translator(language)(VERDICT_LABELS.get(verdict, verdict))


def reason_options(ws: Workspace, verdict: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a verdict in the workspace's language: the workspace's own catalogue
    for every verdict, else the built-in reasons that fit this one."""
    if ws.reasons:
        return [(r, r) for r in ws.reasons]
    _ = translator(ws.language)
    return [(code, _(DEFAULT_REASONS[code])) for code in VERDICT_REASONS.get(verdict, tuple(DEFAULT_REASONS))]


def reason_label(ws: Workspace, reason: str | None) -> str | None:
    """A reason as people read it: a built-in one in the workspace's language, a workspace's own as
    written, a code from elsewhere (a CRM's `already_in_crm`) as words."""
    if reason is None:
        return None
    _ = translator(ws.language)
    if reason in DEFAULT_REASONS:
        return _(DEFAULT_REASONS[reason])
    if _CODE.fullmatch(reason):
        return reason.replace("_", " ").capitalize()
    return reason


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


NOTE_LIMIT = 1000  # characters of a comment for marketing (the modal's own limit)


@dataclass(frozen=True)
class VerdictForm:
    lead_id: int
    verdict: str
    reason: str | None
    note: str | None


def read_verdict_form(
    ws: Workspace, meta: dict[str, object], reason: str | None, note: str | None
) -> tuple[VerdictForm | None, dict[str, str]]:
    """The verdict modal's submission checked again on the server (a client can send anything):
    the form, or errors by block id."""
    _ = translator(ws.language)
    lead_id, verdict = meta.get("lead_id"), meta.get("verdict")
    if number(lead_id) is None or not isinstance(lead_id, int) or verdict not in VERDICTS:
        return None, {ids.REASON: _("This form is out of date: press the button on the card again.")}
    errors: dict[str, str] = {}
    verdict = str(verdict)
    if reason is None and verdict in REASON_OPTIONAL:
        pass
    elif reason not in {value for value, _label in reason_options(ws, verdict)}:
        errors[ids.REASON] = _("Choose a reason from the list.")
    note = (note or "").strip() or None
    if note is not None and (len(note) > NOTE_LIMIT or text_problem(note)):
        errors[ids.NOTE] = _("A comment is text of at most {n} characters.").format(n=NOTE_LIMIT)
    if errors:
        return None, errors
    return VerdictForm(lead_id, verdict, reason, note), {}
