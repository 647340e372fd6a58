"""The project's ASGI application served by daphne in a child process, for tests that
need real sockets across real processes (pytest-django's live server speaks WSGI only).

The child is forked with channels' own DaphneProcess (as ChannelsLiveServerTestCase
does) and uses the test database and the configured channel layer and cache. Tests
that use it must commit their data (transactional_db) for the child to see it.
"""

import contextlib
import time
from functools import partial

from django.db import connection, connections


def _asgi_application(static: bool):
    from channels.routing import get_default_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = get_default_application()
    return ASGIStaticFilesHandler(application) if static else application


def _in_child(django_db_blocker) -> None:
    django_db_blocker.unblock()  # the child inherits pytest-django's block
    # A channel layer the parent already made carries the parent's client prefix: two
    # children using it would pop each other's messages from one Redis list. Each
    # child makes its own, as separately started workers do.
    from channels.layers import channel_layers

    channel_layers.backends.clear()


@contextlib.contextmanager
def serve_asgi(django_db_blocker, *, count: int = 1, static: bool = True):
    """Yield the base URLs of `count` daphne processes serving config.asgi, each on a
    free port of 127.0.0.1 (several: ASGI workers sharing one channel layer)."""
    from daphne.testing import DaphneProcess

    with django_db_blocker.unblock():
        connections.close_all()  # children must not share the parent's connection
    processes = []
    try:
        for _ in range(count):
            process = DaphneProcess(
                "127.0.0.1",
                partial(_asgi_application, static),
                setup=partial(_in_child, django_db_blocker),
            )
            process.daemon = True
            process.start()
            processes.append(process)
            if not process.ready.wait(60):
                raise RuntimeError("daphne did not start")
        yield [f"http://127.0.0.1:{process.port.value}" for process in processes]
    finally:
        for process in processes:
            process.terminate()
            process.join(10)
        with django_db_blocker.unblock():
            _wait_for_other_sessions_to_end()


def _wait_for_other_sessions_to_end(timeout: float = 10) -> None:
    """The children's database sessions end a moment after they do; the test database
    can only be dropped once they have."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.1)
