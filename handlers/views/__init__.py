from slack_bolt import App

from bot import ids
from handlers.views.config import handle_config_submission
from handlers.views.lead import handle_lead_submission
from handlers.views.sync import (
    handle_answers_submission,
    handle_decision_submission,
    handle_feedback_shortcut,
    handle_feedback_submission,
    handle_icp_submission,
    handle_setup_submission,
)
from handlers.views.verdicts import handle_verdict_submission


def register(app: App) -> None:
    app.view(ids.CONFIG_MODAL)(handle_config_submission)
    app.view(ids.VERDICT_MODAL)(handle_verdict_submission)
    app.view(ids.LEAD_MODAL)(handle_lead_submission)
    app.view(ids.SYNC_SETUP_MODAL)(handle_setup_submission)
    app.view(ids.SYNC_ANSWERS_MODAL)(handle_answers_submission)
    app.view(ids.SYNC_ICP_MODAL)(handle_icp_submission)
    app.view(ids.FEEDBACK_MODAL)(handle_feedback_submission)
    app.view(ids.SYNC_DECISION_MODAL)(handle_decision_submission)
    app.shortcut(ids.FEEDBACK_SHORTCUT)(handle_feedback_shortcut)
