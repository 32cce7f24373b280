"""The channel table as the digest's thread shows it (a picture) and as its CSVs hold it: small literal
reports, every expected value worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from bot.kpi import engine
from bot.kpi.catalog import CHANNEL_COLUMNS
from bot.kpi.channel_table import OTHERS, top_rows
from bot.kpi.engine import Report
from bot.kpi.funnel import build_funnel
from bot.kpi.outputs import write_all
from bot.kpi.periods import Period
from bot.kpi.render import render_campaigns_csv, render_channels_csv
from bot.kpi.table_png import draw_table, render_channel_table_png, table_cells

WEEK = Period.containing("week", date(2026, 11, 23))
PNG = b"\x89PNG\r\n\x1a\n"
NNBSP = "\u202f"
HOSTILE = '<!channel> *bold* =HYPERLINK("https://evil.example","x")'

# (channel, campaign, leads, target leads); (channel, campaign, sales, revenue, customers, new customers);
# (channel, campaign, spend) — as storage.repos.metrics gives them.
LEADS = [("ads", "brand", 4, 1), ("ads", "generic", 2, 0), ("display", "banner", 1, 0), (None, None, 3, 0)]
SALES = [("ads", "brand", 2, 2000.0, 2, 1), ("ads", "generic", 1, 520.0, 1, 1), (None, None, 1, 1234.5, 1, 0)]
SPEND = [("ads", "brand", 600.0), ("ads", "generic", 400.0), ("display", "banner", 300.0)]


def report(channels: list[dict] | None = None, *, language: str = "en", kind: str = "weekly", **kw) -> Report:
    if channels is None:
        frame = engine.build_channels(LEADS, SALES, SPEND)
        channels = engine.frame_records(frame, ["channel", *CHANNEL_COLUMNS])
        frame = engine.build_channels(LEADS, SALES, SPEND, by="campaign")
        kw.setdefault("campaigns", engine.frame_records(frame, ["campaign", *CHANNEL_COLUMNS]))
    return Report(
        kind=kind,
        team_id="T1",
        workspace="Acme",
        language=language,
        tz="UTC",
        period=WEEK,
        previous_period=WEEK.previous(),
        kpis=engine.build_kpis({}, {}),
        funnel=build_funnel({}, {}, {}, period=WEEK),
        channels=channels,
        **kw,
    )


def channel(name: str | None, *, spend: float | None, revenue: float, leads: int = 1, **counts: float) -> dict:
    """A channel row as report.channels holds it; ratios are left out where a test does not read them."""
    return {"channel": name, "leads": leads, "spend": spend, "revenue": revenue, **counts}


def test_the_csvs_round_money_and_ratios_to_two_decimals_and_keep_counts_whole():
    """ads: 6 leads, 1 target (16.67%), 1,000 spent, 3 customers (2 new: CAC 500), 2,520 revenue (ROMI 152%);
    display: ROMI −100 stays a number; the unset channel has no spend: its costs are empty, not 0."""
    header = (
        "channel,leads,target_leads,target_share_pct,spend,cost_per_lead,cost_per_target_lead,customers,"
        "new_customers,cac,revenue,romi_pct,sales,conversion_pct"
    )
    assert render_channels_csv(report()).splitlines() == [
        header,
        "ads,6,1,16.67,1000.00,166.67,1000.00,3,2,500.00,2520.00,152.00,3,50.00",
        ",3,0,0.00,,,,1,0,,1234.50,,1,33.33",
        "display,1,0,0.00,300.00,300.00,,0,0,,0.00,-100.00,0,0.00",
    ]
    assert render_campaigns_csv(report()).splitlines() == [
        header.replace("channel", "campaign", 1),
        "brand,4,1,25.00,600.00,150.00,600.00,2,1,600.00,2000.00,233.33,2,50.00",
        ",3,0,0.00,,,,1,0,,1234.50,,1,33.33",
        "generic,2,0,0.00,400.00,200.00,,1,1,400.00,520.00,30.00,1,50.00",
        "banner,1,0,0.00,300.00,300.00,,0,0,,0.00,-100.00,0,0.00",
    ]


def test_a_name_that_is_a_formula_is_text_in_the_csv_and_a_number_is_not():
    """`=HYPERLINK(…)` and `-promo` get an apostrophe; a ROMI of −50 does not (it is a number)."""
    rows = [channel('=HYPERLINK("https://evil.example","x")', spend=10.0, revenue=5.0, romi_pct=-50.0)]
    rows.append(channel("-promo", spend=None, revenue=0.0))
    got = list(csv.DictReader(io.StringIO(render_channels_csv(report(rows)))))
    assert [r["channel"] for r in got] == ['\'=HYPERLINK("https://evil.example","x")', "'-promo"]
    assert got[0]["romi_pct"] == "-50.00" and got[1]["spend"] == ""


def test_rows_are_ordered_by_money_at_stake():
    """Spend plus revenue, most first; a tie goes to more leads, then to the name; unknown spend is none."""
    rows = [
        channel("seo", spend=None, revenue=900.0),
        channel("ads", spend=700.0, revenue=300.0),  # 1,000
        channel("tv", spend=1000.0, revenue=0.0, leads=5),  # 1,000, more leads
        channel("email", spend=50.0, revenue=850.0),  # 900, tie with seo: by name
        channel(None, spend=None, revenue=10.0),
    ]
    assert [r["channel"] for r in top_rows(rows)] == ["tv", "ads", "email", "seo", None]


def test_past_eight_channels_the_rest_is_one_row_summed():
    """Eleven channels: the top eight, then the three smallest as one row. x (100 spent, 50 revenue),
    y (spend unknown, 80) and z (20, 0): 20 leads, 5 target (25%), 120 spent, 130 revenue, 3 sales (15%);
    cost per lead, per target lead, CAC and ROMI over x and z only, the channels with known spend:
    120 ÷ 15 leads = 8, 120 ÷ 4 target = 30, 120 ÷ 1 new customer = 120, (50 − 120) ÷ 120 = −58.3%."""
    big = [channel(f"c{i}", spend=1000.0 - i * 100, revenue=100.0) for i in range(8)]  # 1,100 … 400
    small = [
        channel("x", spend=100.0, revenue=50.0, leads=10, target_leads=4, sales=1, customers=1, new_customers=1),
        channel("y", spend=None, revenue=80.0, leads=5, target_leads=1, sales=2, customers=2, new_customers=2),
        channel("z", spend=20.0, revenue=0.0, leads=5, target_leads=0, sales=0, customers=0, new_customers=0),
    ]
    rows = top_rows([*small, *big])
    assert [r["channel"] for r in rows] == [f"c{i}" for i in range(8)] + [None]
    others = rows[-1]
    assert others[OTHERS] == 3
    assert {k: others[k] for k in ("leads", "target_leads", "spend", "revenue", "sales", "customers")} == {
        "leads": 20,
        "target_leads": 5,
        "spend": 120,
        "revenue": 130,
        "sales": 3,
        "customers": 3,
    }
    assert (others["target_share_pct"], others["conversion_pct"]) == (25.0, 15.0)
    assert (others["cost_per_lead"], others["cost_per_target_lead"], others["cac"]) == (8.0, 30.0, 120.0)
    assert others["romi_pct"] == pytest.approx(-58.333, abs=0.001)
    cells = table_cells(report([*small, *big]))[1]
    assert cells[-1] == ["3 other channels", "20", "25.0%", "120", "30", "3", "130", "120", "−58.3%"]


def test_nine_channels_are_all_shown_and_others_with_no_spend_have_no_costs():
    """A rest of one channel is shown as itself; a rest whose spend is all unknown has no costs at all."""
    nine = [channel(f"c{i}", spend=100.0, revenue=100.0 * (9 - i)) for i in range(9)]
    assert [r["channel"] for r in top_rows(nine)] == [f"c{i}" for i in range(9)]
    free = [channel(f"f{i}", spend=None, revenue=1.0) for i in range(2)]
    others = top_rows([*nine[:8], *free])[-1]
    assert others[OTHERS] == 2 and others["spend"] is None
    assert (others["cost_per_target_lead"], others["cac"], others["romi_pct"]) == (None, None, None)


def test_the_table_has_the_catalogue_labels_and_the_workspace_number_format_in_russian():
    """Russian: the catalogue's labels, thin-space thousands, a decimal comma, the plural of the rest; money
    in the workspace's currency when it has one."""
    rows = [channel(f"c{i}", spend=12_345.0, revenue=1000.0 - i, leads=3, target_leads=1) for i in range(10)]
    header, cells = table_cells(report(rows, language="ru"))
    assert header == [
        "Канал",
        "Лиды",
        "Доля целевых среди всех лидов, %",
        "Расходы на маркетинг",
        "Цена целевого лида",
        "Продажи",
        "Выручка",
        "CAC",
        "ROMI, %",
    ]
    assert cells[0][:4] == ["c0", "3", "—", f"12{NNBSP}345"]  # a share the engine did not compute: unknown
    assert cells[-1][:4] == ["ещё 2 канала", "6", "33,3%", f"24{NNBSP}690"]
    assert table_cells(report([channel(None, spend=None, revenue=0.0)], language="ru"))[1][0][0] == "(не указан)"
    rub = table_cells(report([channel("a", spend=12_345.0, revenue=0.0)], language="ru", currency="RUB"))[1][0]
    usd = table_cells(report([channel("a", spend=12_345.0, revenue=0.0)], currency="USD"))[1][0]
    assert (rub[3], usd[3]) == (f"12{NNBSP}345\u00a0₽", "$12,345")  # the workspace's currency on money


def test_a_hostile_channel_name_is_shown_as_it_is_spelled_and_cut():
    """A CRM channel named like a mention, mrkdwn, a formula or TeX is drawn letter for letter, cut at 24
    characters with an ellipsis, and never read as matplotlib's mathtext (which fails on `\\undefined`)."""
    tex = r"$\undefined{x}$ 100% $"
    rows = [channel(HOSTILE, spend=5.0, revenue=0.0), channel(tex, spend=1.0, revenue=0.0)]
    header, cells = table_cells(report(rows))
    assert [r[0] for r in cells] == ["<!channel> *bold* =HYPE…", tex]
    fig = Figure()
    ax = fig.add_subplot()
    draw_table(ax, header, cells, others=False)
    drawn = {t.get_text(): t for t in ax.texts}
    assert tex in drawn and not any(t.get_parse_math() for t in ax.texts)
    assert render_channel_table_png(report(rows))[:8] == PNG


def test_report_out_writes_the_table_picture_and_both_csvs(tmp_path: Path):
    """A week: the picture and the campaigns CSV beside the channels CSV; a day has no campaign table."""
    names = {p.name for p in write_all(report(), tmp_path / "week")}
    assert {"channel-table-weekly.png", "channels-weekly.csv", "campaigns-weekly.csv"} <= names
    assert (tmp_path / "week" / "channel-table-weekly.png").read_bytes()[:8] == PNG
    assert "brand,4,1,25.00" in (tmp_path / "week" / "campaigns-weekly.csv").read_text()
    names = {p.name for p in write_all(report(kind="daily", campaigns=[]), tmp_path / "day")}
    assert "channels-daily.csv" in names and not any(n.startswith("campaigns") for n in names)
