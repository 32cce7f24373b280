"""A month's plans are stored per workspace, month, channel and KPI: set, overwritten, removed, apart."""

from __future__ import annotations

from sqlalchemy import Engine

from storage.db import session_scope
from storage.models import Workspace
from storage.repos import plans


def test_plans_are_set_overwritten_removed_and_kept_apart_by_channel_month_and_workspace(engine: Engine):
    """A value set again replaces the old one, None removes it; channels, months and teams never mix."""
    with session_scope(engine) as s:
        s.add_all([Workspace(team_id="T1"), Workspace(team_id="T2")])
        s.flush()
        plans.set_values(s, team_id="T1", month="2026-12", values={"leads": 500, "sales": 40})
        plans.set_values(s, team_id="T1", month="2026-12", values={"leads": 10}, channel="ads")
        plans.set_values(s, team_id="T1", month="2027-01", values={"leads": 600})
        plans.set_values(s, team_id="T2", month="2026-12", values={"leads": 7})
        plans.set_values(s, team_id="T1", month="2026-12", values={"leads": 450, "sales": None}, set_by="U1")
    with session_scope(engine) as s:
        assert plans.month_plan(s, team_id="T1", month="2026-12") == {"leads": 450}
        assert plans.month_plan(s, team_id="T1", month="2026-12", channel="ads") == {"leads": 10}
        assert plans.channel_plans(s, team_id="T1", month="2026-12") == {"ads": {"leads": 10}}
        assert plans.month_plan(s, team_id="T2", month="2026-12") == {"leads": 7}
        assert plans.month_plan(s, team_id="T1", month="2026-11") == {}
