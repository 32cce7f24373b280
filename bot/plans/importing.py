"""`handoff import plans FILE`: a CSV (or XLSX) of month, channel (optional), kpi, value — checked whole,
then stored in one transaction; a bad row imports nothing and is named by its row and column, as the
CRM imports name theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bot.deps import Deps
from bot.imports.readers import ReadError, chunks, header, open_source
from bot.imports.run import MAX_ERRORS_SHOWN, ImportError_, RowError
from bot.plans.store import set_many
from bot.plans.values import PlanError, parse_kpi, parse_month, parse_value

COLUMNS = ("month", "channel", "kpi", "value")
REQUIRED = ("month", "kpi", "value")
T = TypeVar("T")


@dataclass(frozen=True)
class PlansImported:
    rows: int
    values: int
    months: list[str]

    def summary(self) -> str:
        return f"plans: {self.rows} rows read — {self.values} values set for {', '.join(self.months) or 'no month'}"


def _columns(found: list[str]) -> tuple[dict[str, str], list[RowError]]:
    lower = {c.strip().lower(): c for c in found}
    errors = [
        RowError(1, None, f"required column '{name}' is missing (columns: {', '.join(COLUMNS)}; channel optional)")
        for name in REQUIRED
        if name not in lower
    ]
    return {name: lower[name] for name in COLUMNS if name in lower}, errors


def _checked(parse: Callable[..., T], *args: str, row: int, column: str, errors: list[RowError]) -> T | None:
    """A cell parsed, or None with its error (row and column) added."""
    try:
        return parse(*args)
    except PlanError as exc:
        errors.append(RowError(row, column, exc.text("en")))
        return None


def read_plans(path: str | Path) -> tuple[list[tuple[str, str, dict[str, float | None]]], int]:
    """The file's plans as (month, channel, {kpi: value}) and its row count; ImportError_ names every
    bad row and column (nothing is stored then), ReadError a file that cannot be read."""
    source = open_source(path)
    columns, errors = _columns(header(source))
    if errors:
        raise ImportError_(errors, len(errors))
    seen: dict[tuple[str, str, str], int] = {}
    plans: dict[tuple[str, str], dict[str, float | None]] = {}
    total, rows = 0, 0
    for raw in chunks(source):
        for row_number, row in raw.iterrows():
            rows += 1
            cells = {name: str(row[col]).strip() for name, col in columns.items()}
            if not any(cells.values()):
                continue
            row_errors: list[RowError] = []
            at = int(row_number)
            month = _checked(parse_month, cells["month"], row=at, column=columns["month"], errors=row_errors)
            kpi = _checked(parse_kpi, cells["kpi"], row=at, column=columns["kpi"], errors=row_errors)
            value: float | None = None
            if kpi is not None and not cells["value"]:
                row_errors.append(RowError(at, columns["value"], "value is empty"))
            elif kpi is not None:
                value = _checked(parse_value, kpi, cells["value"], row=at, column=columns["value"], errors=row_errors)
            channel = cells.get("channel", "")
            if len(channel) > 200:
                row_errors.append(RowError(at, columns["channel"], "a channel has at most 200 characters"))
            if month is not None and kpi is not None and not row_errors:
                key = (month, channel, kpi)
                if key in seen:
                    row_errors.append(RowError(at, columns["kpi"], f"{kpi} of {month} is already in row {seen[key]}"))
                seen[key] = at
                plans.setdefault((month, channel), {})[kpi] = value
            total += len(row_errors)
            errors.extend(row_errors[: max(0, MAX_ERRORS_SHOWN - len(errors))])
    if total:
        raise ImportError_(errors, total)
    return [(m, c, v) for (m, c), v in plans.items()], rows


def import_plans(deps: Deps, team_id: str, path: str | Path, *, set_by: str | None = None) -> PlansImported:
    """Reads the whole file first; stores its plans in one transaction only when every row is good."""
    if not Path(path).is_file():
        raise ReadError(f"{path}: no such file")
    plans, rows = read_plans(path)
    values = set_many(deps, team_id, plans, set_by=set_by)
    return PlansImported(rows=rows, values=values, months=sorted({m for m, _c, _v in plans}))
