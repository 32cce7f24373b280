"""What a bulk load changes in the per-row marks and the per-day roll-ups of deals and meetings
(storage.rollups: customers, attribution, reach, reachday, margins, perday): noted chunk by chunk while the rows
are written, brought up to date once when it ends."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection

from storage import driver
from storage.rollups import attribution, customers, margins, perday, reach, reachday, serialized

# Past this many touched customers and deals, marking the won deals of the whole workspace in one
# statement is cheaper than naming them.
_REFRESH_ALL_DEALS = 20_000


class LoadMarks:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # team → (customers, deal external ids) whose won deals' places may have changed
        self._deals: dict[str, tuple[set[str], set[str]]] = {}
        self._reach: dict[str, set[str]] = {}  # team → leads whose first meeting or sale may have changed
        self._leads: dict[str, set[str]] = {}  # team → leads written whose deals take their channel
        # (table, team) → the days whose roll-ups this load changes: for the rows updated, read before
        self._days: dict[tuple[str, str], perday.Days] = {}
        # team → the creation days of leads that got somewhere and are rewritten (their verdict, their day)
        self._reached_days: dict[str, set[date]] = {}
        self._teams: set[str] = set()

    def note(self, kind: str, table: str, team_id: str, written: pd.DataFrame, changed: list[str]) -> None:
        """Rows of `table` about to be written (`changed`: the external ids among them already stored,
        whose values before are read now)."""
        self._teams.add(team_id)
        if kind == "deals":
            names, ids = self._deals.setdefault(team_id, (set(), set()))
            if "customer" in written:
                names.update(c for c in written["customer"].dropna())
            names.update(driver.values_of(self.conn, table, "customer", team_id, changed))
            ids.update(written["external_id"])
        if kind in ("activities", "deals"):
            self._touch(table, team_id, perday.of_rows(self.conn, table, team_id, changed))
        if kind == "activities":  # the days they are written on, from the rows themselves
            at = written.get("occurred_at")
            self._touch(table, team_id, None if at is None else set(at.dt.tz_convert("UTC").dt.date.dropna()))
        if kind in ("activities", "deals") and "lead_external_id" in written:
            touched = self._reach.setdefault(team_id, set())
            touched.update(written["lead_external_id"].dropna())
            touched.update(driver.values_of(self.conn, table, "lead_external_id", team_id, changed))
        elif kind == "leads" and not written.empty and reach.any_follow_up(self.conn, team_id):
            # A new lead of a meeting or deal already stored (a CRM export read in another order).
            self._reach.setdefault(team_id, set()).update(written["external_id"])
            self._leads.setdefault(team_id, set()).update(written["external_id"])
        if kind == "leads" and changed and (days := reachday.days_of(self.conn, team_id, changed, reached_only=True)):
            # Leads that got somewhere, rewritten: their verdict may change, and their day with the days they move to.
            if "created_at" in written:
                moved = written.loc[written["external_id"].isin(changed), "created_at"]
                days |= set(moved.dt.tz_convert("UTC").dt.date.dropna())
            self._reached_days.setdefault(team_id, set()).update(days)

    def hold(self) -> None:
        """Before the load's roll-ups and marks are counted: hold each workspace's turn (in one order,
        so two loads never wait for each other), before the leads-per-day rows are locked by their upsert."""
        for team_id in sorted(self._teams):
            serialized(self.conn, team_id)

    def _touch(self, table: str, team_id: str, *days: perday.Days) -> None:
        self._days[(table, team_id)] = perday.union(self._days.get((table, team_id), set()), *days)

    def finish(self) -> None:
        for team_id, (names, ids) in self._deals.items():
            margins.refresh(self.conn, team_id)
            if len(names) + len(ids) > _REFRESH_ALL_DEALS:
                ranked = customers.refresh(self.conn, team_id)
            else:
                ranked = customers.refresh(self.conn, team_id, customers=names, external_ids=ids)
            self._touch("deal", team_id, ranked, attribution.of_deals(self.conn, team_id, ids))
        for team_id, leads_touched in self._reach.items():
            reach.refresh(self.conn, team_id, leads_touched)
        for team_id, days in self._reached_days.items():
            reachday.recount(self.conn, team_id, days)
        for team_id, leads_written in self._leads.items():
            self._touch("deal", team_id, attribution.of_leads(self.conn, team_id, leads_written))
        for (table, team_id), touched in self._days.items():
            perday.recount(self.conn, table, team_id, touched)
        self._deals, self._reach, self._leads, self._days, self._reached_days = {}, {}, {}, {}, {}
        self._teams = set()
