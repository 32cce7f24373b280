"""The sync's modals: answering the questions, setting the sync up, the ICP, customer feedback."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block, DatePickerElement, InputBlock, TimePickerElement
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import plural, translator
from bot.slack import modals
from bot.slack.kit import context, escape, md
from bot.sync.blocks.text import WEEKDAYS, when
from bot.sync.calendar import SYNC_KEYS, parse_questions
from bot.workspace.keys import DAYS
from storage.models import IcpVersion, Meeting, SyncSeries, Workspace


def build_answer_modal(ws: Workspace, m: Meeting, questions: Sequence[tuple[str, str]], mine: dict[str, str]) -> View:
    _ = translator(ws.language)
    blocks: list[Block] = [
        context(md(_("Sync on {when}. Leave a question empty to skip it."), when=when(ws, m.starts_at)))
    ]
    for i, (key, text) in enumerate(questions, start=1):
        blocks.append(
            modals.text_input(f"{ids.SYNC_QUESTION_PREFIX}{key}", f"{i}. {text}", mine.get(key), multiline=True)
        )
    return modals.modal(ws.language, ws.team_id, ids.SYNC_ANSWERS_MODAL, _("Sync questions"), blocks, meeting_id=m.id)


def build_setup_modal(ws: Workspace, s: SyncSeries | None, today: date, groups: dict[str, str] | None = None) -> View:
    _ = translator(ws.language)
    ngettext = plural(ws.language)
    weekday = s.weekday if s else 3
    names = groups or {}
    sales, marketing = (s.sales, s.marketing) if s else (ws.sales, ws.marketing)
    blocks: list[Block] = [
        modals.channel_input("channel", _("Channel for the agenda and the summary"), ws.sync_channel),
        modals.select("weekday", _("Weekday"), [(DAYS[i], _(WEEKDAYS[i])) for i in range(7)], DAYS[weekday]),
        InputBlock(
            block_id="time",
            label=_("Local time"),
            element=TimePickerElement(action_id=ids.VALUE, initial_time=s.time if s else "15:00"),
        ),
        modals.select(
            "length_minutes",
            _("Length"),
            [(str(n), _("{n} minutes").format(n=n)) for n in (30, 45, 60, 90, 120)],
            str(s.length_minutes if s else 60),
        ),
        modals.select(
            "every_weeks",
            _("Every"),
            [(str(n), ngettext("every week", "every {n} weeks", n).format(n=n)) for n in (1, 2, 3, 4)],
            str(s.every_weeks if s else 2),
        ),
        InputBlock(
            block_id="start_date",
            label=_("First meeting on or after"),
            element=DatePickerElement(action_id=ids.VALUE, initial_date=(s.start_date if s else today).isoformat()),
        ),
        modals.text_input(
            "timezone", _("Time zone"), s.timezone if s else ws.timezone, _("An IANA name such as Europe/Moscow.")
        ),
        modals.users_input("sales", _("Participants from sales"), sales),
        modals.groups_input("sales", _("Participants from sales: user groups"), sales, names),
        modals.users_input("marketing", _("Participants from marketing"), marketing),
        modals.groups_input("marketing", _("Participants from marketing: user groups"), marketing, names),
        modals.text_input(
            "holidays", _("Holidays"), ", ".join(s.holidays) if s else "", _("Dates, YYYY-MM-DD, separated by commas.")
        ),
        modals.select(
            "holiday_rule",
            _("A meeting on a holiday is"),
            [("skip", _("skipped")), ("move", _("moved to the next working day"))],
            s.holiday_rule if s else "skip",
        ),
        modals.select(
            "ask_days",
            _("Ask the questions"),
            [
                (str(n), ngettext("{n} working day before", "{n} working days before", n).format(n=n))
                for n in (1, 2, 3, 5)
            ],
            str(s.ask_days if s else 2),
        ),
        modals.text_input(
            "reminders",
            _("Remind those who have not answered"),
            ", ".join(s.reminders) if s else "1d, 2h",
            _("Before the meeting: 1d = the working day before, 2h = two hours before."),
        ),
        modals.text_input(
            "agenda_before", _("Post the agenda"), s.agenda_before if s else "1h", _("Before the meeting, like 1h.")
        ),
        modals.text_input(
            "questions",
            _("Your own questions"),
            "\n".join(s.questions) if s else "",
            _("One per line; asked after the five standard ones."),
            multiline=True,
        ),
    ]
    return modals.modal(ws.language, ws.team_id, ids.SYNC_SETUP_MODAL, _("Sync setup"), blocks)


def parse_sync_submission(state: dict[str, Any], series: SyncSeries | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The sync setup modal → (series values, errors keyed by block id)."""

    def field(block: str) -> dict[str, Any]:
        return modals.field(state, block)

    raw: dict[str, str] = {"channel": field("channel").get("selected_conversation") or ""}
    for key in ("weekday", "length_minutes", "every_weeks", "holiday_rule", "ask_days"):
        raw[key] = (field(key).get("selected_option") or {}).get("value") or ""
    raw["time"] = field("time").get("selected_time") or ""
    raw["start_date"] = field("start_date").get("selected_date") or ""
    for key in ("timezone", "holidays", "reminders", "agenda_before"):
        raw[key] = field(key).get("value") or ""
    for key in ("sales", "marketing"):
        before = getattr(series, key) if series else []
        raw[key] = ",".join([*(field(key).get("selected_users") or []), *modals.picked_groups(state, key, before)])
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in raw.items():
        try:
            values[key] = SYNC_KEYS[key](text)
        except ValueError as exc:
            errors[key] = str(exc)
    try:  # one question per line: a question may hold a `|`
        values["questions"] = parse_questions((field("questions").get("value") or "").splitlines())
    except ValueError as exc:
        errors["questions"] = str(exc)
    return values, errors


def build_icp_modal(ws: Workspace, latest: IcpVersion | None) -> View:
    _ = translator(ws.language)
    note = _("Version {v}. Saving makes a new version; the agenda shows what changed.").format(
        v=latest.version if latest else 0
    )
    blocks: list[Block] = [
        context(escape(note)),
        modals.text_input(
            "profile", _("Ideal customer profile"), latest.profile if latest else None, multiline=True, optional=False
        ),
        modals.text_input(
            "indicators",
            _("Indicators of readiness to buy"),
            latest.indicators if latest else None,
            multiline=True,
            optional=False,
        ),
    ]
    return modals.modal(ws.language, ws.team_id, ids.SYNC_ICP_MODAL, _("Customer profile"), blocks)


def build_feedback_modal(ws: Workspace, text: str, **meta: object) -> View:
    _ = translator(ws.language)
    kinds = [("review", _("Review")), ("complaint", _("Complaint")), ("wish", _("Wish"))]
    ratings = [(str(n), "★" * n) for n in range(5, 0, -1)]
    blocks: list[Block] = [
        modals.select("kind", _("What is it"), kinds, "review"),
        modals.select("rating", _("Rating"), ratings, None, optional=True),
        modals.text_input("customer", _("Customer"), ""),
        modals.text_input("text", _("Feedback"), text[:3000], multiline=True, optional=False),
    ]
    return modals.modal(ws.language, ws.team_id, ids.FEEDBACK_MODAL, _("Customer feedback"), blocks, **meta)
