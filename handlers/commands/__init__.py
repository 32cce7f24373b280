from slack_bolt import App

from bot import ids
from handlers.commands.handoff import handle_handoff_command
from handlers.commands.kpi import handle_funnel_command, handle_kpi_command
from handlers.commands.leads import handle_lead_command, handle_leads_command
from handlers.commands.plan import handle_plan_command
from handlers.commands.sync import handle_feedback_command, handle_sync_command


def register(app: App) -> None:
    app.command(ids.COMMAND_HANDOFF)(handle_handoff_command)
    app.command(ids.COMMAND_KPI)(handle_kpi_command)
    app.command(ids.COMMAND_FUNNEL)(handle_funnel_command)
    app.command(ids.COMMAND_LEAD)(handle_lead_command)
    app.command(ids.COMMAND_LEADS)(handle_leads_command)
    app.command(ids.COMMAND_SYNC)(handle_sync_command)
    app.command(ids.COMMAND_FEEDBACK)(handle_feedback_command)
    app.command(ids.COMMAND_PLAN)(handle_plan_command)
