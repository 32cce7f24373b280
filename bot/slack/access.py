"""Who may do what: Handoff admins, and membership of the sales and marketing groups."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from storage.models import Workspace

log = logging.getLogger(__name__)


def _members(client: WebClient, principals: list[str], user_id: str) -> bool:
    """Whether the user is one of the listed users or in one of the listed user groups (S…)."""
    if user_id in principals:
        return True
    for group in (p for p in principals if p.startswith("S")):
        try:
            if user_id in client.usergroups_users_list(usergroup=group).get("users", []):
                return True
        except SlackApiError as exc:
            log.warning("cannot read user group %s: %s", group, exc.response.get("error"))
    return False


def is_admin(client: WebClient, ws: Workspace, user_id: str) -> bool:
    """Listed Handoff admins, and the workspace's own admins and owners."""
    if _members(client, ws.admins, user_id):
        return True
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        log.warning("users.info failed for an admin check: %s", exc.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def in_group(client: WebClient, principals: list[str], user_id: str) -> bool:
    return _members(client, principals, user_id)


def group_names(client: WebClient) -> dict[str, str]:
    """User-group id → "@handle (name)", for the modals; empty when Slack will not say."""
    try:
        groups = client.usergroups_list().get("usergroups", [])
    except SlackApiError as exc:
        log.warning("cannot list user groups: %s", exc.response.get("error"))
        return {}
    return {g["id"]: f"@{g.get('handle') or g['id']} ({g.get('name') or ''})".replace(" ()", "") for g in groups}


def group_options(client: WebClient, query: str, limit: int = 100) -> list[tuple[str, str]]:
    """(id, label) of the user groups whose handle or name contains `query`."""
    q = query.strip().lstrip("@").lower()
    return [(gid, label) for gid, label in group_names(client).items() if q in label.lower()][:limit]
