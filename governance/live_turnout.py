"""Live turnout that converges: at most one event per ballot per interval, and always
the final state.

During a vote surge every vote used to send its own turnout event to every socket
watching the ballot; channels-redis drops messages for a socket whose channel is full,
so clients missed frames, the last ones included, and never saw the final count.

Now the first vote of an interval (across every web worker: the claim is a key in the
shared cache) schedules one send at the end of the interval. The sender releases the
claim *before* it reads the turnout, so a vote committed after that read finds no claim
and schedules the next send: the last vote is always followed by a send that counts it.
"""

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

from . import events

logger = logging.getLogger(__name__)

# A claim outlives its interval only if the worker that held it died before sending;
# the next vote after this many seconds sends again.
CLAIM_TIMEOUT = 5


def claim_key(ballot_id: int) -> str:
    return f"turnout-pending:{ballot_id}"


def interval() -> float:
    return float(getattr(settings, "LIVE_TURNOUT_INTERVAL", 0.3))


def turnout_changed(ballot_id: int) -> None:
    """Called after a vote commits: send now, or leave it to the send already due."""
    wait = interval()
    if wait <= 0:
        send_turnout(ballot_id)
        return
    key = claim_key(ballot_id)
    if not cache.add(key, 1, timeout=CLAIM_TIMEOUT):
        if cache.get(key) is not None:
            return  # a send is due and will read this vote
        # No claim and none could be made: the cache is away. Without coordination
        # every vote sends, as before; a vote surge without a cache is a degraded mode.
        send_turnout(ballot_id)
        return
    timer = threading.Timer(wait, _send_due, args=(ballot_id,))
    timer.daemon = True
    timer.start()


def _send_due(ballot_id: int) -> None:
    cache.delete(claim_key(ballot_id))  # first: a vote committed from now on sends again
    try:
        send_turnout(ballot_id)
    finally:
        # This thread's own database connection, opened for the read.
        close_old_connections()
        connection.close()


def send_turnout(ballot_id: int) -> None:
    from .selectors import ballot_turnout_by_chamber

    events.send_now(
        events.ballot_group(ballot_id),
        {
            "type": "turnout.changed",
            "ballot": ballot_id,
            "turnout": ballot_turnout_by_chamber(ballot_id),
        },
    )
