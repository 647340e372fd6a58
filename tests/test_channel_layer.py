"""A socket that has gone leaves nothing behind in the worker: events already on their
way to it are dropped, not filed for ever (how daphne grew under socket churn)."""

import asyncio
import uuid

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from config.channel_layer import PrunedRedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")


def deliver_after_one_socket_left(layer_class) -> tuple[dict, set]:
    """Two sockets of one worker in a group; the first leaves (its consumer told the
    layer so, where the layer listens), then an event goes to the group."""

    async def scene():
        config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        layer = layer_class(hosts=config["hosts"], prefix=f"t-{uuid.uuid4().hex[:8]}")
        gone, staying = await layer.new_channel(), await layer.new_channel()
        for channel in (gone, staying):
            await layer.group_add("room", channel)
        if hasattr(layer, "forget_channel"):
            layer.forget_channel(gone)
        await layer.group_send("room", {"type": "presence", "count": 2})
        received = await asyncio.wait_for(layer.receive(staying), 10)
        left = {name for name, queue in layer.receive_buffer.items() if not queue.empty()}
        await layer.flush()
        return received, left - {staying}, gone

    received, left, gone = asyncio.run(scene())
    return received, left, gone


def test_an_event_for_a_socket_that_left_is_dropped():
    received, left, _gone = deliver_after_one_socket_left(PrunedRedisChannelLayer)
    assert received["count"] == 2  # the socket that stayed hears it
    assert left == set()  # nothing waits in the worker for the one that left


def test_without_pruning_the_worker_kept_it():
    """What the pruning layer fixes: the plain layer files the event for ever."""
    _received, left, gone = deliver_after_one_socket_left(RedisChannelLayer)
    assert left == {gone}


def test_the_site_uses_the_pruning_layer():
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == (
        "config.channel_layer.PrunedRedisChannelLayer"
    )
