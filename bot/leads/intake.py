"""A lead arriving by webhook or by `/lead`: checked field by field, stored once per external id."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.deps import Deps
from bot.imports.fields import KINDS
from bot.text import problem as text_problem
from storage.repos import leads as repo

# The lead's text fields are the import's: one list of what a lead is.
TEXT_FIELDS = tuple(f.name for f in KINDS["leads"] if f.type == "text" and f.name != "external_id")
MAX_FIELD = {"message": 4000}
MAX_EXTERNAL_ID = 200
MAX_EXTRA_DEPTH = 8
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=366)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


NOT_FINITE = "holds NaN or Infinity, which is no JSON number"


def _extra_problem(value: Any, depth: int = 0) -> str | None:
    """An extra field's JSON: text everywhere, finite numbers (PostgreSQL's JSON refuses NaN and
    Infinity, which Python's parser takes), not nested too deeply."""
    if depth > MAX_EXTRA_DEPTH:
        return f"is nested more than {MAX_EXTRA_DEPTH} deep"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float) and not math.isfinite(value):
        return NOT_FINITE
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    return next((p for p in (_extra_problem(v, depth + 1) for v in items) if p), None)


@dataclass
class Intake:
    status: int  # 200 known, 201 created, 400 bad
    lead_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def validate(payload: Any, now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """A webhook body → lead fields (unknown fields kept in `extra`), or errors by field."""
    if not isinstance(payload, dict):
        return {}, {"body": "must be a JSON object"}
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    ext = payload.get("external_id")
    if isinstance(ext, int | str) and not isinstance(ext, bool) and str(ext).strip():
        ext = str(ext).strip()
        if len(ext) > MAX_EXTERNAL_ID:
            errors["external_id"] = f"longer than {MAX_EXTERNAL_ID} characters"
        elif problem := text_problem(ext):
            errors["external_id"] = problem
        else:
            fields["external_id"] = ext
    else:
        errors["external_id"] = "required: a non-empty string or number"
    raw_created = payload.get("created_at")
    if raw_created in (None, ""):
        fields["created_at"] = now
    else:
        try:
            created = datetime.fromisoformat(str(raw_created).replace("Z", "+00:00"))
            if created.tzinfo is None:
                raise ValueError
        except ValueError:
            errors["created_at"] = "must be an ISO 8601 time with an offset, e.g. 2026-11-30T09:15:00+03:00"
        else:
            latest = now + LATEST_AHEAD
            # The year first: at the ends of the calendar converting a zone's offset overflows.
            if not EARLIEST.year <= created.year <= latest.year or not EARLIEST <= created <= latest:
                errors["created_at"] = f"must be between {EARLIEST:%Y-%m-%d} and a year from now"
            else:
                fields["created_at"] = created
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            errors[name] = "must be a string"
            continue
        if isinstance(value, float) and not math.isfinite(value):
            errors[name] = NOT_FINITE
            continue
        value = str(value).strip()
        limit = MAX_FIELD.get(name, 500)
        if len(value) > limit:
            errors[name] = f"longer than {limit} characters"
            continue
        if problem := text_problem(value):
            errors[name] = problem
            continue
        fields[name] = value
    if "email" in fields and not _EMAIL.match(fields["email"]):
        errors["email"] = "is not an email address"
    known = {"external_id", "created_at", *TEXT_FIELDS}
    extra = {k: v for k, v in payload.items() if k not in known}
    for key, value in extra.items():
        if problem := text_problem(key) or _extra_problem(value):
            errors[key if not text_problem(key) else "body"] = problem
    if extra:
        fields["extra"] = extra
    return fields, errors


@dataclass
class Checked:
    """A lead's payload after validation and the look-up of its external id."""

    fields: dict[str, Any]
    errors: dict[str, str]
    known_id: int | None = None


def check(session: Session, team_id: str, payload: Any, now: datetime, source: str = "webhook") -> Checked:
    """Validate a payload and look its external id up, in the caller's read-only unit of work (the
    webhook reads its secret in the same one): a lead sent again is answered without the write lock."""
    fields, errors = validate(payload, now)
    if errors:
        return Checked({}, errors)
    fields["source"] = source
    return Checked(fields, {}, repo.id_by_external_id(session, team_id=team_id, external_id=fields["external_id"]))


def store(deps: Deps, team_id: str, checked: Checked) -> Intake:
    """Insert a checked lead unless it was known: 201 created, 200 known, 400 invalid."""
    if checked.errors:
        return Intake(400, errors=checked.errors)
    if checked.known_id is not None:
        return Intake(200, checked.known_id)
    with deps.write() as s:
        lead_id = repo.insert_new(s, team_id=team_id, fields=checked.fields, now=deps.clock())
    if lead_id is not None:
        return Intake(201, lead_id)
    with deps.read() as s:  # the same lead, stored meanwhile by a request beside this one
        return Intake(200, repo.id_by_external_id(s, team_id=team_id, external_id=checked.fields["external_id"]))


def intake(deps: Deps, team_id: str, payload: Any, source: str = "webhook") -> Intake:
    with deps.read() as s:
        checked = check(s, team_id, payload, deps.clock(), source)
    return store(deps, team_id, checked)


def newest_lead_id(deps: Deps, team_id: str) -> int:
    with deps.read() as s:
        return repo.newest_id(s, team_id=team_id)


def added_after(deps: Deps, team_id: str, after_id: int) -> list[int]:
    """The workspace's leads added after `after_id` (ids only grow), oldest first."""
    with deps.read() as s:
        return repo.added_after(s, team_id=team_id, after_id=after_id)
