"""What each kind of CRM export holds: its fields, their types, and how rows are told apart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = "text"  # text | datetime | date | number | integer | status | activity | feedback | bool
    required: bool = False


def _fields(*specs: str) -> tuple[FieldSpec, ...]:
    """`name:type*` shorthand: `*` marks a required field."""
    out = []
    for s in specs:
        required = s.endswith("*")
        name, _, typ = s.rstrip("*").partition(":")
        out.append(FieldSpec(name, typ or "text", required))
    return tuple(out)


KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "leads": _fields(
        "external_id*",
        "created_at:datetime*",
        "name",
        "company",
        "email",
        "phone",
        "channel",
        "campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
        "product",
        "owner",
        "message",
    ),
    "deals": _fields(
        "external_id*",
        "lead_external_id",
        "customer",
        "product",
        "amount:number",
        "margin:number",
        "status:status*",
        "created_at:datetime",
        "closed_at:datetime",
        "rep",
    ),
    "activities": _fields("external_id", "kind:activity*", "occurred_at:datetime*", "rep", "lead_external_id"),
    "spend": _fields("day:date*", "channel", "campaign", "amount:number*"),
    "traffic": _fields("day:date*", "channel", "visitors:integer*"),
    "feedback": _fields(
        "external_id",
        "kind:feedback*",
        "created_at:datetime*",
        "rating:integer",
        "positive:bool",
        "text",
        "source",
        "customer",
    ),
}
# Rows without an external id are identified by these fields (re-importing the file changes nothing).
NATURAL_KEYS = {
    "activities": ("kind", "occurred_at", "rep", "lead_external_id"),
    "spend": ("day", "channel", "campaign"),
    "traffic": ("day", "channel"),
    "feedback": ("kind", "created_at", "customer", "text"),
}
# Daily aggregates: rows with the same key are summed (an ad export has a row per banner and placement).
SUMMED = {"spend": "amount", "traffic": "visitors"}

HINTS = {
    "datetime": "is not a date (expected YYYY-MM-DD or DD.MM.YYYY, optionally with HH:MM)",
    "date": "is not a date (expected YYYY-MM-DD or DD.MM.YYYY)",
    "number": "is not a number",
    "integer": "is not a whole number",
    "status": "is not a deal status (won, lost, open, or a CRM stage such as 'Closed Won')",
    "activity": "is not an activity kind (request/call or meeting)",
    "feedback": "is not a feedback kind (review, complaint or wish)",
    "bool": "is not yes/no",
}
