"""The settings modal: built from the workspace's settings, read back into setting values. It has an
input for every key of bot.workspace.keys (a test holds the two together)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DividerBlock,
    InputBlock,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.i18n import translator
from bot.slack import modals
from bot.workspace.keys import DIGESTS, REPORT_TITLES, ConfigError, display, display_workdays, parse_value
from storage.models import Workspace

CHANNEL_KEYS = ("leads_channel", "digest_channel", "marketing_channel", "sync_channel")
PEOPLE_KEYS = ("admins", "sales", "marketing")
TEXT_KEYS = ("timezone", "workdays", "work_hours")
# Typed as on the command line, shown as `handoff config show` shows them; an empty field is `none`.
# Key → the most a person types there (checked again on the server).
LINE_KEYS = {
    "sla_hours": 10,
    "reactions": 3000,  # Slack's most: a value set longer by the CLI would keep the form from opening
    "holidays": 3000,
    "margin_threshold": 10,
    "currency": 10,
    "crm_lead_url": 3000,
    "retention_days": 10,
    "agreement_leads_per_week": 10,
    "agreement_target_share_pct": 10,
    "agreement_first_touch_hours": 10,
    "agreement_on_time_pct": 10,
}
REASONS_LIMIT = 3000
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


def _shown(ws: Workspace, key: str) -> str:
    value = getattr(ws, key)
    if key == "reasons":
        return "\n".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value in (None, [], {}) else display(value, key)


def _lead_and_money_inputs(ws: Workspace) -> list[Block]:
    """Lead feedback, money, links and privacy: the keys typed as on the command line."""
    _ = translator(ws.language)
    hints = {
        "sla_hours": (_("Verdict due within (working hours)"), _("0 turns the reminders off")),
        "reactions": (_("Reactions that give a verdict"), _("e.g. x=not_target, white_check_mark=target")),
        "holidays": (_("Holidays"), _("Days off besides the weekly ones, e.g. 2026-12-31, 2027-01-07")),
        "margin_threshold": (
            _("High margin from (%)"),
            _("Products at or above this average margin are high-margin; empty: the top quarter"),
        ),
        "currency": (_("Currency"), _("An ISO code such as USD, EUR or RUB; empty: amounts without a symbol")),
        "crm_lead_url": (
            _("Lead page in the CRM"),
            _("e.g. https://crm.example.com/leads/{external_id}; cards then link to it"),
        ),
        "retention_days": (
            _("Keep personal data (days)"),
            _("A lead's contact data is erased this many days after it came in; empty: until forgotten"),
        ),
    }
    typed = {
        key: modals.text_input(key, name, _shown(ws, key), hint, optional=key != "sla_hours", max_length=LINE_KEYS[key])
        for key, (name, hint) in hints.items()
    }
    head = modals.user_input(
        "head_of_sales", _("Head of sales"), ws.head_of_sales, _("Gets the overdue verdicts and the monthly coaching")
    )
    reasons = modals.text_input(
        "reasons",
        _("Reasons for a verdict"),
        _shown(ws, "reasons"),
        _("One a line; empty: the built-in reasons of each verdict"),
        multiline=True,
        max_length=REASONS_LIMIT,
    )
    return [typed.pop("sla_hours"), head, reasons, *typed.values()]


def _agreement_inputs(ws: Workspace) -> list[Block]:
    """The two-sided agreement: marketing's numbers, then sales' (the verdict's hours are the SLA above)."""
    _ = translator(ws.language)
    hints = {
        "agreement_leads_per_week": (_("Agreement: leads a week from marketing"), _("Empty: not agreed")),
        "agreement_target_share_pct": (
            _("Agreement: target share of judged leads at least (%)"),
            _("Empty: not agreed"),
        ),
        "agreement_first_touch_hours": (
            _("Agreement: first touch within (working hours)"),
            _("Counted where the CRM data says when a lead was first touched; empty: not agreed"),
        ),
        "agreement_on_time_pct": (
            _("Agreement: leads sales handles in time (%)"),
            _("The share of leads that get their verdict within the SLA and their first touch in time"),
        ),
    }
    return [
        modals.text_input(
            key, label, _shown(ws, key), hint, optional=key != "agreement_on_time_pct", max_length=LINE_KEYS[key]
        )
        for key, (label, hint) in hints.items()
    ]


def build_config_modal(ws: Workspace, groups: dict[str, str] | None = None) -> View:
    """The settings modal; `groups` names the user groups already chosen (id → label)."""
    _ = translator(ws.language)
    digest_labels = {d: _(REPORT_TITLES[d]) for d in (*DIGESTS, "quality")}
    digest_options = {d: modals.option(d, label) for d, label in digest_labels.items()}
    on = {d: getattr(ws, f"{d}_digest") for d in DIGESTS} | {"quality": ws.quality_report}
    enabled = [digest_options[d] for d, active in on.items() if active]
    names = groups or {}
    blocks: list[Block] = [
        modals.channel_input("leads_channel", _("Channel for lead cards"), ws.leads_channel),
        modals.channel_input("digest_channel", _("Channel for KPI digests"), ws.digest_channel),
        modals.channel_input("marketing_channel", _("Channel for marketing reports"), ws.marketing_channel),
        modals.channel_input("sync_channel", _("Channel for the Sales × Marketing sync"), ws.sync_channel),
        modals.select("language", _("Language"), list(LANGUAGE_NAMES.items()), ws.language),
        modals.text_input(
            "timezone",
            _("Time zone"),
            ws.timezone,
            _("An IANA name, e.g. Europe/Moscow or America/New_York"),
            optional=False,
        ),
        modals.text_input(
            "workdays",
            _("Working days"),
            display_workdays(ws.workdays),
            _("e.g. mon-fri or sun-thu"),
            optional=False,
        ),
        modals.text_input("work_hours", _("Working hours"), ws.work_hours, _("e.g. 09:00-18:00"), optional=False),
        modals.users_input("admins", _("Handoff admins"), ws.admins),
        modals.groups_input("admins", _("Handoff admins: user groups"), ws.admins, names),
        modals.users_input("sales", _("Sales team"), ws.sales),
        modals.groups_input("sales", _("Sales team: user groups"), ws.sales, names),
        modals.users_input("marketing", _("Marketing team"), ws.marketing),
        modals.groups_input("marketing", _("Marketing team: user groups"), ws.marketing, names),
        DividerBlock(),
        InputBlock(
            block_id="digests",
            label=_("Digests"),
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE, options=list(digest_options.values()), initial_options=enabled or None
            ),
        ),
    ]
    times = {f"{d}_digest_time": d for d in DIGESTS} | {"quality_report_time": "quality"}
    for key, d in times.items():
        blocks.append(
            InputBlock(
                block_id=key,
                label=digest_labels[d] + " — " + _("local time"),
                element=TimePickerElement(action_id=ids.VALUE, initial_time=getattr(ws, key)),
            )
        )
    blocks += [DividerBlock(), *_lead_and_money_inputs(ws), DividerBlock(), *_agreement_inputs(ws)]
    return modals.modal(ws.language, ws.team_id, ids.CONFIG_MODAL, _("Handoff settings"), blocks)


def parse_submission(state: dict[str, Any], ws: Workspace) -> tuple[dict[str, Any], dict[str, str]]:
    """view.state.values → (settings to save, errors keyed by block id)."""

    def field(block: str) -> dict[str, Any]:
        return modals.field(state, block)

    raw: dict[str, str] = {}
    for key in CHANNEL_KEYS:
        raw[key] = field(key).get("selected_conversation") or ""
    for key in TEXT_KEYS:
        raw[key] = field(key).get("value") or ""
    raw["language"] = (field("language").get("selected_option") or {}).get("value") or ws.language
    for key in PEOPLE_KEYS:
        picked = [*(field(key).get("selected_users") or []), *modals.picked_groups(state, key, getattr(ws, key))]
        raw[key] = ",".join(picked)
    chosen = {o["value"] for o in field("digests").get("selected_options") or []}
    for d in DIGESTS:
        raw[f"{d}_digest"] = "on" if d in chosen else "off"
        raw[f"{d}_digest_time"] = field(f"{d}_digest_time").get("selected_time") or getattr(ws, f"{d}_digest_time")
    raw["quality_report"] = "on" if "quality" in chosen else "off"
    raw["quality_report_time"] = field("quality_report_time").get("selected_time") or ws.quality_report_time
    # A form opened before these inputs existed has no block for them: what is set stays.
    if "head_of_sales" in state:
        raw["head_of_sales"] = field("head_of_sales").get("selected_user") or ""
    if "reasons" in state:
        raw["reasons"] = ";".join((field("reasons").get("value") or "").splitlines())
    raw |= {key: field(key).get("value") or "" for key in LINE_KEYS if key in state}
    values: dict[str, Any] = {}
    errors = modals.text_errors(state, ws.language, {**LINE_KEYS, "reasons": REASONS_LIMIT})
    for key, text in raw.items():
        if key in errors:
            continue
        try:
            values[key] = parse_value(key, text)
        except ConfigError as exc:
            errors["digests" if key.endswith(("_digest", "quality_report")) else key] = exc.message
    return values, errors
