from slack_bolt import App

from bot import ids
from handlers.commands.handoff import handle_handoff_command


def register(app: App) -> None:
    app.command(ids.COMMAND_HANDOFF)(handle_handoff_command)
