"""Bulk upsert of imported rows by (team_id, external_id), in one transaction, at driver speed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table
from sqlmodel import Session

from storage import driver, pgcopy
from storage.models import Activity, Deal, Feedback, Lead, Spend, Traffic, table_of
from storage.repos import leads
from storage.rollups import leadday, verdicts
from storage.rollups.load import LoadMarks

TABLES = {
    "leads": table_of(Lead),
    "deals": table_of(Deal),
    "activities": table_of(Activity),
    "spend": table_of(Spend),
    "traffic": table_of(Traffic),
    "feedback": table_of(Feedback),
}


# On SQLite, loading over twice the rows a table holds is faster with its secondary indexes dropped
# and rebuilt at the end (a sort) than maintained row by row; both happen inside the transaction.
_REBUILD_MIN_ROWS = 100_000


class BulkWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._sqlite = conn.dialect.name == "sqlite"
        self._mark = driver.mark(conn)
        self._dropped: list = []
        self._touched: set[str] = set()
        self._written: dict[str, int] = {}  # table → rows added or changed
        # What this load adds to the leads-per-day roll-up: the updated rows' counts and new rows' sums.
        self._lead_counts: dict[tuple, list[int]] = {}
        self._new_lead_counts: list[pd.DataFrame] = []
        self._marks = LoadMarks(conn)
        if self._sqlite:
            conn.exec_driver_sql("PRAGMA cache_size = -16384")

    def expect(self, kind: str, rows: int | None) -> None:
        """Told the size of the load before it starts: a large load into a small SQLite table
        drops the table's secondary indexes until finish()."""
        if not self._sqlite or not rows or rows < _REBUILD_MIN_ROWS:
            return
        table = TABLES[kind]
        held = self.conn.exec_driver_sql(f"SELECT count(*) FROM {table.name}").scalar_one()
        if rows < 2 * held:  # mostly rows already held (a file imported again): keep the indexes
            return
        for index in table.indexes:
            if not index.unique:
                index.drop(self.conn)
                self._dropped.append(index)

    def finish(self) -> None:
        self._marks.hold()
        for index in self._dropped:
            index.create(self.conn)
        self._dropped = []
        if counts := self._lead_roll_up():
            leadday.add_by_owner(self.conn, counts)
            self._touched.update(("leadday", "ownerday"))
        self._marks.finish()
        # Fresh statistics for the planner after a load that changes a table's shape: whole ones on SQLite
        # (a sampled ANALYZE counts one workspace's rows as a thousand and the planner then picks the
        # wrong index); PostgreSQL samples well by itself.
        for name in sorted(self._touched):
            if not self._sqlite or driver.reshaped(self.conn, name, self._written.get(name, 0)):
                self.conn.exec_driver_sql(f"ANALYZE {name}")

    def upsert(self, kind: str, team_id: str, df: pd.DataFrame) -> tuple[int, int, int]:
        """Insert new keys, update changed rows, leave equal rows alone: (added, updated, unchanged)."""
        if df.empty:
            return 0, 0, 0
        table = TABLES[kind]
        fields = [c for c in df.columns if c != "external_id"]
        row_hash = pd.util.hash_pandas_object(df[fields], index=False).to_numpy().view("int64")
        df = df.assign(row_hash=row_hash)
        known = self._existing(table, team_id, df["external_id"].tolist())
        before = df["external_id"].map(known)
        # A row stored by other means (a lead from the webhook) has no hash yet: stored, so not new.
        new = ~df["external_id"].isin(known.keys())
        changed = ~new & (before.isna() | (before != df["row_hash"]))
        if kind == "leads" and changed.any():  # a forgotten lead keeps its personal data erased
            changed &= ~df["external_id"].isin(self._forgotten(team_id, df.loc[changed, "external_id"].tolist()))
        cols = ["external_id", *fields, "row_hash"]
        changed_ids = df.loc[changed, "external_id"].tolist()
        if kind == "leads":
            self._count_new_leads(team_id, df.loc[new])
            if changed_ids:  # the updated leads leave their roll-up rows, to be counted again after
                self._count_leads(leadday.counts_of(self.conn, team_id, changed_ids), -1)
            created = df.loc[new | changed, "created_at"].dropna()
            if not created.empty:
                leads.written(self.conn, team_id=team_id, oldest=created.min().to_pydatetime())
        self._marks.note(kind, table.name, team_id, df.loc[new | changed], changed_ids)
        if new.any():
            self._insert(table.name, team_id, df.loc[new, cols])
        if changed.any():
            self._update(table.name, team_id, df.loc[changed, cols])
            if kind == "leads":
                self._count_leads(leadday.counts_of(self.conn, team_id, changed_ids), 1)
        n_new, n_changed = int(new.sum()), int(changed.sum())
        if n_new or n_changed:  # the planner's statistics of an unchanged table still hold
            self._touched.add(table.name)
            self._written[table.name] = self._written.get(table.name, 0) + n_new + n_changed
        return n_new, n_changed, len(df) - n_new - n_changed

    def _insert(self, table: str, team_id: str, df: pd.DataFrame) -> None:
        """New rows: one prepared INSERT per row on SQLite, COPY on PostgreSQL."""
        names = ["team_id", *df.columns]
        if self._sqlite:
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join([self._mark] * len(names))})"
            self.conn.exec_driver_sql(sql, self._tuples(df, team_id, first=True))
        else:
            pgcopy.copy_rows(self.conn, table, names, self._tuples(df, team_id, first=True, text_times=True))

    def _update(self, table: str, team_id: str, df: pd.DataFrame) -> None:
        """Changed rows (the key first): one prepared UPDATE per row on SQLite; on PostgreSQL copied
        into a temporary table and updated from it in one statement."""
        fields = [c for c in df.columns if c != "external_id"]
        if self._sqlite:
            sets = ", ".join(f"{c} = ?" for c in fields)
            sql = f"UPDATE {table} SET {sets} WHERE external_id = ? AND team_id = ?"
            self.conn.exec_driver_sql(sql, self._tuples(df[[*fields, "external_id"]], team_id))
            return
        staged = f"import_{table}"
        pgcopy.staging_table(self.conn, staged, table, list(df.columns))
        pgcopy.copy_rows(self.conn, staged, list(df.columns), self._tuples(df, None, text_times=True))
        sets = ", ".join(f"{c} = s.{c}" for c in fields)
        self.conn.exec_driver_sql(
            f"UPDATE {table} AS t SET {sets} FROM {staged} AS s WHERE t.team_id = %s AND t.external_id = s.external_id",
            (team_id,),
        )

    def _count_new_leads(self, team_id: str, df: pd.DataFrame) -> None:
        """Count new leads into the roll-ups by UTC day, channel, campaign and owner: a group-by of each
        chunk's rows, summed over the chunks when the load ends."""
        if df.empty:
            return
        none = pd.Series("", index=df.index, dtype=object)
        keys = pd.DataFrame(
            {
                "team_id": team_id,
                "day": df["created_at"].dt.tz_convert("UTC").dt.floor("D"),
                "channel": df["channel"].fillna("") if "channel" in df else none,
                "campaign": df["campaign"].fillna("") if "campaign" in df else none,
                "owner": df["owner"].fillna("") if "owner" in df else none,
                "leads": 1,
                "target_leads": (df["verdict"] == "target").fillna(False).astype(int) if "verdict" in df else 0,
            }
        )
        self._new_lead_counts.append(keys.groupby(list(leadday.OWNED_KEY), sort=False, as_index=False).sum())

    def _lead_roll_up(self) -> dict[tuple, list[int]]:
        """What this load adds to the roll-ups, (team, day, channel, campaign, owner) → [leads, target
        leads]; forgotten afterwards."""
        if self._new_lead_counts:
            key = list(leadday.OWNED_KEY)
            sums = pd.concat(self._new_lead_counts).groupby(key, sort=False, as_index=False).sum()
            sums["day"] = sums["day"].dt.date
            rows = sums[[*key, "leads", "target_leads"]].itertuples(index=False, name=None)
            self._count_leads({tuple(r[:-2]): [int(r[-2]), int(r[-1])] for r in rows}, 1)
        out, self._lead_counts, self._new_lead_counts = self._lead_counts, {}, []
        return out

    def _count_leads(self, counts: dict[tuple, list[int]], sign: int) -> None:
        for key, (n, target) in counts.items():
            held = self._lead_counts.setdefault(key, [0, 0])
            held[0] += sign * n
            held[1] += sign * target

    def verdict_history(self, team_id: str, df: pd.DataFrame) -> int:
        """Append verdict history rows for leads named by external id (columns: external_id, verdict,
        reason, user_id, created_at)."""
        if df.empty:
            return 0
        m = self._mark
        sql = (
            "INSERT INTO leadverdict (team_id, lead_id, verdict, reason, user_id, source, created_at) "
            f"SELECT team_id, id, {m}, {m}, {m}, 'import', {m} FROM lead WHERE team_id = {m} AND external_id = {m}"
        )
        cols = df[["verdict", "reason", "user_id", "created_at"]]
        values = [self._driver_values(cols[c]) for c in cols.columns]
        rows = [(*v, team_id, e) for v, e in zip(zip(*values, strict=True), df["external_id"], strict=True)]
        self.conn.exec_driver_sql(sql, rows)
        verdicts.refresh(self.conn, team_id, df["external_id"])
        return len(rows)

    def _existing(self, table: Table, team_id: str, keys: list[str]) -> dict[str, int | None]:
        """external_id → row_hash of the keys already stored (plain driver SQL on the driver's own
        cursor: compiling an expanding IN, or wrapping a million rows, costs more than the lookup)."""
        out: dict[str, int | None] = {}
        driver_conn = self.conn.connection.driver_connection
        assert driver_conn is not None  # a connection inside a transaction is open
        cursor = driver_conn.cursor()
        try:
            if not self._sqlite:  # one array, not thousands of parameters to parse and bind
                sql = f"SELECT external_id, row_hash FROM {table.name} WHERE team_id = %s AND external_id = ANY(%s)"
                cursor.execute(sql, (team_id, keys))
                out.update(cursor.fetchall())
                return out
            for batch in driver.batches(keys):
                marks = driver.marks(self.conn, len(batch))
                sql = f"SELECT external_id, row_hash FROM {table.name} WHERE team_id = ? AND external_id IN ({marks})"
                cursor.execute(sql, (team_id, *batch))
                out.update(cursor.fetchall())
        finally:
            cursor.close()
        return out

    def _forgotten(self, team_id: str, keys: list[str]) -> set[str]:
        """Of these leads, the ones whose personal data was erased (`handoff forget`)."""
        out: set[str] = set()
        for batch in driver.batches(keys):
            sql = (
                f"SELECT external_id FROM lead WHERE team_id = {self._mark} AND forgotten_at IS NOT NULL "
                f"AND external_id IN ({driver.marks(self.conn, len(batch))})"
            )
            out.update(e for (e,) in self.conn.exec_driver_sql(sql, (team_id, *batch)))
        return out

    def _tuples(
        self, df: pd.DataFrame, team_id: str | None, *, first: bool = False, text_times: bool = False
    ) -> list[tuple]:
        columns = [self._driver_values(df[c], text_times=text_times) for c in df.columns]
        if team_id is not None:
            columns.insert(0 if first else len(columns), [team_id] * len(df))
        return list(zip(*columns, strict=True))

    def _driver_values(self, s: pd.Series, *, text_times: bool = False) -> list:
        """The column's values as the driver takes them; with text_times (COPY) times as ISO text."""
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            if self._sqlite or text_times:  # SQLAlchemy's SQLite DATETIME text form is naive UTC
                text = np.datetime_as_string(s.dt.tz_localize(None).to_numpy("datetime64[us]"), unit="us")
                text = np.char.add(np.char.replace(text, "T", " "), "" if self._sqlite else "+00").astype(object)
                text[s.isna().to_numpy()] = None
                return text.tolist()
            return [None if pd.isna(v) else v.to_pydatetime() for v in s]
        if pd.api.types.is_datetime64_dtype(s.dtype):  # a calendar day
            if self._sqlite or text_times:
                return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None).tolist()
            return [None if pd.isna(v) else v.date() for v in s]
        if s.dtype == object:  # normalised text: None already marks a missing value
            return s.to_numpy().tolist()
        return s.astype(object).where(s.notna(), None).tolist()


@contextmanager
def bulk(session: Session) -> Iterator[BulkWriter]:
    """A writer in the caller's unit of work (the whole import is one transaction: an error anywhere
    leaves nothing stored); the roll-ups and dropped indexes are brought back when the block ends."""
    writer = BulkWriter(session.connection())
    yield writer
    writer.finish()
