"""The lead loop end to end: webhook → card → verdicts (buttons, modal, reactions) → thread replies,
through signed HTTP requests and the Web API double; and the lead-quality report against a hand count."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot import ids
from bot.kpi.periods import Period
from bot.leads.cards import drain, post_card
from bot.leads.quality import compute_quality
from bot.leads.webhook import sign, webhook_secret
from bot.workspace.store import save_settings
from storage.db import session_scope
from storage.models import Lead, LeadVerdict, PostedMessage, ThreadReply
from storage.repos import leads as repo
from storage.repos import posts
from storage.types import utcnow
from tests.conftest import SIGNING_SECRET, TEAM, RunningApp
from tests.http import button_click, interactive, post, signed_post, slash_command
from tests.runtime import claim, deps_for
from tests.slack_double import SHARED

PAYLOADS = SHARED / "slack" / "payloads" / "http"
SALES = "U0SALES"


def _history(s, lead_id: int) -> list[LeadVerdict]:
    """A lead's verdicts, oldest first."""
    return repo.histories(s, team_id=TEAM, lead_ids=[lead_id]).get(lead_id, [])


@pytest.fixture
def app(running_app: RunningApp) -> RunningApp:
    save_settings(
        running_app.deps,
        TEAM,
        {"leads_channel": "C0LEADS", "sales": [SALES], "timezone": "UTC", "reactions": {"x": "not_target"}},
    )
    running_app.secret = webhook_secret(running_app.deps, TEAM)
    running_app.slack.add_user(SALES)
    running_app.slack.add_user("U0MKT")
    return running_app


def send_lead(
    app: RunningApp,
    payload,
    *,
    secret: str | None = None,
    ts: int | None = None,
    team: str = TEAM,
    raw: bytes | None = None,
):
    body = raw if raw is not None else json.dumps(payload).encode()
    ts = int(time.time()) if ts is None else ts
    headers = {
        "Content-Type": "application/json",
        "X-Handoff-Timestamp": str(ts),
        "X-Handoff-Signature": sign(secret or app.secret, ts, body),
    }
    return post(f"{app.url}/webhooks/{team}/leads", body, headers)


LEAD = {
    "external_id": "crm-1001",
    "created_at": "2026-11-30T09:15:00+03:00",
    "name": "Ivan Petrov",
    "company": "Romashka LLC",
    "email": "ivan@romashka.example",
    "channel": "google_ads",
    "campaign": "brand",
    "utm_source": "google",
    "product": "CRM Pro",
    "message": "Need 20 seats",
    "owner": "U0SALES",
    "crm_stage": "MQL",
}


def _card(app: RunningApp):
    """The card's chat.postMessage, once the bot has also stored where the card is."""
    call = app.slack.wait_for("chat.postMessage")[0]
    ts = call.response["ts"]

    def stored() -> bool:
        with session_scope(app.deps.engine) as s:
            return repo.by_card(s, team_id=TEAM, channel=call.args["channel"], ts=ts) is not None

    _wait(stored)
    return call


def _lead(app: RunningApp, external_id: str = "crm-1001") -> Lead:
    with session_scope(app.deps.engine) as s:
        return s.exec(select(Lead).where(Lead.team_id == TEAM, Lead.external_id == external_id)).first()


def test_webhook_posts_a_card_once(app: RunningApp):
    reply = send_lead(app, LEAD)
    assert reply.status == 201
    lead_id = reply.json()["lead_id"]
    card = _card(app)
    assert card.args["channel"] == "C0LEADS"
    text = json.dumps(card.args["blocks"], ensure_ascii=False)
    assert "Ivan Petrov" in text and "google_ads" in text and "Need 20 seats" in text and "<@U0SALES>" in text
    buttons = [e["action_id"] for b in card.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [
        ids.VERDICT_ACTION_PREFIX + v for v in ("target", "not_target", "spam", "duplicate", "cant_reach", "not_now")
    ]
    again = send_lead(app, LEAD)
    assert again.status == 200 and again.json() == {"ok": True, "lead_id": lead_id, "created": False}
    post_card(app.deps, TEAM, lead_id)  # the job retrying finds the claim
    app.background.wait_idle()  # and the first webhook's posting in the background has finished
    assert len(app.slack.calls_to("chat.postMessage")) == 1
    lead = _lead(app)
    assert lead.extra == {"crm_stage": "MQL"} and lead.card_ts == card.response["ts"]
    assert lead.created_at == datetime(2026, 11, 30, 6, 15, tzinfo=UTC)


def test_cards_slack_refused_are_told_once_and_posted_once_the_bot_is_in_the_channel(app: RunningApp):
    """Not in the leads channel: one DM to the admins for both cards; tried every 10 minutes, each posted once."""
    from dataclasses import replace

    from bot.leads.cards import CARD_RETRY, post_missing_cards
    from bot.workspace.store import load

    save_settings(app.deps, TEAM, {"admins": ["U0ADM"]})
    for n in (1, 2):
        app.slack.fail("chat.postMessage", "not_in_channel")
        assert send_lead(app, {"external_id": f"refused-{n}", "name": f"Lead {n}"}).status == 201
        app.background.wait_idle()
    (dm,) = [c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADM"]
    assert "I'm not in that channel" in dm.args["text"] and "<#C0LEADS>" in dm.args["text"]

    def tick(after: timedelta) -> int:
        later = utcnow() + after
        return post_missing_cards(replace(app.deps, clock=lambda: later), load(app.deps, TEAM), later)

    tried = len(app.slack.calls_to("chat.postMessage"))
    assert tick(CARD_RETRY / 2) == 0 and len(app.slack.calls_to("chat.postMessage")) == tried  # not due yet
    app.slack.fail("chat.postMessage", "not_in_channel")
    assert tick(CARD_RETRY + timedelta(minutes=1)) == 0
    assert len(app.slack.calls_to("chat.postMessage")) == tried + 1  # the first refused again ends the round
    assert tick(2 * CARD_RETRY + timedelta(minutes=2)) == 2
    assert tick(3 * CARD_RETRY + timedelta(minutes=3)) == 0
    cards = app.slack.posted("C0LEADS")
    with session_scope(app.deps.engine) as s:
        stored = sorted(lead.card_ts or "" for lead in s.exec(select(Lead)))
    assert len(cards) == 2 and stored == sorted(m["ts"] for m in cards)
    assert len([c for c in app.slack.calls_to("chat.postMessage") if c.args["channel"] == "U0ADM"]) == 1


def test_a_lead_before_a_leads_channel_is_set_is_told_so_and_carded_once_one_is(running_app: RunningApp):
    """201 with a warning, no card; once an admin sets the channel, the next sweep posts the card."""
    from dataclasses import replace

    from bot.leads.cards import CARD_GRACE, post_missing_cards
    from bot.workspace.store import load

    app = running_app
    app.secret = webhook_secret(app.deps, TEAM)
    reply = send_lead(app, {"external_id": "early-1", "name": "Early Lead"})
    assert reply.status == 201 and "no leads channel is set" in reply.json()["warning"]
    app.background.wait_idle()
    assert app.slack.calls_to("chat.postMessage") == []
    view = _open_home(app)  # App Home says where the lead is
    assert "1 lead came in and waits for a leads channel: its card is posted once an admin sets one." in view
    save_settings(app.deps, TEAM, {"leads_channel": "C0LEADS"})
    later = utcnow() + CARD_GRACE + timedelta(minutes=1)
    assert post_missing_cards(replace(app.deps, clock=lambda: later), load(app.deps, TEAM), later) == 1
    (card,) = app.slack.calls_to("chat.postMessage")
    assert card.args["channel"] == "C0LEADS" and "Early Lead" in card.args["text"]
    assert "warning" not in send_lead(app, {"external_id": "early-2"}).json()


def test_the_same_lead_sent_at_once_is_stored_and_counted_once(app: RunningApp):
    """One lead sent on several connections at once: stored, carded and counted once; every answer names it."""
    from concurrent.futures import ThreadPoolExecutor

    from storage.models import CardQueue, LeadDay

    app.deps.card_worker = True  # the card stays queued: what is owed is counted, not posted
    for n in range(3):
        lead = {**LEAD, "external_id": f"crm-race-{n}"}
        barrier = threading.Barrier(8)

        def send(_: int, lead=lead, barrier=barrier):
            barrier.wait()
            return send_lead(app, lead)

        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(send, range(8)))
        assert sorted(r.status for r in replies) == [200] * 7 + [201]
        assert len({r.json()["lead_id"] for r in replies}) == 1
    with session_scope(app.deps.engine) as s:
        assert len(s.exec(select(Lead)).all()) == 3
        assert len(s.exec(select(CardQueue)).all()) == 3
        assert [(d.channel, d.leads) for d in s.exec(select(LeadDay))] == [("google_ads", 3)]


def _queued(app: RunningApp) -> list[tuple[str, int]]:
    with session_scope(app.deps.engine) as s:
        return repo.queued_cards(s)


def test_with_a_card_worker_the_webhook_only_queues_and_the_worker_posts_once(app: RunningApp):
    app.deps.card_worker = True
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    send_lead(app, LEAD)  # a retried webhook queues nothing more
    app.background.wait_idle()  # whatever the webhooks left to do in the background is done
    assert app.slack.calls_to("chat.postMessage") == [] and _queued(app) == [(TEAM, lead_id)]
    assert drain(app.deps) == 1
    assert drain(app.deps) == 0 and _queued(app) == []
    cards = app.slack.calls_to("chat.postMessage")
    assert len(cards) == 1 and _lead(app).card_ts == cards[0].response["ts"]


def test_the_worker_posts_a_batch_once_each_and_records_every_outcome(app: RunningApp):
    """The card worker posts each queued card once, records refusals and cards held elsewhere, empties the queue."""
    app.deps.card_worker = True
    ids_ = [
        send_lead(app, LEAD | {"external_id": f"crm-b{i}", "name": f"Batch {i}"}).json()["lead_id"] for i in range(13)
    ]
    held = ids_[5]
    assert claim(app.deps.engine, TEAM, f"lead-card/{held}", "lead-card") is not None
    app.slack.fail("chat.postMessage", "channel_not_found")  # the first post of the batch is refused
    assert drain(app.deps) == 13  # two chunks: 10 and 3
    assert drain(app.deps) == 0 and _queued(app) == []
    cards = app.slack.calls_to("chat.postMessage")
    posted = [c for c in cards if c.response.get("ok")]
    names = sorted(c.args["text"].split(": ", 1)[1].split(" · ")[0] for c in posted)
    assert len(cards) == 12 and len(posted) == 11
    assert names == sorted(f"Batch {i}" for i in range(13) if i not in (0, 5))
    with session_scope(app.deps.engine) as s:
        leads_ = {lead.id: lead for lead in s.exec(select(Lead).where(Lead.id.in_(ids_)))}
        claims = {c.key: c for c in s.exec(select(PostedMessage).where(PostedMessage.kind == "lead-card"))}
    assert {c.response["ts"] for c in posted} == {leads_[i].card_ts for i in ids_ if i not in (ids_[0], held)}
    assert leads_[ids_[0]].card_ts is None and leads_[held].card_ts is None
    assert (
        claims[f"lead-card/{ids_[0]}"].status == "failed"
        and claims[f"lead-card/{ids_[0]}"].error == "channel_not_found"
    )
    assert claims[f"lead-card/{held}"].status == "claimed"
    assert all(claims[f"lead-card/{i}"].status == "done" for i in ids_ if i not in (ids_[0], held))


def test_without_a_worker_the_card_leaves_the_queue_when_posted(app: RunningApp):
    send_lead(app, LEAD)
    _card(app)
    app.background.wait_idle()  # the posting is over: the card is off the queue by now
    assert _queued(app) == []


@pytest.mark.parametrize(
    "case,status",
    [("forged", 401), ("stale", 401), ("oversized", 413), ("malformed", 400), ("bad fields", 400), ("unknown", 404)],
)
def test_webhook_refusals_store_nothing(app: RunningApp, case: str, status: int):
    if case == "forged":
        reply = send_lead(app, LEAD, secret="guess")
    elif case == "stale":
        reply = send_lead(app, LEAD, ts=int(time.time()) - 301)
    elif case == "oversized":
        reply = send_lead(app, {**LEAD, "message": "x" * 70_000})
    elif case == "malformed":
        reply = send_lead(app, None, raw=b'{"external_id": "a",')
    elif case == "bad fields":
        reply = send_lead(app, {**LEAD, "external_id": "", "email": "not-an-email", "created_at": "yesterday"})
        assert set(reply.json()["errors"]) == {"external_id", "email", "created_at"}
    else:
        reply = send_lead(app, LEAD, team="T0NOBODY")
    assert reply.status == status
    app.background.wait_idle()  # nothing left running that could store or post it
    assert _lead(app) is None
    assert app.slack.calls_to("chat.postMessage") == []


def submit_verdict_modal(app: RunningApp, view: dict, reason: str, note: str, user: str = SALES):
    payload = json.loads((PAYLOADS / "view_submission.modal_input.json").read_text())
    payload["team"]["id"] = TEAM
    payload["user"].update({"id": user, "team_id": TEAM})
    payload["view"].update(
        {"team_id": TEAM, "callback_id": ids.VERDICT_MODAL, "private_metadata": view["private_metadata"]}
    )
    payload["view"]["state"] = {
        "values": {
            ids.REASON: {ids.VALUE: {"type": "static_select", "selected_option": {"value": reason}}},
            ids.NOTE: {ids.VALUE: {"type": "plain_text_input", "value": note}},
        }
    }
    return signed_post(
        app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
    )


def _fields(blocks: list[dict]) -> dict[str, str]:
    """A card's fields, title → value."""
    pairs = [f["text"].split("\n", 1) for b in blocks if b["type"] == "section" for f in b.get("fields") or []]
    return {title.strip("*"): value for title, value in pairs}


def test_a_card_links_to_the_crm_and_says_when_its_verdict_is_due_until_it_is_given(app: RunningApp):
    """crm_lead_url set: an Open in CRM link button with the id encoded; the card came in 06:15 UTC on
    Monday and is posted at 06:20, so 4 working hours from 09:00 make 13:00. The verdict's update keeps
    the link and drops the due time; the link's click is acked."""
    save_settings(app.deps, TEAM, {"crm_lead_url": "https://crm.example.com/leads/{external_id}?from=slack"})
    app.deps.clock = lambda: datetime(2026, 11, 30, 6, 20, tzinfo=UTC)
    lead_id = send_lead(app, {**LEAD, "external_id": "crm/1001 #a"}).json()["lead_id"]
    card = _card(app)
    fields = _fields(card.args["blocks"])
    assert (fields["Came in"], fields["Verdict due"]) == ("Mon 30 Nov, 06:15", "Mon 30 Nov, 13:00")
    (actions,) = [b for b in card.args["blocks"] if b["type"] == "actions"]
    link = actions["elements"][-1]
    assert (link["action_id"], link["text"]["text"]) == (ids.OPEN_IN_CRM, "Open in CRM")
    assert link["url"] == "https://crm.example.com/leads/crm%2F1001%20%23a?from=slack"
    assert button_click(app, ids.OPEN_IN_CRM, "", user="U0MKT", channel="C0LEADS").status == 200
    button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(lead_id), user=SALES, channel="C0LEADS")
    update = app.slack.wait_for("chat.update")[0].args["blocks"]
    assert "Verdict due" not in _fields(update) and _fields(update)["Came in"] == "Mon 30 Nov, 06:15"
    assert next(b for b in update if b["type"] == "actions")["elements"][-1]["url"] == link["url"]
    app.background.wait_idle()
    assert app.slack.calls_to("views.open") == [] and _lead(app, "crm/1001 #a").verdict == "target"


def test_not_target_with_a_reason_then_changed_to_target(app: RunningApp):
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    _card(app)
    button_click(app, ids.VERDICT_ACTION_PREFIX + "not_target", str(lead_id), user=SALES, channel="C0LEADS")
    view = app.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.VERDICT_MODAL
    assert any(o["value"] == "no_budget" for o in view["blocks"][1]["element"]["options"])
    assert submit_verdict_modal(app, view, "no_budget", "Wants it free").status == 200
    update = app.slack.wait_for("chat.update")[0]
    text = json.dumps(update.args["blocks"])
    assert update.args["ts"] == _lead(app).card_ts
    assert "Not target" in text and "No budget" in text and "Wants it free" in text and f"<@{SALES}>" in text
    button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(lead_id), user=SALES, channel="C0LEADS")
    second = app.slack.wait_for("chat.update", count=2)[1]
    assert "changed once" in json.dumps(second.args["blocks"])
    with session_scope(app.deps.engine) as s:
        hist = [(h.verdict, h.reason, h.note, h.user_id) for h in _history(s, lead_id)]
    assert hist == [("not_target", "no_budget", "Wants it free", SALES), ("target", None, None, SALES)]
    assert _lead(app).verdict == "target"


def test_clicks_forms_and_commands_are_answered_when_ack_runs(app: RunningApp, monkeypatch):
    """The answer leaves when ack() returns, so Bolt's 10 ms ack check never sleeps (counted, not timed)."""
    import slack_bolt.listener.thread_runner as runner

    slept: list[float] = []

    class CountingClock:  # the runner's `time` module, with its sleeps counted
        time = staticmethod(time.time)

        @staticmethod
        def sleep(seconds: float) -> None:
            slept.append(seconds)
            time.sleep(seconds)

    monkeypatch.setattr(runner, "time", CountingClock)
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    _card(app)
    button_click(app, ids.VERDICT_ACTION_PREFIX + "spam", str(lead_id), user=SALES, channel="C0LEADS")
    view = app.slack.wait_for("views.open")[0].args["view"]
    assert submit_verdict_modal(app, view, "competitor", "").status == 200
    app.slack.wait_for("chat.update")
    button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(lead_id), user=SALES, channel="C0LEADS")
    app.slack.wait_for("chat.update", count=2)
    assert slash_command(app, ids.COMMAND_LEADS, "quality week").status == 200
    app.slack.wait_for_response()
    assert slept == []
    with session_scope(app.deps.engine) as s:
        assert [h.verdict for h in _history(s, lead_id)] == ["spam", "target"]


def test_a_double_click_is_one_verdict(app: RunningApp):
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    _card(app)
    for _ in range(2):
        button_click(app, ids.VERDICT_ACTION_PREFIX + "target", str(lead_id), user=SALES, channel="C0LEADS")
    app.slack.wait_for("chat.update")
    app.background.wait_idle()  # both clicks' listeners have finished
    with session_scope(app.deps.engine) as s:
        assert len(_history(s, lead_id)) == 1
    assert len(app.slack.calls_to("chat.update")) == 1


def test_someone_outside_sales_is_refused(app: RunningApp):
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    _card(app)
    button_click(app, ids.VERDICT_ACTION_PREFIX + "spam", str(lead_id), user="U0MKT", channel="C0LEADS")
    answer = app.slack.wait_for_response()[0]
    assert answer["response_type"] == "ephemeral" and "Only the sales team" in answer["text"]
    app.background.wait_idle()  # the click's listener has finished
    assert app.slack.calls_to("views.open") == [] and _lead(app).verdict is None


def _event(kind: str, **event) -> dict:
    body = json.loads((PAYLOADS / kind).read_text())
    body["team_id"] = TEAM
    body["event"] = {**event}
    body["event_id"] = event.pop("_id", f"Ev{time.time_ns()}")
    body["event"].pop("_id", None)
    body.pop("enterprise_id", None)
    for auth in body.get("authorizations", []):
        auth.update({"team_id": TEAM, "enterprise_id": None, "is_enterprise_install": False})
    return body


def send_event(app: RunningApp, body: dict, retry: int | None = None):
    extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
    return signed_post(app.url + "/slack/events", SIGNING_SECRET, json.dumps(body), "application/json", extra=extra)


def _replies(app: RunningApp) -> list[tuple]:
    with session_scope(app.deps.engine) as s:
        return [(r.ts, r.user_id, r.text) for r in s.exec(select(ThreadReply).order_by(ThreadReply.ts))]


def _wait(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _reply_event(text: str, ts: str, thread_ts: str, **fields) -> dict:
    """A sales rep's message in a card's thread, as Slack delivers it."""
    return _event(
        "event_callback.message.thread_reply_channel.DERIVED.json",
        type="message",
        channel="C0LEADS",
        user=SALES,
        text=text,
        ts=ts,
        thread_ts=thread_ts,
        event_ts=ts,
        **fields,
    )


def _reaction_event(card_ts: str, event_ts: str, reaction: str = "x", **fields) -> dict:
    """A sales rep's emoji on a card."""
    return _event(
        "event_callback.reaction_added.json",
        type="reaction_added",
        user=SALES,
        reaction=reaction,
        item={"type": "message", "channel": "C0LEADS", "ts": card_ts},
        event_ts=event_ts,
        **fields,
    )


def test_a_thread_reply_is_kept_as_it_was_typed(app: RunningApp):
    """Slack's formatted reply (`R&amp;D`, `<@U…|ann>`, a link) is kept as the rep typed it, shown escaped once."""
    send_lead(app, LEAD)
    card_ts = _card(app).response["ts"]
    formatted = "R&amp;D asks &lt;why&gt;, cc <@U0ANN|ann> <https://a.example|form>"
    assert send_event(app, _reply_event(formatted, "1800000000.000210", card_ts, _id="EvTYPED")).status == 200
    app.background.wait_idle()
    assert _replies(app) == [("1800000000.000210", SALES, "R&D asks <why>, cc @ann form (https://a.example)")]


def test_thread_reply_edit_delete_and_a_retried_event(app: RunningApp):
    send_lead(app, LEAD)
    card_ts = _card(app).response["ts"]
    base = "event_callback.message.thread_reply_channel.DERIVED.json"
    reply = _reply_event("Called, they want a demo", "1800000000.000200", card_ts, _id="EvREPLY")
    assert send_event(app, reply).status == 200
    _wait(lambda: len(_replies(app)) == 1)
    assert send_event(app, reply, retry=1).status == 200  # Slack's retry of the same event
    root = _event(
        base,
        type="message",
        channel="C0LEADS",
        user=SALES,
        text="not in a thread",
        ts="1800000000.000300",
        event_ts="1800000000.000300",
    )
    bot = _event(
        base,
        type="message",
        channel="C0LEADS",
        bot_id="B0BOT",
        text="bot says",
        ts="1800000000.000400",
        thread_ts=card_ts,
        event_ts="1800000000.000400",
    )
    send_event(app, root)
    send_event(app, bot)
    edit = _event(
        "event_callback.message.message_changed.json",
        type="message",
        subtype="message_changed",
        channel="C0LEADS",
        event_ts="1800000001.000100",
        ts="1800000001.000100",
        message={
            "type": "message",
            "user": SALES,
            "text": "Called, they want a demo next week",
            "ts": "1800000000.000200",
            "thread_ts": card_ts,
        },
    )
    send_event(app, edit)
    _wait(lambda: _replies(app) and _replies(app)[0][2].endswith("next week"))
    assert _replies(app) == [("1800000000.000200", SALES, "Called, they want a demo next week")]
    delete = _event(
        "event_callback.message.message_deleted.json",
        type="message",
        subtype="message_deleted",
        channel="C0LEADS",
        deleted_ts="1800000000.000200",
        event_ts="1800000002.000100",
        ts="1800000002.000100",
    )
    send_event(app, delete)
    _wait(lambda: _replies(app) == [])


def test_a_mapped_reaction_sets_the_verdict(app: RunningApp):
    send_lead(app, LEAD)
    card_ts = _card(app).response["ts"]
    event = _reaction_event(card_ts, "1800000003.000100")
    send_event(app, event)
    send_event(app, event, retry=2)
    app.slack.wait_for("chat.update")
    assert _lead(app).verdict == "not_target"
    with session_scope(app.deps.engine) as s:
        assert [h.source for h in _history(s, _lead(app).id)] == ["reaction"]


def test_a_reply_and_a_reaction_before_the_card_is_recorded_are_kept_once_it_is(app: RunningApp):
    """A reply and a reaction before the card's place is recorded land on the lead once it is, once each."""
    app.deps.card_worker = True
    lead_id = send_lead(app, LEAD).json()["lead_id"]
    claim_id = claim(app.deps.engine, TEAM, f"lead-card/{lead_id}", "lead-card")  # posting…
    card_ts = "1800000000.000100"
    reply = _reply_event("Already called them", "1800000000.000900", card_ts, _id="EvEARLYREPLY")
    reaction = _reaction_event(card_ts, "1800000000.000950", _id="EvEARLYX")
    assert send_event(app, reply).status == 200 and send_event(app, reaction).status == 200
    app.background.wait_idle(timers=False)  # both listeners have tried once; their retries are timed
    assert _replies(app) == [] and _lead(app).verdict is None
    with session_scope(app.deps.engine) as s:  # …and now recorded, as the worker does after its chunk
        repo.set_cards(s, team_id=TEAM, cards=[(lead_id, "C0LEADS", card_ts)], now=utcnow())
        posts.record(s, outcomes=[(claim_id, "done", "C0LEADS", card_ts, None)], now=utcnow())
        repo.dequeue_cards(s, lead_ids=[lead_id])
    _wait(lambda: _replies(app) == [("1800000000.000900", SALES, "Already called them")], timeout=8)
    _wait(lambda: _lead(app).verdict == "not_target", timeout=8)
    send_event(app, reply, retry=1)
    send_event(app, reaction, retry=1)
    app.background.wait_idle()  # the retried deliveries handled, and no try of any event still to come
    assert len(_replies(app)) == 1
    with session_scope(app.deps.engine) as s:
        assert [h.source for h in _history(s, lead_id)] == ["reaction"]


def test_weekly_quality_numbers_against_a_hand_count(engine, slack):
    """Week 23–29 Nov against a hand count: ads 4 leads (3 judged, 2 target), seo 2 (0 target), 1 unjudged."""
    from tests.test_digests import make_deps

    save_settings(deps_for(engine), TEAM, {"timezone": "UTC", "sla_hours": 4})
    at = lambda d, h=10: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    rows = [
        ("a1", at(23), "ads", "target", None),
        ("a2", at(24), "ads", "target", None),
        ("a3", at(25), "ads", "not_target", "no_budget"),
        ("a4", at(26), "ads", None, None),
        ("s1", at(24), "seo", "not_target", "no_budget"),
        ("s2", at(27), "seo", "spam", "spam_reason"),
        ("e1", at(28), "email", None, None),
        ("p1", at(17), "ads", "target", None),
        ("p2", at(18), "ads", "target", None),
    ]
    with session_scope(engine) as s:
        for ext, created, channel, verdict, reason in rows:
            lead = Lead(
                team_id=TEAM,
                external_id=ext,
                created_at=created,
                channel=channel,
                card_ts=f"1.{ext}",
                card_channel="C",
                card_posted_at=created,
            )
            s.add(lead)
            s.flush()
            if verdict:
                # judged after 2 working hours, except s2: the next day (09:00–18:00: 8 + 1 = 9 hours)
                given = created + (timedelta(hours=23) if ext == "s2" else timedelta(hours=2))
                s.add(
                    LeadVerdict(
                        team_id=TEAM, lead_id=lead.id, verdict=verdict, reason=reason, user_id=SALES, created_at=given
                    )
                )
                lead.verdict, lead.verdict_at = verdict, given
    q = compute_quality(make_deps(engine, slack, at(30)), TEAM, Period.containing("week", at(25).date()))
    assert (q.leads, q.judged, q.target, q.waiting) == (7, 5, 2, 2)
    assert q.judged_target_share_pct == pytest.approx(40)
    ch = {r["name"]: r for r in q.groups["channel"]}
    assert (ch["ads"]["leads"], ch["ads"]["judged"], ch["ads"]["target"]) == (4, 3, 2)
    assert ch["ads"]["judged_target_share_pct"] == pytest.approx(200 / 3)
    assert ch["ads"]["previous_share_pct"] == 100 and ch["ads"]["change_pp"] == pytest.approx(200 / 3 - 100)
    assert ch["seo"]["judged_target_share_pct"] == 0 and ch["email"]["judged_target_share_pct"] is None
    assert [(r["reason"], r["count"]) for r in q.reasons] == [
        ("No budget", 2),
        ("Spam reason", 1),
    ]  # a code read as words
    # 5 judged, 4 within 4 working hours (s2 after 9); at Mon 30 Nov 10:00 a4 (Thu 26th) has waited 18
    # working hours, past the SLA: due; e1 (Sat 28th) 1 working hour: still inside it, not counted.
    assert (q.sla.due, q.sla.kept, q.sla.pending) == (6, 4, 1)


def test_lead_added_by_hand_gets_a_card(app: RunningApp):

    slash_command(app, ids.COMMAND_LEAD, "", user=SALES)
    view = app.slack.wait_for("views.open")[0].args["view"]
    assert view["callback_id"] == ids.LEAD_MODAL
    payload = json.loads((PAYLOADS / "view_submission.modal_input.json").read_text())
    payload["team"]["id"] = TEAM
    payload["user"].update({"id": SALES, "team_id": TEAM})
    payload["view"].update(
        {"team_id": TEAM, "callback_id": ids.LEAD_MODAL, "private_metadata": view["private_metadata"], "id": "V0HAND"}
    )
    payload["view"]["state"] = {
        "values": {
            "name": {ids.VALUE: {"type": "plain_text_input", "value": "Olga"}},
            "company": {ids.VALUE: {"type": "plain_text_input", "value": "Vasilek"}},
            "channel": {ids.VALUE: {"type": "plain_text_input", "value": "events"}},
        }
    }
    assert (
        signed_post(
            app.url + "/slack/events", SIGNING_SECRET, interactive(payload), "application/x-www-form-urlencoded"
        ).status
        == 200
    )
    card = _card(app)
    assert "Olga" in card.args["text"] and card.args["channel"] == "C0LEADS"
    lead = _lead(app, f"slack-{SALES}-V0HAND")
    assert (lead.source, lead.owner, lead.channel) == ("slack", SALES, "events")


def test_leads_quality_answers_ephemerally(app: RunningApp):

    send_lead(app, {**LEAD, "created_at": "2026-11-24T10:00:00+00:00"})
    send_lead(app, {**LEAD, "external_id": "crm-2", "channel": "seo", "created_at": "2026-11-25T10:00:00+00:00"})
    app.slack.wait_for("chat.postMessage", count=2)
    assert slash_command(app, ids.COMMAND_LEADS, "quality 2026-11-23..2026-11-29 by channel").status == 200
    body = app.slack.wait_for_response()[0]
    text = json.dumps(body["blocks"])
    assert body["response_type"] == "ephemeral" and "2 leads, 0 judged, 2 still waiting" in text
    assert "*google_ads*" in text and "*seo*" in text
    assert "quality" in slash_command(app, ids.COMMAND_LEADS, "nonsense").json()["text"]


def _open_home(app: RunningApp) -> str:
    """A sales rep opens App Home: the view published, as JSON text."""
    send_event(
        app,
        _event(
            "event_callback.app_home_opened.org_install.json",
            type="app_home_opened",
            user=SALES,
            channel="D0HOME",
            tab="home",
            event_ts="1800000009.000100",
        ),
    )
    return json.dumps(app.slack.wait_for("views.publish")[0].args["view"])


def test_app_home_counts_cards_waiting_for_a_verdict(app: RunningApp):
    send_lead(app, LEAD)
    _card(app)
    view = _open_home(app)
    assert "1 lead card waits for a verdict from sales" in view and "<#C0LEADS>" in view


def _quality_week(app: RunningApp) -> Period:
    """Week 48 of 2026 in the marketing channel C0MKT: ads 2 leads (1 target), seo 1 rejected for no budget."""
    save_settings(app.deps, TEAM, {"marketing_channel": "C0MKT"})
    with session_scope(app.deps.engine) as s:
        for ext, day, channel, verdict, reason in (
            ("q1", 23, "ads", "target", None),
            ("q2", 24, "ads", "not_target", "no_budget"),
            ("q3", 25, "seo", "not_target", "no_budget"),
        ):
            created = datetime(2026, 11, day, 10, tzinfo=UTC)
            lead = Lead(team_id=TEAM, external_id=ext, created_at=created, channel=channel, verdict=verdict)
            lead.verdict_at = created + timedelta(hours=1)
            s.add(lead)
            s.flush()
            s.add(
                LeadVerdict(team_id=TEAM, lead_id=lead.id, verdict=verdict, reason=reason, created_at=lead.verdict_at)
            )
    return Period.containing("week", datetime(2026, 11, 25).date())


def test_export_button_posts_the_csv_in_the_reports_thread_once_per_click(app: RunningApp):
    """Export on the weekly quality report: the CSV goes into the report's thread; the same click delivered
    again posts nothing more; a second click is a second export."""
    from bot.leads.report import post_quality

    week = _quality_week(app)
    report_ts = post_quality(app.deps, TEAM, week)
    report = app.slack.calls_to("chat.postMessage")[0].args
    button = next(b for b in report["blocks"] if b["type"] == "actions")["elements"][0]
    assert (button["action_id"], button["value"]) == (ids.QUALITY_EXPORT, "2026-W48")

    click = {"user": "U0MKT", "channel": "C0MKT", "action_ts": "1764583200.000100"}
    assert button_click(app, ids.QUALITY_EXPORT, button["value"], **click).status == 200
    upload = app.slack.wait_for("files.completeUploadExternal")[0].args
    assert (upload["channel_id"], upload["thread_ts"]) == ("C0MKT", report_ts)
    (file,) = upload["files"]
    assert file["title"] == "Lead quality · Week 48 · 23\u2009–\u200929 Nov 2026"
    assert app.slack.uploads[file["id"]].decode().splitlines() == [
        "group,name,leads,judged,target,judged_target_share_pct,previous_judged_target_share_pct,change_pp,rejected",
        "channel,ads,2,2,1,50,,,",
        "channel,seo,1,1,0,0,,,",
        "campaign,,3,3,1,33.33,,,",
        "reason,No budget,,,,,,,2",
    ]
    reply = app.slack.calls_to("chat.postMessage")[1].args
    assert (reply["channel"], reply["thread_ts"]) == ("C0MKT", report_ts)
    assert "<@U0MKT> asked for this report as CSV." in reply["text"]

    button_click(app, ids.QUALITY_EXPORT, button["value"], **click)  # Slack delivers the same click again
    app.background.wait_idle()
    assert len(app.slack.calls_to("files.completeUploadExternal")) == 1
    assert len(app.slack.calls_to("chat.postMessage")) == 2

    button_click(app, ids.QUALITY_EXPORT, button["value"], **(click | {"action_ts": "1764583260.000100"}))
    app.slack.wait_for("files.completeUploadExternal", count=2)
    assert len(app.slack.calls_to("chat.postMessage")) == 3


def test_export_of_a_report_never_posted_says_so(app: RunningApp):
    """A button whose week has no report on record answers the clicker, and posts nothing."""
    _quality_week(app)
    button_click(app, ids.QUALITY_EXPORT, "2026-W48", user="U0MKT", channel="C0MKT")
    assert "ask for it with `/leads quality`" in app.slack.wait_for_response()[0]["text"]
    assert not app.slack.calls_to("chat.postMessage") and not app.slack.calls_to("files.completeUploadExternal")
