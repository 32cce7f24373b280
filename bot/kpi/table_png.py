"""The channel table as a picture for the digest's thread, drawn with matplotlib's object API (no pyplot).

A picture rather than a monospace block: nine columns take some 90 characters, and Slack wraps a code
block's lines to the width of the screen — on a phone (35–45 characters) every row would break in two or
three and the columns would no longer line up. A picture keeps its columns on any screen and can be
zoomed; the CSVs beside it carry the same numbers for a spreadsheet.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.i18n import plural, translator
from bot.kpi.catalog import label
from bot.kpi.channel_table import OTHERS, top_rows
from bot.kpi.charts import _collected, _png
from bot.kpi.engine import Report
from bot.kpi.render import fmt_kpi_value
from bot.slack.kit import shorten

COLUMNS = ("leads", "target_share_pct", "spend", "cost_per_target_lead", "sales", "revenue", "cac", "romi_pct")
NAME_LIMIT = 24  # characters of a channel's name; a longer one ends in "…"
FONT = 13.0
HEADER_FONT = 11.0
CHAR = 0.62  # a character's width in ems, about, in DejaVu Sans (digits are 0.64)
PAD = 2.0  # characters between columns
ROW_IN = 0.42  # a row's height, in inches
BAND = "#f2f5f8"
GREY = "#555555"


def channel_name(row: Mapping[str, Any], language: str) -> str:
    """A row's first cell: the channel's name on one line, cut with an ellipsis; the summed row says how
    many channels it holds."""
    if row.get(OTHERS):
        n, ngettext = int(row[OTHERS]), plural(language)
        return ngettext("{n} other channel", "{n} other channels", n).format(n=n)
    name = str(row.get("channel") or "").strip()
    return shorten(name, NAME_LIMIT) if name else translator(language)("(not set)")


def table_cells(report: Report) -> tuple[list[str], list[list[str]]]:
    """The header and the rows as they are shown: the top channels by money at stake, the others summed."""
    lang = report.language
    header = [translator(lang)("Channel"), *(label(c, lang) for c in COLUMNS)]
    money = report.currency
    rows = [
        [channel_name(r, lang), *(fmt_kpi_value(c, r.get(c), lang, money) for c in COLUMNS)]
        for r in top_rows(report.channels)
    ]
    return header, rows


def _widths(header: list[list[str]], rows: list[list[str]]) -> list[float]:
    """Each column's width in characters of the body's font: its widest cell or header line."""
    scale = HEADER_FONT / FONT
    return [
        max([len(r[i]) for r in rows] + [len(line) * scale for line in header[i]] + [4]) + PAD
        for i in range(len(header))
    ]


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def draw_table(ax: Axes, header: list[str], rows: list[list[str]], *, others: bool) -> None:
    """The table in character units: x in characters, y in rows (the header takes two)."""
    head = [_wrapped(h, 12) for h in header]
    widths = _widths(head, rows)
    right = [sum(widths[: i + 1]) - PAD / 2 for i in range(len(widths))]
    total = sum(widths)
    for y in range(len(rows)):
        if y % 2 == 0:
            ax.axhspan(2 + y, 3 + y, color=BAND, linewidth=0)
    ax.plot([0, total], [2, 2], color="#999999", linewidth=1)
    for i, lines in enumerate(head):
        x, ha = (PAD / 2, "left") if i == 0 else (right[i], "right")
        # Outside text never reaches matplotlib's mathtext: a `$` in a name is a dollar sign.
        ax.text(x, 1.85, "\n".join(lines), ha=ha, va="bottom", fontsize=HEADER_FONT, color=GREY, parse_math=False)
    for y, row in enumerate(rows):
        last = others and y == len(rows) - 1
        for i, cell in enumerate(row):
            x, ha = (PAD / 2, "left") if i == 0 else (right[i], "right")
            ax.text(
                x,
                2.5 + y,
                cell,
                ha=ha,
                va="center",
                fontsize=FONT,
                fontweight="bold" if i == 0 and not last else "normal",
                fontstyle="italic" if last else "normal",
                color=GREY if last else "#1a1a1a",
                parse_math=False,
            )
    ax.set_xlim(0, total)
    ax.set_ylim(2 + len(rows), 0)
    ax.axis("off")


@_collected
def render_channel_table_png(report: Report) -> bytes:
    """The channel table of a report: title, header, up to nine rows."""
    _ = translator(report.language)
    header, rows = table_cells(report)
    others = any(r.get(OTHERS) for r in top_rows(report.channels))
    head = [_wrapped(h, 12) for h in header]
    char_in = FONT / 72 * CHAR
    table_w, table_h = sum(_widths(head, rows)) * char_in, (2 + len(rows)) * ROW_IN
    top, bottom, left = 0.85, 0.15, 0.2  # inches
    fig_w, fig_h = max(table_w + 2 * left, 7.0), table_h + top + bottom
    fig = Figure(figsize=(fig_w, fig_h), dpi=110)
    fig.patch.set_facecolor("white")
    fig.text(
        left / fig_w,
        1 - 0.3 / fig_h,
        f"{_('Channels')} · {report.workspace}",
        parse_math=False,  # the workspace's name is outside text
        fontsize=16,
        fontweight="bold",
        ha="left",
        va="center",
    )
    subtitle = f"{report.period.label(report.language)} · {_('sorted by spend plus revenue, largest first')}"
    fig.text(left / fig_w, 1 - 0.65 / fig_h, subtitle, fontsize=11, color=GREY, ha="left", va="center")
    ax = fig.add_axes((left / fig_w, bottom / fig_h, table_w / fig_w, table_h / fig_h))
    draw_table(ax, header, rows, others=others)
    return _png(fig)
