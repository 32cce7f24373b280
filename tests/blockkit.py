"""Helpers for the Block Kit builder tests: hostile text, the mrkdwn a surface carries, Slack's limits.

Everything here reads a builder's output the way Slack does: from `.to_dict()` (a `Message`'s
`to_kwargs()`), so a test sees exactly what would be sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.kit import Message

# Outside text that would be live in mrkdwn if it reached Slack unescaped.
CHANNEL = "<!channel>"
HERE = "<!here>"
USER = "<@U0EVIL>"
GROUP = "<!subteam^S0SALES>"
LINK = "<https://evil.example|click>"
AMP = "a & b"
ENTITY = "&lt;"
HOSTILE = (CHANNEL, HERE, USER, GROUP, LINK, AMP, ENTITY)
# All of it in one line, for a field that shows one value.
EVIL = " ".join(HOSTILE)

# What must never appear in mrkdwn built from outside text, and what must appear instead.
LIVE = ("<!", "<@U0EVIL", "<!subteam", "<https://evil")
ESCAPED = ("&lt;!channel&gt;", "&lt;!here&gt;", "&lt;@U0EVIL&gt;", "&lt;https://evil.example|click&gt;", "a &amp; b")
ESCAPED_ENTITY = "&amp;lt;"

# Slack's Block Kit limits (../shared/slack/PLATFORM.md).
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
ID_LENGTH = 255
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
LABEL_TEXT = 2000
ALT_TEXT = 2000

_TOKEN = re.compile(r"<[^<>\n]*>")
_LOOSE_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def as_dict(surface: Message | View | Block | dict[str, Any]) -> dict[str, Any]:
    """What Slack receives: a message's `text` and `blocks`, or a view's / a block's dict."""
    if isinstance(surface, Message):
        return surface.to_kwargs()
    if isinstance(surface, View | Block):
        return surface.to_dict()
    return surface


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def mrkdwn_texts(*surfaces: Message | View | Block | dict[str, Any]) -> list[str]:
    """Every string Slack parses as mrkdwn: each mrkdwn text object (a section's text and fields, a
    context's elements, anywhere in the blocks) and a message's top-level `text`."""
    out: list[str] = []
    for surface in surfaces:
        d = as_dict(surface)
        if isinstance(surface, Message):
            out.append(d["text"])
        out += [n["text"] for n in _walk(d.get("blocks", [])) if n.get("type") == "mrkdwn"]
    return out


def plain_texts(*surfaces: Message | View | Block | dict[str, Any]) -> list[str]:
    """Every plain_text object's text (headers, labels, buttons, options, a view's title): not parsed."""
    out: list[str] = []
    for surface in surfaces:
        out += [n["text"] for n in _walk(as_dict(surface)) if n.get("type") == "plain_text"]
    return out


def broken_markup(text: str) -> list[str]:
    """Pieces of `text` that are neither whole entities nor whole `<…>` tokens: a `&` that does not
    start `&amp;`, `&lt;` or `&gt;`, or a `<` left open (what a cut in the wrong place leaves)."""
    bad = [text[m.start() : m.start() + 6] for m in _LOOSE_AMP.finditer(text)]
    rest = _TOKEN.sub("", text)
    if "<" in rest:
        bad.append(rest[rest.index("<") :][:20])
    return bad


def assert_no_live_markup(texts: list[str]) -> None:
    """None of these mrkdwn strings holds a live mention or link made from outside text, or a cut
    entity or token."""
    assert texts, "no mrkdwn found"
    for text in texts:
        for live in LIVE:
            assert live not in text, f"live {live!r} in mrkdwn: {text[:300]!r}"
        assert not broken_markup(text), f"cut markup {broken_markup(text)} in {text[:300]!r}"


def assert_escaped(
    *surfaces: Message | View | Block | dict[str, Any],
    shown: tuple[str, ...] = ESCAPED,
    entity: bool = True,
) -> list[str]:
    """The hostile strings reached the surfaces' mrkdwn as data: nothing live anywhere, and the
    escaped forms `shown` (and `&amp;lt;` for a literal `&lt;`) somewhere in it. Returns the texts."""
    texts = mrkdwn_texts(*surfaces)
    assert_no_live_markup(texts)
    everything = "\n".join(texts)
    for form in shown:
        assert form in everything, f"{form!r} not shown in {everything[:500]!r}"
    if entity:
        assert ESCAPED_ENTITY in everything, f"{ESCAPED_ENTITY!r} not shown in {everything[:500]!r}"
    return texts


def _check_blocks(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        kind = block["type"]
        assert len(block.get("block_id", "")) <= ID_LENGTH, block.get("block_id")
        if kind == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= SECTION_TEXT, len(block["text"]["text"])
            fields = block.get("fields", [])
            assert len(fields) <= FIELDS
            for f in fields:
                assert len(f["text"]) <= FIELD_TEXT, len(f["text"])
            assert "text" in block or fields, "a section needs text or fields"
        elif kind == "header":
            assert 0 < len(block["text"]["text"]) <= HEADER_TEXT, block["text"]["text"]
        elif kind == "context":
            assert 0 < len(block["elements"]) <= CONTEXT_ELEMENTS
            for e in block["elements"]:
                assert len(e.get("text", "")) <= SECTION_TEXT
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= ACTIONS_ELEMENTS
        elif kind == "image":
            assert 0 < len(block["alt_text"]) <= ALT_TEXT
        elif kind == "input":
            assert len(block["label"]["text"]) <= LABEL_TEXT
            if "hint" in block:
                assert len(block["hint"]["text"]) <= LABEL_TEXT
            element = block["element"]
            if element["type"] == "plain_text_input" and "initial_value" in element:
                assert len(element["initial_value"]) <= element.get("max_length", 3000)
    for node in _walk(blocks):
        if "action_id" in node:
            assert len(node["action_id"]) <= ID_LENGTH, node["action_id"]
        if node.get("type") == "button":
            assert 0 < len(node["text"]["text"]) <= BUTTON_TEXT, node["text"]["text"]
            assert len(node.get("value", "")) <= BUTTON_VALUE
        for key in ("options", "initial_options"):
            for o in node.get(key, []) if isinstance(node.get(key), list) else []:
                assert 0 < len(o["text"]["text"]) <= OPTION_TEXT, o["text"]["text"]
        if "initial_option" in node:
            assert len(node["initial_option"]["text"]["text"]) <= OPTION_TEXT


def assert_fits(surface: Message | View) -> dict[str, Any]:
    """Within Slack's limits (slack_sdk checks some on `to_dict()`, the rest are checked here); a
    message has at most 50 blocks and a non-empty `text` fallback, a view at most 100 blocks."""
    d = as_dict(surface)
    if isinstance(surface, Message):
        assert d["text"].strip(), "a message needs a text fallback"
        assert len(d["blocks"]) <= MESSAGE_BLOCKS, len(d["blocks"])
    else:
        assert len(d["blocks"]) <= VIEW_BLOCKS, len(d["blocks"])
        if d["type"] == "modal":
            for key in ("title", "submit", "close"):
                if key in d:
                    assert 0 < len(d[key]["text"]) <= MODAL_TITLE, d[key]["text"]
            assert len(d.get("private_metadata", "")) <= PRIVATE_METADATA
            assert len(d.get("callback_id", "")) <= ID_LENGTH
    _check_blocks(d["blocks"])
    return d


def blocks_of(surface: Message | View) -> list[dict[str, Any]]:
    return as_dict(surface)["blocks"]


def section_texts(surface: Message | View) -> list[str]:
    """The text of each section that has one, in order."""
    return [b["text"]["text"] for b in blocks_of(surface) if b["type"] == "section" and "text" in b]


def field_texts(surface: Message | View) -> list[str]:
    """The fields of every section, in order."""
    return [f["text"] for b in blocks_of(surface) if b["type"] == "section" for f in b.get("fields", [])]


def context_texts(surface: Message | View) -> list[str]:
    return [e["text"] for b in blocks_of(surface) if b["type"] == "context" for e in b["elements"]]


def buttons(surface: Message | View) -> list[dict[str, Any]]:
    return [e for b in blocks_of(surface) if b["type"] == "actions" for e in b["elements"]]


def submission_state(view: View) -> dict[str, Any]:
    """`view.state.values` as Slack would send it when a modal is submitted untouched: each input's
    initial value as its submitted value."""
    state: dict[str, Any] = {}
    for block in view.to_dict()["blocks"]:
        if block["type"] != "input":
            continue
        e = block["element"]
        kind = e["type"]
        if kind == "plain_text_input":
            value: dict[str, Any] = {"value": e.get("initial_value")}
        elif kind == "static_select":
            value = {"selected_option": e.get("initial_option")}
        elif kind == "conversations_select":
            value = {"selected_conversation": e.get("initial_conversation")}
        elif kind == "users_select":
            value = {"selected_user": e.get("initial_user")}
        elif kind == "multi_users_select":
            value = {"selected_users": e.get("initial_users", [])}
        elif kind in ("multi_external_select", "checkboxes"):
            value = {"selected_options": e.get("initial_options", [])}
        elif kind == "timepicker":
            value = {"selected_time": e.get("initial_time")}
        elif kind == "datepicker":
            value = {"selected_date": e.get("initial_date")}
        else:
            raise AssertionError(f"no submitted value known for {kind}")
        state[block["block_id"]] = {e["action_id"]: {"type": kind, **value}}
    return state
