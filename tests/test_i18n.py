"""Every user-facing message has a Russian translation, and the compiled catalog is current."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.home import build_help
from bot.i18n import translator

ROOT = Path(__file__).parents[1]


def test_russian_catalog_is_complete_and_compiled():
    proc = subprocess.run([sys.executable, "tools/i18n.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_russian_workspace_gets_russian_text():
    _ = translator("ru")
    assert _("Funnel") == "Воронка"
    assert "Handoff помогает" in build_help("ru").text
    assert translator("en")("Funnel") == "Funnel"


@pytest.mark.parametrize(
    "n,ru",
    [
        (1, "изменена 1 раз"),
        (2, "изменена 2 раза"),
        (4, "изменена 4 раза"),
        (5, "изменена 5 раз"),
        (11, "изменена 11 раз"),
        (21, "изменена 21 раз"),
        (22, "изменена 22 раза"),
    ],
)
def test_russian_counts_take_their_plural_form(n: int, ru: str):
    """1 раз, 2–4 раза, 5–20 раз, 21 раз: the catalogue's three forms, picked by ngettext (no "(s)")."""
    from bot.i18n import plural

    assert plural("ru")("changed once", "changed {n} times", n).format(n=n) == ru
    assert plural("en")("changed once", "changed {n} times", n).format(n=n) == (
        "changed once" if n == 1 else f"changed {n} times"
    )
