"""The sync's agenda items: what the meeting goes through, drawn from the goal (plan pace, the
two-sided agreement), the findings since the last sync, the action items still open and the items
admins pinned. Pure: the data comes in, items come out; bot.sync.blocks renders them.

Pace and the agreement are computed in bot.kpi; the sync reads them through the small protocols
below, so it depends on their shape only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.kpi.engine import Alert
from bot.kpi.plan import PLANNED
from storage.models import ActionItem, StandingItem


class PaceLine(Protocol):
    """One planned KPI of the month so far (bot.kpi.pacing). The types are as wide as the agenda can
    show, so a narrower implementation (a float plan, a Literal status) matches too."""

    @property
    def kpi(self) -> str: ...
    @property
    def plan(self) -> float | None: ...
    @property
    def actual(self) -> float | None: ...
    @property
    def pct_of_plan(self) -> float | None: ...
    @property
    def elapsed_pct(self) -> float | None: ...
    @property
    def projected(self) -> float | None: ...
    @property
    def status(self) -> str: ...  # on_track | at_risk | behind


class Commitment(Protocol):
    """One side's promise in the agreement and how the week went (bot.kpi.agreement)."""

    @property
    def side(self) -> str: ...  # marketing | sales
    @property
    def key(self) -> str: ...
    @property
    def promised(self) -> float | None: ...
    @property
    def actual(self) -> float | None: ...
    @property
    def kept(self) -> bool | None: ...  # None: no data to judge it


class Scorecard(Protocol):
    """The week's commitments of both sides."""

    @property
    def commitments(self) -> Sequence[Commitment]: ...
    def broken(self) -> Sequence[Commitment]: ...


KINDS = ("commitment", "kpi", "finding", "action", "pin")
SIDES = ("marketing", "sales")
SUBJECT_TYPES = ("channel", "campaign", "product", "rep", "kpi", "channel_kpi")  # channel_kpi: a band finding
# The worst first: a KPI behind its plan before one at risk; on track is no agenda item.
PACE_RANK = {"behind": 0, "at_risk": 1}
KEY_LIMIT = 200  # meetingnote.item
SUBJECT_LIMIT = 120


@dataclass(frozen=True)
class AgendaItem:
    """One thing the meeting decides on; `key` names it in a Decision button and in the stored note."""

    key: str
    kind: str  # commitment | kpi | finding | action | pin
    source: Commitment | PaceLine | Alert | ActionItem | StandingItem
    age_days: int | None = None  # an action item: whole days since it was written down


def _subject(text: str) -> str:
    """A finding's subject as it goes into a key: one line, no control characters, cut to fit."""
    return "".join(ch for ch in " ".join(text.split()) if ch.isprintable())[:SUBJECT_LIMIT]


def commitment_key(c: Commitment) -> str:
    return f"commitment:{c.side}:{c.key}"


def pace_key(line: PaceLine) -> str:
    return f"kpi:{line.kpi}"


def finding_key(a: Alert) -> str:
    return f"finding:{a.kind}:{a.subject_type}:{_subject(a.subject)}"


def agenda_items(
    pace: Sequence[PaceLine],
    scorecard: Scorecard | None,
    findings: Sequence[Alert],
    actions: Sequence[ActionItem],
    pins: Sequence[StandingItem],
    now: datetime,
) -> list[AgendaItem]:
    """The items in the order the meeting takes them: the broken commitments, the KPIs behind then at
    risk (each group as given), the findings still holding (not those over), the action items written
    down before `now` still open (oldest first, with their age), then the standing items."""
    items = [AgendaItem(commitment_key(c), "commitment", c) for c in (scorecard.broken() if scorecard else ())]
    off = [p for p in pace if p.status in PACE_RANK]
    items += [AgendaItem(pace_key(p), "kpi", p) for p in sorted(off, key=lambda p: PACE_RANK[p.status])]
    items += [AgendaItem(finding_key(a), "finding", a) for a in findings if a.status != "ended"]
    carried = sorted(
        (i for i in actions if i.status == "open" and i.created_at <= now), key=lambda i: (i.created_at, i.id)
    )
    items += [AgendaItem(f"action:{i.id}", "action", i, age_days=(now - i.created_at).days) for i in carried]
    items += [AgendaItem(f"pin:{p.id}", "pin", p) for p in pins if p.unpinned_at is None]
    unique: dict[str, AgendaItem] = {}
    for item in items:
        unique.setdefault(item.key, item)  # two findings cut to the same subject: one item
    return list(unique.values())


_WORD = r"[a-z0-9_]{1,64}"
_KEYS = {
    "commitment": re.compile(rf"commitment:({'|'.join(SIDES)}):({_WORD})"),
    "kpi": re.compile(rf"kpi:({'|'.join(PLANNED)})"),
    "finding": re.compile(rf"finding:({_WORD}):({'|'.join(SUBJECT_TYPES)}):(.{{0,{SUBJECT_LIMIT}}})", re.DOTALL),
    "action": re.compile(r"action:([1-9][0-9]{0,9})"),
    "pin": re.compile(r"pin:([1-9][0-9]{0,9})"),
}


def parse_key(key: object) -> tuple[str, tuple[str, ...]] | None:
    """(kind, its parts) of an item key as `agenda_items` writes them; None for anything else (a key
    from a forged or garbled request). Whether the action item or pin exists is the caller's check."""
    if not isinstance(key, str) or len(key) > KEY_LIMIT:
        return None
    kind = key.partition(":")[0]
    pattern = _KEYS.get(kind)
    found = pattern.fullmatch(key) if pattern else None
    if found is None:
        return None
    parts = found.groups()
    if kind == "finding" and parts[2] != _subject(parts[2]):
        return None
    return kind, parts


def item_refs(keys: Sequence[str | None]) -> tuple[list[int], list[int]]:
    """The action item ids and the standing item ids among item keys."""
    parsed = [p for p in map(parse_key, keys) if p]
    return [int(ps[0]) for k, ps in parsed if k == "action"], [int(ps[0]) for k, ps in parsed if k == "pin"]
