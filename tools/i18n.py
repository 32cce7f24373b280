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
_CALL = re.compile(r"""\bN?_\(\s*((?:(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*)+)\)""")


def messages() -> set[str]:
    found: set[str] = set()
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for m in _CALL.finditer(path.read_text(encoding="utf-8")):
                found.add(ast.literal_eval("(" + m.group(1) + ")"))
    return found


def load() -> Catalog:
    if PO.exists():
        with PO.open("rb") as fh:
            return read_po(fh, locale="ru")
    return Catalog(locale="ru", domain="handoff")


def problems(catalog: Catalog, wanted: set[str]) -> list[str]:
    out = [f"no Russian for: {m!r}" for m in sorted(wanted) if not (catalog.get(m) and catalog.get(m).string)]
    if MO.exists():
        with MO.open("rb") as fh:
            compiled = read_mo(fh)
        stale = [
            m.id
            for m in catalog
            if m.id and m.string and (compiled.get(m.id) is None or compiled.get(m.id).string != m.string)
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
    for m in sorted(wanted):
        if catalog.get(m) is None:
            catalog.add(m)
    for m in list(catalog):
        if m.id and m.id not in wanted:
            catalog.delete(m.id)
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
