"""Reading CRM exports in chunks: CSV (UTF-8, UTF-8 with BOM, cp1251; `,` `;` tab) and XLSX."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

CHUNK_ROWS = 50_000
_BLOCK = 1 << 20


class ReadError(ValueError):
    """The file itself cannot be read; the message says why."""


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    rows_hint: int | None = None


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) when the whole file decodes as UTF-8, else cp1251."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(3)
        bom = head == codecs.BOM_UTF8
        try:
            decoder.decode(head if not bom else b"")
            while block := fh.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1251"
    return "utf-8-sig" if bom else "utf-8"


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_source(path: str | Path) -> Source:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return Source(path=path, kind="xlsx")
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        header = fh.readline()
    if not header.strip():
        raise ReadError(f"{path}: the file is empty (expected a header row)")
    with path.open("rb") as fh:
        lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(_BLOCK), b""))
    return Source(path, "csv", encoding, detect_delimiter(header), rows_hint=max(lines - 1, 0))


def header(source: Source) -> list[str]:
    if source.kind == "xlsx":
        return [str(c) for c in next(_xlsx_rows(source.path), [])]
    with source.path.open("r", encoding=source.encoding, newline="") as fh:
        return [c.strip() for c in next(csv.reader(fh, delimiter=source.delimiter or ","), [])]


def chunks(source: Source, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """DataFrames of strings ('' for empty), indexed by the row number a spreadsheet shows (header = 1)."""
    if source.kind == "xlsx":
        yield from _xlsx_chunks(source.path, chunk_rows)
        return
    try:
        reader = pd.read_csv(
            source.path,
            sep=source.delimiter,
            dtype=str,
            keep_default_na=False,
            encoding=source.encoding,
            chunksize=chunk_rows,
            skipinitialspace=True,
        )
        start = 2
        for df in reader:
            df.columns = [str(c).strip() for c in df.columns]
            df.index = pd.RangeIndex(start, start + len(df))
            start += len(df)
            yield df
    except pd.errors.ParserError as exc:
        raise ReadError(f"{source.path}: cannot read the CSV: {exc}") from None


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        yield from wb.worksheets[0].iter_rows(values_only=True)
    finally:
        wb.close()


def _xlsx_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    rows = _xlsx_rows(path)
    cols = [_cell(c) for c in next(rows, [])]
    if not any(cols):
        raise ReadError(f"{path}: the first sheet has no header row")
    buf: list[list[str]] = []
    start = 2
    for row in rows:
        buf.append([_cell(v) for v in row[: len(cols)]] + [""] * (len(cols) - len(row)))
        if len(buf) >= chunk_rows:
            yield pd.DataFrame(buf, columns=cols, index=pd.RangeIndex(start, start + len(buf)))
            start += len(buf)
            buf = []
    if buf:
        yield pd.DataFrame(buf, columns=cols, index=pd.RangeIndex(start, start + len(buf)))
