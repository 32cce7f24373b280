"""The Russian catalogue keeps to the glossary: one word per concept, no English fragments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "bot" / "locale" / "GLOSSARY.md"
CATALOG = ROOT / "bot" / "locale" / "ru" / "LC_MESSAGES" / "handoff.po"
# What is not prose: placeholders, code spans, Slack tokens, URLs, slash commands.
NOT_PROSE = re.compile(r"`[^`]*`|\{[^}]*\}|<[^>]*>|https?://\S+|/[a-z]+\b")


def banned() -> dict[str, str]:
    """Each word the glossary forbids → the concept's word to use instead."""
    out = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2] and cells[0] not in ("concept", "---"):
            out.update({word.strip(): cells[1] for word in cells[2].split(",")})
    return out


def latin_allowed() -> set[str]:
    (line,) = [x for x in GLOSSARY.read_text(encoding="utf-8").splitlines() if x.startswith("Latin:")]
    return {w.strip() for w in line.removeprefix("Latin:").split(",")}


def russian() -> list[tuple[str, str]]:
    with CATALOG.open("rb") as f:
        cat = read_po(f, locale="ru")
    out = []
    for m in cat:
        if m.id:
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            msgid = m.id if isinstance(m.id, str) else m.id[0]
            assert all(strings), f"{msgid!r} has no Russian: it would be shown in English"
            out += [(msgid, s) for s in strings]
    return out


def test_the_glossary_is_read():
    """The table parses: the words it forbids include the ones it was written against."""
    assert {"вердикт", "тред", "дайджест"} <= set(banned())


def test_no_message_uses_a_word_the_glossary_forbids():
    words = banned()
    wrong = [
        f"{msgid!r}: «{word}» — use «{instead}»"
        for msgid, text in russian()
        for word, instead in words.items()
        if re.search(rf"(?<!\w){re.escape(word)}", text, re.IGNORECASE)
    ]
    assert wrong == []


def test_no_english_fragments_in_russian():
    """Latin words only from the glossary's list (names, abbreviations); none left untranslated."""
    allowed = latin_allowed()
    wrong = [
        f"{msgid!r}: {word}"
        for msgid, text in russian()
        for word in re.findall(r"[A-Za-z][A-Za-z_-]+", NOT_PROSE.sub(" ", text))
        if word not in allowed
    ]
    assert wrong == []


@pytest.mark.parametrize("word", ["вердикт", "тред"])
def test_the_check_would_catch_a_forbidden_word(word: str):
    """The same search the catalogue check runs finds a forbidden word inside a sentence."""
    assert re.search(rf"(?<!\w){re.escape(word)}", f"Ждёт {word}а в ответе", re.IGNORECASE)
