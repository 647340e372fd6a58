"""Printing a seat's personal link for a holder who has no email address.

A personal link casts the seat's vote as its holder, so no staff screen lists them:
links go to holders by email. A holder without an email address gets a printed one,
handed over in person: printing is an audited action with a witness, as an assisted
vote is, and each printout is a link of its own, so a vote cast through it is marked
"printed link" on the bulletin and in the audit log."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit, permissions
from ...models import Ballot, BallotStatus, PrintedLink, RollEntry, Seat
from .._base import refuse, require

MAX_WITNESS = PrintedLink._meta.get_field("witness").max_length


@transaction.atomic
def ballot_link_print(
    *, actor, ballot: Ballot, seat: Seat, witness: str, now: datetime.datetime | None = None
) -> tuple[PrintedLink, RollEntry]:
    """Record the printing of `seat`'s personal link, before `witness`. Returns the
    printout and its roll entry (the caller builds the link from them, once)."""
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_run_ballots(actor, ballot.working_group),
        _("You do not run ballots in this working group."),
    )
    if ballot.status != BallotStatus.OPEN or now >= ballot.closes_at:
        refuse(_("Links can be printed only while the ballot is open."))
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).select_related("holder").first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    if entry.holder is None or not entry.holder.is_active:
        refuse(_("This seat has no holder on the roll: it has no personal link."))
    if entry.holder.email:
        refuse(_("This holder has an email address: their link goes to them by email."))
    if ballot.participations.filter(seat=seat).exists():
        refuse(_("This seat has already voted."))
    witness = (witness or "").strip()
    if not witness:
        refuse(_("Name the witness of the printing."), "witness")
    if len(witness) > MAX_WITNESS:
        refuse(
            _("A witness's name may be at most %(n)s characters long.") % {"n": MAX_WITNESS},
            "witness",
        )
    printed = PrintedLink.objects.create(
        ballot=ballot,
        seat=seat,
        holder=entry.holder,
        printed_by=actor,
        witness=witness,
        printed_at=now,
    )
    audit.record(
        at=now,
        actor=actor,
        action="ballot.link_printed",
        obj=ballot,
        working_group=ballot.working_group,
        payload={
            "seat": seat.pk,
            "holder": entry.holder_id,
            "printed_link": printed.pk,
            "witness": witness,
        },
    )
    return printed, entry
