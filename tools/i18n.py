"""Keep the Russian catalog in step with the code: `python tools/i18n.py [--check]`.

Messages are found with a regex, not Babel's extractor: Python 3.11's tokenizer hides `_("…")`
inside f-strings from Babel. New messages are added to the .po (untranslated); the .mo is compiled.
--check exits 1 when a message has no translation or the .mo is stale (the tests run it).
"""

from __future__ import annotations

import ast
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "handlers", "jobs")
PO = ROOT / "bot/locale/ru/LC_MESSAGES/handoff.po"
MO = PO.with_suffix(".mo")
_STRING = r"""(?:(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*)+"""
_CALL = re.compile(rf"\bN?_\(\s*({_STRING})\)")
# `ngettext("{n} lead", "{n} leads", n)`, the plural function from bot.i18n.plural, by that name.
_PLURAL = re.compile(rf"\bngettext\(\s*({_STRING}),\s*({_STRING}),")
Wanted = str | tuple[str, str]


def messages() -> set[Wanted]:
    found: set[Wanted] = set()
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            for m in _CALL.finditer(source):
                found.add(ast.literal_eval("(" + m.group(1) + ")"))
            for m in _PLURAL.finditer(source):
                found.add((ast.literal_eval("(" + m.group(1) + ")"), ast.literal_eval("(" + m.group(2) + ")")))
    return found


def _key(m: Wanted) -> str:
    return m if isinstance(m, str) else m[0]


def _translated(catalog: Catalog, m: Wanted) -> bool:
    found = catalog.get(_key(m))
    if found is None or found.id != m:
        return False
    return all(found.string) if isinstance(m, tuple) else bool(found.string)


def load() -> Catalog:
    if PO.exists():
        with PO.open("rb") as fh:
            return read_po(fh, locale="ru")
    return Catalog(locale="ru", domain="handoff")


def _same(string: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A message's text as the .po and the .mo reader both give it (a plural's forms: list or tuple)."""
    return tuple(string) if isinstance(string, list | tuple) else string


def problems(catalog: Catalog, wanted: set[Wanted]) -> list[str]:
    out = [f"no Russian for: {m!r}" for m in sorted(wanted, key=_key) if not _translated(catalog, m)]
    if MO.exists():
        with MO.open("rb") as fh:
            compiled = read_mo(fh)
        stale = [
            m.id
            for m in catalog
            if m.id and m.string and (compiled.get(m.id) is None or _same(compiled.get(m.id).string) != _same(m.string))
        ]
        out += [f".mo is stale for: {m!r} (run make i18n)" for m in stale]
    else:
        out.append(".mo is missing (run make i18n)")
    return out


def main(argv: list[str]) -> int:
    wanted = messages()
    catalog = load()
    if "--check" in argv:
        found = problems(catalog, wanted)
        print("\n".join(found) or "catalog complete")
        return 1 if found else 0
    for m in list(catalog):
        if m.id and m.id not in wanted:
            catalog.delete(_key(m.id))
    for m in sorted(wanted, key=_key):
        if catalog.get(_key(m)) is None:
            catalog.add(m, string=("", "", "") if isinstance(m, tuple) else "")
    PO.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False, sort_output=True)
    PO.write_bytes(buf.getvalue())
    with MO.open("wb") as fh:
        write_mo(fh, catalog)
    missing = problems(catalog, wanted)
    print("\n".join(missing) or f"{len(wanted)} messages, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
