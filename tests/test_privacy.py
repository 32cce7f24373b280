"""`handoff forget`: a person's data leaves every place Handoff keeps it — the lead, the replies kept
from its card's thread, the comments on its verdicts, the card in Slack, the exports — and an import
of the same lead does not bring it back; the numbers stay. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from sqlmodel import select

from bot.exports import export_rows
from bot.imports.run import Mapping, run_import
from bot.leads.cards import give_verdict
from bot.leads.privacy import forget
from bot.leads.webhook import sign, webhook_secret
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Lead, LeadVerdict, ThreadReply
from tests.conftest import TEAM, RunningApp
from tests.http import post
from tests.test_leads import _reply_event, send_event

PERSONAL = ("Ann Example", "ann@example.com", "+49 170 000", "Call me on Monday", "newsletter-ann")


def send_lead(app: RunningApp, secret: str, lead: dict) -> int:
    """The lead through the signed webhook, as a CRM sends it; its id."""
    body = json.dumps(lead).encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Handoff-Timestamp": ts,
        "X-Handoff-Signature": sign(secret, ts, body),
    }
    return post(f"{app.url}/webhooks/{TEAM}/leads", body, headers).json()["lead_id"]


def test_forget_leaves_nothing_of_the_person_and_keeps_the_numbers(running_app: RunningApp, tmp_path):
    """A lead with a card, a verdict with a comment and a reply in its thread, then forgotten by e-mail."""
    app = running_app
    save_settings(app.deps, TEAM, {"leads_channel": "C0LEADS", "sales": ["U0SALES"], "timezone": "UTC"})
    secret = webhook_secret(app.deps, TEAM)
    lead = {
        "external_id": "crm-7",
        "created_at": "2026-11-30T09:00:00+00:00",
        "name": PERSONAL[0],
        "email": PERSONAL[1],
        "phone": PERSONAL[2],
        "message": PERSONAL[3],
        "utm_content": PERSONAL[4],
        "channel": "ads",
        "campaign": "brand",
        "crm_note": "ask for Ann",
    }
    lead_id = send_lead(app, secret, lead)
    app.background.wait_idle()  # the card posted and its place recorded
    with session_scope(app.deps.engine) as s:
        card_ts = s.get(Lead, lead_id).card_ts
    assert card_ts is not None
    give_verdict(
        app.deps, TEAM, lead_id, verdict="not_target", user_id="U0SALES", reason="no_budget", note="Ann said no"
    )
    with session_scope(app.deps.engine) as s:
        s.add(
            ThreadReply(
                team_id=TEAM,
                lead_id=lead_id,
                channel="C0LEADS",
                ts="1.2",
                user_id="U0SALES",
                text="Ann's husband answered",
                created_at=datetime(2026, 11, 30, 10, tzinfo=UTC),
            )
        )

    assert forget(app.deps, TEAM, email="ANN@example.com") == [lead_id]
    # Said of the person after it: the verdict counts, the words are not kept.
    give_verdict(app.deps, TEAM, lead_id, verdict="target", user_id="U0SALES", note="Ann called back")
    reply = _reply_event("Ann's new number: +49 170 111", "1800000000.000900", card_ts, _id="EvAFTER")
    assert send_event(app, reply).status == 200
    app.background.wait_idle()

    with session_scope(app.deps.engine) as s:
        kept = s.get(Lead, lead_id)
        notes = [v.note for v in s.exec(select(LeadVerdict).where(LeadVerdict.lead_id == lead_id))]
        replies = s.exec(select(ThreadReply).where(ThreadReply.lead_id == lead_id)).all()
    stored = json.dumps([kept.model_dump(mode="json"), notes], ensure_ascii=False)
    assert not any(p in stored for p in (*PERSONAL, "ask for Ann", "Ann said no", "Ann called back")), stored
    assert (kept.channel, kept.campaign, kept.verdict, kept.forgotten_at is not None) == (
        "ads",
        "brand",
        "target",
        True,
    )
    assert replies == []
    card = app.slack.wait_for("chat.update", count=2)[-1]  # the verdict's refresh, then the erasing one
    assert card.args["ts"] == card_ts and not any(p in json.dumps(card.args, ensure_ascii=False) for p in PERSONAL)
    for what in ("verdicts", "replies"):
        _header, rows = export_rows(app.deps, TEAM, what, None, None)
        assert not any(p in json.dumps(rows, default=str, ensure_ascii=False) for p in (*PERSONAL, "Ann said no"))

    again = tmp_path / "leads.csv"
    again.write_text(
        f"external_id,created_at,name,email,channel\ncrm-7,2026-11-30 09:00,{PERSONAL[0]},{PERSONAL[1]},ads\n"
    )
    result = run_import(app.deps, team_id=TEAM, kind="leads", path=again, mapping=Mapping(), tz="UTC", progress=False)
    assert (result.added, result.updated) == (0, 0)
    with session_scope(app.deps.engine) as s:
        assert (s.get(Lead, lead_id).name, s.get(Lead, lead_id).email) == (None, None)


def test_a_person_forgotten_while_their_card_is_on_its_way_is_cleared_from_it(running_app: RunningApp, monkeypatch):
    """`forget` finds no card yet; the card built before it goes out, then is shown again without the data."""
    import bot.leads.cards as cards
    from storage.repos import leads as repo

    app = running_app
    secret = webhook_secret(app.deps, TEAM)  # no leads channel yet: the lead waits without a card
    lead_id = send_lead(app, secret, {"external_id": "crm-8", "name": PERSONAL[0], "email": PERSONAL[1]})
    app.background.wait_idle()
    save_settings(app.deps, TEAM, {"leads_channel": "C0LEADS"})
    built = cards.build_lead_card

    def forgotten_meanwhile(ws, lead, state, **kw):
        card = built(ws, lead, state, **kw)  # from the lead as read before
        with session_scope(app.deps.engine) as s:
            repo.forget(s, team_id=TEAM, lead_id=lead_id, now=datetime.now(UTC))
        return card

    monkeypatch.setattr(cards, "build_lead_card", forgotten_meanwhile)
    assert cards.post_card(app.deps, TEAM, lead_id) is not None
    (posted,) = app.slack.calls_to("chat.postMessage")
    assert PERSONAL[0] in posted.args["text"]
    (update,) = app.slack.calls_to("chat.update")
    assert update.args["ts"] == posted.response["ts"]
    assert not any(p in json.dumps(update.args, ensure_ascii=False) for p in PERSONAL)
