"""What sales can say about a lead: the verdicts and the reasons behind them."""

from __future__ import annotations

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
    "other": N_("Other"),
}


def verdict_label(verdict: str, language: str) -> str:
    return translator(language)(VERDICT_LABELS.get(verdict, verdict))


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
    if reason not in {value for value, _label in reason_options(ws)}:
        errors[ids.REASON] = _("Choose a reason from the list.")
    note = (note or "").strip() or None
    if note is not None and (len(note) > NOTE_LIMIT or text_problem(note)):
        errors[ids.NOTE] = _("A comment is text of at most {n} characters.").format(n=NOTE_LIMIT)
    if errors:
        return None, errors
    return VerdictForm(lead_id, str(verdict), reason, note), {}
