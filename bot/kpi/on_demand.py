"""`/kpi` and `/funnel`: parsing the request, and the ephemeral answer with the picture."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.kpi.blocks import build_on_demand
from bot.kpi.charts import render_funnel_png
from bot.kpi.periods import KINDS as PERIOD_KINDS
from bot.kpi.periods import Period
from bot.kpi.report import compute_report
from bot.slack.kit import Message, shorten

WORDS = {"day": "daily", "week": "weekly", "month": "monthly"}


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
            {"kind": self.kind, "pk": p.kind, "s": p.start.isoformat(), "e": p.end.isoformat(), "ch": self.channel}
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
            raise RequestError("this button's report cannot be read") from None


class RequestError(ValueError):
    pass


KINDS = ("daily", "weekly", "monthly", "range")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
ECHO = 60  # characters of what was typed repeated in an answer


def _in_range(*days: date) -> bool:
    return all(FIRST_DAY <= d <= LAST_DAY for d in days)


def parse_kpi_request(text: str, *, today: date) -> KpiRequest:
    """`[post] [day|week|month|DATE|DATE..DATE] [channel NAME]`; the default is the last complete day."""
    words = text.split()
    post = bool(words) and words[0].lower() == "post"
    if post:
        words = words[1:]
    channel = None
    if len(words) >= 2 and words[-2].lower() == "channel":
        channel = words[-1]
        words = words[:-2]
    if len(words) > 1:
        raise RequestError(f"I don't understand `{shorten(' '.join(words), ECHO)}`")
    word = words[0].lower() if words else "day"
    if word in WORDS:
        kind = WORDS[word]
        period = Period.containing({"daily": "day", "weekly": "week", "monthly": "month"}[kind], today).previous()
        return KpiRequest(kind, period, channel, post)
    if post:
        raise RequestError("`post` takes day, week or month")
    try:
        days = [date.fromisoformat(x) for x in word.split("..", 1)]
    except ValueError:
        raise RequestError(f"`{shorten(word, ECHO)}` is not day, week, month, a date (YYYY-MM-DD) or a range") from None
    if not _in_range(*days):
        raise RequestError(f"`{word}` is not a date between {FIRST_DAY} and {LAST_DAY}")
    if len(days) == 2:
        if days[1] < days[0]:
            raise RequestError(f"`{word}` ends before it starts")
        return KpiRequest("range", Period.between(days[0], days[1]), channel)
    return KpiRequest("daily", Period.containing("day", days[0]), channel)


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
    return build_on_demand(report, file_id=file_id, focus=focus, post_value=req.to_value())
