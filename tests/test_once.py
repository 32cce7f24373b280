"""The exactly-once protocol (bot.slack.once) against the Slack double and a real database: claims,
threads, lost answers, cut-off posts and their resumption."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import select

from bot.deps import Deps
from bot.settings import Settings
from bot.slack import once
from bot.slack.kit import Message, Mrkdwn, notice
from bot.workspace.store import ensure
from storage.db import alembic_config, make_engine, migrate, session_scope
from storage.models import PostedMessage
from storage.repos import posts
from tests.conftest import BOT_TOKEN, TEAM
from tests.runtime import add_workspace_to_an_older_schema
from tests.slack_double import SlackDouble

CHANNEL = "C0POSTS"
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(engine: Engine, slack: SlackDouble, clock: Clock) -> Deps:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url, _env_file=None)
    d = Deps(settings=settings, engine=engine, clock=clock)
    ensure(d, TEAM)
    return d


def _no_rebuild(deps: Deps, held: PostedMessage) -> once.Post | None:
    return None


failures: list[str] = []
shapes: dict[str, dict[str, int | bool]] = {}  # key → the thread its post was made with
KIND = once.Kind("test", rebuild=lambda deps, held: post(held.key, held.channel or CHANNEL, **shapes.get(held.key, {})))


def post(key: str, channel: str = CHANNEL, *, parts: int = 0, files: bool = False) -> once.Post:
    shapes[key] = {"parts": parts, "files": files}

    def thread() -> list[tuple[str, once.Part]]:
        out: list[tuple[str, once.Part]] = [(f"p{i}", notice(Mrkdwn(f"part {i} of {key}"))) for i in range(parts)]
        if files:
            out.append(("files", once.Files((once.Attachment(f"{key.replace('/', '-')}.csv", b"a,b\n", "t"),))))
        return out

    return once.Post(
        key=key,
        kind=KIND,
        channel=channel,
        build=lambda: notice(Mrkdwn(f"the post {key}")),
        thread=thread if parts or files else None,
        on_failure=failures.append,
    )


def claims(engine: Engine) -> dict[str, PostedMessage]:
    with session_scope(engine) as s:
        return {c.key: c for c in s.exec(select(PostedMessage))}


def texts(slack: SlackDouble, channel: str = CHANNEL) -> list[str]:
    return [m.get("text", "") or ",".join(f["name"] for f in m.get("files", [])) for m in slack.posted(channel)]


@pytest.fixture(autouse=True)
def _forget_failures():
    failures.clear()
    shapes.clear()


def test_a_post_goes_out_once_with_its_key_in_the_metadata(deps: Deps, slack: SlackDouble, engine: Engine):
    """Delivered twice: one message, carrying its key; the second delivery reports where the first is."""
    first = once.deliver(deps, TEAM, post("daily/2026-12-01"))
    second = once.deliver(deps, TEAM, post("daily/2026-12-01"))
    assert first.status == "posted" and second.status == "skipped" and second.ts == first.ts
    (message,) = slack.posted(CHANNEL)
    assert message["metadata"] == {"event_type": "handoff_post", "event_payload": {"key": "daily/2026-12-01"}}
    assert claims(engine)["daily/2026-12-01"].status == "done"


def test_the_thread_goes_out_in_order_each_part_once(deps: Deps, slack: SlackDouble, engine: Engine):
    """A post with two replies and a file: all three in its thread, in order; delivering again adds nothing."""
    out = once.deliver(deps, TEAM, post("weekly/2026-W49", parts=2, files=True))
    once.deliver(deps, TEAM, post("weekly/2026-W49", parts=2, files=True))
    thread = [m for m in slack.posted(CHANNEL) if m.get("thread_ts") == out.ts]
    assert [m.get("text") or m["files"][0]["name"] for m in thread] == [
        "part 0 of weekly/2026-W49",
        "part 1 of weekly/2026-W49",
        "weekly-2026-W49.csv",
    ]
    assert len(slack.posted(CHANNEL)) == 4 and claims(engine)["weekly/2026-W49"].status == "done"


def test_a_refused_post_is_reported_and_not_tried_again(deps: Deps, slack: SlackDouble, engine: Engine):
    """Slack refuses the post itself: failed, its failure reported once, never posted by a later delivery."""
    slack.fail("chat.postMessage", "not_in_channel")
    assert once.deliver(deps, TEAM, post("monthly/2026-11", parts=1)).status == "failed"
    assert once.deliver(deps, TEAM, post("monthly/2026-11", parts=1)).status == "skipped"
    assert failures == ["not_in_channel"] and slack.posted(CHANNEL) == []
    assert claims(engine)["monthly/2026-11"].error == "not_in_channel"


def test_a_refused_part_stops_the_thread_until_a_later_tick(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """A refused second part waits as posted; the sweep after STALE finishes the thread from that part on."""
    slack.fail("chat.postMessage", "internal_error", after=2)
    out = once.deliver(deps, TEAM, post("monthly/2026-10", parts=2))
    assert out.status == "posted" and out.error == "internal_error"
    assert claims(engine)["monthly/2026-10"].status == "posted"
    assert once.resume(deps, {"test": KIND}) == 0  # not stale yet: its owner may still be at it
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 1
    assert claims(engine)["monthly/2026-10"].status == "done"
    assert texts(slack) == ["the post monthly/2026-10", "part 0 of monthly/2026-10", "part 1 of monthly/2026-10"]
    assert failures == []


def test_a_refused_post_is_tried_again_when_due_and_an_interrupted_one_never(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """try_again re-posts what Slack refused, once `after` has passed; a post given up as interrupted stays."""
    slack.fail("chat.postMessage", "not_in_channel")
    once.deliver(deps, TEAM, post("card/1"))
    with session_scope(engine) as s:
        posts.claim_many(s, team_id=TEAM, claims=[("card/2", "test", None, CHANNEL)], now=clock.now)
        posts.record(
            s,
            outcomes=[(posts.get(s, team_id=TEAM, key="card/2").id, "failed", None, None, once.INTERRUPTED)],
            now=clock.now,
        )
    both = [post("card/1"), post("card/2")]
    assert once.try_again(deps, TEAM, both, after=timedelta(minutes=10)) == 0 and texts(slack) == []
    clock.now += timedelta(minutes=11)
    assert once.try_again(deps, TEAM, both, after=timedelta(minutes=10)) == 1
    assert texts(slack) == ["the post card/1"]
    assert {k: c.status for k, c in claims(engine).items()} == {"card/1": "done", "card/2": "failed"}


def test_a_part_refused_every_time_is_given_up_and_the_admins_told(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """After MAX_ATTEMPTS refusals a part is given up: the post is done and its failure reported once."""
    slack.fail("chat.postMessage", "invalid_blocks", after=1)
    first = once.deliver(deps, TEAM, post("x/1", parts=1))
    assert first.status == "posted" and claims(engine)["x/1"].status == "posted"
    for _ in range(once.MAX_ATTEMPTS - 1):
        clock.now += once.STALE + timedelta(seconds=1)
        slack.fail("chat.postMessage", "invalid_blocks", times=1)
        once.resume(deps, {"test": KIND})
    assert claims(engine)["x/1/p0"].status == "failed" and claims(engine)["x/1/p0"].attempts == once.MAX_ATTEMPTS
    assert claims(engine)["x/1"].status == "done" and failures == ["invalid_blocks"]
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 0


def test_a_part_whose_fate_cannot_be_known_is_given_up_and_reported(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """An upload whose answer was lost in an unreadable thread: given up and reported, never uploaded twice."""
    slack.lose_answers("files.completeUploadExternal")
    assert once.deliver(deps, TEAM, post("y/1", files=True)).status == "posted"
    assert claims(engine)["y/1/files"].status == "unsure" and claims(engine)["y/1"].status == "posted"
    slack.fail("conversations.replies", "missing_scope")
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 1
    assert claims(engine)["y/1/files"].status == "failed" and claims(engine)["y/1"].status == "done"
    assert failures == [f"{once.INTERRUPTED} (missing_scope)"]
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """Slack took the post and the answer was lost: once stale, the sweep finds it by its key; one message."""
    slack.lose_answers("chat.postMessage")
    out = once.deliver(deps, TEAM, post("daily/2026-12-02"))
    assert out.status == "unsure" and len(slack.calls_to("chat.postMessage")) == 1
    assert claims(engine)["daily/2026-12-02"].status == "unsure"
    assert once.resume(deps, {"test": KIND}) == 0  # Slack may still be carrying a timed-out request out
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 1
    (message,) = slack.posted(CHANNEL)
    held = claims(engine)["daily/2026-12-02"]
    assert held.status == "done" and held.ts == message["ts"]
    assert slack.calls_to("conversations.history")[0].args["include_all_metadata"] in (True, "true", "1")


GARBLED = [
    (502, "<html><body>502 Bad Gateway</body></html>"),
    (200, '{"ok": false, "error": "fatal_error"}'),
    (503, '{"ok": false, "error": "service_unavailable"}'),
]


@pytest.mark.parametrize("status,body", GARBLED)
def test_a_post_slack_answered_unreadably_is_looked_up_not_failed(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock, status: int, body: str
):
    """Slack posted it and its edge answered a 5xx, a page that is no JSON, or fatal_error: unsure, then found."""
    slack.garble_answers("chat.postMessage", status, body)
    out = once.deliver(deps, TEAM, post("daily/2026-12-03"))
    assert out.status == "unsure" and failures == []
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 1
    (message,) = slack.posted(CHANNEL)
    assert (
        claims(engine)["daily/2026-12-03"].status == "done" and claims(engine)["daily/2026-12-03"].ts == message["ts"]
    )


@pytest.mark.parametrize("status,body", GARBLED)
def test_a_thread_part_slack_answered_unreadably_is_looked_up_not_posted_again(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock, status: int, body: str
):
    """The same for a reply in the post's thread: looked up in the thread, never posted twice."""
    slack.garble_answers("chat.postMessage", status, body, after=1)
    out = once.deliver(deps, TEAM, post("weekly/2026-W50", parts=1))
    assert claims(engine)["weekly/2026-W50/p0"].status == "unsure"
    clock.now += once.STALE + timedelta(seconds=1)
    once.resume(deps, {"test": KIND})
    replies = [m for m in slack.posted(CHANNEL) if m.get("thread_ts") == out.ts]
    assert [m["text"] for m in replies] == ["part 0 of weekly/2026-W50"] and failures == []
    assert claims(engine)["weekly/2026-W50"].status == "done"


def test_files_slack_answered_unreadably_are_looked_up_and_not_uploaded_again(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """The upload's last step answered with a 502 page: found in the thread, one upload; a refused first step fails."""
    slack.garble_answers("files.completeUploadExternal", 502, "<html>Bad Gateway</html>")
    once.deliver(deps, TEAM, post("z/1", files=True))
    assert claims(engine)["z/1/files"].status == "unsure"
    clock.now += once.STALE + timedelta(seconds=1)
    once.resume(deps, {"test": KIND})
    assert claims(engine)["z/1/files"].status == "done" and claims(engine)["z/1"].status == "done"
    assert len(slack.calls_to("files.completeUploadExternal")) == 1 and failures == []
    slack.fail("files.getUploadURLExternal", "internal_error")
    once.deliver(deps, TEAM, post("z/2", files=True))
    assert claims(engine)["z/2/files"].status == "failed"


def test_a_post_cut_off_before_slack_had_it_is_posted_on_the_next_sweep(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """A claim whose process died before posting: left alone while in flight, posted once when stale."""
    with session_scope(engine) as s:
        posts.claim_many(s, team_id=TEAM, claims=[("daily/2026-11-30", "test", None, CHANNEL)], now=clock.now)
    assert once.resume(deps, {"test": KIND}) == 0 and slack.posted(CHANNEL) == []
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 1
    assert texts(slack) == ["the post daily/2026-11-30"]
    assert claims(engine)["daily/2026-11-30"].status == "done" and claims(engine)["daily/2026-11-30"].attempts == 2
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 0 and len(slack.posted(CHANNEL)) == 1


def test_a_direct_message_cut_off_is_given_up_and_reported(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """A DM's fate cannot be looked up (no history of other people's DMs): given up, and reported."""
    slack.lose_answers("chat.postMessage")
    assert once.deliver(deps, TEAM, post("sync-ask/1/U0ANNA", channel="U0ANNA")).status == "unsure"
    clock.now += once.STALE + timedelta(seconds=1)
    once.resume(deps, {"test": KIND})
    held = claims(engine)["sync-ask/1/U0ANNA"]
    assert held.status == "failed" and held.error.startswith(once.INTERRUPTED)
    assert len(failures) == 1 and failures[0].startswith(once.INTERRUPTED)
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_look_up_slack_refuses_gives_the_post_up(deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock):
    """Without the history scope (or any refusal) the post is not guessed at: given up and reported."""
    slack.lose_answers("chat.postMessage")
    once.deliver(deps, TEAM, post("daily/2026-12-03"))
    slack.fail("conversations.history", "missing_scope")
    clock.now += once.STALE + timedelta(seconds=1)
    once.resume(deps, {"test": KIND})
    assert claims(engine)["daily/2026-12-03"].status == "failed"
    assert failures == [f"{once.INTERRUPTED} (missing_scope)"]


def test_a_post_left_unfinished_for_days_is_given_up_and_reported_not_posted_late(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """A claim older than RESUMABLE (the bot was down for days): failed and reported, not posted or looked up."""
    with session_scope(engine) as s:
        posts.claim_many(s, team_id=TEAM, claims=[("daily/2026-11-20", "test", None, CHANNEL)], now=clock.now)
    clock.now += once.RESUMABLE + timedelta(seconds=1)
    assert once.resume(deps, {"test": KIND}) == 0
    assert slack.posted(CHANNEL) == [] and slack.calls_to("conversations.history") == []
    held = claims(engine)["daily/2026-11-20"]
    assert held.status == "failed" and failures == [held.error] and "not finished within 2 days" in held.error
    once.resume(deps, {"test": KIND})
    assert len(failures) == 1


def test_a_kind_that_cannot_be_rebuilt_is_given_up(deps: Deps, engine: Engine, clock: Clock):
    """A stale claim of a kind the sweep does not know (or whose post is gone) ends failed, not looped on."""
    with session_scope(engine) as s:
        posts.claim_many(s, team_id=TEAM, claims=[("gone/1", "gone", None, CHANNEL)], now=clock.now)
    clock.now += once.STALE + timedelta(seconds=1)
    assert once.resume(deps, {"gone": once.Kind("gone", rebuild=_no_rebuild)}) == 1
    assert claims(engine)["gone/1"].status == "failed"
    assert once.resume(deps, {"gone": once.Kind("gone", rebuild=_no_rebuild)}) == 0


def test_two_sweeps_take_a_stale_claim_over_once(deps: Deps, engine: Engine, clock: Clock):
    """Taking over a stale claim is a compare-and-set: of two processes, one gets it."""
    with session_scope(engine) as s:
        posts.claim_many(s, team_id=TEAM, claims=[("k/1", "test", None, CHANNEL)], now=clock.now)
    with session_scope(engine) as s:
        held = posts.get(s, team_id=TEAM, key="k/1")
    clock.now += once.STALE
    with session_scope(engine) as s:
        first = posts.retake(s, held=held, now=clock.now)
    with session_scope(engine) as s:
        second = posts.retake(s, held=held, now=clock.now)
    assert (first, second) == (True, False)


def test_a_claim_taken_over_while_slack_was_slow_is_not_posted_by_its_first_holder(
    deps: Deps, slack: SlackDouble, engine: Engine, clock: Clock
):
    """Two posts claimed together; the first takes past STALE and a sweep elsewhere retakes the second: skipped."""

    def slow_then_taken_over() -> Message:
        clock.now += once.STALE + timedelta(seconds=1)
        with session_scope(engine) as s:
            assert posts.retake(s, held=posts.get(s, team_id=TEAM, key="b/2"), now=clock.now)
        return notice(Mrkdwn("the post b/1"))

    first = replace(post("b/1"), build=slow_then_taken_over)
    out = once.deliver_all(deps, TEAM, [first, post("b/2")])
    assert [o.status for o in out] == ["posted", "skipped"] and texts(slack) == ["the post b/1"]
    taken = claims(engine)["b/2"]
    assert (taken.status, taken.attempts) == ("claimed", 2)  # left to the process that took it over


def test_posts_the_earlier_protocol_left_half_way_are_closed_by_the_upgrade(tmp_path, slack: SlackDouble, clock: Clock):
    """Upgrade 0009 fails old `claimed` rows as interrupted and closes `posted` ones; the sweep leaves them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0008")
    add_workspace_to_an_older_schema(engine, TEAM)
    then = (clock.now - timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLite keeps UTC
    with engine.begin() as conn:
        for key, status in [("daily/2026-12-01", "claimed"), ("lead-card/7", "posted"), ("weekly/2026-48", "done")]:
            conn.execute(
                text(
                    "INSERT INTO postedmessage (team_id, key, kind, status, channel, ts, created_at, updated_at)"
                    " VALUES (:t, :k, 'test', :s, :c, :ts, :n, :n)"
                ),
                {
                    "t": TEAM,
                    "k": key,
                    "s": status,
                    "c": CHANNEL,
                    "ts": "1.0" if status != "claimed" else None,
                    "n": then,
                },
            )
    migrate(engine)
    assert {k: (c.status, c.error) for k, c in claims(engine).items()} == {
        "daily/2026-12-01": ("failed", f"{once.INTERRUPTED} (claimed before the upgrade to 0009)"),
        "lead-card/7": ("done", None),
        "weekly/2026-48": ("done", None),
    }
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url, _env_file=None)
    assert once.resume(Deps(settings=settings, engine=engine, clock=clock), {"test": KIND}) == 0
    assert slack.calls == []
