"""The `handoff` command line: settings errors, import summaries and errors, config show/set."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.slack_double import SHARED

OLIST = SHARED / "data" / "olist-marketing-funnel"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)  # no stray .env
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return path


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_malformed_bot_token_is_one_line_and_exit_2(tmp_path: Path):
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": "xoxp-user-token",
        "SLACK_SIGNING_SECRET": "s",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PYTHONPATH": str(Path(__file__).parents[1]),
    }
    proc = _run("run", env=env, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["handoff: SLACK_BOT_TOKEN must be a bot token starting with xoxb-"]
    assert "xoxp-user-token" not in proc.stderr + proc.stdout


def test_a_refused_bot_token_is_one_line_and_exit_2(tmp_path: Path, slack):
    """A revoked or wrong xoxb- token: Slack's auth.test refuses it; `handoff run` says so in one line."""
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": "xoxb-revoked",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "PYTHONPATH": str(Path(__file__).parents[1]),
    }
    proc = _run("run", env=env, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "handoff: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): copy the Bot User OAuth Token (xoxb-…) again"
    )
    assert "Traceback" not in proc.stderr and "xoxb-revoked" not in proc.stderr + proc.stdout


def test_missing_signing_secret_for_run(db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in err and "Traceback" not in err


def test_bad_port_exits_2(db: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("PORT", "http")
    assert main(["migrate"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_import_prints_a_summary_and_is_idempotent(db: Path, capsys):
    args = [
        "import",
        "leads",
        str(OLIST / "olist_marketing_qualified_leads_dataset.csv"),
        "--map",
        "external_id=mql_id",
        "--map",
        "created_at=first_contact_date",
        "--map",
        "channel=origin",
    ]
    assert main(args) == 0
    assert "8000 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 added, 0 updated, 8000 unchanged" in capsys.readouterr().out


def test_import_with_the_readme_mapping_file(db: Path, capsys):
    readme_mapping = Path(__file__).parents[1] / "docs" / "mappings" / "olist-deals.yml"
    assert (
        main(["import", "deals", str(OLIST / "olist_closed_deals_dataset.csv"), "--mapping", str(readme_mapping)]) == 0
    )
    assert "842 added" in capsys.readouterr().out


def test_import_error_lists_row_and_column(db: Path, tmp_path: Path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,created_at\nA,2024-01-01\nB,31.02.2024\n", encoding="utf-8")
    assert main(["import", "leads", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert "row 3, column 'created_at': '31.02.2024' is not a date" in err


def test_config_set_and_show(db: Path, capsys):
    assert (
        main(
            [
                "config",
                "set",
                "timezone=Europe/Moscow",
                "language=ru",
                "workdays=sun-thu",
                "sales=U01,S0SALES",
                "leads_channel=C0LEADS",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "workspace local" in out
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "Europe/Moscow" in out and "U01, S0SALES" in out and "C0LEADS" in out
    assert "sun-thu" in out


def test_currency_and_crm_lead_url_are_set_on_the_command_line(db: Path, capsys):
    """Both are shown by `config show` once set; a bad template is refused naming its key, nothing saved."""
    url = "https://crm.example.com/leads/{external_id}"
    assert main(["config", "set", "currency=eur", f"crm_lead_url={url}"]) == 0
    capsys.readouterr()
    assert main(["config", "show"]) == 0
    shown = {line.split()[0]: line.split()[-1] for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert shown["currency"] == "EUR" and shown["crm_lead_url"] == url
    assert main(["config", "set", "currency=usd", "crm_lead_url=crm.example.com/{id}"]) == 2
    assert "crm_lead_url" in capsys.readouterr().err
    assert main(["config", "show"]) == 0
    assert "EUR" in capsys.readouterr().out


def test_options_may_come_before_the_pairs(db: Path, capsys):
    """`config set --team T KEY=VALUE` works as `config set KEY=VALUE --team T` does."""
    assert main(["config", "set", "timezone=Europe/Berlin"]) == 0
    assert main(["config", "set", "--team", "local", "language=ru"]) == 0
    capsys.readouterr()
    assert main(["config", "show", "--team", "local"]) == 0
    assert "ru" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["config", "show", "--bogus"])


def test_an_export_into_a_closed_pipe_ends_quietly(db: Path, tmp_path: Path):
    """`handoff export verdicts | head -1` on many rows: no BrokenPipeError traceback."""
    rows = "".join(f"L{i},2026-11-0{1 + i % 9} 10:00,Lead {i},ads,target\n" for i in range(20000))
    leads = tmp_path / "leads.csv"
    leads.write_text("external_id,created_at,name,channel,verdict\n" + rows)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(Path(__file__).parents[1])}
    assert _run("import", "leads", str(leads), "--no-progress", env=env, cwd=tmp_path).returncode == 0
    with sqlite3.connect(db) as conn:  # a verdict on every lead, as sales would have given them
        conn.execute(
            "INSERT INTO leadverdict (team_id, lead_id, verdict, user_id, source, created_at)"
            " SELECT team_id, id, 'target', 'U0SALES', 'button', created_at FROM lead"
        )
    done = subprocess.run(
        f"{sys.executable} -m bot.cli export verdicts | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, (
        done.stderr
    )


def test_config_bad_value_names_the_key(db: Path, capsys):
    assert main(["config", "set", "work_hours=25:00-26:00"]) == 2
    err = capsys.readouterr().err
    assert "work_hours" in err and "25:00" in err
    assert main(["config", "set", "colour=blue"]) == 2
    assert "colour" in capsys.readouterr().err


def test_unknown_team_is_refused(db: Path, capsys):
    assert main(["config", "show", "--team", "T0NOPE"]) == 2
    assert "unknown workspace 'T0NOPE'" in capsys.readouterr().err


def test_sync_setup_show_schedule_and_export(db: Path, capsys):
    import json

    assert main(["config", "set", "timezone=Europe/Berlin"]) == 0
    pairs = [
        "weekday=thu",
        "time=15:00",
        "start_date=2026-12-03",
        "channel=C0SYNC",
        "sales=S0SALES",
        "holidays=2026-12-17",
    ]
    assert main(["sync", "setup", *pairs]) == 0
    out = capsys.readouterr().out
    assert "thu" in out and "S0SALES" in out and "C0SYNC" in out and "2026-12-17" in out
    assert main(["sync", "setup", "every_weeks=12"]) == 2
    assert "every_weeks" in capsys.readouterr().err
    assert main(["schedule", "--from", "2026-11-30", "--days", "21", "--format", "json"]) == 0
    posts = json.loads(capsys.readouterr().out)["posts"]
    sync = [(p["kind"], p["utc"]) for p in posts if p["kind"].startswith("sync")]
    assert sync == [
        ("sync-questions", "2026-12-01T14:00:00+00:00"),  # two working days before, 15:00 Berlin
        ("sync-agenda", "2026-12-03T13:00:00+00:00"),
        ("sync-meeting", "2026-12-03T14:00:00+00:00"),
        ("sync-skipped", "2026-12-17T14:00:00+00:00"),
    ]
    assert all(p["channel"] == "C0SYNC" for p in posts if p["kind"].startswith("sync"))
    assert main(["export", "actions"]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0].lstrip("\ufeff")
        == "id,meeting,owner,text,due,status,created_by,created_at,done_at"
    )


def test_recount_names_the_workspace_and_its_rows(db: Path, capsys):
    """`handoff recount`: exit 0, one roll-up row per distinct (day, channel) of the leads, counted by SQL."""
    import re
    import sqlite3

    args = ["import", "leads", str(OLIST / "olist_marketing_qualified_leads_dataset.csv")]
    args += ["--map", "external_id=mql_id", "--map", "created_at=first_contact_date", "--map", "channel=origin"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["recount"]) == 0
    out = capsys.readouterr().out
    rows = int(re.search(r"recounted \S+: (\d+) rows of leads per day and channel", out).group(1))
    with sqlite3.connect(db) as con:
        pairs = con.execute("SELECT count(*) FROM (SELECT DISTINCT date(created_at), channel FROM lead)").fetchone()[0]
    assert rows == pairs > 100


def test_a_report_of_an_empty_database_says_where_the_data_could_be(db: Path, capsys, monkeypatch):
    """`handoff report weekly` after `make demo` reads an empty handoff.db: it says so, password hidden."""
    assert main(["report", "weekly"]) == 0
    err = capsys.readouterr().err
    assert "has no leads, deals, spend or traffic" in err and "DATABASE_URL=sqlite:///handoff-demo/demo.db" in err
    from bot.cli.reports import shown_url
    from bot.settings import Settings

    url = shown_url(Settings(_env_file=None, database_url="postgresql://bot:s3cret@db.example/handoff"))
    assert "s3cret" not in url and "db.example/handoff" in url


def test_report_quality_prints_the_weeks_lead_quality(db: Path, capsys):
    """`handoff report quality --date D`: the week around D as text, JSON, blocks and CSV, counted by hand:
    ads 2 leads (1 target, 1 not target for no budget), seo 1 waiting."""
    from datetime import UTC, datetime

    from bot.settings import Settings
    from bot.workspace.store import save_settings
    from storage.db import make_engine, migrate, session_scope
    from storage.models import Lead, LeadVerdict
    from tests.runtime import deps_for

    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    save_settings(deps_for(engine), "T1", {"timezone": "UTC", "name": "Acme"})
    with session_scope(engine) as s:
        for ext, channel, verdict, reason in (("a", "ads", "target", None), ("b", "ads", "not_target", "no_budget")):
            created = datetime(2026, 11, 24, 10, tzinfo=UTC)
            lead = Lead(team_id="T1", external_id=ext, created_at=created, channel=channel, verdict=verdict)
            lead.verdict_at = created
            s.add(lead)
            s.flush()
            s.add(LeadVerdict(team_id="T1", lead_id=lead.id, verdict=verdict, reason=reason, created_at=created))
        s.add(Lead(team_id="T1", external_id="c", created_at=datetime(2026, 11, 25, 10, tzinfo=UTC), channel="seo"))
    engine.dispose()
    assert Settings(_env_file=None).database_url.endswith("cli.db")

    assert main(["report", "quality", "--date", "2026-11-25"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Lead quality · Week 48 · 23\u2009–\u200929 Nov 2026 · UTC\n")
    assert "3 leads, 2 judged, 1 still waiting. Target share of judged leads: 50.0%." in text
    assert "  ads: 50.0% · 2 leads, 2 judged, 1 target" in text and "  • No budget: 1 lead" in text

    assert main(["report", "quality", "--date", "2026-11-25", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["kind"], doc["period"]["key"], doc["leads"], doc["judged"], doc["target"]) == (
        "quality",
        "2026-W48",
        3,
        2,
        1,
    )
    assert doc["reasons"] == [{"code": "no_budget", "reason": "No budget", "count": 1}]

    assert main(["report", "quality", "--from", "2026-11-25", "--to", "2026-11-25", "--format", "blocks"]) == 0
    blocks = json.loads(capsys.readouterr().out)
    assert "1 lead, 0 judged, 1 still waiting" in blocks["text"]  # the 25th alone: only seo's lead

    assert main(["report", "quality", "--date", "2026-11-25", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "channel,ads,2,2,1,50,,,"
