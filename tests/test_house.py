"""The rules the code keeps: text reaches Slack through the kit, posts go through the one protocol,
the README's KPI table is the catalogue's, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.kpi.catalog import CATALOG, markdown_table

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = [p for d in ("bot", "handlers", "jobs", "storage") for p in sorted((ROOT / d).rglob("*.py"))]
# Calls whose `text` Slack parses as mrkdwn: they take `**message.to_kwargs()` from the kit instead.
TEXT_CALLS = {"chat_postMessage", "chat_update", "chat_postEphemeral", "chat_scheduleMessage", "respond", "say", "ack"}
# Besides the protocol (bot/slack/once.py, bot/slack/thread.py): a DM answering a click on App Home (no
# response_url there), a reply rather than a post to make once; the /kpi answer's picture, a private file.
DIRECT_POSTS_ALLOWED = {"bot/slack/once.py", "bot/slack/thread.py", "handlers/actions/home.py", "bot/kpi/on_demand.py"}
MAX_LINES = 300


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _raw_text(call: ast.Call) -> bool:
    """A call sending text of its own: `text=…`, or the text as the first argument (Bolt's `respond`,
    `say` and `ack` take it so)."""
    return _name(call) in TEXT_CALLS and (any(k.arg == "text" for k in call.keywords) or bool(call.args))


def test_no_slack_text_is_passed_raw():
    """No call that sends mrkdwn to Slack gets a text of its own: messages come from the kit."""
    found = [f"{p.relative_to(ROOT)}:{c.lineno} {_name(c)}" for p in PRODUCT for c in _calls(p) if _raw_text(c)]
    assert found == []


def test_posts_are_made_through_the_protocol():
    """chat.postMessage is called by bot.slack.once (and one reply to a click), nowhere else."""
    found = {
        str(p.relative_to(ROOT))
        for p in PRODUCT
        for c in _calls(p)
        if _name(c) in ("chat_postMessage", "files_upload_v2")
    }
    assert found <= DIRECT_POSTS_ALLOWED


def test_the_checks_above_see_a_raw_post(tmp_path: Path):
    """The walkers find what they look for (a module posting raw text is caught)."""
    bad = tmp_path / "bad.py"
    bad.write_text('client.chat_postMessage(channel="C1", text=lead.name)\nrespond(text="x")\nsay(lead.name)\n')
    assert [(_name(c), _raw_text(c)) for c in _calls(bad)] == [
        ("chat_postMessage", True),
        ("respond", True),
        ("say", True),
    ]
    fine = tmp_path / "fine.py"
    fine.write_text("respond(**notice(md(t, name=lead.name)).to_kwargs())\nack()\n")
    assert [_raw_text(c) for c in _calls(fine) if _name(c) in TEXT_CALLS] == [False, False]


def test_the_readme_kpi_table_is_the_catalogue():
    """README.md's KPI table is exactly the one the catalogue makes (regenerate it from markdown_table())."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- kpi-table: start -->\n", 1)[1].split("<!-- kpi-table: end -->", 1)[0]
    assert table == markdown_table()
    assert len(table.strip().splitlines()) == len(CATALOG) + 2


def test_modules_stay_small():
    """No product module over 300 lines (migrations aside)."""
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in PRODUCT}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES and "migrations" not in p} == {}
