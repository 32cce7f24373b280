"""Command names, callback ids, action ids and block ids: one place, shared by builders and listeners."""

COMMAND_HANDOFF = "/handoff"
COMMAND_KPI = "/kpi"
COMMAND_FUNNEL = "/funnel"
COMMAND_LEAD = "/lead"
COMMAND_LEADS = "/leads"
COMMAND_SYNC = "/sync"
COMMAND_FEEDBACK = "/feedback"
COMMAND_PLAN = "/plan"
COMMANDS = (
    COMMAND_HANDOFF,
    COMMAND_KPI,
    COMMAND_FUNNEL,
    COMMAND_LEAD,
    COMMAND_LEADS,
    COMMAND_SYNC,
    COMMAND_FEEDBACK,
    COMMAND_PLAN,
)

CONFIG_MODAL = "handoff_config"
HOME_OPEN_CONFIG = "home_open_config"
POST_REPORT = "post_report_to_channel"
# Lead cards: one button per verdict, action id "verdict:<verdict>", value = lead id.
VERDICT_ACTION_PREFIX = "verdict:"
VERDICT_MODAL = "verdict_modal"
# The card's link to the lead in the CRM: Slack opens the url and still sends the click, which is acked.
OPEN_IN_CRM = "open_in_crm"
LEAD_MODAL = "lead_modal"
LEAD_FIELDS = ("name", "company", "email", "phone", "channel", "campaign", "product", "message")
REASON = "reason"
# The sync: the Answer button (value = meeting id) and its modal, whose blocks are "q:<question key>".
SYNC_ANSWER = "sync_answer"
SYNC_CLOSE = "sync_close"
SYNC_QUESTION_PREFIX = "q:"
SYNC_ANSWERS_MODAL = "sync_answers"
SYNC_SETUP_MODAL = "sync_setup"
SYNC_ICP_MODAL = "sync_icp"
FEEDBACK_MODAL = "customer_feedback"
# The message shortcut "Save as customer feedback" (manifest callback id).
FEEDBACK_SHORTCUT = "save_customer_feedback"
NOTE = "note"

# Config modal: block id == setting key; every input uses this action id.
VALUE = "value"
# User groups picked in a modal: block "<key>_groups", a multi external select whose options come
# from usergroups.list (a block_suggestion request to this action id).
USERGROUPS = "usergroups"
GROUPS_SUFFIX = "_groups"
# The weekly lead-quality report's Export button (value = the report's period key).
QUALITY_EXPORT = "quality_export"
# An agenda item's Decision button (value = "<meeting id>|<item key>") and the modal it opens.
SYNC_DECISION = "sync_decision"
SYNC_DECISION_MODAL = "sync_decision_modal"

# Plans: /plan opens the month's plan modal (block id == KPI key, with a revision suffix once the
# Propose button rewrote a field), the button in it proposes marketing's numbers from sales' goal.
PLAN_MODAL = "plan_modal"
PLAN_PROPOSE = "plan_propose"
# A finding outside its seasonal band: the Why? button (value = bot.kpi.why.encode) and its drill-down.
WHY = "band_why"
