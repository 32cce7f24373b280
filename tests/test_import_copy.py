"""The bulk import writes PostgreSQL rows with COPY and SQLite rows with prepared statements: for a file
of awkward values (quotes, commas, line breaks, tabs, backslashes, COPY's own markers, unicode, empty
cells) both store exactly what the file says, and keep the same roll-up."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.imports.run import Mapping, run_import
from bot.workspace.store import ensure
from storage.models import Lead, LeadDay
from tests.conftest import PostgresTemplate, postgres_copy
from tests.runtime import deps_for

HEADER = ["id", "created", "name", "company", "channel", "campaign", "message"]
AWKWARD = [
    ["L1", "2024-03-01 10:00", 'Ann "The Boss" Lee', "Doe, Smith & Co", "ads", "spring, 2024", "plain"],
    ["L2", "2024-03-01 23:59:59", "Line one\nline two", "Tab\tinside", "seo", "a\\b", "C:\\path\\to\\file"],
    ["L3", "2024-03-02", "\\N", "\\.", "\\", "tab\tcampaign", "ends with a backslash\\"],
    ["L4", "02.03.2024 08:15", "Müller Ёлка 🚀", "", "", "", "carriage\r\nreturn"],
    ["L5", "2024-03-03T00:00:00+03:00", "  padded  ", "\\t not a tab", "email", "\\N", ""],
    ["L6", "2024-03-03", "", "", "ads", "spring, 2024", "'single' and \"double\""],
]
MAPPING = Mapping(columns={"external_id": "id", "created_at": "created"})
FIELDS = ("name", "company", "channel", "campaign", "message")


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])


def _expected(path: Path) -> dict[str, dict[str, str | None]]:
    """What each lead should hold, read with Python's csv module: trimmed, None for an empty cell."""
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["id"]: {f: r[f].strip() or None for f in FIELDS} for r in csv.DictReader(fh)}


def _stored(engine: Engine) -> tuple[dict[str, dict], dict[tuple, tuple[int, int]], dict[str, str]]:
    with Session(engine) as s:
        leads = s.exec(select(Lead).where(Lead.team_id == "T1")).all()
        days = s.exec(select(LeadDay).where(LeadDay.team_id == "T1")).all()
    fields = {lead.external_id: {f: getattr(lead, f) for f in FIELDS} for lead in leads}
    created = {lead.external_id: lead.created_at.isoformat() for lead in leads}
    return fields, {(d.day, d.channel, d.campaign): (d.leads, d.target_leads) for d in days if d.leads}, created


def _import(engine: Engine, path: Path):
    ensure(deps_for(engine), "T1")
    deps = deps_for(engine)
    return run_import(deps, team_id="T1", kind="leads", path=path, mapping=MAPPING, tz="UTC", progress=False)


@pytest.fixture
def postgres_engine(postgres_template: PostgresTemplate) -> Iterator[Engine]:
    yield from postgres_copy(postgres_template)


def test_awkward_values_are_stored_alike_on_sqlite_and_postgresql(
    sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path
):
    """New rows (COPY into the table) and changed rows (COPY into a staging table, then one UPDATE)."""
    path = tmp_path / "leads.csv"
    _write(path, AWKWARD)
    for engine in (sqlite_engine, postgres_engine):
        r = _import(engine, path)
        assert (r.added, r.updated, r.unchanged) == (6, 0, 0)
    expected = _expected(path)
    assert expected["L3"]["name"] == "\\N" and expected["L2"]["name"] == "Line one\nline two"
    lite, pg = _stored(sqlite_engine), _stored(postgres_engine)
    assert lite[0] == pg[0] == expected
    assert lite[2] == pg[2]
    assert pg[2]["L5"] == "2024-03-02T21:00:00+00:00"  # +03:00 is three hours ahead of UTC
    # The roll-up counted by hand: (UTC day, channel, campaign) → leads.
    by_hand = {
        ("2024-03-01", "ads", "spring, 2024"): 1,
        ("2024-03-01", "seo", "a\\b"): 1,
        ("2024-03-02", "\\", "tab\tcampaign"): 1,
        ("2024-03-02", "", ""): 1,
        ("2024-03-02", "email", "\\N"): 1,
        ("2024-03-03", "ads", "spring, 2024"): 1,
    }
    assert {(str(d), ch, ca): n for (d, ch, ca), (n, _) in pg[1].items()} == by_hand
    assert lite[1] == pg[1]

    changed = [list(r) for r in AWKWARD]
    changed[0][6] = "now\twith\\a tab"
    changed[2][4] = "ads"  # moves L3 to another roll-up row
    changed[3][2] = "\\\\N"
    _write(path, changed)
    for engine in (sqlite_engine, postgres_engine):
        r = _import(engine, path)
        assert (r.added, r.updated, r.unchanged) == (0, 3, 3)
    lite, pg = _stored(sqlite_engine), _stored(postgres_engine)
    assert lite[0] == pg[0] == _expected(path)
    assert lite[1] == pg[1]
    assert {(str(d), ch, ca): n for (d, ch, ca), (n, _) in pg[1].items()} == {
        **{k: v for k, v in by_hand.items() if k[1] != "\\"},
        ("2024-03-02", "ads", "tab\tcampaign"): 1,
    }
