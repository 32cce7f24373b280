"""Slack listeners. Thin: parse, authorize, ack, then call bot services."""

from slack_bolt import App

from handlers import actions, commands, events, views


def register(app: App) -> None:
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
