from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.home import home_view
from handlers.events.installs import handle_app_uninstalled, handle_tokens_revoked
from handlers.events.reactions import handle_reaction_added
from handlers.events.threads import handle_message
from handlers.events.usergroups import handle_subteam_change, handle_user_change


def handle_app_home_opened(event: dict, context: dict, client: WebClient, deps: Deps) -> None:
    if event.get("tab") != "home":
        return
    team_id = context.get("team_id") or event.get("view", {}).get("team_id")
    client.views_publish(user_id=event["user"], view=home_view(deps, team_id, event["user"]))


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("message")(handle_message)
    app.event("reaction_added")(handle_reaction_added)
    for change in ("subteam_created", "subteam_updated", "subteam_members_changed"):
        app.event(change)(handle_subteam_change)
    app.event("user_change")(handle_user_change)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
