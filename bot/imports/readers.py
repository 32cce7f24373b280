"""Reading CRM exports in chunks: CSV (UTF-8, UTF-8 with BOM, cp1251, cp1252/Latin-1; `,` `;` tab) and
XLSX."""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

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
    """UTF-8 (with or without a BOM) when the whole file decodes as UTF-8; else cp1251 (Russian) or
    cp1252 (Western European, a superset of Latin-1's letters), whichever reads as words."""
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
            fh.seek(0)
            sample = fh.read(_BLOCK)
            if _reads_as_cyrillic(sample):
                return "cp1251"
            try:  # Windows' Western European; Latin-1 where a byte has no letter in it
                sample.decode("cp1252")
            except UnicodeDecodeError:
                return "latin-1"
            return "cp1252"
    return "utf-8-sig" if bom else "utf-8"


_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def _reads_as_cyrillic(sample: bytes) -> bool:
    """Whether bytes that are not UTF-8 are Russian text: read as cp1251, the words with Cyrillic
    letters are Cyrillic throughout. Latin-1 text read as cp1251 puts stray Cyrillic letters inside
    Latin words ("Müller" becomes "Mьller")."""
    words = [w for w in _WORD.findall(sample.decode("cp1251", "replace")) if _CYRILLIC.search(w)]
    mixed = sum(1 for w in words if _LATIN.search(w))
    return bool(words) and mixed * 2 < len(words)


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_source(path: str | Path) -> Source:
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(path):
            raise ReadError(f"{path}: not an XLSX workbook (it is no zip archive); save it as .xlsx or CSV")
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
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{source.path}: not text in {source.encoding} (byte {exc.object[exc.start]:#04x}); save it as UTF-8"
        ) from None


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


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as saved values. A formula the workbook holds no saved value for (a file
    written by a program, never opened in a spreadsheet) is an error naming its cell, not an empty cell:
    the formulas are read beside the values to tell the two apart."""
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(f"{path}: not a workbook that can be read ({type(exc).__name__})") from None
    try:
        pairs = zip(
            values.worksheets[0].iter_rows(values_only=True),
            formulas.worksheets[0].iter_rows(values_only=True),
            strict=False,
        )
        for number, (row, written) in enumerate(pairs, start=1):
            for col, (value, raw) in enumerate(zip(row, written, strict=False), start=1):
                if value is None and isinstance(raw, str) and raw.startswith("="):
                    cell = f"{get_column_letter(col)}{number}"
                    raise ReadError(
                        f"{path}: cell {cell} holds a formula without a saved value; open the file in a "
                        "spreadsheet and save it, so its values are written"
                    )
            yield row
    finally:
        values.close()
        formulas.close()


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
