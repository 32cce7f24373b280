from slack_bolt import App

from bot import ids
from handlers.views.config import handle_config_submission
from handlers.views.lead import handle_lead_submission
from handlers.views.verdicts import handle_verdict_submission


def register(app: App) -> None:
    app.view(ids.CONFIG_MODAL)(handle_config_submission)
    app.view(ids.VERDICT_MODAL)(handle_verdict_submission)
    app.view(ids.LEAD_MODAL)(handle_lead_submission)
