"""Two ASGI worker processes sharing the Redis channel layer and cache, as in
production: people connected to different workers see each other's messages and
presence, and a change made in any process (here the test's, standing for the web
server) reaches a socket held by a worker."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from tests.consultations.test_discussions import DiscussionScene
from tests.live_asgi import serve_asgi

WAIT = 10  # seconds: generous, two forked workers on a loaded CI machine

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower(),
    reason="workers in separate processes share events only through Redis",
)


@pytest.fixture(scope="module")
def two_workers(django_db_setup, django_db_blocker):
    with serve_asgi(django_db_blocker, count=2, static=False) as urls:
        yield urls


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _join(base_url: str, thread, session: str):
    import websockets

    socket = await websockets.connect(
        base_url.replace("http", "ws", 1) + f"/ws/threads/{thread.pk}/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=WAIT,
    )
    await socket.send(json.dumps({"type": "hello", "last_seq": 0}))
    await _next(socket, "caught_up")
    return socket


async def _next(socket, kind: str, **expected) -> dict:
    """The next frame of `kind` whose fields match `expected` (others are skipped)."""
    async with asyncio.timeout(WAIT):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == kind and all(frame.get(k) == v for k, v in expected.items()):
                return frame


def test_people_on_different_workers_share_messages_presence_and_access_changes(
    two_workers, transactional_db
):
    first, second = two_workers
    scene = DiscussionScene()
    member, outsider = _session(scene.member), _session(scene.outsider)

    async def scenario():
        on_first = await _join(first, scene.general, member)
        on_second = await _join(second, scene.general, outsider)
        # Each worker publishes who views through it; both count two.
        await _next(on_first, "presence", count=2)
        await _next(on_second, "presence", count=2)

        await on_first.send(json.dumps({"type": "post", "body": "Across workers", "key": "w-1"}))
        ack = await _next(on_first, "ack")
        created = await _next(on_second, "message.created")
        assert created["message"]["body"] == "Across workers"
        assert created["message"]["sequence"] == ack["sequence"] == 1

        # Logging out happens in another process (the web server's): the socket that
        # session holds on a worker closes at once; the other person's stays.
        await asyncio.to_thread(_log_out, member)
        async with asyncio.timeout(WAIT):
            await on_first.wait_closed()
        assert on_first.close_code == 4403
        await _next(on_second, "presence", count=1)
        await on_second.close()

    async_to_sync(scenario)()


def _log_out(session: str) -> None:
    client = Client()
    client.cookies["sessionid"] = session
    try:
        assert client.post(reverse("accounts:logout")).status_code == 302
    finally:
        connections.close_all()  # this thread's own connection, before the database goes
