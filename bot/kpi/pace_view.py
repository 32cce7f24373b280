"""Pace as people read it: the digest's pace block (text and Block Kit), the demo's plan status, and the
off-pace finding. Formats only; the numbers come from bot.kpi.pace."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.i18n import N_, translator
from bot.kpi.catalog import label
from bot.kpi.engine import Alert, Report
from bot.kpi.fmt import fmt_kpi_value, fmt_pct
from bot.kpi.pace import PaceLine
from bot.kpi.periods import Period
from bot.kpi.plan import CEILINGS
from bot.slack.kit import bold, join, md, section

MARKS = {"on_track": "🟢", "at_risk": "🟡", "behind": "🔴"}
STATUS_WORDS = {"on_track": N_("on track"), "at_risk": N_("at risk"), "behind": N_("behind")}
OVER = N_("over")  # "behind" of a ceiling: heading over the budget or the cap
PERIOD_WORDS = {"day": N_("the day"), "week": N_("the week"), "range": N_("these days")}


def status_word(line: PaceLine, language: str) -> str:
    _ = translator(language)
    return _(OVER) if line.status == "behind" and line.kpi in CEILINGS else _(STATUS_WORDS[line.status])


def pace_head(lines: list[PaceLine], month: Period, language: str) -> str:
    """`Plan · December 2026 · 45% of the working time gone`."""
    _ = translator(language)
    elapsed = fmt_pct(lines[0].elapsed_pct, language, 0) if lines else "—"
    return _("Plan · {month} · {pct} of the working time gone").format(month=month.label(language), pct=elapsed)


def pace_line(line: PaceLine, language: str, currency: str | None, period: Period | None = None) -> str:
    """`🔴 Leads: 230 of 500 (46%), heading for 442 — behind · the week: 110 of 115`."""
    _ = translator(language)

    def money(v: float | None) -> str:
        return fmt_kpi_value(line.kpi, v, language, currency)

    values = {
        "kpi": label(line.kpi, language),
        "actual": money(line.actual),
        "plan": money(line.plan),
        "pct": fmt_pct(line.pct_of_plan, language, 0),
        "projected": money(line.projected),
        "status": status_word(line, language),
    }
    if line.projected is None:  # nothing to run on yet (no time passed, or CAC without new customers)
        template = (
            _("{kpi}: {actual} against a cap of {plan} ({pct}) — {status}")
            if line.kpi in CEILINGS
            else _("{kpi}: {actual} of {plan} ({pct}) — {status}")
        )
    else:
        template = (
            _("{kpi}: {actual} against a cap of {plan} ({pct}), heading for {projected} — {status}")
            if line.kpi in CEILINGS
            else _("{kpi}: {actual} of {plan} ({pct}), heading for {projected} — {status}")
        )
    text = f"{MARKS[line.status]} {template.format(**values)}"
    if period is not None and line.period_plan is not None and period.kind in PERIOD_WORDS:
        text += " · " + _("{period}: {actual} of {plan}").format(
            period=_(PERIOD_WORDS[period.kind]), actual=money(line.period_actual), plan=money(line.period_plan)
        )
    return text


def pace_month(report: Report) -> Period:
    """The month a report's pace is of: the one its period ends in (or is cut at, by now)."""
    return Period.from_key(report.pace[0].month)


def pace_text(report: Report) -> list[str]:
    """The pace block of the text digest: a head line, then a line per planned KPI, worst first."""
    if not report.pace:
        return []
    lang, cur = report.language, report.currency
    lines = ["", pace_head(report.pace, pace_month(report), lang)]
    return lines + ["  " + pace_line(p, lang, cur, report.period) for p in report.pace]


def pace_block(report: Report) -> list[Block]:
    """The pace block of the Slack digest: one section, none without a plan."""
    if not report.pace:
        return []
    lang, cur = report.language, report.currency
    shown = [md("{}", pace_line(p, lang, cur, report.period)) for p in report.pace]
    return [section(md("{}\n{}", bold(pace_head(report.pace, pace_month(report), lang)), join(shown)))]


def plan_status_text(lines: list[PaceLine], month: Period, language: str, currency: str | None) -> str:
    """A month's pace as a small text file (the demo's plan-status.txt)."""
    _ = translator(language)
    if not lines:
        return _("No plan for {month}.").format(month=month.label(language)) + "\n"
    body = [pace_head(lines, month, language), *(pace_line(p, language, currency) for p in lines)]
    methods = {p.method for p in lines}
    note = _("Projections follow the weekday pattern of the last 8 weeks.") if methods == {"seasonal"} else None
    return "\n".join([*body, *([note] if note else [])]) + "\n"


FINDING_WORDS = {"at_risk": N_("at risk"), "behind": N_("behind the plan")}
OVER_WORDS = {"at_risk": N_("may go over the plan"), "behind": N_("heading over the plan")}


def off_pace(lines: list[PaceLine], language: str, currency: str | None) -> list[Alert]:
    """A finding per planned KPI not on track: fired on the move from on track (bot.kpi.transitions),
    again when at risk turns behind."""
    _ = translator(language)
    out = []
    for p in lines:
        if p.status == "on_track":
            continue
        template = _(
            "{kpi}: {state} — {actual} of {plan} ({pct}) with {elapsed} of the month's working time gone, "
            "heading for {projected}."
        )
        words = OVER_WORDS if p.kpi in CEILINGS else FINDING_WORDS
        values = {
            "kpi": label(p.kpi, language),
            "state": _(words[p.status]),
            "actual": fmt_kpi_value(p.kpi, p.actual, language, currency),
            "plan": fmt_kpi_value(p.kpi, p.plan, language, currency),
            "pct": fmt_pct(p.pct_of_plan, language, 0),
            "elapsed": fmt_pct(p.elapsed_pct, language, 0),
            "projected": fmt_kpi_value(p.kpi, p.projected, language, currency),
        }
        money = p.kpi in ("revenue", "spend") and p.projected is not None
        out.append(
            Alert(
                kind="off_pace",
                text=template.format(**values),
                template=template,
                values=values,
                subject_type="kpi",
                subject=p.kpi,
                advice="watch",
                severity="high" if p.status == "behind" else "medium",
                facts=p.to_json(),
                stake=abs(p.plan - p.projected) if money and p.projected is not None else 0.0,
            )
        )
    return out
