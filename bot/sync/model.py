"""What the sync's messages show: plain data gathered by the services, rendered by bot.sync.blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kpi.engine import Report
from bot.kpi.periods import Period
from bot.leads.quality import Quality
from bot.sync.items import AgendaItem, PaceLine, Scorecard
from storage.models import (
    ActionItem,
    Feedback,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    StandingItem,
    Workspace,
)

DEPARTMENTS = ("sales", "marketing")


@dataclass
class DataPack:
    period: Period
    report: Report
    quality: Quality
    feedback: dict[str, list[Feedback]]  # kind → newest first
    open_actions: list[ActionItem]
    icp: IcpVersion | None
    icp_changes: list[str]  # lines added (+) and removed (−) since the last sync


@dataclass
class Goal:
    """What the agenda opens with and goes through: the month's pace, the week's agreement, the items."""

    month: Period
    pace: list[PaceLine]
    week: Period
    scorecard: Scorecard | None
    items: list[AgendaItem]


@dataclass
class Agenda:
    ws: Workspace  # as the sync shows it: times in the series' own zone
    meeting: Meeting
    participants: list[MeetingParticipant]
    answers: list[MeetingAnswer]
    questions: list[tuple[str, str]]
    rate: dict[str, tuple[int, int]]  # department → (answered, asked)
    pack: DataPack
    goal: Goal | None = None

    @property
    def unreachable(self) -> list[str]:
        """Participants the question DM could not reach."""
        return [p.user_id for p in self.participants if p.status == "unreachable"]


@dataclass
class Summary:
    ws: Workspace
    meeting: Meeting
    notes: list[MeetingNote]
    new_actions: list[ActionItem]
    done_actions: list[ActionItem]
    icp_changes: list[str]
    icp: IcpVersion | None
    # What the decisions' item keys name (action items and standing items, by id), for their headings.
    item_actions: dict[int, ActionItem] = field(default_factory=dict)
    item_pins: dict[int, StandingItem] = field(default_factory=dict)


def response_rate(parts: list[MeetingParticipant], answered: set[str]) -> dict[str, tuple[int, int]]:
    """department → (answered, asked); people the bot could not reach are not counted as asked."""
    out = dict.fromkeys(DEPARTMENTS, (0, 0))
    for p in parts:
        if p.status != "asked":
            continue
        a, n = out[p.department]
        out[p.department] = (a + (p.user_id in answered), n + 1)
    return out
