import re

from slack_bolt import App

from bot import ids
from handlers.actions.home import handle_home_open_config, handle_link_click
from handlers.actions.plan import handle_plan_propose
from handlers.actions.quality import handle_quality_export
from handlers.actions.reports import handle_post_report
from handlers.actions.sync import handle_answer_button, handle_close_button, handle_decision_button
from handlers.actions.usergroups import handle_usergroup_options
from handlers.actions.verdicts import handle_verdict_button
from handlers.actions.why import handle_why


def register(app: App) -> None:
    app.action(ids.HOME_OPEN_CONFIG)(handle_home_open_config)
    app.action(ids.OPEN_IN_CRM)(handle_link_click)
    app.action(ids.POST_REPORT)(handle_post_report)
    app.action(ids.QUALITY_EXPORT)(handle_quality_export)
    app.action(re.compile("^" + re.escape(ids.VERDICT_ACTION_PREFIX)))(handle_verdict_button)
    app.action(ids.SYNC_ANSWER)(handle_answer_button)
    app.action(ids.SYNC_CLOSE)(handle_close_button)
    app.action(ids.SYNC_DECISION)(handle_decision_button)
    app.options(ids.USERGROUPS)(handle_usergroup_options)
    app.action(ids.PLAN_PROPOSE)(handle_plan_propose)
    app.action(ids.WHY)(handle_why)
