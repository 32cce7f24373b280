"""Values for spreadsheet cells: what a spreadsheet would run as a formula is written as text, and
what a workbook cannot hold (control characters) is left out. The exports and the digest's channel
table both write through here."""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0, which an XLSX file is, holds no control characters but tab, line feed and carriage return,
# and no U+FFFE or U+FFFF.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a spreadsheet may skip before it sees a formula's `=`: control characters and spaces.
_SKIPPED = "".join(map(chr, range(0x21))) + "\x7f"


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is written as text (a leading apostrophe), also
    when control characters or spaces come before the formula."""
    if isinstance(value, str) and (value.startswith(FORMULA_START) or value.lstrip(_SKIPPED).startswith(FORMULA_START)):
        return "'" + value
    return value


def for_workbook(value: Any) -> Any:
    """A cell an XLSX workbook can hold: what it cannot hold left out, then neutralised, times without a
    zone (a workbook has none)."""
    if isinstance(value, str):
        return neutralise(_NOT_IN_XML.sub("", value))
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
