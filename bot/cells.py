"""Values for spreadsheet cells: what a spreadsheet would run as a formula is written as text, and
what a workbook cannot hold (control characters) is left out. The exports and the digest's channel
table both write through here."""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0, which an XLSX file is, holds no control characters but tab, line feed and carriage return.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is written as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def for_workbook(value: Any) -> Any:
    """A cell an XLSX workbook can hold: neutralised, control characters left out, times without a
    zone (a workbook has none)."""
    value = neutralise(value)
    if isinstance(value, str):
        return _NOT_IN_XML.sub("", value)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
