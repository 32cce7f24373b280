"""Exports for marketing (verdicts, thread replies, sync answers, action items, ICP versions) as CSV or
XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bot.cells import for_workbook, neutralise
from bot.deps import Deps
from bot.workspace.store import load
from storage.repos import actions, meetings, quality

EXPORTS = {
    "verdicts": quality.verdict_rows,
    "replies": quality.reply_rows,
    "answers": meetings.answer_rows,
    "actions": actions.action_rows,
    "icp": actions.icp_rows,
}


def export_rows(
    deps: Deps, team_id: str, what: str, first: date | None, last: date | None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(header, rows) of one export, its dates in the workspace's time zone."""
    tz = load(deps, team_id).timezone
    with deps.read() as s:
        return EXPORTS[what](s, team_id=team_id, first=first, last=last, tz=tz)


def write_table(header: list[str], rows: list[tuple], fmt: str, out: Path | None) -> None:
    if fmt == "xlsx":
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("export")
        ws.append(header)
        for row in rows:
            ws.append([for_workbook(v) for v in row])
        assert out is not None  # the CLI asks for --out with xlsx
        wb.save(out)
        return
    clean = [[neutralise(v) for v in row] for row in rows]
    fh = out.open("w", newline="", encoding="utf-8-sig") if out else sys.stdout
    try:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(clean)
    finally:
        if out:
            fh.close()
