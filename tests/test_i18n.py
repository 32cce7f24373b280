"""Every user-facing message has a Russian translation, and the compiled catalog is current."""

import subprocess
import sys
from pathlib import Path

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
