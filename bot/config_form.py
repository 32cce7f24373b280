"""Reading the settings modal's submission into setting values, with errors per block."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks import DIGESTS
from bot.config import ConfigError, parse_value
from storage.models import Workspace

CHANNEL_KEYS = ("leads_channel", "digest_channel", "marketing_channel", "sync_channel")
PEOPLE_KEYS = ("admins", "sales", "marketing")
TEXT_KEYS = ("timezone", "workdays", "work_hours")


def parse_submission(state: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], dict[str, str]]:
    """view.state.values → (settings to save, errors keyed by block id)."""

    def field(block: str) -> dict[str, Any]:
        return state.get(block, {}).get(ids.VALUE, {})

    raw: dict[str, str] = {}
    for key in CHANNEL_KEYS:
        raw[key] = field(key).get("selected_conversation") or ""
    for key in TEXT_KEYS:
        raw[key] = field(key).get("value") or ""
    raw["language"] = (field("language").get("selected_option") or {}).get("value") or ws.language
    for key in PEOPLE_KEYS:
        groups = [p for p in getattr(ws, key) if p.startswith("S")]  # the modal cannot show user groups
        raw[key] = ",".join([*(field(key).get("selected_users") or []), *groups])
    chosen = {o["value"] for o in field("digests").get("selected_options") or []}
    for d in DIGESTS:
        raw[f"{d}_digest"] = "on" if d in chosen else "off"
        raw[f"{d}_digest_time"] = field(f"{d}_digest_time").get("selected_time") or getattr(ws, f"{d}_digest_time")
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in raw.items():
        try:
            values[key] = parse_value(key, text)
        except ConfigError as exc:
            errors["digests" if key.endswith("_digest") else key] = exc.message
    return values, errors
