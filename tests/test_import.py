"""`handoff import`: real CRM exports, validation that stores nothing, idempotency, encodings, XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.imports.run import ImportError_, Mapping, run_import
from bot.workspace.store import ensure
from tests.runtime import deps_for
from tests.slack_double import SHARED

OLIST = SHARED / "data" / "olist-marketing-funnel"
MAVEN = SHARED / "data" / "maven-crm-sales-opportunities"
# The mappings the README shows.
OLIST_LEADS = Mapping(
    columns={
        "external_id": "mql_id",
        "created_at": "first_contact_date",
        "channel": "origin",
        "campaign": "landing_page_id",
    }
)
OLIST_DEALS = Mapping(
    columns={
        "external_id": "mql_id",
        "lead_external_id": "mql_id",
        "customer": "seller_id",
        "rep": "sr_id",
        "closed_at": "won_date",
        "product": "business_segment",
        "amount": "declared_monthly_revenue",
    },
    constants={"status": "won"},
)
MAVEN_DEALS = Mapping(
    columns={
        "external_id": "opportunity_id",
        "rep": "sales_agent",
        "product": "product",
        "customer": "account",
        "status": "deal_stage",
        "created_at": "engage_date",
        "closed_at": "close_date",
        "amount": "close_value",
    }
)


def _count(engine: Engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def _import(engine: Engine, kind: str, path: Path, mapping: Mapping, team: str = "T1", tz: str = "UTC"):
    ensure(deps_for(engine), team)
    return run_import(deps_for(engine), team_id=team, kind=kind, path=path, mapping=mapping, tz=tz, progress=False)


def test_olist_imports_leads_and_won_deals(engine: Engine):
    """8,000 leads and 842 won deals, and a second import changes nothing."""
    r1 = _import(engine, "leads", OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST_LEADS)
    r2 = _import(engine, "deals", OLIST / "olist_closed_deals_dataset.csv", OLIST_DEALS)
    assert (r1.rows, r1.added, r1.updated, r1.unchanged) == (8000, 8000, 0, 0)
    assert (r2.rows, r2.added) == (842, 842)
    assert _count(engine, "SELECT count(*) FROM lead WHERE team_id='T1'") == 8000
    assert _count(engine, "SELECT count(*) FROM deal WHERE team_id='T1' AND status='won'") == 842
    again = _import(engine, "leads", OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST_LEADS)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8000)
    again = _import(engine, "deals", OLIST / "olist_closed_deals_dataset.csv", OLIST_DEALS)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 842)
    assert _count(engine, "SELECT count(*) FROM lead") == 8000


def test_olist_rows_match_the_csv(engine: Engine):
    """A few rows, and the per-channel counts, read back equal what the CSV says."""
    _import(engine, "leads", OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST_LEADS)
    with (OLIST / "olist_marketing_qualified_leads_dataset.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_origin: dict[str | None, int] = {}
    for r in rows:
        by_origin[r["origin"] or None] = by_origin.get(r["origin"] or None, 0) + 1
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT channel, count(*) FROM lead GROUP BY channel")).all())
        assert got == by_origin
        for r in (rows[0], rows[1234], rows[-1]):
            created, channel = conn.execute(
                text("SELECT created_at, channel FROM lead WHERE external_id = :e"), {"e": r["mql_id"]}
            ).one()
            assert str(created)[:10] == r["first_contact_date"]
            assert channel == (r["origin"] or None)


def test_maven_pipeline_statuses(engine: Engine):
    """8,800 deals: 4,238 won and 2,473 lost; won revenue equals the CSV's sum."""
    r = _import(engine, "deals", MAVEN / "sales_pipeline.csv", MAVEN_DEALS)
    assert (r.rows, r.added) == (8800, 8800)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT status, count(*) FROM deal GROUP BY status")).all())
        revenue = conn.execute(text("SELECT sum(amount) FROM deal WHERE status='won'")).scalar_one()
    assert got == {"won": 4238, "lost": 2473, "open": 2089}
    with (MAVEN / "sales_pipeline.csv").open(encoding="utf-8") as fh:
        expected = sum(float(x["close_value"]) for x in csv.DictReader(fh) if x["deal_stage"] == "Won")
    assert revenue == pytest.approx(expected)
    again = _import(engine, "deals", MAVEN / "sales_pipeline.csv", MAVEN_DEALS)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8800)


def test_a_bad_date_imports_nothing_and_names_row_and_column(engine: Engine, tmp_path: Path):
    src = (OLIST / "olist_marketing_qualified_leads_dataset.csv").read_text(encoding="utf-8").splitlines()
    lines = src[:50]
    cells = lines[37].split(",")
    cells[1] = "2018-02-31"
    lines[37] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportError_) as err:
        _import(engine, "leads", bad, OLIST_LEADS)
    assert err.value.total == 1
    e = err.value.errors[0]
    assert (e.row, e.column) == (38, "first_contact_date")
    assert "2018-02-31" in str(e) and "row 38" in str(e)
    assert _count(engine, "SELECT count(*) FROM lead") == 0


def test_errors_in_a_later_chunk_roll_back_the_earlier_ones(engine: Engine, tmp_path: Path):
    """The whole file is one transaction: chunk 1 is valid, chunk 3 is not, nothing stays."""
    rows = ["id,created,channel"] + [f"L{i},2024-01-{i % 28 + 1:02d},ads" for i in range(250)]
    rows[201] = "L200,yesterday,ads"
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    mapping = Mapping(columns={"external_id": "id", "created_at": "created"})
    ensure(deps_for(engine), "T1")
    with pytest.raises(ImportError_) as err:
        run_import(
            deps_for(engine),
            team_id="T1",
            kind="leads",
            path=path,
            mapping=mapping,
            tz="UTC",
            chunk_rows=80,
            progress=False,
        )
    assert [(e.row, e.column) for e in err.value.errors] == [(202, "created")]
    assert _count(engine, "SELECT count(*) FROM lead") == 0


def test_cp1251_semicolons_and_russian_dates(engine: Engine, tmp_path: Path):
    """A Russian CRM export: cp1251, `;`, dd.mm.yyyy with time, statuses in Russian, amounts with commas."""
    content = (
        "Номер;Дата закрытия;Статус;Сумма;Менеджер;Клиент\n"
        "D1;05.03.2024 14:30;Успешно реализовано;1 200,50;Иванов;ООО Ромашка\n"
        "D2;06.03.2024;Закрыто и не реализовано;0;Петров;ИП Сидоров\n"
        "D3;;В работе;;Иванов;\n"
    )
    path = tmp_path / "crm.csv"
    path.write_bytes(content.encode("cp1251"))
    mapping = Mapping(
        columns={
            "external_id": "Номер",
            "closed_at": "Дата закрытия",
            "status": "Статус",
            "amount": "Сумма",
            "rep": "Менеджер",
            "customer": "Клиент",
        }
    )
    r = _import(engine, "deals", path, mapping, tz="Europe/Moscow")
    assert r.added == 3
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT external_id, status, amount, rep, closed_at FROM deal ORDER BY external_id")
        ).all()
    assert [(x[0], x[1], x[2], x[3]) for x in rows] == [
        ("D1", "won", 1200.5, "Иванов"),
        ("D2", "lost", 0.0, "Петров"),
        ("D3", "open", None, "Иванов"),
    ]
    assert str(rows[0][4]).startswith("2024-03-05 11:30")  # 14:30 Moscow is 11:30 UTC


def test_utf8_bom_and_tabs(engine: Engine, tmp_path: Path):
    path = tmp_path / "traffic.tsv"
    path.write_bytes("\ufeffday\tchannel\tvisitors\n2024-05-01\tseo\t120\n2024-05-01\tads\t80\n".encode())
    r = _import(engine, "traffic", path, Mapping())
    assert r.added == 2
    assert _count(engine, "SELECT sum(visitors) FROM traffic") == 200


def test_spend_rows_of_one_day_and_campaign_are_summed(engine: Engine, tmp_path: Path):
    """Spend rows of one day and campaign are summed; a line repeated verbatim counts once."""
    path = tmp_path / "spend.csv"
    path.write_text(
        "date,source,campaign,banner,cost\n"
        "2024-05-01,ads,c1,b1,10.5\n2024-05-01,ads,c1,b2,4.5\n2024-05-01,ads,c1,b2,4.5\n2024-05-02,ads,c1,b1,7\n",
        encoding="utf-8",
    )
    mapping = Mapping(columns={"day": "date", "channel": "source", "amount": "cost"})
    r = _import(engine, "spend", path, mapping)
    assert (r.added, r.skipped) == (2, 1)
    with engine.connect() as conn:
        got = conn.execute(text("SELECT day, amount FROM spend ORDER BY day")).all()
    assert [float(a) for _, a in got] == [15.0, 7.0]
    again = _import(engine, "spend", path, mapping)
    assert (again.added, again.unchanged) == (0, 2)


def test_changed_rows_are_updated(engine: Engine, tmp_path: Path):
    path = tmp_path / "leads.csv"
    path.write_text("external_id,created_at,channel\nA,2024-01-01,ads\nB,2024-01-02,seo\n", encoding="utf-8")
    _import(engine, "leads", path, Mapping())
    path.write_text("external_id,created_at,channel\nA,2024-01-01,ads\nB,2024-01-02,email\nC,2024-01-03,seo\n")
    r = _import(engine, "leads", path, Mapping())
    assert (r.added, r.updated, r.unchanged) == (1, 1, 1)
    assert _count(engine, "SELECT count(*) FROM lead WHERE channel='email'") == 1


def test_xlsx(engine: Engine, tmp_path: Path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Kind", "When", "Rating", "Text"])
    import datetime as dt

    ws.append(["отзыв", dt.datetime(2024, 2, 1, 10, 0), 5, "Great"])
    ws.append(["complaint", "02.02.2024", None, "Slow"])
    path = tmp_path / "fb.xlsx"
    wb.save(path)
    mapping = Mapping(columns={"kind": "Kind", "created_at": "When", "rating": "Rating", "text": "Text"})
    r = _import(engine, "feedback", path, mapping)
    assert r.added == 2
    with engine.connect() as conn:
        got = conn.execute(text("SELECT kind, rating FROM feedback ORDER BY created_at")).all()
    assert [tuple(x) for x in got] == [("review", 5), ("complaint", None)]


def test_missing_column_is_named(engine: Engine, tmp_path: Path):
    path = tmp_path / "leads.csv"
    path.write_text("id,when\n1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ImportError_) as err:
        _import(engine, "leads", path, Mapping(columns={"external_id": "id", "created_at": "created"}))
    assert "created" in str(err.value.errors[0]) and "no such column" in str(err.value.errors[0])


def test_rows_belong_to_their_workspace(engine: Engine, tmp_path: Path):
    """The same external id in two workspaces is two leads; each workspace sees its own."""
    path = tmp_path / "leads.csv"
    path.write_text("external_id,created_at\nA,2024-01-01\n", encoding="utf-8")
    _import(engine, "leads", path, Mapping(), team="T1")
    r = _import(engine, "leads", path, Mapping(), team="T2")
    assert r.added == 1
    assert _count(engine, "SELECT count(*) FROM lead WHERE team_id='T2'") == 1
