from slack_bolt import App

from bot import ids
from handlers.actions.home import handle_home_open_config
from handlers.actions.reports import handle_post_report


def register(app: App) -> None:
    app.action(ids.HOME_OPEN_CONFIG)(handle_home_open_config)
    app.action(ids.POST_REPORT)(handle_post_report)
