import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import translation

from governance.db import sqlite_audit_triggers
from tests.factories import UserFactory, WorkingGroupFactory


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request):
    """On SQLite a transactional test's flush DELETEs every row, which the audit
    log's append-only trigger refuses: lift it for the flush, restore it at the
    next test. (PostgreSQL flushes with TRUNCATE, which row triggers ignore.)"""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        "transactional_db" in names
        or "live_server" in names
        or (marker and marker.kwargs.get("transaction"))
    )
    if marker:
        request.getfixturevalue("_django_db_helper")
    elif transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        yield
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in sqlite_audit_triggers():
                cursor.execute(sql)
    yield
    if transactional and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS governance_audit_no_delete")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Plain HTTP, no collected static manifest, a fast password hasher: whatever
    environment pytest was started from (`make test` sets the same through env)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Turnout events go out with each vote; tests of the coalescing set an interval.
    settings.LIVE_TURNOUT_INTERVAL = 0
    # Pages are rendered afresh; tests of the anonymous page cache turn it on.
    settings.PAGE_CACHE = False
    # A language activated by an earlier test's code (outside a request) must not leak.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (Redis in CI): each test starts at zero."""
    from django.core.cache import cache

    cache.clear()


def give_second_factor(client, user) -> None:
    """Put a verified authenticator app in the client's session, as the code page does
    after a good code (governance/two_factor.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Tests' app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _force_login_signs_in_fully(monkeypatch):
    """`client.force_login(person)` stands for a whole sign-in: the password and, as
    chairs, secretariats, facilitators and admins must give, the second factor. Tests
    of the two-factor road itself log in through the real pages, or pass
    `second_factor=False` to stop after the password."""
    from django.test import Client

    password_only = Client.force_login

    def force_login(self, user, backend=None, second_factor=True):
        password_only(self, user, backend)
        if second_factor:
            give_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def group(db):
    return WorkingGroupFactory()


def pytest_configure(config):
    """Parallel workers share one Redis: give each its own database for the cache
    (so clearing it between tests touches no one else) and its own channel-layer
    prefix (so `thread.1` in one worker's database never hears another's)."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.REDIS_URL:
        return
    parts = urlsplit(settings.REDIS_URL)
    # Counted from the URL's own database, so that two suites on one Redis can be
    # kept apart (redis://…/0 uses 1 and 2; redis://…/4 uses 5 and 6).
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw")) + 1
    settings.CACHES["default"]["LOCATION"] = urlunsplit(parts._replace(path=f"/{number}"))
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{prefix}-{worker}"


def pytest_report_header(config):
    from django.conf import settings

    return f"Backends: {_backends(settings)}"


def pytest_sessionfinish(session, exitstatus):
    """Leave a note of the backends the suite really used, for .ci/run to check."""
    from django.conf import settings

    (settings.VAR_DIR / "test-backends.txt").write_text(_backends(settings) + "\n")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not hasattr(session.config, "workerinput"):
        reporter.write_line(f"Backends used: {_backends(settings)}")


def _backends(settings) -> str:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    layer = "redis" if "redis" in layer.lower() else "in-memory"
    return f"database={engine} channel-layer={layer}"
