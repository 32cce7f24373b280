"""KPI reports as Slack sees them: the digest, the /kpi and /funnel answer, the text and CSV renderers,
the catalogue. Reports are small literals; expected values are worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from bot import ids
from bot.kpi.blocks import ALERTS_SHOWN, build_digest, build_on_demand
from bot.kpi.catalog import CATALOG, HEADLINE, KPIS, PERIOD_KPIS, derive, label, markdown_table, ratio, value
from bot.kpi.engine import Alert, Kpi, Report
from bot.kpi.funnel import build_funnel
from bot.kpi.periods import Period
from bot.kpi.render import (
    fmt_change,
    fmt_kpi_value,
    fmt_money,
    fmt_number,
    fmt_pct,
    funnel_line,
    render_channels_csv,
    render_text,
    title,
)
from tests.blockkit import (
    EVIL,
    assert_escaped,
    assert_fits,
    blocks_of,
    buttons,
    context_texts,
    field_texts,
    plain_texts,
    section_texts,
)

WEEK = Period.containing("week", date(2026, 11, 23))  # a Monday: 2026-W48, 23.11–29.11.2026
WEEK_LABEL = "Week 48 · 23\u2009–\u200929 Nov 2026"
PREVIOUS_LABEL = "Week 47 · 16\u2009–\u200922 Nov 2026"
NNBSP = "\u202f"  # Russian thousands separator

HEADLINE_KPIS = {
    "leads": Kpi(1234, 1000, 23.4),
    "target_leads": Kpi(500, 400, 25.0),
    "sales": Kpi(40, 50, -20.0),
    "revenue": Kpi(125_000.0, 100_000.0, 25.0),
    "customers": Kpi(None, 12, None),
    "cac": Kpi(312.4, 250.0, 24.96),
}
# The week's counts; the step conversions of its cohort (2 Aug – 30 Oct): 400/850, 120/400, 30/120.
FUNNEL = build_funnel(
    {"visitors": 10_000, "leads": 1234, "target_leads": 500, "meetings": 100, "sales": 40},
    {"visitors": 8000, "leads": 1000, "target_leads": 400, "meetings": 90, "sales": 50},
    {"leads": 850, "target_leads": 400, "meetings": 120, "sales": 30},
    period=WEEK,
)
FUNNEL_LINE = (
    "Visitors 10,000 → Leads 1,234 → Target leads 500 → Meetings 100 → Sales 40 · "
    "visitors → leads 12.3% in the period\n"
    "Leads of 2 Aug\u2009–\u200930 Oct 2026: how far they got by 29 Nov 2026 — "
    "850 → Target leads 47.1% → Meetings 30.0% → Sales 25.0% · biggest leak: Sales"
)


def make_report(*, language: str = "en", workspace: str = "Acme", **kw) -> Report:
    kpis = {k: Kpi(None, None, None) for k in PERIOD_KPIS} | HEADLINE_KPIS | kw.pop("kpis", {})
    return Report(
        kind=kw.pop("kind", "weekly"),
        team_id="T1",
        workspace=workspace,
        language=language,
        tz="Europe/Berlin",
        period=WEEK,
        previous_period=WEEK.previous(),
        kpis=kpis,
        funnel=kw.pop("funnel", FUNNEL),
        **kw,
    )


# --- the digest -----------------------------------------------------------------------------------


def test_digest_tiles_are_the_headline_kpis_with_values_and_coloured_arrows():
    """Six tiles in HEADLINE order: formatted values, ▲/▼ with the change, 🟢/🔴 by the KPI's good direction."""
    msg = build_digest(make_report())
    assert field_texts(msg) == [
        "*Leads*\n1,234  ▲ +23.4% 🟢",
        "*Target leads*\n500  ▲ +25.0% 🟢",
        "*Sales*\n40  ▼ −20.0% 🔴",
        "*Revenue*\n125,000  ▲ +25.0% 🟢",
        "*Customers*\n—",
        "*CAC*\n312  ▲ +25.0% 🔴",  # CAC up is bad
    ]
    assert HEADLINE == ("leads", "target_leads", "sales", "revenue", "customers", "cac")


def test_digest_cac_falling_is_green_and_leads_falling_red():
    """The colour follows the direction that is good: CAC down 🟢, leads down 🔴, no change ＝."""
    report = make_report(
        kpis={"cac": Kpi(200.0, 250.0, -20.0), "leads": Kpi(900, 1000, -10.0), "sales": Kpi(50, 50, 0.0)}
    )
    tiles = dict(zip(HEADLINE, field_texts(build_digest(report)), strict=True))
    assert tiles["cac"] == "*CAC*\n200  ▼ −20.0% 🟢"
    assert tiles["leads"] == "*Leads*\n900  ▼ −10.0% 🔴"
    assert tiles["sales"] == "*Sales*\n50  ＝ 0%"


def test_digest_layout_header_notes_funnel_and_thread_note():
    """Header with the title, the comparison note, tiles, the funnel line, the note about the thread."""
    msg = build_digest(make_report())
    d = assert_fits(msg)
    assert [b["type"] for b in d["blocks"]] == ["header", "context", "section", "section", "context"]
    assert d["blocks"][0]["text"]["text"] == f"Weekly digest · Acme · {WEEK_LABEL}"
    assert context_texts(msg) == [
        f"Compared with {PREVIOUS_LABEL} · Europe/Berlin",
        "The funnel picture and the channel table are in the thread.",
    ]
    assert section_texts(msg) == ["*Funnel*\n" + FUNNEL_LINE]


def test_digest_text_fallback_names_the_headline_numbers():
    """The notification text: the title and every headline KPI with its value."""
    assert build_digest(make_report()).to_kwargs()["text"] == (
        f"Weekly digest · Acme · {WEEK_LABEL}: "
        "Leads 1,234, Target leads 500, Sales 40, Revenue 125,000, Customers —, CAC 312"
    )


def test_a_late_digest_says_so():
    """A digest posted after downtime says it is late in its notes."""
    (notes, _thread) = context_texts(build_digest(make_report(), late=True))
    assert notes.endswith(" · posted late: the bot was offline at the scheduled time")


def test_digest_shows_the_first_five_alerts():
    """Seven alerts: the first five as bullets under "What to do"."""
    alerts = [Alert("k", f"alert {i}") for i in range(7)]
    texts = section_texts(build_digest(make_report(alerts=alerts)))
    assert ALERTS_SHOWN == 5
    assert texts[1] == "*What to do*\n• alert 0\n• alert 1\n• alert 2\n• alert 3\n• alert 4"


def test_digest_in_russian_formats_numbers_the_russian_way():
    """Russian labels, a narrow no-break space between thousands and a decimal comma."""
    msg = build_digest(make_report(language="ru"))
    tiles = field_texts(msg)
    assert tiles[0] == f"*Лиды*\n1{NNBSP}234  ▲ +23,4% 🟢"
    assert tiles[3] == f"*Выручка*\n125{NNBSP}000  ▲ +25,0% 🟢"
    assert plain_texts(msg)[0].startswith("Еженедельная сводка · Acme · ")
    assert_fits(msg)


def test_digest_with_no_numbers_shows_dashes():
    """A report with every KPI unknown shows — in each tile and no arrows."""
    report = make_report(kpis={k: Kpi(None, None, None) for k in HEADLINE})
    assert [t.split("\n")[1] for t in field_texts(build_digest(report))] == ["—"] * 6


def test_digest_escapes_the_workspace_name_and_alert_texts():
    """A hostile workspace (or /kpi channel filter) and alert texts are data in every mrkdwn string."""
    report = make_report(workspace=EVIL, alerts=[Alert("k", EVIL), Alert("k", "<!here> push it")])
    msg = build_digest(report)
    assert_escaped(msg)
    assert EVIL in plain_texts(msg)[0]  # the header is plain text: shown as it is


def test_digest_with_long_inputs_still_fits():
    """A 200-character workspace name and a hundred 5,000-character alerts: within Slack's limits."""
    report = make_report(workspace="W" * 200, alerts=[Alert("k", "&" * 5000) for _ in range(100)])
    msg = build_digest(report)
    d = assert_fits(msg)
    assert len(d["blocks"][0]["text"]["text"]) == 150
    assert len(section_texts(msg)[1]) <= 3000


# --- the /kpi and /funnel answer ------------------------------------------------------------------


def test_on_demand_kpi_is_the_digest_without_the_thread_note_plus_picture_and_button():
    """/kpi: the digest's blocks but its last note, the funnel picture by file id, a Post button."""
    report = make_report(alerts=[Alert("k", "do this")])
    msg = build_on_demand(report, file_id="F123", focus="kpi", post_value='{"kind": "weekly"}')
    d = assert_fits(msg)
    kinds = [b["type"] for b in d["blocks"]]
    assert kinds == ["header", "context", "section", "section", "section", "image", "actions"]
    image = d["blocks"][5]
    assert image["slack_file"] == {"id": "F123"}
    assert image["alt_text"] == FUNNEL_LINE
    assert image["title"]["text"] == "Funnel"
    (button,) = buttons(msg)
    assert (button["action_id"], button["text"]["text"], button["value"]) == (
        ids.POST_REPORT,
        "Post to channel",
        '{"kind": "weekly"}',
    )
    assert d["text"] == build_digest(report).to_kwargs()["text"]


def test_on_demand_funnel_keeps_header_notes_and_funnel_only():
    """/funnel without a picture: header, notes, the funnel line and the button — no tiles, no alerts."""
    report = make_report(alerts=[Alert("k", "do this")])
    msg = build_on_demand(report, file_id=None, focus="funnel", post_value="v")
    d = assert_fits(msg)
    assert [b["type"] for b in d["blocks"]] == ["header", "context", "section", "actions"]
    assert section_texts(msg) == ["*Funnel*\n" + FUNNEL_LINE]


def test_on_demand_for_a_channel_of_400_cyrillic_letters_fits():
    """The button's value carries the channel: kept as letters (not \\uXXXX); past Slack's 2,000, no button."""
    from bot.kpi.on_demand import KpiRequest

    short = KpiRequest("weekly", WEEK, "Ж" * 400).to_value()
    assert len(short) < 500 and "Ж" * 400 in short
    report = make_report()
    msg = build_on_demand(
        report, file_id=None, focus="kpi", post_value=KpiRequest("weekly", WEEK, "Ж" * 2000).to_value()
    )
    assert [b["type"] for b in assert_fits(msg)["blocks"]][-1] != "actions"
    assert KpiRequest.from_value(short).channel == "Ж" * 400


def test_on_demand_with_hostile_names_is_safe():
    """Outside text in the on-demand answer is escaped in mrkdwn; the picture's alt text is plain."""
    report = make_report(workspace=EVIL, alerts=[Alert("k", EVIL)])
    assert_escaped(build_on_demand(report, file_id="F1", focus="kpi", post_value="v"))
    assert_escaped(build_on_demand(report, file_id="F1", focus="funnel", post_value="v"), shown=("&lt;!channel&gt;",))


# --- the renderers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "language", "decimals", "shown"),
    [
        (1234, "en", 0, "1,234"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (1234, "ru", 0, f"1{NNBSP}234"),
        (1234.5, "ru", 1, f"1{NNBSP}234,5"),
        (0, "en", 0, "0"),
        (-1500, "en", 0, "−1,500"),
        (-100, "ru", 1, "−100,0"),
        (-0.3, "en", 0, "0"),
        (float("nan"), "en", 0, "—"),
        (None, "en", 0, "—"),
    ],
)
def test_fmt_number(number, language, decimals, shown):
    """Thousands separators and decimals by language; None is a dash."""
    assert fmt_number(number, language, decimals) == shown


NBSP = "\u00a0"  # between an amount and its symbol


@pytest.mark.parametrize(
    ("amount", "language", "currency", "shown"),
    [
        (12_400, "en", "USD", "$12,400"),
        (12_400, "ru", "RUB", f"12{NNBSP}400{NBSP}₽"),
        (12_400, "ru", "USD", f"12{NNBSP}400{NBSP}$"),
        (1_234_567.891, "en", "EUR", "€1,234,568"),
        (12_400, "en", "RUB", f"RUB{NBSP}12,400"),  # a code for a symbol stands apart from the digits
        (-1500, "en", "USD", "−$1,500"),  # a refund
        (12_400, "en", None, "12,400"),  # no currency set: the bare number, as before
        (12_400, "ru", None, f"12{NNBSP}400"),
        (None, "en", "USD", "—"),
    ],
)
def test_fmt_money(amount, language, currency, shown):
    """An amount with its currency's symbol where the language puts it; whole units; none set, no symbol."""
    assert fmt_money(amount, language, currency) == shown


def test_money_tiles_and_the_channel_table_carry_the_currency():
    """Revenue and CAC (unit money) get the symbol; leads, sales and rates do not; JSON names the code."""
    report = make_report(currency="USD", channels=[CHANNEL_ROW])
    tiles = field_texts(build_digest(report))
    assert tiles[3] == "*Revenue*\n$125,000  ▲ +25.0% 🟢" and tiles[5] == "*CAC*\n$312  ▲ +25.0% 🔴"
    assert tiles[0] == "*Leads*\n1,234  ▲ +23.4% 🟢" and tiles[2] == "*Sales*\n40  ▼ −20.0% 🔴"
    assert build_digest(report).to_kwargs()["text"].endswith("Revenue $125,000, Customers —, CAC $312")
    row = next(line for line in render_text(report).splitlines() if line.strip().startswith("ads"))
    assert row.split() == ["ads", "20", "25.0%", "$1,000", "$200", "2", "$3,000", "$500", "200.0%"]
    assert report.to_json()["currency"] == "USD" and make_report().to_json()["currency"] is None
    ru = field_texts(build_digest(make_report(language="ru", currency="RUB")))
    assert ru[3] == f"*Выручка*\n125{NNBSP}000{NBSP}₽  ▲ +25,0% 🟢"


CHANNEL_ROW = {
    "channel": "ads",
    "leads": 20,
    "target_leads": 5,
    "target_share_pct": 25.0,
    "spend": 1000.0,
    "cost_per_lead": 50.0,
    "cost_per_target_lead": 200.0,
    "customers": 2,
    "cac": 500.0,
    "revenue": 3000.0,
    "romi_pct": 200.0,
    "sales": 2,
    "conversion_pct": 10.0,
}


def test_fmt_pct_and_kpi_values():
    """Percent KPIs get one decimal and %, the others whole numbers; None is a dash."""
    assert fmt_pct(12.5, "en") == "12.5%"
    assert fmt_pct(12.5, "ru") == "12,5%"
    assert fmt_pct(None, "en") == "—"
    assert fmt_kpi_value("target_share_pct", 12.5, "en") == "12.5%"
    assert fmt_kpi_value("revenue", 1234.4, "en") == "1,234"
    assert fmt_kpi_value("cac", None, "en") == "—"


@pytest.mark.parametrize(
    ("name", "change", "shown"),
    [
        ("leads", 12.0, "▲ +12.0% 🟢"),
        ("leads", -12.0, "▼ −12.0% 🔴"),
        ("cac", 12.0, "▲ +12.0% 🔴"),
        ("cac", -12.0, "▼ −12.0% 🟢"),
        ("spend", 5.0, "▲ +5.0%"),  # neither way is good in itself: no colour
        ("spend", -5.0, "▼ −5.0%"),
        ("target_share_pct", -1.25, "▼ −1.2 pp 🔴"),
        ("target_share_pct", 4.2, "▲ +4.2 pp 🟢"),
        ("leads", 0.04, "＝ 0%"),
        ("leads", -0.04, "＝ 0%"),
        ("target_share_pct", 0.01, "＝ 0 pp"),
        ("leads", None, ""),
        ("target_share_pct", None, ""),
    ],
)
def test_fmt_change(name, change, shown):
    """Arrow and sign say the direction, the colour whether that is good for this KPI; rates in points."""
    k = Kpi(1, 1, None, change) if KPIS[name].unit == "percent" else Kpi(1, 1, change)
    assert fmt_change(name, k, "en") == shown


def test_fmt_change_of_a_rate_in_russian():
    assert fmt_change("target_share_pct", Kpi(9.1, 23.3, None, -14.2), "ru") == "▼ −14,2 п.\u00a0п. 🔴"


def test_title_and_funnel_line():
    """The title names the report, workspace and period; the funnel line every stage with its conversion."""
    report = make_report()
    assert title(report) == f"Weekly digest · Acme · {WEEK_LABEL}"
    assert funnel_line(report) == FUNNEL_LINE


def test_funnel_line_with_steps_too_small_to_judge_shows_dashes():
    """No visitors: no visitors → leads ratio; a step from fewer than 10 leads: — and no leak named."""
    funnel = build_funnel({}, {}, {"leads": 9, "target_leads": 9, "meetings": 2, "sales": 1}, period=WEEK)
    assert funnel_line(make_report(funnel=funnel)) == (
        "Visitors 0 → Leads 0 → Target leads 0 → Meetings 0 → Sales 0\n"
        "Leads of 2 Aug\u2009–\u200930 Oct 2026: how far they got by 29 Nov 2026 — "
        "9 → Target leads — → Meetings — → Sales —"
    )


def test_render_text_lists_every_period_kpi_and_marks_the_headline_ones():
    """One line per period KPI with its previous value and change; headline KPIs starred."""
    text = render_text(make_report())
    lines = text.splitlines()
    assert lines[0] == f"Weekly digest · Acme · {WEEK_LABEL}"
    assert lines[1] == f"Compared with {PREVIOUS_LABEL} · Europe/Berlin"
    # "Leads" padded to 26, then the value right-aligned in 14.
    assert "* Leads" + " " * 31 + "1,234  (was 1,000) ▲ +23.4% 🟢" in lines
    assert "  Visitors" + " " * 32 + "—  (was —)" in lines
    assert sum(line.startswith("* ") for line in lines) == len(HEADLINE)
    at = lines.index("  " + FUNNEL_LINE.split("\n")[0])
    assert lines[at + 1] == "  " + FUNNEL_LINE.split("\n")[1]


def test_render_text_channel_table_shows_names_as_they_are():
    """The channel table is a text file: names as given, a missing one as (not set)."""
    row = dict.fromkeys(["leads", "target_share_pct", "spend", "cost_per_target_lead", "sales", "revenue", "cac"], 1)
    channels = [{**row, "channel": EVIL, "romi_pct": None}, {**row, "channel": None, "romi_pct": 50.0}]
    lines = render_text(make_report(channels=channels)).splitlines()
    assert any(line.startswith("  " + EVIL) for line in lines)
    assert any(line.startswith("  (not set)") and line.endswith("50.0%") for line in lines)


def test_render_channels_csv_quotes_and_blanks():
    """The CSV has a header row, quotes names with commas, and leaves unknown values empty."""
    report = make_report(channels=[{"channel": "a, b", "leads": 3, "cac": None}])
    text = render_channels_csv(report)
    assert text == 'channel,leads,cac\r\n"a, b",3,\r\n'
    assert list(csv.reader(io.StringIO(text))) == [["channel", "leads", "cac"], ["a, b", "3", ""]]
    assert render_channels_csv(make_report()) == ""


# --- the catalogue --------------------------------------------------------------------------------


def test_catalogue_keys_are_unique_and_the_surfaces_name_known_kpis():
    """Every KPI a surface shows is in the catalogue, once."""
    assert len(KPIS) == len(CATALOG)
    assert set(HEADLINE) <= set(PERIOD_KPIS)
    assert (KPIS["cac"].good, KPIS["spend"].good, KPIS["leads"].good) == ("down", "none", "up")


def test_ratio_is_none_where_it_has_no_value():
    """a ÷ b × scale, or None for a missing or zero denominator (never inf)."""
    assert ratio(1, 4, 100) == 25.0
    assert ratio(1, 0) is None
    assert ratio(None, 4) is None
    assert ratio(1, None) is None
    assert ratio(float("nan"), 4) is None


def test_value_and_derive_compute_ratios_from_counts():
    """target_share_pct = 3 ÷ 12 × 100 = 25; CAC = 1,000 ÷ 4 = 250; counts pass through."""
    counts = {"leads": 12, "target_leads": 3, "spend": 1000.0, "new_customers": 4}
    assert value("target_share_pct", counts) == 25.0
    assert value("leads", counts) == 12
    derived = derive(counts)
    assert derived["cac"] == 250.0
    assert derived["request_to_meeting_pct"] is None  # no requests counted
    assert "visitors" not in derived


def test_labels_are_translated_and_the_readme_table_has_a_row_per_kpi():
    """label() follows the language; the README table has a header, a rule and one row per KPI."""
    assert label("target_leads", "en") == "Target leads"
    assert label("target_leads", "ru") == "Целевые лиды"
    rows = markdown_table().splitlines()
    assert len(rows) == len(CATALOG) + 2
    assert rows[2].startswith("| `customers` | count | up | digests |")


def test_every_digest_fits_for_each_kind_and_language():
    """Daily, weekly, monthly and range digests in both languages fit Slack's limits."""
    for kind in ("daily", "weekly", "monthly", "range"):
        for language in ("en", "ru"):
            assert_fits(build_digest(make_report(kind=kind, language=language)))
    assert blocks_of(build_digest(make_report(kind="monthly")))[0]["text"]["text"].startswith("Monthly report · ")
