"""Repositories: every query Handoff runs, each scoped by workspace (team_id)."""
