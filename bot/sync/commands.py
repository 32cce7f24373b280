"""The words of `/sync` and `/feedback`: parsing them, and finding the meeting they name."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.i18n import N_, Refusal, translator
from bot.imports.normalize import FEEDBACK_KIND
from bot.slack.kit import Message, bold, escape, md, notice, text_messages
from bot.sync.answers import answer_sheet
from bot.sync.blocks.text import build_answers_text, when
from bot.text import from_slack
from bot.workspace.store import load
from storage.models import Meeting, Workspace
from storage.repos import meetings as repo


def meeting_for_answers(deps: Deps, team_id: str, which: str) -> Meeting | None:
    """`last` (the newest meeting with questions out) or a local date."""
    ws = load(deps, team_id)
    with deps.read() as s:
        if which in ("", "last", *LAST):
            return repo.previous_meeting(s, team_id=team_id, before=deps.clock() + timedelta(days=31))
        day = date.fromisoformat(which)
        zone = ZoneInfo(ws.timezone)
        start = datetime.combine(day, datetime.min.time(), zone)
        return repo.meeting_on(s, team_id=team_id, start=start, end=start + timedelta(days=1))


class ParseError(Refusal):
    """A command's text that does not parse."""


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")
_DUE = re.compile(r"\s+due\s+(\S+)\s*$", re.IGNORECASE)


def parse_action(text: str) -> tuple[str, str, date | None]:
    """`@owner text [due YYYY-MM-DD]` → (owner id, text, due date); ParseError says what is wrong."""
    owner_word, _sep, rest = text.strip().partition(" ")
    m = _MENTION.match(owner_word)
    if not m:
        raise ParseError(N_("start with the owner, like `/sync action @anna Update the lead form due 2026-12-15`"))
    due = None
    found = _DUE.search(rest)
    if found:
        try:
            due = date.fromisoformat(found.group(1))
        except ValueError:
            raise ParseError(N_("“{value}” is not a date (YYYY-MM-DD)"), value=found.group(1)) from None
        rest = rest[: found.start()]
    if not rest.strip():
        raise ParseError(N_("say what is to be done after the owner"))
    return m.group(1) or m.group(2), from_slack(rest.strip()), due


FEEDBACK_KINDS = ("review", "complaint", "wish")
# Command words as a Russian team types them (the imports read the same words in CRM files).
LAST = ("последняя", "последние", "прошлая")
QUESTION = ("question", "вопрос")


def parse_feedback(text: str) -> tuple[str, int | None, str]:
    """`review|complaint|wish [1-5] text` (or `отзыв|жалоба|пожелание`) → (kind, rating, text)."""
    words = text.strip().split(maxsplit=1)
    kind = FEEDBACK_KIND.get(words[0].lower()) if words else None
    if kind is None:
        raise ParseError(N_("start with review, complaint or wish, like `/feedback review 5 Fast delivery`"))
    rest = words[1] if len(words) > 1 else ""
    rating = None
    head, _sep, tail = rest.partition(" ")
    if head.isdigit():
        if not 1 <= int(head) <= 5:
            raise ParseError(N_("a rating is 1 to 5"))
        rating, rest = int(head), tail
    if not rest.strip():
        raise ParseError(N_("add the customer's words after the kind"))
    return kind, rating, from_slack(rest.strip())


def answers_message(deps: Deps, ws: Workspace, rest: str) -> Message:
    """`/sync answers [last|DATE] [question N]`: a meeting's answers by question and department."""
    _ = translator(ws.language)
    words = rest.split()
    only = None
    if len(words) >= 2 and words[-2].lower() in QUESTION and words[-1].isdigit():
        only, words = int(words[-1]), words[:-2]
    which = words[0].lower() if words else "last"
    try:
        m = meeting_for_answers(deps, ws.team_id, which)
    except ValueError:
        return notice(
            escape(_("Try `/sync answers last`, `/sync answers 2026-12-03` or `/sync answers last question 2`."))
        )
    if m is None or m.id is None:
        return notice(md(_("No sync meeting found for “{which}”."), which=which))
    questions, answers = answer_sheet(deps, ws.team_id, m.id)
    heading = bold(f"{_('Answers')} · {when(ws, m.starts_at)}")
    return text_messages(
        md("{}\n\n{}", heading, build_answers_text(ws, questions, answers, only=only) or _("no answers"))
    )[0]
