"""No personal data in the log: a database error's failing row is left out of what the processes log."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from sqlalchemy import text
    from bot.settings import Settings
    from storage.db import make_engine

    EMAIL = "line one\\nann@example.com\\nline three"  # a value over several lines
    Settings(_env_file=None, log_level="DEBUG").configure_logging()
    engine = make_engine(sys.argv[1])
    with engine.connect() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE person (email TEXT, n INTEGER NOT NULL)"))
        try:
            conn.execute(text("INSERT INTO person VALUES (:email, :n)"), {"email": EMAIL, "n": None})
        except Exception:
            logging.getLogger("handoff").exception("could not store the lead")
    """
)


def test_a_database_error_is_logged_without_the_failing_row(engine: Engine):
    """PostgreSQL's DETAIL line ("Failing row contains (ann@example.com, null)") is left out; the error stays."""
    url = make_url(engine.url).render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, timeout=60)
    log = done.stderr
    assert "could not store the lead" in log and "IntegrityError" in log and "person" in log, log
    assert "ann@example.com" not in log and "line three" not in log
    if engine.dialect.name == "postgresql":
        assert "DETAIL: (left out: it may hold personal data)" in log


def test_a_start_with_the_token_in_the_environment_warns_nothing(monkeypatch, caplog):
    """SLACK_BOT_TOKEN in the environment (how `handoff run` is configured) starts the app without Bolt's
    'token will be unused' warning; Bolt's other warnings still reach the log."""
    from bot.app import BOLT_LOG, create_app
    from bot.deps import Deps
    from bot.settings import Settings
    from storage.db import make_engine

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = Settings(slack_bot_token="xoxb-from-the-environment", slack_signing_secret="s", _env_file=None)
    with caplog.at_level(logging.WARNING):
        create_app(settings, Deps(settings=settings, engine=make_engine("sqlite://")), token_verification=False)
        logging.getLogger(BOLT_LOG).warning("another warning")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == ["another warning"]
