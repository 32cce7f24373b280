"""A report as text and as CSV. Renderers format; they never compute."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from babel.dates import format_date

from bot.cells import neutralise
from bot.i18n import plural, translator
from bot.kpi.catalog import HEADLINE, KPIS, PERIOD_KPIS, label
from bot.kpi.catalog import name as kpi_name
from bot.kpi.engine import Kpi, Report, shown
from bot.kpi.fmt import fmt_change, fmt_kpi_value, fmt_money, fmt_number, fmt_pct  # also imported from here
from bot.kpi.funnel import biggest_leak
from bot.kpi.pace_view import pace_text
from bot.kpi.periods import LOCALES
from bot.slack.kit import is_user
from bot.workspace.keys import REPORT_TITLES


def title(report: Report) -> str:
    _ = translator(report.language)
    return f"{_(REPORT_TITLES[report.kind])} · {report.workspace} · {report.period.label(report.language)}"


def fmt_day(day: date, language: str) -> str:
    """`29 Nov 2026`, `29 нояб. 2026 г.`."""
    return format_date(day, "d MMM y", locale=LOCALES.get(language, "en_GB"))


def cohort_caption(report: Report) -> str:
    """Which leads the funnel's conversions follow, and up to when."""
    _, f = translator(report.language), report.funnel
    return _("Leads of {days}: how far they got by {day}").format(
        days=f.cohort.label(report.language), day=fmt_day(f.as_of, report.language)
    )


def funnel_line(report: Report) -> str:
    """Two lines: the period's count at each stage; then the cohort's step conversions, none above 100%."""
    _, lang, f = translator(report.language), report.language, report.funnel
    counts = " → ".join(f"{label(s.stage, lang)} {fmt_number(s.count, lang)}" for s in f.stages)
    if f.visitors_to_leads_pct is not None:
        counts += " · " + _("visitors → leads {pct} in the period").format(pct=fmt_pct(f.visitors_to_leads_pct, lang))
    leads = f.stage("leads")
    steps = [fmt_number(leads.cohort_count if leads else None, lang)]
    steps += [f"{label(s.stage, lang)} {fmt_pct(s.conversion_pct, lang)}" for s in f.stages[2:]]
    cohort = f"{cohort_caption(report)} — {' → '.join(steps)}"
    if (leak := biggest_leak(f)) is not None:
        cohort += " · " + _("biggest leak: {stage}").format(stage=label(leak.stage, lang))
    return counts + "\n" + cohort


def render_text(report: Report) -> str:
    _ = translator(report.language)
    lang, cur = report.language, report.currency
    lines = [title(report), f"{_('Compared with')} {report.previous_period.label(lang)} · {report.tz}", ""]
    for name in PERIOD_KPIS:
        k = report.kpis[name]
        marker = "*" if name in HEADLINE else " "
        lines.append(
            f"{marker} {label(name, lang):<26} {fmt_kpi_value(name, k.value, lang, cur):>14}  "
            f"({_('was')} {fmt_kpi_value(name, k.previous, lang, cur)}) {fmt_change(name, k, lang)}".rstrip()
        )
    lines += pace_text(report)
    lines += ["", _("Funnel"), *("  " + line for line in funnel_line(report).split("\n"))]
    lines += sales_lines(report)
    if report.channels:
        lines += ["", _("Channels")]
        header = [
            _("Channel"),
            _("Leads"),
            _("Target %"),
            _("Spend"),
            _("Cost/target"),
            _("Sales"),
            _("Revenue"),
            "CAC",
            "ROMI %",
        ]
        rows = [
            [
                c["channel"] or _("(not set)"),
                fmt_number(c["leads"], lang),
                fmt_pct(c["target_share_pct"], lang),
                fmt_money(c["spend"], lang, cur),
                fmt_money(c["cost_per_target_lead"], lang, cur),
                fmt_number(c["sales"], lang),
                fmt_money(c["revenue"], lang, cur),
                fmt_money(c["cac"], lang, cur),
                fmt_pct(c["romi_pct"], lang),
            ]
            for c in report.channels
        ]
        lines += _table(header, rows)
    if report.cohort:
        lines += ["", _("The month's leads: how far they got")]
        for c in report.cohort:
            count, share = fmt_number(c["count"], lang), fmt_pct(c["share_of_leads_pct"], lang)
            lines.append(f"  {label(c['stage'], lang):<26} {count:>10}  {share:>7}")
    if report.reps:
        lines += ["", _("Reps")]
        rows = [
            [
                r["rep"],
                fmt_number(r["leads"], lang),
                fmt_number(r["won"], lang),
                fmt_number(r["lost"], lang),
                fmt_pct(r["win_rate_pct"], lang),
                fmt_pct(r["conversion_pct"], lang),
            ]
            for r in report.reps[:15]
        ]
        lines += _table([_("Rep"), _("Leads"), _("Won"), _("Lost"), _("Win rate"), _("Conversion")], rows)
    seen = shown(report.alerts)
    if seen.fired or seen.over or seen.still:
        lines += ["", _("What to do")]
        lines += [f"  • {a.text}" for a in seen.fired]
        lines += [f"  ✓ {a.text}" for a in seen.over]
        still = [a for a in shown(report.alerts, everything=True).fired if a.status == "ongoing"]
        lines += [f"  · {a.text} ({_('still holds')})" for a in still]
    return "\n".join(lines) + "\n"


# --- the sales block's words (for bot.kpi.blocks too): people come back as ids for the caller to show


def steps_line(report: Report) -> str:
    """`Requests 120 → Meetings 30 (25.0% ▲ +2.0 pp 🟢) → Sales 6 (20.0%)`."""
    lang = report.language
    parts = []
    for step in report.sales.get("steps", []):
        part = f"{label(step['stage'], lang)} {fmt_number(step['count'], lang)}"
        if step["stage"] != "requests":
            rate = "request_to_meeting_pct" if step["stage"] == "meetings" else "meeting_to_sale_pct"
            k = Kpi(step["conversion_pct"], None, None, step["conversion_change_pp"])
            change = fmt_change(rate, k, lang)
            part += f" ({fmt_pct(step['conversion_pct'], lang)}{' ' + change if change else ''})"
        parts.append(part)
    return " → ".join(parts)


def fmt_age(hours: float, language: str, *, days_from: int = 24) -> str:
    """A wait in whole hours, or in whole days from `days_from` hours on (`5 hours`, `3 days`)."""
    ngettext = plural(language)
    if hours < days_from:
        return ngettext("{n} hour", "{n} hours", int(hours)).format(n=int(hours))
    return ngettext("{n} day", "{n} days", int(hours // 24)).format(n=int(hours // 24))


def waiting_head(report: Report) -> str:
    """`Waiting for a verdict: 4 leads, the oldest for 2 days`, or `…: none`."""
    _ = translator(report.language)
    ngettext = plural(report.language)
    w: dict[str, Any] = report.sales.get("waiting", {})
    head = kpi_name("waiting_leads", report.language)
    if not w.get("count"):
        return _("{label}: none").format(label=head)
    leads = ngettext("{n} lead", "{n} leads", w["count"]).format(n=w["count"])
    return _("{label}: {leads}, the oldest for {age}").format(
        label=head, leads=leads, age=fmt_age(w["oldest_hours"] or 0, report.language)
    )


def waiting_owners(report: Report) -> list[tuple[str, int]]:
    """Who holds the most waiting leads: (owner, count), the most first."""
    return [(o["owner"], o["count"]) for o in report.sales.get("waiting", {}).get("by_owner", [])]


def sla_line(report: Report) -> str:
    """`Judged within the SLA (4 working hours): 90.0%, 18 of 20; 2 still inside it`."""
    _ = translator(report.language)
    sla: dict[str, Any] = report.sales.get("sla", {})
    head = kpi_name("sla_kept_pct", report.language)
    if not sla.get("hours"):
        return _("{label}: no SLA set").format(label=head)
    text = _("{label} ({n} working hours): {pct}, {kept} of {due}").format(
        label=head, n=sla["hours"], pct=fmt_pct(sla["kept_pct"], report.language), kept=sla["kept"], due=sla["due"]
    )
    if sla["pending"]:
        text += "; " + _("{n} still inside it").format(n=sla["pending"])
    return text


def sales_lines(report: Report) -> list[str]:
    """The sales block as text; people by their ids (`@U0REP`), names as written."""
    if not report.sales:
        return []
    _ = translator(report.language)
    waiting = waiting_head(report)
    owners = waiting_owners(report)
    if owners:
        held = ", ".join(f"{'@' if is_user(o) else ''}{o} ({n})" for o, n in owners)
        waiting += "; " + _("most with {owners}").format(owners=held)
    return ["", _("Sales"), "  " + steps_line(report), "  " + waiting, "  " + sla_line(report)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        return "  " + "  ".join([first, *(f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))])

    return [line(header), *(line(r) for r in rows)]


def csv_cell(column: str, value: Any) -> str:
    """A cell of a channel or campaign CSV: a count as a whole number, money and ratios with two decimals
    (a point, as spreadsheets read files), an unknown value empty, a name as text a spreadsheet never
    runs as a formula. Numbers are never neutralised: a ROMI of −100 is a number, not a formula."""
    if value is None:
        return ""
    kpi = KPIS.get(column)
    if kpi is None:  # the channel's or campaign's name, as the CRM spelled it
        return str(neutralise(str(value)))
    if kpi.unit == "count":
        return str(round(value))
    return f"{round(value, 2) + 0.0:.2f}"  # + 0.0: no "-0.00"


def render_rows_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """Channel or campaign rows as CSV, a header of their keys (the report JSON's names); empty for none."""
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.writer(buf)
    columns = list(rows[0])
    writer.writerow(columns)
    writer.writerows([csv_cell(c, row.get(c)) for c in columns] for row in rows)
    return buf.getvalue()


def render_channels_csv(report: Report) -> str:
    return render_rows_csv(report.channels)


def render_campaigns_csv(report: Report) -> str:
    return render_rows_csv(report.campaigns)
