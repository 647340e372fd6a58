"""Assisted votes: a facilitator records, with its attestation, the in-person, paper
or phone vote of a seat assigned to them."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import permissions
from ...models import (
    AssistedVoteAttestation,
    Ballot,
    CastAs,
    CastChannel,
    Participation,
    RollEntry,
    Seat,
)
from .._base import refuse, require
from .casting import Receipt, audit_cast, chosen_option, locked_open_ballot, record_choice


@transaction.atomic
def vote_record_assisted(
    *,
    actor,
    ballot: Ballot,
    seat: Seat,
    option_key: str,
    mode: str,
    witness: str,
    note: str = "",
    reason: str = "",
    scan=None,
    now: datetime.datetime | None = None,
) -> Receipt:
    """A facilitator records the in-person, paper or phone vote of a seat assigned to them."""
    now = now or timezone.now()
    ballot = locked_open_ballot(ballot, now)
    require(
        permissions.can_record_assisted_votes(actor, ballot.working_group),
        _("Only a facilitator of this working group records assisted votes."),
    )
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    require(entry.facilitator_id == actor.pk, _("This seat is not assigned to you."))
    if mode not in AssistedVoteAttestation.Mode.values:
        refuse(_("Say how the vote was given: in person, on paper or by phone."), "mode")
    if not witness.strip():
        refuse(_("Name the witness of the assisted vote."), "witness")
    option, reason = chosen_option(ballot, option_key, reason)
    participation = Participation(
        ballot=ballot,
        seat=seat,
        cast_by=actor,
        cast_as=CastAs.FACILITATOR,
        channel=CastChannel.ASSISTED,
        cast_at=now,
    )
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        refuse(_("This seat has already voted."))
    AssistedVoteAttestation.objects.create(
        participation=participation,
        mode=mode,
        witness=witness.strip()[:200],
        note=note.strip(),
        scan=scan or "",
    )
    record_choice(ballot, entry, participation, option, reason)
    audit_cast(actor, ballot, participation, "vote.assisted")
    return Receipt(participation.receipt_code, option_key=option.key)
