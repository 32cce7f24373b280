"""Reading the settings modal's submission into setting values, with errors per block."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks import DIGESTS
from bot.workspace.keys import ConfigError, parse_value
from storage.models import SyncSeries, Workspace

CHANNEL_KEYS = ("leads_channel", "digest_channel", "marketing_channel", "sync_channel")
PEOPLE_KEYS = ("admins", "sales", "marketing")
TEXT_KEYS = ("timezone", "workdays", "work_hours")


def _groups(state: dict[str, Any], key: str, before: list[str]) -> list[str]:
    """The user groups picked for `key`; a form without the groups field keeps the ones set before."""
    block = state.get(key + ids.GROUPS_SUFFIX)
    if block is None:
        return [p for p in before if p.startswith("S")]
    return [o["value"] for o in (block.get(ids.USERGROUPS) or {}).get("selected_options") or []]


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
        raw[key] = ",".join([*(field(key).get("selected_users") or []), *_groups(state, key, getattr(ws, key))])
    chosen = {o["value"] for o in field("digests").get("selected_options") or []}
    for d in DIGESTS:
        raw[f"{d}_digest"] = "on" if d in chosen else "off"
        raw[f"{d}_digest_time"] = field(f"{d}_digest_time").get("selected_time") or getattr(ws, f"{d}_digest_time")
    raw["quality_report"] = "on" if "quality" in chosen else "off"
    raw["quality_report_time"] = field("quality_report_time").get("selected_time") or ws.quality_report_time
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in raw.items():
        try:
            values[key] = parse_value(key, text)
        except ConfigError as exc:
            errors["digests" if key.endswith(("_digest", "quality_report")) else key] = exc.message
    return values, errors


def parse_sync_submission(state: dict[str, Any], series: SyncSeries | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The sync setup modal → (series values, errors keyed by block id)."""
    from bot.sync.calendar import SYNC_KEYS

    def field(block: str) -> dict[str, Any]:
        return state.get(block, {}).get(ids.VALUE, {})

    raw: dict[str, str] = {"channel": field("channel").get("selected_conversation") or ""}
    for key in ("weekday", "length_minutes", "every_weeks", "holiday_rule", "ask_days"):
        raw[key] = (field(key).get("selected_option") or {}).get("value") or ""
    raw["time"] = field("time").get("selected_time") or ""
    raw["start_date"] = field("start_date").get("selected_date") or ""
    for key in ("timezone", "holidays", "reminders", "agenda_before"):
        raw[key] = field(key).get("value") or ""
    raw["questions"] = "|".join((field("questions").get("value") or "").splitlines())
    for key in ("sales", "marketing"):
        before = getattr(series, key) if series else []
        raw[key] = ",".join([*(field(key).get("selected_users") or []), *_groups(state, key, before)])
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in raw.items():
        try:
            values[key] = SYNC_KEYS[key](text)
        except ValueError as exc:
            errors[key] = str(exc)
    return values, errors
