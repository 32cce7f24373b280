"""Who may do what: Handoff admins, and membership of the sales and marketing groups."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.models import Workspace

log = logging.getLogger(__name__)
CHANNEL_GONE = ("channel_not_found", "not_in_channel")


def _group_members(client: WebClient, group: str) -> list[str]:
    try:
        return list(client.usergroups_users_list(usergroup=group).get("users") or [])
    except SlackApiError as exc:
        log.warning("cannot read user group %s: %s", group, exc.response.get("error"))
        return []


def people(client: WebClient, principals: list[str]) -> list[str]:
    """User ids behind a list of users and user groups (S…), in order, without repeats."""
    out: list[str] = []
    for p in principals:
        out += _group_members(client, p) if p.startswith("S") else [p]
    return list(dict.fromkeys(out))


def in_group(client: WebClient, principals: list[str], user_id: str) -> bool:
    """Whether the user is one of the listed users or in one of the listed user groups (S…)."""
    if user_id in principals:
        return True
    return any(user_id in _group_members(client, g) for g in principals if g.startswith("S"))


def is_admin(client: WebClient, ws: Workspace, user_id: str) -> bool:
    """Listed Handoff admins, and the workspace's own admins and owners."""
    if in_group(client, ws.admins, user_id):
        return True
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        log.warning("users.info failed for an admin check: %s", exc.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def group_names(client: WebClient) -> dict[str, str]:
    """User-group id → "@handle (name)", for the modals; empty when Slack will not say."""
    try:
        groups = client.usergroups_list().get("usergroups") or []
    except SlackApiError as exc:
        log.warning("cannot list user groups: %s", exc.response.get("error"))
        return {}
    return {g["id"]: f"@{g.get('handle') or g['id']} ({g.get('name') or ''})".replace(" ()", "") for g in groups}


def group_options(client: WebClient, query: str, limit: int = 100) -> list[tuple[str, str]]:
    """(id, label) of the user groups whose handle or name contains `query`."""
    q = query.strip().lstrip("@").lower()
    return [(gid, label) for gid, label in group_names(client).items() if q in label.lower()][:limit]


def not_a_member(client: WebClient, channels: dict[str, str]) -> dict[str, str]:
    """Of {key: channel id}, the ones the bot is not in (a private channel it cannot see counts too)."""
    out = {}
    for key, channel in channels.items():
        try:
            info = client.conversations_info(channel=channel).get("channel") or {}
        except SlackApiError as exc:
            if exc.response.get("error") in CHANNEL_GONE:
                out[key] = channel
            else:
                log.warning("conversations.info %s failed: %s", channel, exc.response.get("error"))
            continue
        if not info.get("is_member", True) and not info.get("is_im"):
            out[key] = channel
    return out
