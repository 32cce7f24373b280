"""Modals and their inputs. Labels, hints and options are plain text: Slack parses nothing in them.

Every input's element uses the action id `ids.VALUE`, so a submission is read by block id alone.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ConversationFilter,
    ConversationSelectElement,
    ExternalDataMultiSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import translator
from bot.text import problem as text_problem

TITLE_LIMIT = 24
OPTION_LIMIT = 75


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def modal(language: str, team_id: str, callback_id: str, title: str, blocks: list[Block], **meta: object) -> View:
    """A modal with Save/Cancel in the workspace's language; private_metadata names the workspace."""
    _ = translator(language)
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=_cut(title, TITLE_LIMIT)),
        submit=PlainTextObject(text=_("Save")),
        close=PlainTextObject(text=_("Cancel")),
        private_metadata=json.dumps({**meta, "team_id": team_id}),
        blocks=blocks,
    )


def option(value: str, label: str) -> Option:
    return Option(value=value, label=_cut(label, OPTION_LIMIT))


def text_input(
    key: str,
    label: str,
    value: str | None,
    hint: str | None = None,
    *,
    multiline: bool = False,
    optional: bool = True,
    max_length: int | None = None,
) -> InputBlock:
    """A text input; a multiline one takes up to Slack's 3,000 characters unless told less."""
    return InputBlock(
        block_id=key,
        label=_cut(label, 2000),
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(
            action_id=ids.VALUE,
            initial_value=value or None,
            multiline=multiline,
            max_length=max_length or (3000 if multiline else None),
        ),
    )


def select(
    key: str, label: str, options: list[tuple[str, str]], current: str | None, *, optional: bool = False
) -> InputBlock:
    opts = [option(v, t) for v, t in options]
    initial = next((o for o in opts if o.value == current), None)
    return InputBlock(
        block_id=key,
        label=label,
        optional=optional,
        element=StaticSelectElement(action_id=ids.VALUE, options=opts[:100], initial_option=initial),
    )


def user_input(key: str, label: str, value: str | None, hint: str | None = None) -> InputBlock:
    """One person (an optional input)."""
    return InputBlock(
        block_id=key,
        label=label,
        hint=hint,
        optional=True,
        element=UserSelectElement(action_id=ids.VALUE, initial_user=value or None),
    )


def channel_input(key: str, label: str, value: str | None) -> InputBlock:
    return InputBlock(
        block_id=key,
        label=label,
        optional=True,
        element=ConversationSelectElement(
            action_id=ids.VALUE,
            initial_conversation=value,
            filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
    )


def users_input(key: str, label: str, value: list[str], hint: str | None = None) -> InputBlock:
    users = [p for p in value if not p.startswith("S")]
    return InputBlock(
        block_id=key,
        label=label,
        hint=hint,
        optional=True,
        element=UserMultiSelectElement(action_id=ids.VALUE, initial_users=users or None),
    )


def groups_input(key: str, label: str, value: list[str], names: dict[str, str]) -> InputBlock:
    """User groups (S…) for a setting that also takes people; options are searched in Slack."""
    chosen = [option(g, names.get(g, g)) for g in value if g.startswith("S")]
    return InputBlock(
        block_id=key + ids.GROUPS_SUFFIX,
        label=label,
        optional=True,
        element=ExternalDataMultiSelectElement(
            action_id=ids.USERGROUPS, min_query_length=0, initial_options=chosen or None
        ),
    )


def group_options(groups: list[tuple[str, str]]) -> list[Option]:
    """Options for a user-group picker: (id, label) pairs."""
    return [option(gid, label) for gid, label in groups]


def _text(value: object) -> bool:
    return isinstance(value, str)


def _option(value: object) -> bool:
    return isinstance(value, dict) and _text(value.get("value"))


# What each key of a submitted element holds when Slack sends it.
_SHAPES = {
    "value": _text,
    "selected_conversation": _text,
    "selected_time": _text,
    "selected_date": _text,
    "selected_option": _option,
    "selected_user": _text,
    "selected_users": lambda v: isinstance(v, list) and all(map(_text, v)),
    "selected_options": lambda v: isinstance(v, list) and all(map(_option, v)),
}


def _sound(element: dict[str, Any]) -> bool:
    return all(check(element[key]) for key, check in _SHAPES.items() if element.get(key) is not None)


def shape_errors(state: dict[str, Any], language: str) -> dict[str, str]:
    """An error under each input whose submitted element is not shaped as Slack sends it (a number where
    the text goes, an option whose value is no text): a form changed on its way, which no listener reads."""
    _ = translator(language)
    return {
        block: _("This form is out of date: open it again.")
        for block, actions in state.items()
        if not isinstance(actions, dict) or not all(isinstance(e, dict) and _sound(e) for e in actions.values())
    }


def field(state: dict[str, Any], block: str) -> dict[str, Any]:
    """The submitted element of an input block (`{}` when absent or not shaped as Slack sends it)."""
    value = (state.get(block) or {}).get(ids.VALUE)
    return value if isinstance(value, dict) and _sound(value) else {}


def picked_groups(state: dict[str, Any], key: str, before: list[str]) -> list[str]:
    """The user groups picked for `key`; a form without the groups field keeps the ones set before."""
    block = state.get(key + ids.GROUPS_SUFFIX)
    if block is None:
        return [p for p in before if p.startswith("S")]
    element = block.get(ids.USERGROUPS) if isinstance(block, dict) else None
    if not isinstance(element, dict) or not _sound(element):
        return []
    return [o["value"] for o in element.get("selected_options") or []]


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's private_metadata as we wrote it; `{}` when it is missing or not a JSON object."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


MAX_ID = 2**31 - 1  # the largest row id the databases' integer columns hold


def number(value: object) -> int | None:
    """An id a button's value, a modal's metadata or a command carries; None when it is none (a forged
    request, or a number no row can have)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


TEXT_LIMIT = 3000  # what Slack lets a multiline input hold


def text_errors(state: dict[str, Any], language: str, blocks: dict[str, int]) -> dict[str, str]:
    """Text inputs checked again on the server (a client can send anything): block id → the error, for
    those longer than their limit or holding what is no text (a NUL character, a lone surrogate)."""
    _ = translator(language)
    errors = {}
    for block, limit in blocks.items():
        value = field(state, block).get("value") or ""
        if not isinstance(value, str) or len(value) > limit or text_problem(value):
            errors[block] = _("At most {n} characters of text.").format(n=limit)
    return errors
