"""Settings whose values are counts and shares: how long personal data is kept, and the two-sided
agreement's numbers. Pure; bot.workspace.keys registers them."""

from __future__ import annotations

MAX_RETENTION_DAYS = 3650
MAX_LEADS_PER_WEEK = 1_000_000
MAX_HOURS = 200
_NONE = ("", "-", "none")


def _whole(v: str) -> int | None:
    # '²' is a digit to isdigit(), not to int(): only ASCII digits are a number here.
    return int(v) if v.isascii() and v.isdigit() else None


def parse_retention_days(v: str) -> int | None:
    """Days a lead's personal data is kept; `none` keeps it until `handoff forget`."""
    v = v.strip()
    if v in _NONE:
        return None
    n = _whole(v)
    if n is None or not 1 <= n <= MAX_RETENTION_DAYS:
        raise ValueError(f"'{v}' is not a number of days from 1 to {MAX_RETENTION_DAYS} (or none)")
    return n


def parse_leads_per_week(v: str) -> int | None:
    """Marketing's side: the leads it sends a week; `none`: not agreed."""
    v = v.strip()
    if v.lower() in _NONE:
        return None
    n = _whole(v)
    if n is None or not 1 <= n <= MAX_LEADS_PER_WEEK:
        raise ValueError(f"'{v[:20]}' is not a number of leads a week from 1 to {MAX_LEADS_PER_WEEK:,} (or none)")
    return n


def _share(v: str) -> float | None:
    try:
        value = float(v.strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= 100 else None  # NaN fails both comparisons


def parse_target_share(v: str) -> float | None:
    """Marketing's side: the target share of judged leads it keeps at least; `none`: not agreed."""
    if v.strip().lower() in _NONE:
        return None
    value = _share(v)
    if value is None:
        raise ValueError(f"'{v.strip()[:20]}' is not a percent above 0 and at most 100 (or none)")
    return value


def parse_first_touch_hours(v: str) -> int | None:
    """Sales' side: working hours from a lead's arrival to its first touch in the CRM; `none`: not agreed."""
    v = v.strip()
    if v.lower() in _NONE:
        return None
    n = _whole(v)
    if n is None or not 1 <= n <= MAX_HOURS:
        raise ValueError(f"'{v[:20]}' is not a number of working hours from 1 to {MAX_HOURS} (or none)")
    return n


def parse_on_time_pct(v: str) -> float:
    """Sales' side: the share of leads that must get their verdict (and first touch) in time."""
    value = _share(v)
    if value is None:
        raise ValueError(f"'{v.strip()[:20]}' is not a percent above 0 and at most 100")
    return value
