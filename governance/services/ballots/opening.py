"""Opening a ballot: the rule and the roll are snapshotted, and from then on later
seat changes and rule edits do not change the ballot."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit, notices, permissions
from ...models import Ballot, BallotStatus, RollEntry, Seat, SeatAssignment, SeatRole, User
from ...models.assignments import today
from .._base import refuse, require
from .drafting import NOT_YOUR_BALLOTS, check_rule_fits
from .readability import refuse_unreadable


@transaction.atomic
def ballot_open(*, actor, ballot: Ballot, now: datetime.datetime | None = None) -> Ballot:
    """Snapshot the rule and the roll (every active seat, its chamber, weight, holder,
    alternate and facilitator today); from now on the configuration is frozen."""
    now = now or timezone.now()
    ballot = (
        Ballot.objects.select_for_update().select_related("working_group", "rule").get(pk=ballot.pk)
    )
    require(permissions.can_run_ballots(actor, ballot.working_group), NOT_YOUR_BALLOTS)
    if ballot.status != BallotStatus.DRAFT:
        refuse(_("Only a draft ballot can be opened."))
    check_rule_fits(ballot, ballot.rule)  # the rule may have been edited since the draft
    if ballot.closes_at <= now:
        refuse(_("The closing time has already passed."), "closes_at")
    if ballot.options.count() < 2:
        refuse(_("A ballot needs at least two choices."))
    seats = list(
        Seat.objects.filter(working_group=ballot.working_group, is_active=True).select_related(
            "chamber"
        )
    )
    if not seats:
        refuse(_("The working group has no seats to vote."))
    sitting = {
        (a.seat_id, a.role): a.person_id
        for a in SeatAssignment.objects.current(today()).filter(seat__in=seats)
    }
    refuse_unreadable(
        ballot,
        User.objects.filter(pk__in=set(sitting.values()))
        .values_list("preferred_language", flat=True)
        .distinct(),
    )
    RollEntry.objects.bulk_create(
        RollEntry(
            ballot=ballot,
            seat=seat,
            chamber_id=seat.chamber.parent_id or seat.chamber_id,
            sub_chamber_id=seat.chamber_id if seat.chamber.parent_id else None,
            weight=seat.weight,
            holder_id=sitting.get((seat.pk, SeatRole.HOLDER)),
            alternate_id=sitting.get((seat.pk, SeatRole.ALTERNATE)),
            facilitator_id=seat.facilitator_id,
        )
        for seat in seats
    )
    ballot.rule_snapshot = ballot.rule.as_snapshot()
    # Opened ahead of time, a ballot accepts votes only from `opens_at`.
    ballot.status, ballot.opened_at = BallotStatus.OPEN, now
    ballot.save(update_fields=["rule_snapshot", "status", "opened_at"])
    audit.record(
        at=now,
        actor=actor,
        action="ballot.opened",
        obj=ballot,
        working_group=ballot.working_group,
        public=True,
        payload={
            "roll": len(seats),
            "rule": ballot.rule_snapshot,
            "secrecy": ballot.secrecy,
            "opens_at": ballot.opens_at,
            "closes_at": ballot.closes_at,
        },
    )
    notices.notify(
        "ballot_opened",
        ballot,
        set(sitting.values()) | notices.members_of(ballot.working_group),
        actor=actor,
        at=now,
    )
    return ballot
