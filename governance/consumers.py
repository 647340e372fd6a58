"""Live ballot turnout over WebSockets: thin, read-only, relays what services send.

A client connects to /ws/ballots/<id>/, is let in if it may see the ballot page
(the same predicate as the page), gets the current turnout, then every
"turnout.changed", "ballot.closed" and "ballot.cancelled" event the ballot
services broadcast after commit. Turnout is counts per chamber: never who voted
(secret ballots) and never what. Clients send nothing; a frame that is not JSON
closes the socket. With the channel layer unreachable the socket closes with 4503
and the page's script reconnects with backoff (the turnout comes on connecting).
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import events, permissions, selectors
from .models import Ballot, BallotStatus
from .sockets import CLOSE_TRY_AGAIN, LAYER_DOWN, SafeSocketMixin

CLOSE_MALFORMED = 4400


class BallotTurnoutConsumer(SafeSocketMixin, AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self):
        self.ballot_id = int(self.scope["url_route"]["kwargs"]["ballot_id"])
        if not await self._may_view():
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        # Join first, then read: an event between the two is sent twice, never lost.
        self.group_name = events.ballot_group(self.ballot_id)
        try:
            await self.channel_layer.group_add(self.group_name, self.channel_name)
        except LAYER_DOWN:
            # Accept, then close: the script sees 4503 and comes back later.
            await self.accept()
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        await self.accept()
        status, turnout = await self._state()
        await self.send_json({"type": "turnout", "ballot": self.ballot_id, "turnout": turnout})
        if status != BallotStatus.OPEN:
            await self.send_json({"type": "closed", "ballot": self.ballot_id, "status": status})

    async def disconnect(self, code):
        await self.leave()

    async def leave(self):
        if self.group_name:
            group, self.group_name = self.group_name, None
            await self.discard_groups([group])

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Nothing is expected from clients: well-formed frames are ignored."""
        if text_data is None:
            await self.close(code=CLOSE_MALFORMED)
            return
        try:
            json.loads(text_data)
        except ValueError:
            await self.close(code=CLOSE_MALFORMED)

    # --- Events from governance.events (sent after commit) -----------------------------

    async def turnout_changed(self, event):
        await self.send_json(
            {"type": "turnout", "ballot": event["ballot"], "turnout": event["turnout"]}
        )

    async def ballot_closed(self, event):
        await self.send_json({"type": "closed", "ballot": event["ballot"], "status": "closed"})

    async def ballot_cancelled(self, event):
        # As on connecting to a cancelled ballot: voting is over, the status says why.
        await self.send_json({"type": "closed", "ballot": event["ballot"], "status": "cancelled"})

    # --- Database ----------------------------------------------------------------------

    @database_sync_to_async
    def _may_view(self) -> bool:
        ballot = Ballot.objects.select_related("working_group").filter(pk=self.ballot_id).first()
        return ballot is not None and permissions.can_view_ballot(self.scope.get("user"), ballot)

    @database_sync_to_async
    def _state(self) -> tuple[str, list[dict]]:
        status = Ballot.objects.filter(pk=self.ballot_id).values_list("status", flat=True).first()
        return status, selectors.ballot_turnout_by_chamber(self.ballot_id)
