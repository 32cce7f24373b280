"""Every table Handoff keeps. Each row belongs to a workspace (Slack team id)."""

from storage.models.leads import CardQueue, HandledEvent, Lead, LeadDay, LeadVerdict, ThreadReply
from storage.models.posts import PostedMessage
from storage.models.sales import Activity, Deal, Feedback, Spend, Traffic
from storage.models.sync import (
    ActionItem,
    IcpVersion,
    Meeting,
    MeetingAnswer,
    MeetingNote,
    MeetingParticipant,
    SyncSeries,
)
from storage.models.workspace import Workspace

__all__ = [
    "ActionItem",
    "Activity",
    "CardQueue",
    "Deal",
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
    "PostedMessage",
    "Spend",
    "SyncSeries",
    "ThreadReply",
    "Traffic",
    "Workspace",
]
