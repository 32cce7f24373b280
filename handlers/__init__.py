"""Slack listeners. Thin: parse, authorize, ack, then call bot services."""

import re

from slack_bolt import App

from handlers import actions, commands, events, views
from handlers.actions.fallback import handle_unknown_action


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    # Last: Bolt runs the first listener that matches, so this one only gets what no other takes.
    app.action(re.compile(".*"))(handle_unknown_action)
