"""Every table Handoff keeps. Each row belongs to a workspace (Slack team id)."""

from sqlalchemy import Table
from sqlalchemy.orm import class_mapper
from sqlmodel import SQLModel

from storage.models.leads import (
    CardQueue,
    HandledEvent,
    Lead,
    LeadDay,
    LeadVerdict,
    OwnerDay,
    ReachDay,
    ThreadReply,
)
from storage.models.plans import Plan
from storage.models.posts import PostedMessage
from storage.models.sales import Activity, ActivityDay, Deal, DealDay, Feedback, ProductMargin, RepDay, Spend, Traffic
from storage.models.sync import (
    ActionItem,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    StandingItem,
    SyncSeries,
)
from storage.models.workspace import Workspace


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model: its `__table__`, which SQLModel sets without declaring it."""
    table = class_mapper(model, configure=False).local_table
    assert isinstance(table, Table)
    return table


__all__ = [
    "ActionItem",
    "Activity",
    "ActivityDay",
    "CardQueue",
    "Deal",
    "DealDay",
    "Feedback",
    "HandledEvent",
    "IcpVersion",
    "Lead",
    "LeadDay",
    "LeadVerdict",
    "Meeting",
    "MeetingAnswer",
    "MeetingNote",
    "MeetingParticipant",
    "OwnerDay",
    "Plan",
    "PostedMessage",
    "ProductMargin",
    "ReachDay",
    "RepDay",
    "Spend",
    "StandingItem",
    "SyncSeries",
    "ThreadReply",
    "Traffic",
    "Workspace",
    "table_of",
]
