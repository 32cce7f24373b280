"""Files from outside and files for outside: CRM exports with what no report means (NUL bytes, numbers
and dates no database holds, margins that are no share, a Latin-1 file, a workbook that is none, a
formula never calculated) import nothing and name the cell; exports and the digest's channel table
are safe to open in a spreadsheet. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, text

from bot.exports import write_table
from bot.imports.readers import ReadError
from bot.imports.run import ImportError_, Mapping, run_import
from bot.kpi.render import render_channels_csv
from bot.workspace.store import ensure
from tests.runtime import deps_for
from tests.test_blocks_kpi import make_report


def _import(engine: Engine, kind: str, path: Path, mapping: Mapping | None = None):
    ensure(deps_for(engine), "T1")
    return run_import(
        deps_for(engine), team_id="T1", kind=kind, path=path, mapping=mapping or Mapping(), tz="UTC", progress=False
    )


def _rows(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.parametrize(
    "kind,content,row,column,words",
    [
        ("traffic", "day,visitors,channel\n2026-11-01,1e20,ads\n", 2, "visitors", "too large"),
        ("traffic", "day,visitors,channel\n2026-11-02,5,a\x00b\n", 2, "channel", "NUL"),
        ("traffic", "day,visitors,channel\n0001-01-01,3,seo\n", 2, "day", "1970 to 2100"),
        ("traffic", "day,visitors,channel\n9999-12-31,4,seo\n", 2, "day", "1970 to 2100"),
        ("leads", "external_id,created_at\nL1,0001-01-01 10:00\n", 2, "created_at", "1970 to 2100"),
        ("deals", "external_id,status,margin,closed_at\nD1,won,5,2026-11-01\n", 2, "margin", "from 0 to 1"),
        ("deals", "external_id,status,margin,closed_at\nD1,lost,-3,2026-11-01\n", 2, "margin", "from 0 to 1"),
        (
            "deals",
            "external_id,status,amount,closed_at\nD1,won,100,2026-11-01\nD2,won,-100,2026-11-02\n",
            3,
            "amount",
            "negative",
        ),
        ("traffic", "day,visitors,channel\n2026-11-01,-4,seo\n", 2, "visitors", "negative"),
    ],
)
def test_a_cell_no_report_means_imports_nothing_and_is_named(
    engine: Engine, tmp_path: Path, kind: str, content: str, row: int, column: str, words: str
):
    """The whole file is refused; the error names the row as a spreadsheet numbers it, and the column."""
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        _import(engine, kind, path)
    (err,) = exc.value.errors
    assert (err.row, err.column) == (row, column) and words in err.message
    assert _rows(engine, {"traffic": "traffic", "leads": "lead", "deals": "deal"}[kind]) == 0


def test_a_latin1_file_is_read_as_latin1_not_cyrillic(engine: Engine, tmp_path: Path):
    """A Western European export (neither UTF-8 nor Russian) keeps its names: Zoë Müller, not Zoл Mьller."""
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "external_id,created_at,name\nL1,2026-11-01,Zoë Müller\nL2,2026-11-02,Renée Ångström\n".encode("latin-1")
    )
    assert _import(engine, "leads", path).added == 2
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM lead ORDER BY external_id"))]
    assert names == ["Zoë Müller", "Renée Ångström"]


def test_a_russian_file_in_cp1251_is_still_read_as_cyrillic(engine: Engine, tmp_path: Path):
    """The check that tells Latin-1 from cp1251 keeps Russian text Russian."""
    path = tmp_path / "ru.csv"
    path.write_bytes("external_id,created_at,name\nL1,2026-11-01,Иван Петров\n".encode("cp1251"))
    _import(engine, "leads", path)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM lead")).scalar_one() == "Иван Петров"


def test_a_workbook_that_is_no_zip_is_a_clear_error(engine: Engine, tmp_path: Path):
    """A `.xlsx` that is not a workbook (an HTML export renamed, a CSV): one line saying so."""
    path = tmp_path / "leads.xlsx"
    path.write_text("external_id,created_at\n", encoding="utf-8")
    with pytest.raises(ReadError, match="not an XLSX workbook"):
        _import(engine, "leads", path)


def test_a_formula_never_calculated_is_named_not_read_as_empty(engine: Engine, tmp_path: Path):
    """A formula without a saved value is named as an error and nothing is imported, not read as empty."""
    wb = Workbook()
    ws = wb.active
    ws.append(["day", "visitors", "channel"])
    ws.append(["2026-11-01", 5, "ads"])
    ws.append(["2026-11-02", "=B2*2", "ads"])
    path = tmp_path / "traffic.xlsx"
    wb.save(path)  # openpyxl writes the formula and no cached value
    with pytest.raises(ReadError, match="cell B3 holds a formula"):
        _import(engine, "traffic", path)
    assert _rows(engine, "traffic") == 0


def test_the_channel_table_cannot_carry_a_formula():
    """A channel named like a formula is written as text in the digest's CSV."""
    report = make_report(channels=[{"channel": '=HYPERLINK("https://evil.example","x")', "leads": 1}])
    rows = list(csv.DictReader(io.StringIO(render_channels_csv(report))))
    assert rows[0]["channel"] == '\'=HYPERLINK("https://evil.example","x")'


def test_an_xlsx_export_takes_control_characters(tmp_path: Path):
    """A name or reply with control characters (a pasted terminal line) is exported without them."""
    out = tmp_path / "replies.xlsx"
    write_table(["who", "text"], [("Ann\x07", "line\x1bone\ttab\nnext"), ("=2+2", "@sum")], "xlsx", out)
    rows = [[c.value for c in r] for r in load_workbook(out).active.iter_rows()]
    assert rows == [["who", "text"], ["Ann", "lineone\ttab\nnext"], ["'=2+2", "'@sum"]]
    assert zipfile.is_zipfile(out)


def test_a_formula_behind_control_characters_or_spaces_is_text_in_both_formats(tmp_path: Path):
    """`\x01=HYPERLINK(…)` became a live formula once the control character was left out; U+FFFF broke the file."""
    rows = [('\x01=HYPERLINK("http://x")', " =2+2"), ("non\ufffechar\uffff", "\x07\x08-1")]
    xlsx, csv_out = tmp_path / "t.xlsx", tmp_path / "t.csv"
    write_table(["a", "b"], rows, "xlsx", xlsx)
    write_table(["a", "b"], rows, "csv", csv_out)
    cells = [[c.value for c in r] for r in load_workbook(xlsx).active.iter_rows()]
    assert cells == [["a", "b"], ['\'=HYPERLINK("http://x")', "' =2+2"], ["nonchar", "'-1"]]
    with zipfile.ZipFile(xlsx) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    written = list(csv.reader(io.StringIO(csv_out.read_text(encoding="utf-8-sig"))))
    assert written[1] == ['\'\x01=HYPERLINK("http://x")', "' =2+2"]


def test_a_negative_spend_row_is_a_refund_summed_into_its_day(engine: Engine, tmp_path: Path):
    """Spend of 100 and a credit of −30 on one day and campaign: 70 kept for the day."""
    path = tmp_path / "spend.csv"
    path.write_text("day,channel,campaign,amount\n2026-11-01,ads,c1,100\n2026-11-01,ads,c1,-30\n", encoding="utf-8")
    _import(engine, "spend", path)
    with engine.connect() as conn:
        assert [float(a) for (a,) in conn.execute(text("SELECT amount FROM spend"))] == [70.0]
