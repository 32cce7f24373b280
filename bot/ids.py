"""Command names, callback ids, action ids and block ids: one place, shared by builders and listeners."""

COMMAND_HANDOFF = "/handoff"
COMMANDS = (COMMAND_HANDOFF,)

CONFIG_MODAL = "handoff_config"
HOME_OPEN_CONFIG = "home_open_config"

# Config modal: block id == setting key; every input uses this action id.
VALUE = "value"
