"""Reading a plan as people type it: `leads=500 revenue=2 000 000`, a month `2026-12`. Every error
names the field it is about, so the CLI, the CSV import and the modal can all say where it is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from bot.i18n import N_, Refusal
from bot.kpi.catalog import KPIS
from bot.kpi.plan import PLANNED

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Spaces people put between thousands (plain, no-break, thin) and currency signs around a number.
_JUNK = re.compile(r"[\s\u00a0\u202f\u2009'$€£₽¥]|(?i:rub|usd|eur|руб\.?)")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
# Beyond this no plan of a month means what it says (a typo of several zeros).
MOST = 1e12


class PlanError(Refusal):
    """A value that cannot go into a plan; `field` is the KPI, `month`, `channel` or `kpi`."""

    def __init__(self, field: str, msgid: str, **params: object) -> None:
        super().__init__(msgid, **params)
        self.field = field


def parse_month(text: str) -> str:
    """`2026-12` (a month as `YYYY-MM`) → itself; anything else is an error naming the month field."""
    m = MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
        raise PlanError("month", N_("month: '{value}' is not a month; write it as YYYY-MM, e.g. 2026-12"), value=text)
    return text.strip()


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_money(kpi: str) -> bool:
    return KPIS[kpi].unit == "money"


def parse_kpi(name: str) -> str:
    key = name.strip().lower()
    if key not in PLANNED:
        known = ", ".join(PLANNED)
        raise PlanError("kpi", N_("'{name}' is not a KPI a plan has (one of: {known})"), name=name, known=known)
    return key


def parse_value(kpi: str, text: str) -> float | None:
    """One planned value: a count is a whole number, money may have cents, spaces or commas between
    thousands (`2 000 000`, `2,000,000`, `1 234,50`). Empty or `none` removes the KPI from the plan."""
    raw = text.strip()
    if raw.lower() in ("", "none", "-", "—"):
        return None
    clean = _JUNK.sub("", raw)
    if _GROUPED.match(clean) or ("," in clean and "." in clean):
        clean = clean.replace(",", "")
    else:
        clean = clean.replace(",", ".")
    try:
        value = float(clean)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        msgid = (
            N_("{kpi}: '{value}' is not a number (an amount, e.g. 2000000 or 2 000 000)")
            if is_money(kpi)
            else N_("{kpi}: '{value}' is not a number (a whole number, e.g. 500)")
        )
        raise PlanError(kpi, msgid, kpi=kpi, value=raw)
    if value < 0:
        raise PlanError(kpi, N_("{kpi}: '{value}' is below zero"), kpi=kpi, value=raw)
    if value > MOST:
        raise PlanError(kpi, N_("{kpi}: '{value}' is too large for a month's plan"), kpi=kpi, value=raw)
    if not is_money(kpi) and value != int(value):
        raise PlanError(kpi, N_("{kpi}: '{value}' is a count; give a whole number"), kpi=kpi, value=raw)
    return value


def parse_pairs(pairs: Iterable[str]) -> dict[str, float | None]:
    """`leads=500 revenue=2000000` (each pair one argument) → {kpi: value}; the first bad pair raises."""
    out: dict[str, float | None] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise PlanError("kpi", N_("'{pair}': write KPI=VALUE, e.g. leads=500"), pair=pair)
        kpi = parse_kpi(name)
        out[kpi] = parse_value(kpi, text)
    return out


def shown_value(kpi: str, value: float | None) -> str:
    """A value as it is typed back (in the modal, the CSV): `2000000`, `1234.5`."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")
