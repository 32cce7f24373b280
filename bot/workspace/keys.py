"""Workspace settings: the keys, their parsing and their display. Pure; the CLI and the modal share it."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import available_timezones

from bot.i18n import LANGUAGES, N_
from bot.workspace.formats import parse_crm_lead_url, parse_currency
from bot.workspace.numbers import (
    parse_first_touch_hours,
    parse_leads_per_week,
    parse_on_time_pct,
    parse_retention_days,
    parse_target_share,
)

# The posts the bot makes on a schedule, by kind, as their titles read.
DIGESTS = ("daily", "weekly", "monthly")
REPORT_TITLES = {
    "daily": N_("Daily digest"),
    "weekly": N_("Weekly digest"),
    "monthly": N_("Monthly report"),
    "range": N_("KPI report"),
    "quality": N_("Lead quality"),
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_PRINCIPAL = re.compile(r"^[UWS][A-Z0-9]{2,}$")
ECHO = 100  # characters of a refused value an error repeats
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ConfigError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _timezone(v: str) -> str:
    # Looked up in the zone list, not by ZoneInfo(v): that opens a file named like the input, and a
    # name of 300 characters raised OSError (file name too long) out of the settings form.
    if v not in _zones():
        raise ValueError(f"unknown time zone '{v[:100]}' (use an IANA name such as Europe/Moscow)")
    return v


def _language(v: str) -> str:
    v = v.lower()
    if v not in LANGUAGES:
        raise ValueError(f"'{v}' is not one of {', '.join(LANGUAGES)}")
    return v


def _channel(v: str) -> str | None:
    v = v.strip().lstrip("#")
    if v in ("", "-", "none"):
        return None
    if not _CHANNEL.match(v):
        raise ValueError(f"'{v}' is not a channel id (like C0123ABCD; in Slack: channel details → bottom)")
    return v


def _principals(v: str) -> list[str]:
    items = [p.strip().lstrip("@") for p in v.split(",") if p.strip()]
    bad = [p for p in items if not _PRINCIPAL.match(p)]
    if bad:
        raise ValueError(f"'{bad[0]}' is not a user id (U…/W…) or a user-group id (S…)")
    return list(dict.fromkeys(items))


# The days as a Russian team writes them (пн-пт).
DAYS_RU = dict(zip(("пн", "вт", "ср", "чт", "пт", "сб", "вс"), DAYS, strict=True))


def parse_workdays(v: str) -> list[str]:
    """`mon-fri`, `sun-thu`, `mon,wed,fri` (or `пн-пт`, `вс-чт`) → the days in week order."""
    days: set[str] = set()
    v = re.sub(r"[а-я]{2}", lambda m: DAYS_RU.get(m.group(0), m.group(0)), v.lower().replace("–", "-"))
    for part in v.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in DAYS or b not in DAYS:
                raise ValueError(f"'{part[:ECHO]}' is not a day range (like mon-fri)")
            i, j = DAYS.index(a), DAYS.index(b)
            span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
            days.update(DAYS[k] for k in span)
        elif part in DAYS:
            days.add(part)
        else:
            raise ValueError(f"'{part[:ECHO]}' is not a day (mon … sun)")
    if not days:
        raise ValueError("no working days given")
    return [d for d in DAYS if d in days]


def display_workdays(stored: str) -> str:
    """`mon,tue,wed,thu,fri` → `mon-fri`; `mon,tue,wed,thu,sun` → `sun-thu`; other sets stay a list."""
    days = parse_workdays(stored)
    on = [d in days for d in DAYS]
    if 2 < len(days) < 7 and sum(on[i] and not on[i - 1] for i in range(7)) == 1:
        start = next(i for i in range(7) if on[i] and not on[i - 1])
        return f"{DAYS[start]}-{DAYS[(start + len(days) - 1) % 7]}"
    return ",".join(days)


def _workdays(v: str) -> str:
    return ",".join(parse_workdays(v))


def parse_hhmm(v: str) -> time:
    m = _HHMM.match(v.strip())
    if not m:
        raise ValueError(f"'{v[:ECHO]}' is not a time (HH:MM, 24-hour)")
    return time(int(m.group(1)), int(m.group(2)))


def _hhmm(v: str) -> str:
    return parse_hhmm(v).strftime("%H:%M")


def _work_hours(v: str) -> str:
    a, sep, b = v.partition("-")
    if not sep:
        raise ValueError(f"'{v[:ECHO]}' is not a range (like 09:00-18:00)")
    start, end = parse_hhmm(a), parse_hhmm(b)
    if start >= end:
        raise ValueError("the start must be before the end")
    return f"{start:%H:%M}-{end:%H:%M}"


def _on_off(v: str) -> bool:
    v = v.strip().lower()
    if v in ("on", "true", "yes", "1"):
        return True
    if v in ("off", "false", "no", "0"):
        return False
    raise ValueError(f"'{v}' is not on or off")


def _hours(v: str) -> int:
    v = v.strip()
    if not (v.isascii() and v.isdigit()) or not 0 <= int(v) <= 200:  # '²' is a digit to isdigit(), not to int()
        raise ValueError(f"'{v[:ECHO]}' is not a number of working hours (0 switches the SLA off)")
    return int(v)


def _user(v: str) -> str | None:
    v = v.strip().lstrip("@")
    if v in ("", "-", "none"):
        return None
    if not re.match(r"^[UW][A-Z0-9]{2,}$", v):
        raise ValueError(f"'{v}' is not a user id (U…/W…)")
    return v


VERDICT_NAMES = ("target", "not_target", "spam", "duplicate", "cant_reach", "not_now")


def _reactions(v: str) -> dict[str, str]:
    """`x=not_target, white_check_mark=target` → {emoji: verdict}."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in v.split(",") if p.strip()):
        emoji, sep, verdict = part.partition("=")
        emoji, verdict = emoji.strip().strip(":"), verdict.strip()
        if not sep or not emoji or verdict not in VERDICT_NAMES:
            raise ValueError(f"'{part}' is not emoji=verdict (verdicts: {', '.join(VERDICT_NAMES)})")
        out[emoji] = verdict
    return out


def _reasons(v: str) -> list[str]:
    """Reasons sales can pick, separated by `;` (empty: the built-in catalogue)."""
    items = [r.strip() for r in v.split(";") if r.strip()]
    if any(len(r) > 75 for r in items):
        raise ValueError("a reason is longer than 75 characters")
    return list(dict.fromkeys(items))


def parse_dates(v: str) -> list[str]:
    """`2026-12-31, 2027-01-07` → sorted ISO dates without repeats; `none` → []."""
    out = set()
    for part in re.split(r"[,\s]+", v):
        if not part or part in ("-", "none"):
            continue
        try:
            out.add(date.fromisoformat(part).isoformat())
        except ValueError:
            raise ValueError(f"'{part}' is not a date (YYYY-MM-DD)") from None
    return sorted(out)


def _percent(v: str) -> float | None:
    v = v.strip().rstrip("%")
    if v in ("", "-", "none"):
        return None
    try:
        value = float(v.replace(",", "."))
    except ValueError:
        raise ValueError(f"'{v}' is not a percent (like 40, or none for the top quartile)") from None
    if not 0 <= value <= 100:
        raise ValueError(f"'{v}' is not between 0 and 100")
    return value


@dataclass(frozen=True)
class Key:
    name: str
    parse: Callable[[str], Any]


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("timezone", _timezone),
        Key("language", _language),
        Key("leads_channel", _channel),
        Key("digest_channel", _channel),
        Key("marketing_channel", _channel),
        Key("sync_channel", _channel),
        Key("admins", _principals),
        Key("sales", _principals),
        Key("marketing", _principals),
        Key("workdays", _workdays),
        Key("work_hours", _work_hours),
        Key("daily_digest", _on_off),
        Key("weekly_digest", _on_off),
        Key("monthly_digest", _on_off),
        Key("daily_digest_time", _hhmm),
        Key("weekly_digest_time", _hhmm),
        Key("monthly_digest_time", _hhmm),
        Key("sla_hours", _hours),
        Key("head_of_sales", _user),
        Key("reactions", _reactions),
        Key("reasons", _reasons),
        Key("quality_report", _on_off),
        Key("quality_report_time", _hhmm),
        Key("margin_threshold", _percent),
        Key("holidays", parse_dates),
        Key("retention_days", parse_retention_days),
        Key("currency", parse_currency),
        Key("crm_lead_url", parse_crm_lead_url),
        Key("agreement_leads_per_week", parse_leads_per_week),
        Key("agreement_target_share_pct", parse_target_share),
        Key("agreement_first_touch_hours", parse_first_touch_hours),
        Key("agreement_on_time_pct", parse_on_time_pct),
    )
}


def parse_value(key: str, raw: str) -> Any:
    if key not in KEYS:
        raise ConfigError(key, f"unknown setting (known: {', '.join(KEYS)})")
    try:
        return KEYS[key].parse(raw)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None


def parse_assignments(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` strings → parsed values; the first bad one raises ConfigError naming its key."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise ConfigError(pair, "expected KEY=VALUE")
        out[key.strip()] = parse_value(key.strip(), raw.strip())
    return out


def display(value: Any, key: str | None = None) -> str:
    if key == "workdays":
        return display_workdays(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return (", " if key != "reasons" else "; ").join(value) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) if value else "—"
    return str(value)
