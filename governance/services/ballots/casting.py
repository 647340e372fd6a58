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
    PrintedLink,
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


def vote_is_final(ballot: Ballot) -> bool:
    """Whether a vote cast on the web cannot be changed afterwards (a secret ballot, or a
    rule that allows no change): such a vote asks for a confirmation first. A vote
    through a personal link is always final for the link."""
    return ballot.is_secret or not (ballot.rule_snapshot or {}).get("allow_vote_change")


class Receipt(str):
    """A vote's receipt code. `replayed`: the same form was sent again (a double click,
    a retry after a lost answer) and this is the first submission's receipt; nothing
    was recorded this time. `option_key`: the choice on record when it is known (never
    for a secret ballot, whose choices hold no link to a seat)."""

    replayed: bool
    option_key: str | None

    def __new__(cls, code: str, *, replayed: bool = False, option_key: str | None = None):
        receipt = super().__new__(cls, code)
        receipt.replayed, receipt.option_key = replayed, option_key
        return receipt


def locked_ballot(ballot: Ballot) -> Ballot:
    # FOR SHARE would let votes run in parallel, but closing takes the row FOR UPDATE
    # and a vote must never slip in after the count: casting locks it too. The lock
    # also puts two submissions of one form in line, so the second finds the first.
    return Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)


def refuse_unless_accepting(ballot: Ballot, now) -> None:
    if ballot.status == BallotStatus.DRAFT or now < ballot.opens_at:
        refuse(_("This ballot is not open yet."))
    if ballot.status != BallotStatus.OPEN or now >= ballot.closes_at:
        refuse(_("This ballot has closed; votes are no longer accepted."))


def locked_open_ballot(ballot: Ballot, now) -> Ballot:
    ballot = locked_ballot(ballot)
    refuse_unless_accepting(ballot, now)
    return ballot


def replayed_receipt(actor, ballot, participation, idempotency_key: str) -> Receipt | None:
    """The receipt of an earlier submission of the same form by the same person: the
    cast itself, or (roll-call) a change it made. None if this is a new submission."""
    if not idempotency_key or participation is None:
        return None
    if participation.cast_by_id != getattr(actor, "pk", None):
        return None
    same = participation.idempotency_key == idempotency_key
    if not same and not ballot.is_secret:
        same = RollCallChoiceRevision.objects.filter(
            choice__participation=participation, idempotency_key=idempotency_key
        ).exists()
    if not same:
        return None
    option_key = None if ballot.is_secret else participation.choice.option.key
    return Receipt(participation.receipt_code, replayed=True, option_key=option_key)


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
    idempotency_key: str = "",
    printed_link: PrintedLink | None = None,
    now: datetime.datetime | None = None,
) -> Receipt:
    """Cast (or, where allowed, change) a seat's vote. Returns the receipt code.

    `idempotency_key` comes from the form (made when it was shown): the same form sent
    again returns the first receipt and records nothing, even after close — a voter
    whose answer was lost gets their receipt back instead of "already voted".

    `allow_change=False` refuses a seat that has already voted even where the rule
    allows changing: the personal link passes it, so two submissions of the same link
    racing each other cast once and never turn into a vote change. A vote through a
    printed link names its printout (`printed_link`, channel PRINTED)."""
    now = now or timezone.now()
    if channel not in (CastChannel.WEB, CastChannel.LINK, CastChannel.PRINTED):
        # An assisted vote has an attestation: only vote_record_assisted records one.
        refuse(_("Votes are cast on the web or through a personal link."), "channel")
    if (channel == CastChannel.PRINTED) != (printed_link is not None):
        refuse(_("Votes are cast on the web or through a personal link."), "channel")
    idempotency_key = (idempotency_key or "")[:64]
    ballot = locked_ballot(ballot)
    participation = (
        Participation.objects.filter(ballot=ballot, seat=seat)
        .select_related("choice__option")
        .first()
    )
    replayed = replayed_receipt(actor, ballot, participation, idempotency_key)
    if replayed is not None:
        return replayed
    refuse_unless_accepting(ballot, now)
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    option, reason = chosen_option(ballot, option_key, reason)
    cast_as = standing(actor, ballot, entry)
    require(cast_as is not None, _("You may not cast this seat's vote."))
    if printed_link is not None:
        # A printout is for one seat of one ballot, and its holder on the roll.
        require(
            (printed_link.ballot_id, printed_link.seat_id, printed_link.holder_id)
            == (ballot.pk, seat.pk, entry.holder_id)
            and cast_as == CastAs.HOLDER,
            _("You may not cast this seat's vote."),
        )
    if participation is not None:
        if not allow_change:
            refuse(_("This seat has already voted."))
        return _change_vote(actor, ballot, participation, option, reason, idempotency_key, now)
    if (
        idempotency_key
        and Participation.objects.filter(ballot=ballot, idempotency_key=idempotency_key).exists()
    ):
        refuse(_("This form was already used for another seat. Reload the page to vote."))
    participation = Participation(
        ballot=ballot,
        seat=seat,
        cast_by=actor,
        cast_as=cast_as,
        channel=channel,
        printed_link=printed_link,
        cast_at=now,
        idempotency_key=idempotency_key,
    )
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        refuse(_("This seat has already voted."))
    record_choice(ballot, entry, participation, option, reason)
    audit_cast(actor, ballot, participation, "vote.cast")
    return Receipt(participation.receipt_code, option_key=option.key)


def record_choice(ballot, entry, participation, option, reason) -> None:
    if ballot.is_secret:
        SecretChoice.objects.create(
            ballot=ballot,
            option=option,
            chamber_id=entry.chamber_id,
            sub_chamber_id=entry.sub_chamber_id,
            weight=entry.weight,
            reason=reason,
        )
    else:
        RollCallChoice.objects.create(participation=participation, option=option, reason=reason)


def _change_vote(actor, ballot, participation, option, reason, idempotency_key, now) -> Receipt:
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
        choice=choice,
        option=choice.option,
        reason=choice.reason,
        replaced_at=now,
        idempotency_key=idempotency_key,
    )
    choice.option, choice.reason, choice.changed_at = option, reason, now
    choice.save(update_fields=["option", "reason", "changed_at"])
    audit_cast(actor, ballot, participation, "vote.changed")
    return Receipt(participation.receipt_code, option_key=option.key)


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
            **(
                {"printed_link": participation.printed_link_id}
                if participation.printed_link_id
                else {}
            ),
        },
    )
    events.turnout_changed(ballot)
