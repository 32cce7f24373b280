"""The weekly lead-quality report offline: as text, JSON, Slack Block Kit and CSV (for `handoff report
quality`, the demo and the report's Export button)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from bot.cells import neutralise
from bot.i18n import plural, translator
from bot.kpi.catalog import name
from bot.kpi.render import fmt_number, fmt_pct
from bot.leads.blocks import build_quality_message, quality_sla, quality_summary
from bot.leads.quality import SHARE, Quality
from bot.leads.verdicts import verdict_label
from storage.models import Workspace

FORMATS = ("text", "json", "blocks", "csv")
COLUMNS = ("group", "name", "leads", "judged", "target", SHARE, f"previous_{SHARE}", "change_pp", "rejected")


def _cell(v: Any) -> Any:
    """As people read a sheet: two decimals, whole numbers whole, nothing for no value."""
    if v is None:
        return ""
    if isinstance(v, float):
        return int(v) if v.is_integer() else round(v, 2)
    return neutralise(v)


def render_quality_csv(q: Quality) -> str:
    """One row per channel and campaign (leads, judged, target, target share of judged and its change)
    and per rejection reason (by its label, with the leads rejected for it)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for by in ("channel", "campaign"):
        for r in q.groups.get(by, []):
            row = (by, r["name"], r["leads"], r["judged"], r["target"], r[SHARE], r["previous_share_pct"])
            writer.writerow([_cell(v) for v in (*row, r["change_pp"], None)])
    for r in q.reasons:
        writer.writerow([_cell(v) for v in ("reason", r["reason"], None, None, None, None, None, None, r["count"])])
    return buf.getvalue()


def render_quality_text(q: Quality, ws: Workspace) -> str:
    _ = translator(q.language)
    ngettext = plural(q.language)
    lang = q.language
    lines = [_("Lead quality") + f" · {q.period.label(lang)} · {ws.timezone}", quality_summary(q)]
    if quality_sla(q):
        lines.append(quality_sla(q))
    for by, heading in (("channel", _("{share} by channel")), ("campaign", _("{share} by campaign"))):
        lines += ["", heading.format(share=name(SHARE, lang))]
        for r in q.groups.get(by, []) or [{"name": "—"}]:
            if "leads" not in r:
                lines.append("  —")
                continue
            change = ""
            if r["change_pp"] is not None:
                sign = "+" if r["change_pp"] >= 0 else "−"
                change = f" ({sign}{fmt_number(abs(r['change_pp']), lang, 1)} {_('pp')})"
            leads = ngettext("{n} lead", "{n} leads", r["leads"]).format(n=r["leads"])
            judged = _("{judged} judged, {target} target").format(judged=r["judged"], target=r["target"])
            lines.append(f"  {r['name'] or _('(not set)')}: {fmt_pct(r[SHARE], lang)}{change} · {leads}, {judged}")
    lines += ["", _("Top rejection reasons")]
    lines += [
        f"  • {r['reason']}: {ngettext('{n} lead', '{n} leads', r['count']).format(n=r['count'])}" for r in q.reasons
    ]
    lines += ["  —"] if not q.reasons else []
    if q.quotes:
        lines += ["", _("From the threads")]
        for x in q.quotes:
            text = " ".join(x["text"].split())
            lines.append(f"  “{text}” — {x['channel'] or '—'}, {verdict_label(x['verdict'], lang)}")
    return "\n".join(lines) + "\n"


def render_quality(q: Quality, ws: Workspace, fmt: str) -> str:
    if fmt == "text":
        return render_quality_text(q, ws)
    if fmt == "json":
        return json.dumps(q.to_json(ws.timezone), ensure_ascii=False, indent=2) + "\n"
    if fmt == "blocks":
        return json.dumps(build_quality_message(q, ws).to_kwargs(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return render_quality_csv(q)
    raise ValueError(f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")


def write_quality(q: Quality, ws: Workspace, out_dir: Path) -> list[Path]:
    """`quality.txt`, `quality.blocks.json`, `report-quality.json` and `quality.csv` in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {
        "text": "quality.txt",
        "blocks": "quality.blocks.json",
        "json": "report-quality.json",
        "csv": "quality.csv",
    }
    written = []
    for fmt, filename in names.items():
        path = out_dir / filename
        path.write_text(render_quality(q, ws, fmt), encoding="utf-8")
        written.append(path)
    return written
