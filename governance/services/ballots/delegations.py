"""A holder names a proxy for one ballot, or revokes the proxy before it votes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit
from ...models import Ballot, BallotStatus, CastAs, Delegation, Participation, RollEntry, Seat
from .._base import refuse, require
from .readability import refuse_unreadable_for_proxy


@transaction.atomic
def delegation_grant(*, actor, ballot: Ballot, seat: Seat, proxy, now=None) -> Delegation:
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    require(
        actor.is_authenticated and entry.holder_id == actor.pk,
        _("Only the seat's holder may name a proxy."),
    )
    if ballot.status != BallotStatus.OPEN or now >= ballot.closes_at:
        refuse(_("This ballot is not open."))
    if Participation.objects.filter(ballot=ballot, seat=seat).exists():
        refuse(_("This seat has already voted."))
    if proxy.pk == actor.pk or not proxy.is_active:
        refuse(_("Choose another active person as proxy."), "proxy")
    refuse_unreadable_for_proxy(ballot, proxy)
    Delegation.objects.filter(ballot=ballot, seat=seat, revoked_at__isnull=True).update(
        revoked_at=now
    )
    delegation = Delegation.objects.create(
        ballot=ballot, seat=seat, granted_by=actor, proxy=proxy, created_at=now
    )
    audit.record(
        at=now,
        actor=actor,
        action="delegation.granted",
        obj=delegation,
        working_group=ballot.working_group,
        payload={
            "ballot": ballot.pk,
            "seat": seat.pk,
            "proxy": proxy.public_name,
            "proxy_id": proxy.pk,
        },
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor, delegation: Delegation, now=None) -> Delegation:
    now = now or timezone.now()
    # Casting holds the ballot row for its whole transaction: locking it first means a
    # proxy's vote is either committed (and seen below) or waits for the revocation.
    Ballot.objects.select_for_update().get(pk=delegation.ballot_id)
    delegation = (
        Delegation.objects.select_for_update().select_related("ballot").get(pk=delegation.pk)
    )
    require(
        actor.is_authenticated and delegation.granted_by_id == actor.pk,
        _("Only the holder who named the proxy may revoke it."),
    )
    if delegation.revoked_at:
        refuse(_("This delegation is already revoked."))
    if Participation.objects.filter(
        ballot=delegation.ballot, seat=delegation.seat, cast_as=CastAs.PROXY
    ).exists():
        refuse(_("The proxy has already voted; the delegation can no longer be revoked."))
    delegation.revoked_at = now
    delegation.save(update_fields=["revoked_at"])
    audit.record(
        at=now,
        actor=actor,
        action="delegation.revoked",
        obj=delegation,
        working_group=delegation.ballot.working_group,
        payload={"ballot": delegation.ballot_id, "seat": delegation.seat_id},
    )
    return delegation
