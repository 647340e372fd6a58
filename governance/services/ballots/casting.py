"""Casting a seat's vote on the web or through a personal link, in the precedence
the package docstring gives (holder, alternate, proxy), and changing it where the
rule allows. The helpers here are shared with assisted.py: one ballot lock, one
check of the choice, one way to store it and one audit event for every vote."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import audit, events
from ...models import (
    Ballot,
    BallotOption,
    BallotStatus,
    CastAs,
    CastChannel,
    Delegation,
    Participation,
    RollCallChoice,
    RollCallChoiceRevision,
    RollEntry,
    Seat,
    SecretChoice,
)
from .._base import refuse, require

MAX_REASON = 2000


def standing(actor, ballot: Ballot, entry: RollEntry) -> str | None:
    """In which capacity `actor` may cast this seat's vote now, or None (pure precedence)."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return None
    if entry.holder_id == actor.pk:
        return CastAs.HOLDER
    if entry.alternate_id == actor.pk:
        return CastAs.ALTERNATE
    if Delegation.objects.filter(
        ballot=ballot, seat_id=entry.seat_id, proxy=actor, revoked_at__isnull=True
    ).exists():
        return CastAs.PROXY
    return None


def chosen_option(ballot: Ballot, option_key: str, reason: str) -> tuple[BallotOption, str]:
    option = BallotOption.objects.filter(ballot=ballot, key=option_key).first()
    if option is None:
        refuse(_("That choice is not on this ballot."), "option")
    reason = (reason or "").strip()
    if option.requires_reason and not reason:
        refuse(_("An objection must give its reason."), "reason")
    if len(reason) > MAX_REASON:
        refuse(_("A reason may be at most %(n)s characters long.") % {"n": MAX_REASON}, "reason")
    return option, reason


def locked_open_ballot(ballot: Ballot, now) -> Ballot:
    # FOR SHARE would let votes run in parallel, but closing takes the row FOR UPDATE
    # and a vote must never slip in after the count: casting locks it too.
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    if ballot.status == BallotStatus.DRAFT or now < ballot.opens_at:
        refuse(_("This ballot is not open yet."))
    if ballot.status != BallotStatus.OPEN or now >= ballot.closes_at:
        refuse(_("This ballot has closed; votes are no longer accepted."))
    return ballot


@transaction.atomic
def vote_cast(
    *,
    actor,
    ballot: Ballot,
    seat: Seat,
    option_key: str,
    reason: str = "",
    channel: str = CastChannel.WEB,
    allow_change: bool = True,
    now: datetime.datetime | None = None,
) -> str:
    """Cast (or, where allowed, change) a seat's vote. Returns the receipt code.

    `allow_change=False` refuses a seat that has already voted even where the rule
    allows changing: the personal link passes it, so two submissions of the same link
    racing each other cast once and never turn into a vote change."""
    now = now or timezone.now()
    if channel not in (CastChannel.WEB, CastChannel.LINK):
        # An assisted vote has an attestation: only vote_record_assisted records one.
        refuse(_("Votes are cast on the web or through a personal link."), "channel")
    ballot = locked_open_ballot(ballot, now)
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    option, reason = chosen_option(ballot, option_key, reason)
    participation = (
        Participation.objects.filter(ballot=ballot, seat=seat).select_related("choice").first()
    )
    cast_as = standing(actor, ballot, entry)
    require(cast_as is not None, _("You may not cast this seat's vote."))
    if participation is not None:
        if not allow_change:
            refuse(_("This seat has already voted."))
        return _change_vote(actor, ballot, participation, option, reason, now)
    participation = Participation(
        ballot=ballot, seat=seat, cast_by=actor, cast_as=cast_as, channel=channel, cast_at=now
    )
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        refuse(_("This seat has already voted."))
    receipt = record_choice(ballot, entry, participation, option, reason)
    audit_cast(actor, ballot, participation, "vote.cast")
    return receipt


def record_choice(ballot, entry, participation, option, reason) -> str:
    if ballot.is_secret:
        choice = SecretChoice.objects.create(
            ballot=ballot,
            option=option,
            chamber_id=entry.chamber_id,
            sub_chamber_id=entry.sub_chamber_id,
            weight=entry.weight,
            reason=reason,
        )
    else:
        choice = RollCallChoice.objects.create(
            participation=participation, option=option, reason=reason
        )
    return choice.receipt_code


def _change_vote(actor, ballot, participation, option, reason, now) -> str:
    # Only whoever cast the seat's vote may change it: an alternate or proxy never
    # overrides the holder, and an assisted vote is not changed online.
    if participation.cast_by_id != actor.pk or participation.cast_as == CastAs.FACILITATOR:
        refuse(_("This seat has already voted."))
    if ballot.is_secret:
        refuse(_("This seat has already voted; on a secret ballot a vote cannot be changed."))
    if not ballot.rule_snapshot.get("allow_vote_change"):
        refuse(
            _("This seat has already voted, and this ballot's rule does not allow changing a vote.")
        )
    choice = participation.choice
    RollCallChoiceRevision.objects.create(
        choice=choice, option=choice.option, reason=choice.reason, replaced_at=now
    )
    choice.option, choice.reason, choice.changed_at = option, reason, now
    choice.save(update_fields=["option", "reason", "changed_at"])
    audit_cast(actor, ballot, participation, "vote.changed")
    return choice.receipt_code


def audit_cast(actor, ballot, participation, action) -> None:
    # Never the choice: the audit log is the same for secret and roll-call ballots.
    audit.record(
        actor=actor,
        action=action,
        obj=ballot,
        working_group=ballot.working_group,
        payload={
            "seat": participation.seat_id,
            "as": participation.cast_as,
            "channel": participation.channel,
        },
    )
    events.turnout_changed(ballot)
