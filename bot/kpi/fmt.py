"""Numbers as people read them: counts, percents, money in the workspace's currency, a KPI's change."""

from __future__ import annotations

import re

from babel import Locale
from babel.numbers import format_currency

from bot.i18n import translator
from bot.kpi.catalog import KPIS
from bot.kpi.engine import Kpi


def fmt_number(value: float | None, language: str, decimals: int = 0) -> str:
    if value is None or value != value:  # None or NaN
        return "—"
    text = f"{abs(value):,.{decimals}f}"
    if language == "ru":
        text = text.replace(",", "\u202f").replace(".", ",")
    # A typographic minus, as the changes have it (−2.6%, not -2.6%); none on what rounds to zero.
    return "−" + text if value < 0 and text.strip("0,.\u202f") else text


def fmt_pct(value: float | None, language: str, decimals: int = 1) -> str:
    return "—" if value is None or value != value else fmt_number(value, language, decimals) + "%"


def fmt_money(value: float | None, language: str, currency: str | None, decimals: int = 0) -> str:
    """An amount as the workspace's people read it: `$12,400`, `12 400 ₽` (Babel's pattern for the
    language: the symbol's place and spacing, with the thin space of `fmt_number` between thousands).
    Without a currency (none set) the bare number."""
    if value is None or value != value or not currency:
        return fmt_number(value, language, decimals)
    pattern = Locale.parse(language).currency_formats["standard"].pattern
    pattern = re.sub(r"\.0+", "." + "0" * decimals if decimals else "", pattern)
    text = format_currency(abs(value), currency, format=pattern, locale=language, currency_digits=False)
    # A code for a symbol (`RUB` in English) stands apart from the digits, as CLDR's spacing rule says.
    text = re.sub(r"(?<=[^\W\d])(?=\d)|(?<=\d)(?=[^\W\d])", "\u00a0", text)
    if language == "ru":
        text = re.sub(r"(?<=\d)\u00a0(?=\d)", "\u202f", text)
    # The typographic minus of fmt_number (a refund: −$1,500), none on what rounds to zero.
    return "−" + text if value < 0 and re.search(r"[1-9]", text) else text


def fmt_kpi_value(name: str, value: float | None, language: str, currency: str | None = None) -> str:
    """A KPI's value by its unit in the catalogue: a percent, an amount of money, a count."""
    if KPIS[name].unit == "percent":
        return fmt_pct(value, language)
    if KPIS[name].unit == "money":
        return fmt_money(value, language, currency)
    return fmt_number(value, language, 0)


def fmt_change(name: str, k: Kpi, language: str) -> str:
    """`▲ +12.0%` for a count or amount, `▼ −4.2 pp` for a rate; the glyph says up or down, the colour
    emoji good or bad by the KPI's good direction (none for spend). Empty when there is no change to
    tell (no value before, or a small base)."""
    kpi = KPIS[name]
    delta, unit = (k.change_pp, " " + translator(language)("pp")) if kpi.unit == "percent" else (k.change_pct, "%")
    if delta is None:
        return ""
    if abs(delta) < 0.05:
        return "＝ 0" + unit
    up = delta > 0
    mood = "" if kpi.good == "none" else (" 🟢" if up == (kpi.good == "up") else " 🔴")
    return f"{'▲' if up else '▼'} {'+' if up else '−'}{fmt_number(abs(delta), language, 1)}{unit}{mood}"
