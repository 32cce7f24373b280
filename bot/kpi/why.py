"""The Why? button of an outside-band finding: what its value carries and how a click's value is read
back. The value names only the finding (report kind, KPI, period, channel); the workspace is always
the clicking team's, so no value can reach another workspace's numbers."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import ButtonElement

from bot import ids
from bot.i18n import translator
from bot.kpi import bands
from bot.kpi.engine import Alert
from bot.kpi.periods import Period

VERSION = "b1"
VALUE_LIMIT = 2000  # characters a button's value may hold
CHANNEL_LIMIT = 255
# The kinds of period each report kind reports on (a Monday's daily digest covers Friday to Sunday).
PERIOD_KINDS = {"daily": ("day", "range"), "weekly": ("week",), "monthly": ("month",)}


@dataclass(frozen=True)
class WhyAsk:
    kind: str
    kpi: str
    period: Period
    channel: str


def encode(kind: str, kpi: str, period_key: str, channel: str) -> str:
    # The channel is last: a name may hold the separator.
    return "|".join((VERSION, kind, kpi, period_key, channel))


def parse(value: str | None) -> WhyAsk:
    """A Why? value read back; ValueError when it is not one this release writes."""
    parts = (value or "").split("|", 4)
    if len(parts) != 5 or parts[0] != VERSION:
        raise ValueError("not a Why? value")
    _v, kind, kpi, key, channel = parts
    if kind not in PERIOD_KINDS or kpi not in bands.KPIS or len(channel) > CHANNEL_LIMIT:
        raise ValueError("not a Why? value")
    period = Period.from_key(key)
    if period.kind not in PERIOD_KINDS[kind] or (period.kind == "range" and period.days > 7):
        raise ValueError("not a Why? value")
    return WhyAsk(kind, kpi, period, channel)


def why_button(a: Alert, language: str) -> ButtonElement | None:
    """The Why? button of an outside-band finding (None for any other, or when its value is too long)."""
    if a.kind != bands.KIND:
        return None
    f = a.facts
    value = encode(f["report"], f["kpi"], f["period"], f["channel"])
    if len(value) > VALUE_LIMIT or len(f["channel"]) > CHANNEL_LIMIT:
        return None
    _ = translator(language)
    return ButtonElement(action_id=ids.WHY, text=_("Why?"), value=value)
