"""Working hours, the SLA job, exports that are safe in a spreadsheet, and forgetting a lead."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bot.cells import neutralise
from bot.cli import main
from bot.exports import export_rows, write_table
from bot.workspace.store import save_settings
from bot.workspace.worktime import working_hours_between
from jobs.leads import feedback_sla
from storage.db import session_scope
from storage.models import Lead, LeadVerdict, ThreadReply
from storage.repos import leads as repo
from tests.conftest import TEAM
from tests.runtime import deps_for
from tests.test_digests import make_deps


def test_working_hours_skip_nights_and_weekends():
    fri_5pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
    mon_11am = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 11:00 in Berlin
    hours = working_hours_between(
        fri_5pm, mon_11am, tz="Europe/Berlin", workdays="mon,tue,wed,thu,fri", work_hours="09:00-18:00"
    )
    assert hours == 3.0  # Friday 17–18 and Monday 09–11
    hours = working_hours_between(
        fri_5pm,
        mon_11am,
        tz="Europe/Berlin",
        workdays="mon,tue,wed,thu,fri",
        work_hours="09:00-18:00",
        holidays=["2026-11-30"],
    )
    assert hours == 1.0  # Monday is a holiday: only Friday 17–18


def test_sla_nudges_once_then_escalates_once(engine: Engine, slack):
    save_settings(
        deps_for(engine),
        TEAM,
        {
            "timezone": "UTC",
            "leads_channel": "C0LEADS",
            "sla_hours": 2,
            "head_of_sales": "U0HEAD",
            "work_hours": "09:00-18:00",
        },
    )
    posted = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        s.add(
            Lead(
                team_id=TEAM,
                external_id="x",
                created_at=posted,
                owner="U0REP",
                card_channel="C0LEADS",
                card_ts="1.1",
                card_posted_at=posted,
            )
        )
        s.add(
            Lead(
                team_id=TEAM,
                external_id="y",
                created_at=posted,
                verdict="target",
                card_channel="C0LEADS",
                card_ts="1.2",
                card_posted_at=posted,
            )
        )
    for hour, expected in ((10, 0), (11, 1), (12, 1), (13, 2), (15, 2)):
        now = posted.replace(hour=hour)
        feedback_sla(deps=make_deps(engine, slack, now), now=now)
        assert len(slack.calls_to("chat.postMessage")) == expected, hour
    nudge, escalation = slack.calls_to("chat.postMessage")
    assert nudge.args["thread_ts"] == "1.1" and "<@U0REP>" in nudge.args["text"]
    assert "<@U0HEAD>" in escalation.args["text"]


def test_formulas_are_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [neutralise(v) for v in ("+7 999", "-1", "@cmd", "plain", 5)] == ["'+7 999", "'-1", "'@cmd", "plain", 5]


def test_export_verdicts_csv_and_xlsx(engine: Engine, tmp_path):
    save_settings(deps_for(engine), TEAM, {"timezone": "UTC"})
    with session_scope(engine) as s:
        lead = Lead(
            team_id=TEAM,
            external_id="x",
            created_at=datetime(2026, 11, 2, tzinfo=UTC),
            name="=cmd|' /C calc'!A0",
            channel="ads",
        )
        s.add(lead)
        s.flush()
        s.add(
            LeadVerdict(
                team_id=TEAM,
                lead_id=lead.id,
                verdict="spam",
                reason="spam",
                note="@everyone",
                user_id="U1",
                created_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
            )
        )
        s.add(ThreadReply(team_id=TEAM, lead_id=lead.id, channel="C", ts="1.5", user_id="U1", text="=1+1"))
    header, rows = export_rows(deps_for(engine), TEAM, "verdicts", None, None)
    out = tmp_path / "v.csv"
    write_table(header, rows, "csv", out)
    got = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert got[0]["name"].startswith("'=") and got[0]["comment"] == "'@everyone" and got[0]["verdict"] == "spam"
    header, rows = export_rows(deps_for(engine), TEAM, "replies", None, None)
    write_table(header, rows, "xlsx", tmp_path / "r.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert [c.value for c in sheet[2]][6] == "'=1+1"


def test_forget_erases_personal_data_and_keeps_the_counts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'f.db'}")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "show"]) == 0
    from bot.deps import Deps
    from bot.settings import Settings

    deps = Deps.from_settings(Settings(_env_file=None))
    with session_scope(deps.engine) as s:
        lead = Lead(
            team_id="local",
            external_id="x",
            created_at=datetime(2026, 11, 2, tzinfo=UTC),
            name="Ann",
            email="Ann@Example.com",
            phone="+7",
            channel="ads",
            verdict="target",
        )
        s.add(lead)
        s.flush()
        lead_id = lead.id
    assert main(["forget", "--email", "ann@example.com"]) == 0
    with session_scope(deps.engine) as s:
        lead = repo.get(s, team_id="local", lead_id=lead_id)
        assert (lead.name, lead.email, lead.phone) == (None, None, None)
        assert (lead.channel, lead.verdict, lead.forgotten_at is not None) == ("ads", "target", True)
    assert main(["forget", "--lead", "999"]) == 1


def test_import_post_posts_only_the_new_leads_and_the_job_leaves_imports_alone(tmp_path, monkeypatch, capsys, slack):
    from bot.deps import Deps
    from bot.settings import Settings
    from jobs.leads import post_missing_cards

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    monkeypatch.chdir(tmp_path)
    now = datetime.now(UTC)
    rows = [
        {"external_id": f"crm-{i}", "created_at": (now - timedelta(hours=i)).isoformat(), "name": f"Lead {i}"}
        for i in range(1, 5)
    ]
    path = tmp_path / "leads.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:3])
    assert main(["import", "leads", str(path), "--post"]) == 1  # no leads channel yet: said, nothing posted
    assert "no leads channel" in capsys.readouterr().out
    assert main(["config", "set", "leads_channel=C0LEADS"]) == 0
    deps = Deps.from_settings(Settings(_env_file=None))
    assert post_missing_cards(deps=deps, now=now) == 0  # imported leads get no card by themselves
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["import", "leads", str(path), "--post", "--post-limit", "5"]) == 0
    assert "posted 1 lead card(s)" in capsys.readouterr().out
    cards = slack.calls_to("chat.postMessage")
    assert [c.args["channel"] for c in cards] == ["C0LEADS"] and "Lead 4" in cards[0].args["text"]
    assert main(["import", "leads", str(path), "--post"]) == 0
    assert "posted 0 lead card(s)" in capsys.readouterr().out
    assert main(["import", "deals", str(path), "--post"]) == 2
