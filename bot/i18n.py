"""User-facing text goes through gettext; English is the source language, Russian a full catalog."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "handoff"
LANGUAGES = ("en", "ru")

Translate = Callable[[str], str]
Plural = Callable[[str, str, int], str]


@lru_cache(maxsize=8)
def translator(language: str) -> Translate:
    """The gettext function for a workspace's language (English when unknown)."""
    if language == "en" or language not in LANGUAGES:
        return gettext.NullTranslations().gettext
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language]).gettext


@lru_cache(maxsize=8)
def plural(language: str) -> Plural:
    """ngettext for a workspace's language: `plural(lang)("{n} lead", "{n} leads", n)` picks the form
    the language uses for n (Russian has three: 1 лид, 3 лида, 5 лидов)."""
    if language == "en" or language not in LANGUAGES:
        return gettext.NullTranslations().ngettext
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language]).ngettext


def N_(message: str) -> str:
    """Mark a string for the catalog where it is translated later (at render time)."""
    return message


class Refusal(ValueError):
    """Input that cannot be taken, as a catalog message and its values, translated when shown."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid, self.params = msgid, params

    def text(self, language: str) -> str:
        return translator(language)(self.msgid).format(**self.params)
