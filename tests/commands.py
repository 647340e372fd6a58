"""Management commands run the way cron runs them: `python manage.py <command>` in a
child process, against the test database.

The child reads its settings from the environment like any deployment; only
DATABASE_URL is pointed at the test database (pytest-django renames it, e.g.
`test_chaintable_gw0`). Tests that use this must commit their data
(`django_db(transaction=True)`) for the child to see it.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def child_database_url(user: str | None = None) -> str:
    """The URL of the database this test runs on, for a child process (as `user`, if
    given, without a password: the test cluster trusts local connections)."""
    config = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL): the SQLite test database lives in "
            "memory, where no other process can reach it"
        )
    password = quote(config.get("PASSWORD") or "", safe="") if user is None else ""
    user = quote(user or config.get("USER") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = config.get("HOST") or "127.0.0.1"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{config['NAME']}"


def child_environment(**overrides: str) -> dict[str, str]:
    """The parent's environment, on the test database, with the parent's secret key (a
    personal link signed by the test must verify in the child) and plain HTTP."""
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        **overrides,
    }
    return env


def manage(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Run `python manage.py *args` as cron would; returns the finished process
    (exit status, stdout and stderr as text)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
