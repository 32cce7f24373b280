"""`/kpi` and `/funnel`: parsing the request, and the ephemeral answer with the picture."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.i18n import N_, Refusal
from bot.kpi.agreement import current_standing
from bot.kpi.agreement_blocks import with_standing
from bot.kpi.blocks import build_on_demand
from bot.kpi.charts import render_funnel_png
from bot.kpi.periods import KINDS as PERIOD_KINDS
from bot.kpi.periods import Period
from bot.kpi.report import compute_report, known_channels
from bot.slack.kit import Message, shorten

KIND_OF = {"day": "daily", "week": "weekly", "month": "monthly"}
# A period in words, English and Russian: (day | week | month, how many back from the running one).
PERIOD_WORDS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("today", "сегодня"), ("day", 0)),
    **dict.fromkeys(("", "day", "yesterday", "день", "вчера"), ("day", 1)),
    **dict.fromkeys(("this week", "эта неделя", "текущая неделя", "на этой неделе"), ("week", 0)),
    **dict.fromkeys(("week", "last week", "неделя", "прошлая неделя", "на прошлой неделе"), ("week", 1)),
    **dict.fromkeys(("this month", "этот месяц", "текущий месяц", "в этом месяце"), ("month", 0)),
    **dict.fromkeys(("month", "last month", "месяц", "прошлый месяц", "в прошлом месяце"), ("month", 1)),
}
_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_RU_MONTHS = ["январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"]
POST_WORDS = ("post", "опубликовать")
_DATES = re.compile(r"\d{4}-\d\d(-\d\d)?(\.\.\d{4}-\d\d-\d\d)?")
CHANNEL_WORDS = ("channel", "канал")


@dataclass(frozen=True)
class KpiRequest:
    kind: str  # daily | weekly | monthly | range
    period: Period
    channel: str | None = None
    post: bool = False

    def to_value(self) -> str:
        """The "Post to channel" button's value: enough to compute the same report again."""
        p = self.period
        return json.dumps(
            {"kind": self.kind, "pk": p.kind, "s": p.start.isoformat(), "e": p.end.isoformat(), "ch": self.channel},
            ensure_ascii=False,  # a Cyrillic channel name stays one character a letter, not six
        )

    @classmethod
    def from_value(cls, value: str) -> KpiRequest:
        """The button's value read back; RequestError when it is not one this bot wrote."""
        try:
            v = json.loads(value)
            period = Period(v["pk"], date.fromisoformat(v["s"]), date.fromisoformat(v["e"]))
            if v["kind"] not in KINDS or period.kind not in PERIOD_KINDS or not _in_range(period.start, period.end):
                raise ValueError
            return cls(v["kind"], period, v.get("ch") if isinstance(v.get("ch"), str) else None)
        except (ValueError, TypeError, KeyError, RecursionError):
            raise RequestError(N_("this button's report cannot be read")) from None


class RequestError(Refusal):
    pass


KINDS = ("daily", "weekly", "monthly", "range")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
ECHO = 60  # characters of what was typed repeated in an answer


def _in_range(*days: date) -> bool:
    return all(FIRST_DAY <= d <= LAST_DAY for d in days)


def parse_kpi_request(text: str, *, today: date) -> KpiRequest:
    """`[post] [PERIOD] [channel NAME]`. PERIOD: today, yesterday (the default), this/last week, this/last
    month, a month's name (`november`, `ноябрь 2025`: the latest one not in the future), `2026-11`,
    `2026-W48`, a date or `DATE..DATE`, in English or Russian. `post` takes a finished day, week or month."""
    words = text.split()
    post = bool(words) and words[0].lower() in POST_WORDS
    if post:
        words = words[1:]
    channel = None
    lowered = [w.lower() for w in words]
    for i, word in enumerate(lowered):
        if word in CHANNEL_WORDS:
            channel = " ".join(words[i + 1 :]) or None
            if channel is None:
                raise RequestError(N_("name the channel after `channel`"))
            words, lowered = words[:i], lowered[:i]
            break
    phrase = " ".join(lowered)
    kind, period = _period(phrase, today)
    if post and (kind == "range" or period.end > today):
        raise RequestError(N_("`post` takes a finished day, week or month, like `/kpi post last week`"))
    return KpiRequest(kind, period, channel, post)


def _period(phrase: str, today: date) -> tuple[str, Period]:
    if phrase in PERIOD_WORDS:
        unit, back = PERIOD_WORDS[phrase]
        return KIND_OF[unit], Period.containing(unit, today).shifted(back)
    month = _month(phrase, today)
    if month is not None:
        return "monthly", month
    try:
        period = Period.from_key(phrase.upper())
    except ValueError:
        period = None
    if period is None or not _in_range(period.start, period.last_day):
        if period is None and not _DATES.fullmatch(phrase):
            raise RequestError(N_("I don't understand `{text}`"), text=shorten(phrase, ECHO))
        if period is None and _backwards(phrase):
            raise RequestError(N_("`{text}` ends before it starts"), text=phrase)
        raise RequestError(
            N_("`{text}` is not a date between {first} and {last}"),
            text=shorten(phrase, ECHO),
            first=FIRST_DAY,
            last=LAST_DAY,
        )
    return ("range" if period.kind == "range" else KIND_OF[period.kind]), period


def _backwards(phrase: str) -> bool:
    """Whether `DATE..DATE` names two real dates, the second before the first."""
    try:
        first, last = (date.fromisoformat(x) for x in phrase.split("..", 1))
    except ValueError:
        return False
    return last < first


def _month(phrase: str, today: date) -> Period | None:
    """`november`, `nov`, `ноябрь`, `ноября`, `в ноябре`, with a year or without (the latest not ahead)."""
    words = phrase.removeprefix("в ").split()
    if not words or len(words) > 2 or (len(words) == 2 and not (words[1].isdigit() and len(words[1]) == 4)):
        return None
    name = words[0]
    number = next((i for i, m in enumerate(_EN_MONTHS, 1) if len(name) >= 3 and m.startswith(name)), None)
    if number is None:
        number = next(
            (i for i, stem in enumerate(_RU_MONTHS, 1) if name.startswith(stem) and len(name) - len(stem) <= 2), None
        )
    if number is None:
        return None
    year = int(words[1]) if len(words) == 2 else today.year - (number > today.month)
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        return None
    return Period.containing("month", date(year, number, 1))


def resolve_channel(deps: Deps, team_id: str, typed: str) -> str:
    """The workspace's channel a person meant: `Google Ads`, `google-ads` and `GOOGLE_ADS` are `google_ads`.
    RequestError names the known ones when none matches."""
    known = known_channels(deps, team_id)
    wanted = _folded(typed)
    for name in known:
        if _folded(name) == wanted:
            return name
    shown = ", ".join(shorten(k, ECHO) for k in known[:15]) or "—"
    raise RequestError(
        N_("I know no channel “{channel}”. The channels with data: {known}"), channel=shorten(typed, ECHO), known=shown
    )


def _folded(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def answer(deps: Deps, client: WebClient, team_id: str, req: KpiRequest, *, focus: str) -> Message:
    """The ephemeral answer: the numbers, the funnel picture (uploaded, shown by file id), a Post button."""
    report = compute_report(deps, team_id, req.kind, req.period, channel=req.channel)
    file_id = None
    try:
        upload = client.files_upload_v2(
            content=render_funnel_png(report), filename=f"funnel-{req.period.key()}.png", title=report.workspace
        )
        file_id = upload["files"][0]["id"] if upload.get("files") else None
    except SlackApiError:
        file_id = None  # the numbers still go out; the picture is a bonus
    msg = build_on_demand(report, file_id=file_id, focus=focus, post_value=req.to_value())
    return with_standing(msg, current_standing(deps, team_id)) if focus == "kpi" else msg
