"""Sockets that vanish without a close frame leave nothing behind: after 200 abrupt
connect/disconnect cycles against a real daphne worker, a lone new viewer is told
that one person is viewing, and the thread's Redis group lists nobody once it left.
(bench/ws_churn.py runs 10,000 cycles and measures daphne's memory.)"""

import asyncio
import contextlib

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from bench.ws_churn import churn_flooded, group_entries, lone_viewer
from tests.consultations.test_discussions import DiscussionScene
from tests.live_asgi import serve_asgi

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower(),
    reason="group entries live in Redis",
)

CYCLES = 200
WAIT_SECONDS = 10


@pytest.fixture
def worker(django_db_setup, django_db_blocker):
    with serve_asgi(django_db_blocker, static=False) as (url,):
        yield url


def test_abrupt_disconnects_leave_no_ghost_and_no_group_entry(worker, transactional_db):
    scene = DiscussionScene()  # the general thread of a public period: anyone may view
    path = f"/ws/threads/{scene.general.pk}/"
    base_ws = worker.replace("http", "ws", 1)
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]

    async def scenario():
        # Events keep coming to the room the whole time, so sockets have frames to
        # send also the instant after their client has gone.
        let_in = await churn_flooded(
            get_channel_layer(),
            f"thread.{scene.general.pk}",
            base_ws,
            path,
            [None],
            CYCLES,
            concurrency=10,
        )
        assert let_in == CYCLES
        await asyncio.sleep(1)  # the last departures are announced
        count = await lone_viewer(base_ws, path, None)
        await asyncio.sleep(1)
        return count

    assert async_to_sync(scenario)() == 1
    entries = group_entries(
        layer["hosts"][0]["address"], layer["prefix"], f"thread.{scene.general.pk}"
    )
    assert entries == 0


@pytest.mark.django_db(transaction=True)
def test_a_socket_killed_by_the_server_still_leaves_its_groups_and_presence():
    """daphne cancels an application that does not stop within its close timeout
    (slow clean-up, a busy database thread): no disconnect handler runs then, and
    the socket's viewer and group entry used to stay for good."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from consultations import discussion_events

    scene = DiscussionScene()
    thread = scene.general
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]

    async def scenario():
        socket = WebsocketCommunicator(
            application,
            f"/ws/threads/{thread.pk}/",
            headers=[(b"host", b"testserver"), (b"origin", b"http://testserver")],
        )
        connected, _ = await socket.connect(timeout=WAIT_SECONDS)
        assert connected
        await socket.receive_json_from(timeout=WAIT_SECONDS)  # presence
        assert discussion_events.presence.local.get(thread.pk)
        socket.future.cancel()  # as daphne's application_checker does
        with contextlib.suppress(asyncio.CancelledError):
            await socket.future
        await asyncio.sleep(0.2)

    async_to_sync(scenario)()
    assert not discussion_events.presence.local.get(thread.pk)
    entries = group_entries(layer["hosts"][0]["address"], layer["prefix"], f"thread.{thread.pk}")
    assert entries == 0
