"""The Redis channel layer, without the buffers of sockets that have left.

channels-redis reads every message for this process's sockets from one Redis list
and files it in `receive_buffer` under the socket's channel name until that socket
reads it. A socket that has gone reads nothing more, so a message that was already
on its way (a presence or turnout event sent to a group just before the socket
left it) stayed filed for the life of the worker: a few KiB per abrupt disconnect,
which is how daphne grew under socket churn. Consumers tell the layer when their
socket is gone (`governance.sockets.SafeSocketMixin`); its buffer is dropped, and
messages that still arrive for it for a while are discarded instead of filed.
"""

import time

from channels_redis.core import BoundedQueue, RedisChannelLayer

# Long enough for any message sent before the socket left its groups to arrive.
FORGET_SECONDS = 120.0


class _DiscardingQueue:
    """Stands in for the buffer of a socket that has left: takes and keeps nothing."""

    def put_nowait(self, item) -> None:
        pass

    def empty(self) -> bool:
        return True


_DISCARD = _DiscardingQueue()


class _ReceiveBuffers(dict):
    """`receive_buffer` as channels-redis uses it (a queue per channel, made on first
    use), except for channels that have been forgotten."""

    def __init__(self, capacity: int):
        super().__init__()
        self.capacity = capacity
        self.forgotten: dict[str, float] = {}

    def __missing__(self, channel: str):
        if channel in self.forgotten:
            return _DISCARD
        queue = self[channel] = BoundedQueue(self.capacity)
        return queue

    def forget(self, channel: str, now: float) -> None:
        self.pop(channel, None)
        self.forgotten[channel] = now + FORGET_SECONDS
        # Channel names are never reused; drop the marks that have served.
        if len(self.forgotten) > 256:
            for name, until in list(self.forgotten.items()):
                if until < now:
                    del self.forgotten[name]


class PrunedRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receive_buffer = _ReceiveBuffers(self.capacity)

    def forget_channel(self, channel: str) -> None:
        """The socket on `channel` has gone: drop what waits for it, and what comes."""
        self.receive_buffer.forget(channel, time.monotonic())
