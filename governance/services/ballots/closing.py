"""Closing a ballot and counting it: by the chair ahead of time where the rule allows,
or by the scheduler once its closing time has come."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit, ballot_counting, events, notices, permissions
from ...models import Ballot, BallotStatus
from .._base import refuse, require
from .drafting import NOT_YOUR_BALLOTS

logger = logging.getLogger(__name__)


@transaction.atomic
def ballot_close(
    *, actor, ballot: Ballot, now: datetime.datetime | None = None, early: bool = False
) -> Ballot:
    """Close and count, on the locked ballot row. `actor` None: the scheduler at closing time."""
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    if ballot.status != BallotStatus.OPEN:
        refuse(_("Only an open ballot can be closed."))
    if actor is None:
        if now < ballot.closes_at:
            refuse(_("The ballot's closing time has not come."))
    else:
        require(permissions.can_run_ballots(actor, ballot.working_group), NOT_YOUR_BALLOTS)
        if now < ballot.closes_at:
            if not ballot.rule_snapshot.get("allow_early_close"):
                refuse(_("This ballot's rule does not allow closing early."))
            if ballot.roll.count() != ballot.participations.count():
                refuse(_("A ballot can close early only once every seat has voted."))
    result, explanations = ballot_counting.count(ballot)
    ballot.status, ballot.closed_at = (
        BallotStatus.CLOSED,
        min(now, ballot.closes_at) if actor is None else now,
    )
    ballot.result, ballot.explanations = result.as_dict(), explanations
    ballot.save(update_fields=["status", "closed_at", "result", "explanations"])
    audit.record(
        at=now,
        actor=actor,
        action="ballot.closed",
        obj=ballot,
        working_group=ballot.working_group,
        public=True,
        payload={
            "outcome": result.outcome,
            "cast": result.participation.cast,
            "eligible": result.participation.eligible,
        },
    )
    events.ballot_closed(ballot)
    notices.notify(
        "ballot_result",
        ballot,
        notices.roll_people(ballot) | notices.members_of(ballot.working_group),
        actor=actor,
        at=ballot.closed_at,
    )
    return ballot


def close_due_ballots(now: datetime.datetime | None = None) -> int:
    """Close every open ballot whose time has come (run every minute by the scheduler)."""
    now = now or timezone.now()
    closed = 0
    for ballot in Ballot.objects.due_to_close(now):
        try:
            ballot_close(actor=None, ballot=ballot, now=now)
        except ValidationError:  # already closed by a racing worker: the status check refused it
            continue
        except Exception:  # one broken ballot must not keep the others open
            logger.exception("ballot %s could not be closed", ballot.pk)
            continue
        closed += 1
    return closed
