"""What makes an outside string no text the bot keeps: the one check behind the lead intake, the
verdict note and every modal's text input."""

from __future__ import annotations


def problem(value: str) -> str | None:
    """Why a string is no text a database keeps (a NUL character, a lone surrogate), or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not text: it holds a lone surrogate"
    return None
