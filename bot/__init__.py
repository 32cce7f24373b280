"""Handoff: a Slack bot that makes Sales and Marketing work as one funnel."""
