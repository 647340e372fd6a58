"""Telling people about an event in the site, beside its email.

The places that email people about an event (comment periods, dispositions, ballots,
decisions, discussions) also call `notify`. After the change commits it sends
`signals.people_notified`; the dashboard app (which sits on top and may read every
app) listens and creates the notifications, for `people` and for whoever follows the
object, keeping only those who may see the object. Governance and consultations import
no dashboard code, and a failing listener never undoes the change or breaks the request.
"""

import datetime
import logging

from django.db import transaction

from .signals import people_notified

logger = logging.getLogger(__name__)


def notify(
    kind: str,
    obj,
    people=(),
    *,
    actor=None,
    at: datetime.datetime | None = None,
    followers: bool = True,
) -> None:
    """After commit: `kind` happened to `obj`; tell `people` (ids) and, unless
    `followers` is false (a personal event), whoever follows it. `actor` (who did it)
    is never told of their own act."""
    ids = sorted({pk for pk in people if pk})
    actor_id = getattr(actor, "pk", None)

    def send():
        for receiver, error in people_notified.send_robust(
            sender=type(obj),
            kind=kind,
            obj=obj,
            people=ids,
            actor_id=actor_id,
            at=at,
            followers=followers,
        ):
            if isinstance(error, Exception):
                logger.error(
                    "Notification %s about %r failed in %r", kind, obj, receiver, exc_info=error
                )

    transaction.on_commit(send)


def members_of(group) -> set[int]:
    """Ids of the people who hold a current role or seat in `group`."""
    from .models import SeatAssignment, WorkingGroupRole
    from .models.assignments import today

    on = today()
    people = set(
        WorkingGroupRole.objects.current(on)
        .filter(working_group=group)
        .values_list("person_id", flat=True)
    )
    people |= set(
        SeatAssignment.objects.current(on)
        .filter(seat__working_group=group)
        .values_list("person_id", flat=True)
    )
    return people


def roll_people(ballot) -> set[int]:
    """Holders and alternates of the seats on a ballot's roll."""
    from .models import RollEntry

    people = set()
    for holder, alternate in RollEntry.objects.filter(ballot=ballot).values_list(
        "holder_id", "alternate_id"
    ):
        people |= {holder, alternate}
    people.discard(None)
    return people
