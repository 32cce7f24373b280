"""A finding fires on its transition: `with_status` compares a period's findings with those of the
period the digest before reported on (the same rules on that period's numbers), so a digest tells what
is new and what is over, not the same line every morning."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import N_, translator
from bot.kpi.alerts import SEVERITY_ORDER
from bot.kpi.catalog import label
from bot.kpi.engine import Alert

# What each kind of finding is about, for the line that says it is over.
KIND_LABELS = {
    "channel_no_result": N_("spend with no target leads or customers"),
    "channel_best_return": N_("the best return on spend"),
    "channel_most_revenue": N_("the most revenue"),
    "target_share_down": N_("a falling target share"),
    "product_leader": N_("the best-selling product"),
    "high_margin_no_demand": N_("high margin, little demand"),
    "cac_up": N_("a CAC rise"),
    "rep_below_team": N_("conversion far below the team"),
    "off_pace": N_("off the plan's pace"),
    "outside_band": N_("outside its usual range"),
}


def with_status(now: list[Alert], before: list[Alert], language: str) -> list[Alert]:
    """Now's findings marked new or ongoing against the period before's (a finding that got more severe
    is new again), then the ones that are over."""
    _ = translator(language)
    held = {(a.kind, a.subject_type, a.subject): a for a in before}
    out = []
    for a in now:
        was = held.pop((a.kind, a.subject_type, a.subject), None)
        worse = was is not None and SEVERITY_ORDER.index(a.severity) < SEVERITY_ORDER.index(was.severity)
        out.append(replace(a, status="new" if was is None or worse else "ongoing"))
    still = {(a.subject_type, a.subject) for a in now}
    # A subject keeps one finding: one replaced by another about the same subject is not over.
    for a in (a for a in held.values() if (a.subject_type, a.subject) not in still):
        template = _("Over: {subject} — {finding}.")
        values = {"subject": a.subject or _("(not set)"), "finding": _(KIND_LABELS[a.kind])}
        if a.subject_type == "kpi":
            values["subject"] = label(a.subject, language)
        out.append(replace(a, status="ended", text=template.format(**values), template=template, values=values))
    return out
