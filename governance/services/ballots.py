"""Ballots through seats: configure, open (snapshot the roll), cast, close, certify.

Casting precedence (also in docs/voting.md):
1. The seat's holder on the roll may always cast the seat's vote (if not yet cast).
2. The alternate on the roll may cast it if the holder has not.
3. A proxy named by the holder for this ballot may cast it, if the delegation is
   not revoked. A holder who delegated may still vote first (that ends the
   delegation's use); the proxy's vote then is refused as the seat has voted.
4. A facilitator of the group records an assisted vote for seats assigned to them.
Exactly one counted vote per seat: a database constraint (ballot, seat). Changing a
vote (roll-call ballots whose rule allows it) replaces the choice and keeps history.
"""

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, ballot_counting, events, permissions, signals
from ..models import (
    AssistedVoteAttestation,
    Ballot,
    BallotOption,
    BallotStatus,
    CastAs,
    CastChannel,
    Decision,
    Delegation,
    OptionSet,
    Participation,
    RollCallChoice,
    RollCallChoiceRevision,
    RollEntry,
    Seat,
    SeatAssignment,
    SeatRole,
    SecretChoice,
    VotingRule,
)
from ..models.assignments import today
from ._base import changes, refuse, require, save_audited

logger = logging.getLogger(__name__)

NOT_YOUR_BALLOTS = gettext_lazy("You do not run ballots in this working group.")
MAX_REASON = 2000

# Which rule methods can count which options (governance.tally refuses the rest at close).
FITTING_METHODS = {
    OptionSet.MOTION: {
        VotingRule.Method.THRESHOLD,
        VotingRule.Method.ISO,
        VotingRule.Method.PLURALITY,
    },
    OptionSet.CONSENT: {VotingRule.Method.CONSENSUS},
    OptionSet.CUSTOM: {VotingRule.Method.PLURALITY},
}

DEFAULT_OPTIONS = {
    OptionSet.MOTION: [
        ("for", gettext_lazy("For"), False),
        ("against", gettext_lazy("Against"), False),
        ("abstain", gettext_lazy("Abstain"), False),
    ],
    OptionSet.CONSENT: [
        ("consent", gettext_lazy("Consent"), False),
        ("objection", gettext_lazy("Objection"), True),
        ("abstain", gettext_lazy("Stand aside"), False),
    ],
}


# --- Rules and configuration ---------------------------------------------------------


@transaction.atomic
def voting_rule_save(*, actor, rule: VotingRule) -> VotingRule:
    require(permissions.can_run_ballots(actor, rule.working_group), NOT_YOUR_BALLOTS)
    return save_audited(
        actor=actor,
        instance=rule,
        kind="voting_rule",
        working_group=rule.working_group,
        # The tally engine must accept the rule as it will be snapshotted.
        check=lambda: ballot_counting.rule_from_snapshot(rule.as_snapshot()),
    )


@transaction.atomic
def ballot_save(
    *, actor, ballot: Ballot, options: list[tuple[str, str, bool]] | None = None, subject=None
) -> Ballot:
    """Create or edit a draft ballot. Options default from the option set; custom
    ballots pass (key, label, requires_reason) triples."""
    if ballot.pk:
        stored = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if stored.status != BallotStatus.DRAFT:
            refuse(_("Once a ballot is open its options, rule, roll and secrecy cannot change."))
        if stored.working_group_id != ballot.working_group_id:
            refuse(_("A ballot cannot move to another working group."), "working_group")
    require(permissions.can_run_ballots(actor, ballot.working_group), NOT_YOUR_BALLOTS)
    # The lifecycle is not the caller's to set: ballot_open, _close, _certify and _cancel
    # move a ballot on, each with its checks, its snapshot and its audit event.
    ballot.status, ballot.cancelled_reason = BallotStatus.DRAFT, ""
    ballot.rule_snapshot, ballot.result, ballot.explanations = {}, None, {}
    ballot.opened_at = ballot.closed_at = ballot.certified_at = None
    if ballot.rule_id and ballot.rule.working_group_id != ballot.working_group_id:
        refuse(_("Choose a voting rule of this working group."), "rule")
    if ballot.opens_at and ballot.closes_at and ballot.closes_at <= ballot.opens_at:
        refuse(_("The ballot must close after it opens."), "closes_at")
    if subject is not None:
        ballot.subject_type, ballot.subject_id = (
            ContentType.objects.get_for_model(subject),
            subject.pk,
        )
    ballot.full_clean()
    _check_rule_fits(ballot, ballot.rule)
    created, diff = ballot._state.adding, changes(ballot)
    ballot.save()
    if options is None and (created or "option_set" in diff):
        options = DEFAULT_OPTIONS.get(ballot.option_set)
    if options is not None:
        _set_options(ballot, options)
        diff["options"] = [key for key, _label, _reason in options]
    if ballot.option_set == OptionSet.CUSTOM and ballot.options.count() < 2:
        refuse(_("A ballot with custom choices needs at least two choices."), "options")
    if diff:
        audit.record(
            actor=actor,
            action="ballot.created" if created else "ballot.updated",
            obj=ballot,
            working_group=ballot.working_group,
            payload={"changes": diff},
            public=False,
        )
    return ballot


def _check_rule_fits(ballot: Ballot, rule: VotingRule) -> None:
    """Refuse what the tally could not count at close: options the rule's method does
    not know, and secret consensus ballots (an objection is recorded with its seat)."""
    if rule.method not in FITTING_METHODS[ballot.option_set]:
        refuse(
            _(
                "The voting rule “%(rule)s” cannot count these choices: for / against / "
                "abstain take a threshold, ISO or plurality rule, consent / objection a "
                "consensus rule, custom choices a plurality rule."
            )
            % {"rule": rule.name},
            "rule",
        )
    if ballot.is_secret and rule.method == VotingRule.Method.CONSENSUS:
        refuse(
            _("A consensus ballot cannot be secret: each objection is recorded with its seat."),
            "secrecy",
        )


def _set_options(ballot: Ballot, options) -> None:
    keys = [key for key, _label, _reason in options]
    if len(set(keys)) != len(keys) or not all(keys):
        refuse(_("Each choice needs its own key."), "options")
    ballot.options.all().delete()
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, key=key, label=label, requires_reason=reason, order=i)
        for i, (key, label, reason) in enumerate(options)
    )


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
    _check_rule_fits(ballot, ballot.rule)  # the rule may have been edited since the draft
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
    return ballot


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


# --- Delegations -----------------------------------------------------------------------


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
    Delegation.objects.filter(ballot=ballot, seat=seat, revoked_at__isnull=True).update(
        revoked_at=now
    )
    delegation = Delegation.objects.create(
        ballot=ballot, seat=seat, granted_by=actor, proxy=proxy, created_at=now
    )
    audit.record(
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
        actor=actor,
        action="delegation.revoked",
        obj=delegation,
        working_group=delegation.ballot.working_group,
        payload={"ballot": delegation.ballot_id, "seat": delegation.seat_id},
    )
    return delegation


# --- Casting ---------------------------------------------------------------------------


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


def _option(ballot: Ballot, option_key: str, reason: str) -> tuple[BallotOption, str]:
    option = BallotOption.objects.filter(ballot=ballot, key=option_key).first()
    if option is None:
        refuse(_("That choice is not on this ballot."), "option")
    reason = (reason or "").strip()
    if option.requires_reason and not reason:
        refuse(_("An objection must give its reason."), "reason")
    if len(reason) > MAX_REASON:
        refuse(_("A reason may be at most %(n)s characters long.") % {"n": MAX_REASON}, "reason")
    return option, reason


def _locked_open_ballot(ballot: Ballot, now) -> Ballot:
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
    ballot = _locked_open_ballot(ballot, now)
    entry = RollEntry.objects.filter(ballot=ballot, seat=seat).first()
    if entry is None:
        refuse(_("This seat is not on the ballot's roll."))
    option, reason = _option(ballot, option_key, reason)
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
    receipt = _record_choice(ballot, entry, participation, option, reason)
    _audit_cast(actor, ballot, participation, "vote.cast")
    return receipt


def _record_choice(ballot, entry, participation, option, reason) -> str:
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
    _audit_cast(actor, ballot, participation, "vote.changed")
    return choice.receipt_code


def _audit_cast(actor, ballot, participation, action) -> None:
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
) -> str:
    """A facilitator records the in-person, paper or phone vote of a seat assigned to them."""
    now = now or timezone.now()
    ballot = _locked_open_ballot(ballot, now)
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
    option, reason = _option(ballot, option_key, reason)
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
    receipt = _record_choice(ballot, entry, participation, option, reason)
    _audit_cast(actor, ballot, participation, "vote.assisted")
    return receipt


# --- Closing and certifying ----------------------------------------------------------------


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
    return ballot


@transaction.atomic
def ballot_certify(*, actor, ballot: Ballot, now: datetime.datetime | None = None) -> Decision:
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_certify_results(actor, ballot.working_group),
        _("Only the chair certifies results."),
    )
    if ballot.status != BallotStatus.CLOSED:
        refuse(_("Only a closed ballot can be certified."))
    ballot.status, ballot.certified_at = BallotStatus.CERTIFIED, now
    ballot.save(update_fields=["status", "certified_at"])
    objections = "\n".join(reason for _seat, reason in (ballot.result or {}).get("objections", []))
    # The decision is what gets published: a secret ballot's small chambers are withheld.
    published = ballot_counting.public_result(ballot)
    decision = Decision.objects.create(
        working_group=ballot.working_group,
        ballot=ballot,
        kind=Decision.Kind.BALLOT,
        title=ballot.title,
        motion=ballot.motion,
        outcome=ballot.result["outcome"],
        tally=published,
        explanations=ballot.explanations,
        objections=objections if not ballot.is_secret else "",
        certified_by=actor,
        decided_at=now,
    )
    audit.record(
        actor=actor,
        action="ballot.certified",
        obj=ballot,
        working_group=ballot.working_group,
        public=True,
        payload={"decision": decision.pk, "outcome": decision.outcome},
    )
    signals.decision_recorded.send(sender=Decision, decision=decision)
    return decision


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
