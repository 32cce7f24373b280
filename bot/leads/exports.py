"""Exports for marketing (verdicts, thread replies, sync answers, action items, ICP versions) as CSV or
XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.workspace.store import load
from storage.db import session_scope
from storage.repos import quality, sync

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is written as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_rows(engine: Engine, team_id: str, what: str, first: date | None, last: date | None):
    tz = load(engine, team_id).timezone
    with session_scope(engine) as s:
        if what == "verdicts":
            return quality.verdict_rows(s, team_id, first, last, tz)
        if what == "answers":
            return sync.answer_rows(s, team_id, first, last, tz)
        if what == "actions":
            return sync.action_rows(s, team_id, first, last, tz)
        if what == "icp":
            return sync.icp_rows(s, team_id, first, last, tz)
        return quality.reply_rows(s, team_id, first, last, tz)


def write_table(header: list[str], rows: list[tuple], fmt: str, out: Path | None) -> None:
    clean = [[neutralise(v) for v in row] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("export")
        ws.append(header)
        for row in clean:
            ws.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row])
        wb.save(out)
        return
    fh = out.open("w", newline="", encoding="utf-8-sig") if out else sys.stdout
    try:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(clean)
    finally:
        if out:
            fh.close()
