"""Cancelling a draft or open ballot, with the reason, which is public."""

from django.db import transaction
from django.utils.translation import gettext as _

from ... import audit, events, permissions
from ...models import Ballot, BallotStatus
from .._base import refuse, require
from .drafting import NOT_YOUR_BALLOTS


@transaction.atomic
def ballot_cancel(*, actor, ballot: Ballot, reason: str) -> Ballot:
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(permissions.can_run_ballots(actor, ballot.working_group), NOT_YOUR_BALLOTS)
    if ballot.status not in (BallotStatus.DRAFT, BallotStatus.OPEN):
        refuse(_("Only a draft or open ballot can be cancelled."))
    if not reason.strip():
        refuse(_("Give the reason for cancelling the ballot."), "reason")
    ballot.status, ballot.cancelled_reason = BallotStatus.CANCELLED, reason.strip()
    ballot.save(update_fields=["status", "cancelled_reason"])
    audit.record(
        actor=actor,
        action="ballot.cancelled",
        obj=ballot,
        working_group=ballot.working_group,
        public=True,
        payload={"reason": ballot.cancelled_reason},
    )
    events.ballot_cancelled(ballot)
    return ballot
