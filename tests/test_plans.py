"""Plans: typed values and months, the store, the CSV import (a bad row imports nothing), the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli import main
from bot.imports.run import ImportError_
from bot.plans.importing import import_plans
from bot.plans.store import month_plans, plan_of, set_plan
from bot.plans.values import PlanError, parse_month, parse_pairs, parse_value
from bot.workspace.store import ensure
from tests.runtime import deps_for


@pytest.mark.parametrize(
    ("kpi", "text", "value"),
    [
        ("leads", "500", 500.0),
        ("revenue", "2000000", 2_000_000.0),
        ("revenue", "2 000 000", 2_000_000.0),
        ("revenue", "2\u00a0000\u00a0000", 2_000_000.0),
        ("revenue", "2,000,000", 2_000_000.0),
        ("revenue", "1 234,50", 1234.5),
        ("revenue", "1,234.50", 1234.5),
        ("revenue", "$1,500", 1500.0),
        ("cac", "1500.5", 1500.5),
        ("sales", "none", None),
        ("sales", "", None),
    ],
)
def test_values_are_read_as_people_type_them(kpi: str, text: str, value: float | None):
    """Money with spaces, no-break spaces or commas between thousands, decimals with a comma or a dot."""
    assert parse_value(kpi, text) == value


@pytest.mark.parametrize(
    ("kpi", "text", "says"),
    [
        ("leads", "5.5", "leads: '5.5' is a count"),
        ("leads", "many", "leads: 'many' is not a number"),
        ("revenue", "-100", "revenue: '-100' is below zero"),
        ("spend", "1e20", "spend: '1e20' is too large"),
    ],
)
def test_a_bad_value_names_its_field(kpi: str, text: str, says: str):
    """The error is the KPI's own: it starts with the field's name and carries it."""
    with pytest.raises(PlanError) as err:
        parse_value(kpi, text)
    assert err.value.field == kpi
    assert str(err.value).startswith(says)


def test_pairs_and_months():
    """KPI=VALUE pairs in any case; an unknown KPI or a month not YYYY-MM is refused by name."""
    assert parse_pairs(["LEADS=500", "target_leads=250", "revenue=2,000,000"]) == {
        "leads": 500,
        "target_leads": 250,
        "revenue": 2_000_000,
    }
    with pytest.raises(PlanError, match="'visits' is not a KPI a plan has") as err:
        parse_pairs(["visits=10"])
    assert err.value.field == "kpi"
    with pytest.raises(PlanError, match="write KPI=VALUE"):
        parse_pairs(["leads:10"])
    assert parse_month("2026-12") == "2026-12"
    for bad in ("2026-13", "12-2026", "2026-1", "dec"):
        with pytest.raises(PlanError) as err:
            parse_month(bad)
        assert err.value.field == "month"


def test_store_sets_reads_and_keeps_channels_apart(engine: Engine):
    """set_plan returns the plan as it stands; plan_of reads one channel; month_plans the whole month."""
    deps = deps_for(engine)
    ensure(deps, "T1")
    assert set_plan(deps, "T1", "2026-12", {"sales": 40, "leads": 500}) == {"leads": 500, "sales": 40}
    set_plan(deps, "T1", "2026-12", {"leads": 120}, channel="paid_search", set_by="U1")
    set_plan(deps, "T1", "2026-12", {"sales": None})
    assert plan_of(deps, "T1", "2026-12") == {"leads": 500}
    assert plan_of(deps, "T1", "2026-12", channel="paid_search") == {"leads": 120}
    plans = month_plans(deps, "T1", "2026-12")
    assert plans.to_json() == {
        "month": "2026-12",
        "workspace": {"leads": 500},
        "channels": {"paid_search": {"leads": 120}},
    }
    assert month_plans(deps, "T1", "2027-01").empty


def test_csv_import_stores_every_row(engine: Engine, tmp_path: Path):
    """Month, channel (optional), kpi, value; money with spaces; the summary counts the values set."""
    deps = deps_for(engine)
    ensure(deps, "T1")
    f = tmp_path / "plans.csv"
    f.write_text(
        'Month,Channel,KPI,Value\n2026-12,,leads,500\n2026-12,,revenue,"2 000 000"\n2026-12,paid_search,sales,10\n\n',
        encoding="utf-8",
    )
    result = import_plans(deps, "T1", f)
    assert (result.values, result.months) == (3, ["2026-12"])
    assert plan_of(deps, "T1", "2026-12") == {"leads": 500, "revenue": 2_000_000}
    assert plan_of(deps, "T1", "2026-12", "paid_search") == {"sales": 10}


def test_csv_import_with_bad_rows_imports_nothing_and_names_row_and_column(engine: Engine, tmp_path: Path):
    """A bad month, an unknown KPI, a fractional count and a repeated KPI: each named; nothing stored."""
    deps = deps_for(engine)
    ensure(deps, "T1")
    f = tmp_path / "plans.csv"
    f.write_text(
        "month,kpi,value\n2026-12,leads,500\n2026-13,sales,4\n2026-12,visits,9\n2026-12,sales,4.5\n2026-12,leads,600\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportError_) as err:
        import_plans(deps, "T1", f)
    shown = [str(e) for e in err.value.errors]
    assert shown == [
        "row 3, column 'month': month: '2026-13' is not a month; write it as YYYY-MM, e.g. 2026-12",
        "row 4, column 'kpi': 'visits' is not a KPI a plan has "
        "(one of: leads, target_leads, sales, new_customers, revenue, spend, cac)",
        "row 5, column 'value': sales: '4.5' is a count; give a whole number",
        "row 6, column 'kpi': leads of 2026-12 is already in row 2",
    ]
    assert plan_of(deps, "T1", "2026-12") == {}
    g = tmp_path / "nokpi.csv"
    g.write_text("month,value\n2026-12,5\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="1 error"):
        import_plans(deps, "T1", g)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return path


def test_cli_plan_set_show_and_import(db: Path, tmp_path: Path, capsys):
    """`handoff plan set` then `plan show --format json`; a bad value names its field and exits 2;
    `handoff import plans` reports bad rows the way the CRM imports do."""
    assert (
        main(["plan", "set", "--month", "2026-12", "leads=500", "target_leads=250", "sales=40", "revenue=2 000 000"])
        == 0
    )
    assert main(["plan", "set", "--month", "2026-12", "--channel", "paid_search", "leads=100"]) == 0
    capsys.readouterr()
    assert main(["plan", "show", "--month", "2026-12", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "team_id": "local",
        "month": "2026-12",
        "workspace": {"leads": 500, "target_leads": 250, "sales": 40, "revenue": 2_000_000},
        "channels": {"paid_search": {"leads": 100}},
    }
    assert main(["plan", "show", "--month", "2026-12"]) == 0
    assert "Revenue: 2,000,000" in capsys.readouterr().out
    assert main(["plan", "set", "--month", "2026-12", "sales=forty"]) == 2
    assert "sales: 'forty' is not a number" in capsys.readouterr().err
    assert main(["plan", "set", "leads=1"]) == 2
    assert "--month" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("month,kpi,value\n2027-01,leads,500\n2027-01,leads,x\n", encoding="utf-8")
    assert main(["import", "plans", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "1 error(s); nothing was imported" in err
    assert "row 3, column 'value': leads: 'x' is not a number" in err
    good = tmp_path / "good.csv"
    good.write_text("month,kpi,value\n2027-01,leads,500\n2027-01,sales,45\n", encoding="utf-8")
    assert main(["import", "plans", str(good)]) == 0
    assert "2 values set for 2027-01" in capsys.readouterr().out
