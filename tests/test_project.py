"""The project as a whole: checks, migrations, the ASGI entry point, the backends."""

import asyncio
import io
from pathlib import Path

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections

from config.asgi import application


def test_system_checks_pass():
    call_command("check", fail_level="WARNING", stdout=io.StringIO())


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


def test_websocket_from_a_foreign_origin_is_refused():
    async def attempt():
        communicator = WebsocketCommunicator(
            application, "/ws/anything/", headers=[(b"origin", b"https://evil.example")]
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert asyncio.run(attempt()) is False


def test_channel_layer_delivers_a_message():
    """Against Redis when REDIS_URL is set: proves the suite really talks to it."""

    async def roundtrip():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("backend-check", channel)
        await layer.group_send("backend-check", {"type": "ping", "n": 42})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard("backend-check", channel)
        return message

    assert asyncio.run(roundtrip())["n"] == 42
    if settings.REDIS_URL:
        assert "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower()


@pytest.mark.django_db
def test_wsgi_application_serves_the_public_pages():
    """Production sends every page through config.wsgi, so it must serve them."""
    from wsgiref.util import setup_testing_defaults

    from cms.demo import pages
    from config.wsgi import application as wsgi_app

    pages.load()
    environ = {"PATH_INFO": "/working-groups/", "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    statuses = []
    # As Django's test client does: keep the test's connection (and transaction) open.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        body = b"".join(wsgi_app(environ, lambda status, headers: statuses.append(status)))
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)
    assert statuses == ["200 OK"]
    assert b"Working groups" in body


def test_every_page_has_a_favicon_and_favicon_ico_finds_it(client, db):
    """The icon is linked from the base layout, and browsers that ask /favicon.ico
    anyway are sent to it rather than answered 404."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    icon = static("favicon.svg")
    page = client.get("/open-data/").content.decode()
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon
    found = finders.find("favicon.svg")
    assert found and Path(found).read_text().startswith("<svg")
