"""`handoff import`: validate a whole CRM export, then store it in one transaction, or store nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from tqdm import tqdm

from bot.deps import Deps
from bot.imports import normalize as nz
from bot.imports.fields import HINTS, KINDS, NATURAL_KEYS, SUMMED
from bot.imports.readers import CHUNK_ROWS, ReadError, chunks, header, open_source
from storage.repos import imports as repo
from storage.repos import rollups

MAX_ERRORS_SHOWN = 20


class ImportError_(ValueError):
    """The file has errors; nothing was imported."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        self.errors = errors
        self.total = total
        super().__init__(f"{total} error(s); nothing was imported")


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class Mapping:
    """Which file column fills which field, and constant values for fields the file lacks."""

    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None, maps: list[str], sets: list[str]) -> Mapping:
        m = cls()
        if path:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            m.columns.update({str(k): str(v) for k, v in (doc.get("columns") or {}).items()})
            m.constants.update({str(k): str(v) for k, v in (doc.get("constants") or {}).items()})
            m.statuses.update({str(k).lower(): str(v) for k, v in (doc.get("statuses") or {}).items()})
        for p in maps:
            k, sep, v = p.partition("=")
            if not sep:
                raise ValueError(f"--map {p}: expected FIELD=COLUMN")
            m.columns[k.strip()] = v.strip()
        for p in sets:
            k, sep, v = p.partition("=")
            if not sep:
                raise ValueError(f"--set {p}: expected FIELD=VALUE")
            m.constants[k.strip()] = v.strip()
        return m


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return (
            f"{self.kind}: {self.rows} rows read — {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


def resolve_columns(kind: str, file_columns: list[str], mapping: Mapping) -> tuple[dict[str, str], list[RowError]]:
    """field → file column. By default a column named like the field (any case) fills it."""
    specs = KINDS[kind]
    known = {s.name for s in specs}
    lower = {c.lower(): c for c in file_columns}
    errors = [
        RowError(None, None, f"--map names an unknown field '{f}' (fields of {kind}: {', '.join(sorted(known))})")
        for f in [*mapping.columns, *mapping.constants]
        if f not in known
    ]
    resolved: dict[str, str] = {}
    for spec in specs:
        if spec.name in mapping.constants:
            continue
        col = mapping.columns.get(spec.name)
        if col is not None:
            if col not in file_columns and col.lower() not in lower:
                errors.append(RowError(1, col, f"no such column in the file (mapped to '{spec.name}')"))
                continue
            resolved[spec.name] = col if col in file_columns else lower[col.lower()]
        elif spec.name.lower() in lower:
            resolved[spec.name] = lower[spec.name.lower()]
        elif spec.required and not (kind in NATURAL_KEYS and spec.name == "external_id"):
            errors.append(
                RowError(1, None, f"required field '{spec.name}' has no column (add --map {spec.name}=COLUMN)")
            )
    return resolved, errors


# Values that cannot be below zero. Spend can: a refund or a platform's credit is a negative row,
# summed into its day.
NOT_NEGATIVE = {"deals": ("amount",), "traffic": ("visitors",)}


def normalize_chunk(
    kind: str, raw: pd.DataFrame, columns: dict[str, str], mapping: Mapping, tz: str
) -> tuple[pd.DataFrame, list[RowError], int]:
    """Raw string columns → typed fields, the first errors (row number and column name) and their count."""
    out = pd.DataFrame(index=raw.index)
    errors: list[RowError] = []
    total = 0
    statuses = {**nz.STATUS, **mapping.statuses}
    parsers: dict[str, Callable[[pd.Series], tuple[pd.Series, pd.Series]]] = {
        "datetime": lambda s: nz.datetimes(s, tz),
        "date": nz.dates,
        "number": nz.numbers,
        "integer": nz.integers,
        "status": lambda s: nz.vocabulary(s, statuses),
        "activity": lambda s: nz.vocabulary(s, nz.ACTIVITY_KIND),
        "feedback": lambda s: nz.vocabulary(s, nz.FEEDBACK_KIND),
        "bool": nz.booleans,
    }
    for spec in KINDS[kind]:
        if spec.name in mapping.constants:
            col_label = f"--set {spec.name}"
            src = pd.Series(mapping.constants[spec.name], index=raw.index, dtype="string")
        elif spec.name in columns:
            col_label = columns[spec.name]
            src = raw[col_label]
        else:
            continue
        nul = nz.nul_cells(src)
        if nul is not None:  # no database keeps it, and no CRM means it
            total += int(nul.sum())
            for row in nul[nul].index[:MAX_ERRORS_SHOWN]:
                errors.append(RowError(int(row), col_label, "contains a NUL character"))
            src = src.where(~nul, "")
        trimmed = nz.text(src)
        if spec.type == "text":
            values, bad = trimmed, None
        else:
            values, bad = parsers[spec.type](trimmed)
        if bad is not None and bad.any():
            total += int(bad.sum())
            for row in bad[bad].index[:MAX_ERRORS_SHOWN]:
                errors.append(RowError(int(row), col_label, f"'{src[row]}' {HINTS[spec.type]}"))
        outside = nz.out_of_range(values, spec.type)
        if bad is not None:
            outside &= ~bad
        if outside.any():
            total += int(outside.sum())
            for row in outside[outside].index[:MAX_ERRORS_SHOWN]:
                errors.append(RowError(int(row), col_label, f"'{src[row]}' {nz.RANGE_HINTS[spec.type]}"))
            values = values.where(~outside)
        if spec.type == "integer":
            values = values.astype("Int64")
        if spec.required:
            empty = trimmed.isna()
            total += int(empty.sum())
            for row in empty[empty].index[:MAX_ERRORS_SHOWN]:
                errors.append(RowError(int(row), col_label, f"{spec.name} is empty"))
        out[spec.name] = values
    if kind == "deals" and "status" in out and not errors:
        closed = out["status"].isin(["won", "lost"])
        no_date = closed & (out["closed_at"].isna() if "closed_at" in out else True)
        total += int(no_date.sum())
        for row in out.index[no_date][:MAX_ERRORS_SHOWN]:
            label = columns.get("closed_at", "closed_at")
            errors.append(RowError(int(row), label, f"a {out.at[row, 'status']} deal needs a close date"))
    if kind == "deals" and "margin" in out:
        bad = (out["margin"].notna() & ~out["margin"].between(0, 1)).fillna(False)
        total += int(bad.sum())
        for row in out.index[bad][:MAX_ERRORS_SHOWN]:
            errors.append(RowError(int(row), columns.get("margin"), "a margin is a share from 0 to 1 (40% is 0.4)"))
    for name in NOT_NEGATIVE.get(kind, ()):
        if name in out:
            bad = (out[name] < 0).fillna(False).astype(bool)
            total += int(bad.sum())
            for row in out.index[bad][:MAX_ERRORS_SHOWN]:
                errors.append(RowError(int(row), columns.get(name, name), f"{name} cannot be negative"))
    if kind == "feedback" and "rating" in out:
        bad = (out["rating"].notna() & ~out["rating"].between(1, 5)).fillna(False)
        total += int(bad.sum())
        for row in out.index[bad][:MAX_ERRORS_SHOWN]:
            errors.append(RowError(int(row), columns.get("rating"), "rating must be 1 to 5"))
    errors.sort(key=lambda e: e.row or 0)
    return out, errors, total


def _with_keys(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    if "external_id" in df and df["external_id"].notna().all():
        return df
    parts = [
        df[c].astype("string").fillna("") if c in df else pd.Series("", index=df.index) for c in NATURAL_KEYS[kind]
    ]
    key = parts[0].str.cat(parts[1:], sep="|")
    if "external_id" in df:
        key = df["external_id"].fillna(key)
    return df.assign(external_id=key)


def run_import(
    deps: Deps,
    *,
    team_id: str,
    kind: str,
    path: str | Path,
    mapping: Mapping,
    tz: str,
    chunk_rows: int = CHUNK_ROWS,
    progress: bool | None = None,
) -> ImportResult:
    """Import a file. Raises ImportError_ (nothing stored) or ReadError."""
    if kind not in KINDS:
        raise ReadError(f"unknown kind '{kind}' (one of {', '.join(KINDS)})")
    source = open_source(path)
    columns, errors = resolve_columns(kind, header(source), mapping)
    if errors:
        raise ImportError_(errors, len(errors))
    result = ImportResult(kind)
    summed: list[pd.DataFrame] = []
    total_errors = 0
    bar = tqdm(total=source.rows_hint, unit="rows", disable=None if progress is None else not progress)
    with deps.write() as session, repo.bulk(session) as writer:
        writer.expect(kind, source.rows_hint)
        for raw in chunks(source, chunk_rows):
            result.rows += len(raw)
            bar.update(len(raw))
            blank = (raw == "").all(axis=1)
            result.skipped += int(blank.sum())
            raw = raw[~blank]
            if kind in SUMMED:  # an exported line repeated verbatim is one line
                dup = raw.duplicated(keep="first")
                result.skipped += int(dup.sum())
                raw = raw[~dup]
            df, errs, n_errors = normalize_chunk(kind, raw, columns, mapping, tz)
            total_errors += n_errors
            if len(errors) < MAX_ERRORS_SHOWN:
                errors.extend(errs[: MAX_ERRORS_SHOWN - len(errors)])
            if total_errors:
                continue  # keep validating the rest to report everything; store nothing
            if kind in SUMMED:
                summed.append(df)
                continue
            df = _with_keys(kind, df)
            dup = df.duplicated("external_id", keep="last")
            result.skipped += int(dup.sum())
            _count(result, writer.upsert(kind, team_id, df[~dup]))
        bar.close()
        if total_errors:
            raise ImportError_(errors, total_errors)  # the unit of work is rolled back: nothing stored
        if summed:
            df = pd.concat(summed)
            keys = [c for c in NATURAL_KEYS[kind] if c in df]
            df = df.groupby(keys, dropna=False, sort=False, as_index=False)[SUMMED[kind]].sum()
            _count(result, writer.upsert(kind, team_id, _with_keys(kind, df)))
    return result


def _count(result: ImportResult, counts: tuple[int, int, int]) -> None:
    result.added += counts[0]
    result.updated += counts[1]
    result.unchanged += counts[2]


def recount(deps: Deps, team_id: str) -> int:
    """The kept-up aggregates recounted from the stored rows (after data changed outside Handoff);
    how many rows of leads per day and channel there are now."""
    with deps.write() as s:
        return rollups.recount(s, team_id=team_id)
