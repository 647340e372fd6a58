"""Live events from governance services, sent after the transaction commits so a
rolled-back change never reaches a screen. Group names are built here, on the server."""

import hashlib
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def ballot_group(ballot_id: int) -> str:
    return f"ballot.{ballot_id}"


def person_group(person_id: int) -> str:
    """Every live socket of one signed-in person, whatever it shows."""
    return f"person.{person_id}"


def session_digest(session_key: str) -> str:
    """Names a session in events without passing its key (a credential) around."""
    return hashlib.sha256(session_key.encode()).hexdigest()


def send_now(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # live updates are a courtesy: pages always load the truth
        logger.warning("live event to %s not delivered", group, exc_info=True)


def broadcast_after_commit(group: str, build_event: Callable[[], dict]) -> None:
    """Build the event after commit (so it reads committed data) and send it to `group`."""
    transaction.on_commit(lambda: send_now(group, build_event()))


def turnout_changed(ballot) -> None:
    """How many seats have voted, per chamber: never who and never what. Coalesced
    across votes and workers (`governance.live_turnout`)."""
    from . import live_turnout

    ballot_id = ballot.pk
    transaction.on_commit(lambda: live_turnout.turnout_changed(ballot_id))


def ballot_closed(ballot) -> None:
    ballot_id = ballot.pk
    broadcast_after_commit(
        ballot_group(ballot_id), lambda: {"type": "ballot.closed", "ballot": ballot_id}
    )


def ballot_cancelled(ballot) -> None:
    ballot_id = ballot.pk
    broadcast_after_commit(
        ballot_group(ballot_id), lambda: {"type": "ballot.cancelled", "ballot": ballot_id}
    )


def access_changed(person_id: int, *, ended_session: str | None = None) -> None:
    """What a person may see may have changed (roles, seats, password, account state),
    or one of their sessions ended: their open sockets check again now instead of at
    their next periodic check. `ended_session` is a session key that logged out."""
    event = {"type": "access.changed"}
    if ended_session:
        event["ended_session"] = session_digest(ended_session)
    broadcast_after_commit(person_group(person_id), lambda: event)
