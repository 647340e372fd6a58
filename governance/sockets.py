"""What every live socket needs whatever it shows: sends that cannot crash it, a
clean-up that always runs, and a close code for "live updates unavailable".

A client may vanish at any moment (a phone losing its signal closes nothing): a frame
sent after that must not raise in the consumer, or it dies before it leaves its
groups and presence lists, leaving ghosts and stale Redis group entries whose events
then pile up in the worker. And when the channel layer (Redis) is unreachable, the
socket closes with 4503 ("try again later"; servers may only send 1000 or
3000-4999, so not the standard 1013), which the site's scripts answer by
reconnecting with backoff; they catch up on what they missed once back.
"""

import asyncio
import logging

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CLOSE_TRY_AGAIN = 4503
LAYER_DOWN = (RedisError, OSError, asyncio.TimeoutError)


class SafeSocketMixin:
    """Mix in before a Channels consumer class. Subclasses put their clean-up in
    `leave()` (idempotent: it runs on disconnect, and again, harmlessly, whatever
    way the consumer ends)."""

    gone = False

    async def __call__(self, scope, receive, send):
        accepted = False

        async def guarded_send(message):
            nonlocal accepted
            if self.gone:
                return
            accepted = accepted or message.get("type") == "websocket.accept"
            try:
                await send(message)
            except Exception:  # the client left: nothing more goes out
                self.gone = True
                logger.debug("socket gone; frame dropped", exc_info=True)

        try:
            await super().__call__(scope, receive, guarded_send)
        except LAYER_DOWN:
            logger.warning("live updates unavailable: channel layer unreachable", exc_info=True)
            if not accepted:  # a close code, not a refused handshake the client cannot read
                await guarded_send({"type": "websocket.accept"})
            await guarded_send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
        finally:
            self.gone = True
            try:
                await asyncio.shield(self.leave())
            except Exception:
                logger.warning("socket clean-up incomplete", exc_info=True)
            # Events already on their way to this socket are dropped, not kept for
            # ever in the worker (config.channel_layer).
            forget = getattr(self.channel_layer, "forget_channel", None)
            if forget is not None and getattr(self, "channel_name", None):
                forget(self.channel_name)

    async def leave(self) -> None:
        """Leave groups and presence lists. Override; must tolerate running twice."""

    async def discard_groups(self, groups) -> None:
        for group in list(groups):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("could not leave %s (it expires on its own)", group)
            groups.remove(group)
