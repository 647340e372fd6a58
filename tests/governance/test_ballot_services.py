"""Ballot services: a frozen configuration, the roll snapshot, the casting precedence
matrix, vote changes, delegations, closing (early, on time, by the scheduler) and
certifying. Every refusal is checked to change nothing and to write no audit event."""

import datetime
import logging
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import services
from governance.models import (
    AssistedVoteAttestation,
    AuditEvent,
    Ballot,
    BallotStatus,
    CastAs,
    Decision,
    Delegation,
    GroupRole,
    OptionSet,
    Participation,
    RollCallChoice,
    RollCallChoiceRevision,
    RollEntry,
    SeatRole,
    Secrecy,
    SecretChoice,
    VotingRule,
)
from governance.models.assignments import today
from tests.factories import (
    ChamberFactory,
    SeatAssignmentFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

MINUTE, HOUR, DAY = (datetime.timedelta(**{u: 1}) for u in ("minutes", "hours", "days"))


@pytest.fixture
def t(group):
    """Two chambers of two seats, each seat with a holder and an alternate. Seat 2 is
    facilitated by `facilitator`, seat 3 by `other_facilitator`; seat 1 had a holder
    (`former`) whose term ended before any ballot here opens."""
    chair, secretariat, member, proxy = (UserFactory() for _ in range(4))
    give_role(chair, group, GroupRole.CHAIR)
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    give_role(member, group, GroupRole.MEMBER)
    facilitator, other_facilitator = UserFactory(), UserFactory()
    give_role(facilitator, group, GroupRole.FACILITATOR)
    give_role(other_facilitator, group, GroupRole.FACILITATOR)
    industry, miners = ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=c, label=f"{c.name} {i}")
        for c in (industry, miners)
        for i in (1, 2)
    ]
    seats[2].facilitator, seats[3].facilitator = facilitator, other_facilitator
    for seat in seats[2:]:
        seat.save(update_fields=["facilitator"])
    former = UserFactory()
    SeatAssignmentFactory(
        seat=seats[1], person=former, start=today() - 100 * DAY, end=today() - 40 * DAY
    )
    holders = [seat_person(s).person for s in seats]
    alternates = [seat_person(s, SeatRole.ALTERNATE).person for s in seats]
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    return SimpleNamespace(
        group=group,
        chair=chair,
        secretariat=secretariat,
        member=member,
        proxy=proxy,
        facilitator=facilitator,
        other_facilitator=other_facilitator,
        former=former,
        seats=seats,
        holders=holders,
        alternates=alternates,
        rule=rule,
    )


def make_ballot(
    t,
    *,
    secrecy=Secrecy.ROLL_CALL,
    rule=None,
    opens_in=-MINUTE,
    closes_in=2 * DAY,
    option_set=OptionSet.MOTION,
    options=None,
    open_it=True,
    title="Adopt version 2",
):
    now = timezone.now()
    ballot = Ballot(
        working_group=t.group,
        title=title,
        motion="The group adopts version 2 of the standard.",
        rule=rule or t.rule,
        secrecy=secrecy,
        option_set=option_set,
        opens_at=now + opens_in,
        closes_at=now + closes_in,
    )
    services.ballot_save(actor=t.chair, ballot=ballot, options=options)
    if open_it:
        services.ballot_open(actor=t.chair, ballot=ballot, now=min(now, ballot.opens_at))
    return ballot


def state():
    """Everything a refused action must leave as it was."""
    return {
        "participations": list(
            Participation.objects.values_list("ballot", "seat", "cast_by", "receipt_code")
        ),
        "roll_call": list(RollCallChoice.objects.values_list("pk", "option", "reason")),
        "revisions": RollCallChoiceRevision.objects.count(),
        "secret": sorted(SecretChoice.objects.values_list("pk", "option")),
        "attestations": AssistedVoteAttestation.objects.count(),
        "delegations": list(Delegation.objects.values_list("pk", "revoked_at").order_by("pk")),
        "ballots": list(Ballot.objects.values_list("pk", "status", "title").order_by("pk")),
        "audit": AuditEvent.objects.count(),
    }


def assert_refused(call, error, match):
    before = state()
    with pytest.raises(error, match=match):
        call()
    assert state() == before


def cast(actor, seat, ballot, key="for", **kwargs):
    return services.vote_cast(actor=actor, ballot=ballot, seat=seat, option_key=key, **kwargs)


def assisted(actor, seat, ballot, key="for", **kwargs):
    return services.vote_record_assisted(
        actor=actor,
        ballot=ballot,
        seat=seat,
        option_key=key,
        mode="paper",
        witness="M. Ilunga",
        **kwargs,
    )


# --- The configuration is frozen once the ballot opens --------------------------------------


def test_an_open_ballot_cannot_be_edited(t):
    ballot = make_ballot(t)
    for change in ("title", "secrecy", "rule", "options"):
        edited = Ballot.objects.get(pk=ballot.pk)
        options = None
        if change == "title":
            edited.title = "Something else"
        elif change == "secrecy":
            edited.secrecy = Secrecy.SECRET
        elif change == "rule":
            edited.rule = VotingRule.objects.create(working_group=t.group, name="Other")
        else:
            options = [("yes", "Yes", False), ("no", "No", False)]
        assert_refused(
            lambda e=edited, o=options: services.ballot_save(actor=t.chair, ballot=e, options=o),
            ValidationError,
            "cannot change",
        )
    assert list(ballot.options.values_list("key", flat=True)) == ["for", "against", "abstain"]


def test_rule_changes_after_opening_do_not_reach_the_count(t):
    t.rule.threshold = "2/3"
    t.rule.save()
    ballot = make_ballot(t)
    # The service refuses this while the ballot is open (test_voting_rules.py); the
    # snapshot keeps the count safe from a change by any other road too.
    VotingRule.objects.filter(pk=t.rule.pk).update(threshold="3/4", allow_early_close=False)
    for holder, seat, key in zip(
        t.holders, t.seats, ["for", "for", "against", "abstain"], strict=True
    ):
        cast(holder, seat, ballot, key)
    # allow_early_close was True when the ballot opened: the snapshot decides.
    services.ballot_close(actor=t.chair, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.rule_snapshot["threshold"] == "2/3"
    assert ballot.result["outcome"] == "adopted"  # 2 of 3 = 66.7 % ≥ 2/3, but < 3/4


def test_a_draft_can_be_edited_but_not_forged_into_another_status(t):
    ballot = make_ballot(t, open_it=False)
    ballot.title = "Adopt version 3"
    ballot.status, ballot.result = BallotStatus.CLOSED, {"outcome": "adopted"}
    services.ballot_save(actor=t.chair, ballot=ballot)
    ballot.refresh_from_db()
    assert (ballot.title, ballot.status, ballot.result) == ("Adopt version 3", "draft", None)
    now = timezone.now()
    forged = Ballot(
        working_group=t.group,
        title="Forged",
        motion="…",
        rule=t.rule,
        status=BallotStatus.OPEN,
        opened_at=now,
        rule_snapshot={"method": "threshold"},
        opens_at=now,
        closes_at=now + DAY,
    )
    services.ballot_save(actor=t.chair, ballot=forged)
    forged.refresh_from_db()
    assert (forged.status, forged.opened_at, forged.rule_snapshot) == ("draft", None, {})
    assert_refused(lambda: cast(t.holders[0], t.seats[0], forged), ValidationError, "not open")


CUSTOM = [("a", "A", False), ("b", "B", False)]


@pytest.mark.parametrize(
    ("option_set", "method", "secrecy", "options", "message"),
    [
        (OptionSet.CONSENT, "threshold", Secrecy.ROLL_CALL, None, "cannot count these"),
        (OptionSet.MOTION, "consensus", Secrecy.ROLL_CALL, None, "cannot count these"),
        (OptionSet.CUSTOM, "threshold", Secrecy.ROLL_CALL, CUSTOM, "cannot count these"),
        (OptionSet.CONSENT, "consensus", Secrecy.SECRET, None, "cannot be secret"),
    ],
)
def test_options_rule_and_secrecy_must_fit_together(
    t, option_set, method, secrecy, options, message
):
    """A mismatch would make the tally refuse the votes at close (the ballot could never
    close); consensus objections name their seat, so a consensus ballot is never secret."""
    rule = VotingRule.objects.create(working_group=t.group, name="Rule", method=method)
    ballot = Ballot(
        working_group=t.group,
        title="Mismatch",
        motion="…",
        rule=rule,
        secrecy=secrecy,
        option_set=option_set,
        opens_at=timezone.now(),
        closes_at=timezone.now() + DAY,
    )
    assert_refused(
        lambda: services.ballot_save(actor=t.chair, ballot=ballot, options=options),
        ValidationError,
        message,
    )


def test_a_rule_edited_into_a_mismatch_before_opening_is_caught_at_opening(t):
    ballot = make_ballot(t, open_it=False)
    t.rule.method = "consensus"
    services.voting_rule_save(actor=t.chair, rule=t.rule)
    assert_refused(
        lambda: services.ballot_open(actor=t.chair, ballot=ballot), ValidationError, "rule"
    )


def test_cancelling_needs_a_reason_and_is_audited(t):
    ballot = make_ballot(t)
    assert_refused(
        lambda: services.ballot_cancel(actor=t.chair, ballot=ballot, reason="  "),
        ValidationError,
        "reason",
    )
    assert_refused(
        lambda: services.ballot_cancel(actor=t.member, ballot=ballot, reason="Wrong text"),
        PermissionDenied,
        "do not run ballots",
    )
    services.ballot_cancel(actor=t.chair, ballot=ballot, reason="  The motion text was wrong. ")
    ballot.refresh_from_db()
    assert (ballot.status, ballot.cancelled_reason) == ("cancelled", "The motion text was wrong.")
    event = AuditEvent.objects.get(action="ballot.cancelled")
    assert event.payload == {"reason": "The motion text was wrong."} and event.is_public
    assert_refused(
        lambda: services.ballot_cancel(actor=t.chair, ballot=ballot, reason="Again"),
        ValidationError,
        "Only a draft or open ballot",
    )
    assert_refused(lambda: cast(t.holders[0], t.seats[0], ballot), ValidationError, "closed")


# --- The roll is a snapshot -------------------------------------------------------------------


def test_seat_changes_after_opening_do_not_change_who_may_vote(t):
    ballot = make_ballot(t)
    seat, old_holder = t.seats[0], t.holders[0]
    assignment = seat.assignments.get(person=old_holder)
    assignment.end = today() - DAY
    assignment.save()
    new_holder = SeatAssignmentFactory(seat=seat, start=today()).person
    seat.weight = 5
    seat.save()
    late_seat = SeatFactory(working_group=t.group, chamber=seat.chamber, label="Late seat")
    late_holder = seat_person(late_seat).person

    assert_refused(lambda: cast(new_holder, seat, ballot), PermissionDenied, "may not cast")
    assert_refused(lambda: cast(late_holder, late_seat, ballot), ValidationError, "not on the")
    assert len(cast(old_holder, seat, ballot)) == 10
    entry = RollEntry.objects.get(ballot=ballot, seat=seat)
    assert (entry.holder, entry.weight) == (old_holder, 1)
    assert ballot.roll.count() == 4


# --- Who may cast a seat's vote: the precedence matrix --------------------------------------
# Each scene sets up what came before and returns the attempt. The default ballot is
# open on the group's roll; scenes needing another ballot make it.


def _other_ballot_closed(t, ballot):
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    return lambda: cast(t.holders[0], t.seats[0], ballot, now=ballot.closes_at + MINUTE)


def _delegate(t, ballot, seat=0):
    return services.delegation_grant(
        actor=t.holders[seat], ballot=ballot, seat=t.seats[seat], proxy=t.proxy
    )


SCENES = {
    "holder": (lambda t, b: lambda: cast(t.holders[0], t.seats[0], b), CastAs.HOLDER),
    "alternate, holder has not voted": (
        lambda t, b: lambda: cast(t.alternates[0], t.seats[0], b),
        CastAs.ALTERNATE,
    ),
    "alternate, holder voted": (
        lambda t, b: (
            cast(t.holders[0], t.seats[0], b),
            lambda: cast(t.alternates[0], t.seats[0], b, "against"),
        )[1],
        (ValidationError, "already voted"),
    ),
    "holder, alternate voted": (
        lambda t, b: (
            cast(t.alternates[0], t.seats[0], b),
            lambda: cast(t.holders[0], t.seats[0], b, "against"),
        )[1],
        (ValidationError, "already voted"),
    ),
    "proxy, active delegation": (
        lambda t, b: (_delegate(t, b), lambda: cast(t.proxy, t.seats[0], b))[1],
        CastAs.PROXY,
    ),
    "proxy, revoked delegation": (
        lambda t, b: (
            services.delegation_revoke(actor=t.holders[0], delegation=_delegate(t, b)),
            lambda: cast(t.proxy, t.seats[0], b),
        )[1],
        (PermissionDenied, "may not cast"),
    ),
    "proxy, holder voted": (
        lambda t, b: (
            _delegate(t, b),
            cast(t.holders[0], t.seats[0], b),
            lambda: cast(t.proxy, t.seats[0], b, "against"),
        )[2],
        (ValidationError, "already voted"),
    ),
    "proxy, for another seat": (
        lambda t, b: (_delegate(t, b), lambda: cast(t.proxy, t.seats[1], b))[1],
        (PermissionDenied, "may not cast"),
    ),
    "facilitator, own seat": (
        lambda t, b: lambda: assisted(t.facilitator, t.seats[2], b),
        CastAs.FACILITATOR,
    ),
    "facilitator, another facilitator's seat": (
        lambda t, b: lambda: assisted(t.facilitator, t.seats[3], b),
        (PermissionDenied, "not assigned to you"),
    ),
    "facilitator, seat already voted": (
        lambda t, b: (
            cast(t.holders[2], t.seats[2], b),
            lambda: assisted(t.facilitator, t.seats[2], b, "against"),
        )[1],
        (ValidationError, "already voted"),
    ),
    "facilitator, without attestation witness": (
        lambda t, b: (
            lambda: services.vote_record_assisted(
                actor=t.facilitator,
                ballot=b,
                seat=t.seats[2],
                option_key="for",
                mode="paper",
                witness=" ",
            )
        ),
        (ValidationError, "witness"),
    ),
    "facilitator, casting online as if holder": (
        lambda t, b: lambda: cast(t.facilitator, t.seats[2], b),
        (PermissionDenied, "may not cast"),
    ),
    "holder, recording an assisted vote": (
        lambda t, b: lambda: assisted(t.holders[2], t.seats[2], b),
        (PermissionDenied, "Only a facilitator"),
    ),
    "a member without a seat": (
        lambda t, b: lambda: cast(t.member, t.seats[0], b),
        (PermissionDenied, "may not cast"),
    ),
    "an anonymous visitor": (
        lambda t, b: lambda: cast(AnonymousUser(), t.seats[0], b),
        (PermissionDenied, "may not cast"),
    ),
    "holder of a seat of another group": (
        lambda t, b: (lambda seat: lambda: cast(seat_person(seat).person, seat, b))(
            SeatFactory(working_group=WorkingGroupFactory(), chamber=t.seats[0].chamber)
        ),
        (ValidationError, "not on the ballot's roll"),
    ),
    "a former holder": (
        lambda t, b: lambda: cast(t.former, t.seats[1], b),
        (PermissionDenied, "may not cast"),
    ),
    "a deactivated holder": (
        lambda t, b: (
            type(t.holders[0]).objects.filter(pk=t.holders[0].pk).update(is_active=False),
            lambda: cast(type(t.holders[0]).objects.get(pk=t.holders[0].pk), t.seats[0], b),
        )[1],
        (PermissionDenied, "may not cast"),
    ),
    "an option of another ballot": (
        lambda t, b: (
            make_ballot(
                t,
                title="Pick a plan",
                option_set=OptionSet.CUSTOM,
                rule=VotingRule.objects.create(
                    working_group=t.group, name="Plurality", method="plurality"
                ),
                options=[("plan-a", "Plan A", False), ("plan-b", "Plan B", False)],
            ),
            lambda: cast(t.holders[0], t.seats[0], b, "plan-b"),
        )[1],
        (ValidationError, "not on this ballot"),
    ),
    "a forged channel": (
        lambda t, b: lambda: cast(t.holders[0], t.seats[0], b, channel="assisted"),
        (ValidationError, "channel"),
    ),
    "before opening": (
        lambda t, b: (lambda early: lambda: cast(t.holders[0], t.seats[0], early))(
            make_ballot(t, title="Tomorrow", opens_in=DAY, closes_in=3 * DAY)
        ),
        (ValidationError, "not open yet"),
    ),
    "a draft ballot": (
        lambda t, b: (lambda draft: lambda: cast(t.holders[0], t.seats[0], draft))(
            make_ballot(t, title="Draft", open_it=False)
        ),
        (ValidationError, "not open yet"),
    ),
    "after close": (_other_ballot_closed, (ValidationError, "closed")),
    "assisted, after close": (
        lambda t, b: (
            services.ballot_close(actor=None, ballot=b, now=b.closes_at),
            lambda: assisted(t.facilitator, t.seats[2], b, now=b.closes_at + MINUTE),
        )[1],
        (ValidationError, "closed"),
    ),
}


@pytest.mark.parametrize("secrecy", [Secrecy.ROLL_CALL, Secrecy.SECRET])
@pytest.mark.parametrize("scene", list(SCENES))
def test_casting_precedence(t, scene, secrecy):
    ballot = make_ballot(t, secrecy=secrecy)
    build, expected = SCENES[scene]
    attempt = build(t, ballot)
    if isinstance(expected, tuple):
        assert_refused(attempt, *expected)
        return
    before = state()
    receipt = attempt()
    participation = Participation.objects.latest("pk")
    assert participation.cast_as == expected
    assert len(receipt) == 10
    assert AuditEvent.objects.count() == before["audit"] + 1
    assert AuditEvent.objects.latest("sequence").payload["as"] == expected
    assert participation.receipt_code == receipt
    if secrecy == Secrecy.SECRET:
        assert SecretChoice.objects.get(ballot=ballot).option.key == "for"
        assert not RollCallChoice.objects.exists()
    else:
        assert participation.choice.option.key == "for"


def test_an_assisted_vote_keeps_its_attestation_but_never_the_choice(t):
    ballot = make_ballot(t)
    assisted(t.facilitator, t.seats[2], ballot, note="Read the motion aloud in Swahili.")
    attestation = AssistedVoteAttestation.objects.get()
    assert (attestation.mode, attestation.witness) == ("paper", "M. Ilunga")
    assert attestation.participation.cast_by == t.facilitator
    event = AuditEvent.objects.get(action="vote.assisted")
    assert event.payload == {"seat": t.seats[2].pk, "as": "facilitator", "channel": "assisted"}


# --- Changing a vote ---------------------------------------------------------------------------


def test_a_roll_call_vote_may_change_until_close_keeping_history(t):
    ballot = make_ballot(t)
    first = cast(t.holders[0], t.seats[0], ballot, "for")
    again = cast(t.holders[0], t.seats[0], ballot, "against")
    third = cast(t.holders[0], t.seats[0], ballot, "abstain")
    assert first == again == third
    choice = RollCallChoice.objects.get()
    assert choice.option.key == "abstain" and choice.changed_at is not None
    assert [r.option.key for r in choice.revisions.order_by("pk")] == ["for", "against"]
    assert Participation.objects.count() == 1
    assert AuditEvent.objects.filter(action="vote.changed").count() == 2
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    ballot.refresh_from_db()
    assert ballot.result["totals"]["abstain"]["count"] == 1
    assert_refused(
        lambda: cast(t.holders[0], t.seats[0], ballot, "for", now=ballot.closes_at + MINUTE),
        ValidationError,
        "closed",
    )


def test_no_vote_change_on_a_secret_ballot(t):
    ballot = make_ballot(t, secrecy=Secrecy.SECRET)
    cast(t.holders[0], t.seats[0], ballot, "for")
    assert_refused(
        lambda: cast(t.holders[0], t.seats[0], ballot, "against"),
        ValidationError,
        "secret ballot a vote cannot be changed",
    )


def test_no_vote_change_when_the_rule_forbids_it(t):
    t.rule.allow_vote_change = False
    t.rule.save()
    ballot = make_ballot(t)
    cast(t.holders[0], t.seats[0], ballot, "for")
    assert_refused(
        lambda: cast(t.holders[0], t.seats[0], ballot, "against"),
        ValidationError,
        "does not allow changing",
    )


def test_allow_change_false_refuses_a_seat_that_has_voted(t):
    """The personal link casts with allow_change=False: where the rule allows changing a
    vote, a second submission is still refused, changes nothing and is not audited."""
    ballot = make_ballot(t)  # its rule allows changing a vote
    receipt = cast(t.holders[0], t.seats[0], ballot, "for", allow_change=False)
    assert_refused(
        lambda: cast(t.holders[0], t.seats[0], ballot, "against", allow_change=False),
        ValidationError,
        r"\['This seat has already voted\.'\]",
    )
    assert RollCallChoice.objects.get().option.key == "for"
    assert not RollCallChoiceRevision.objects.exists()
    # Casting on the page (allow_change=True) may still change it, as the rule allows.
    assert cast(t.holders[0], t.seats[0], ballot, "against") == receipt
    assert RollCallChoice.objects.get().option.key == "against"


def test_only_whoever_cast_may_change_the_vote(t):
    ballot = make_ballot(t)
    _delegate(t, ballot)
    cast(t.proxy, t.seats[0], ballot, "for")
    assert_refused(
        lambda: cast(t.holders[0], t.seats[0], ballot, "against"), ValidationError, "already"
    )
    assert cast(t.proxy, t.seats[0], ballot, "against")
    assert RollCallChoice.objects.get().option.key == "against"


# --- Delegations ------------------------------------------------------------------------------


def test_a_delegation_is_revocable_until_the_proxy_has_voted(t):
    ballot = make_ballot(t)
    first = _delegate(t, ballot)
    services.delegation_revoke(actor=t.holders[0], delegation=first)
    assert Delegation.objects.get(pk=first.pk).revoked_at is not None
    assert_refused(
        lambda: services.delegation_revoke(actor=t.holders[0], delegation=first),
        ValidationError,
        "already revoked",
    )
    second = _delegate(t, ballot)
    assert_refused(
        lambda: services.delegation_revoke(actor=t.proxy, delegation=second),
        PermissionDenied,
        "Only the holder",
    )
    cast(t.proxy, t.seats[0], ballot)
    assert_refused(
        lambda: services.delegation_revoke(actor=t.holders[0], delegation=second),
        ValidationError,
        "proxy has already voted",
    )
    assert Participation.objects.get().cast_as == CastAs.PROXY
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="delegation.")] == [
        "delegation.granted",
        "delegation.revoked",
        "delegation.granted",
    ]


def test_only_the_holder_delegates_and_only_before_voting(t):
    ballot = make_ballot(t)
    grant = services.delegation_grant
    assert_refused(
        lambda: grant(actor=t.alternates[0], ballot=ballot, seat=t.seats[0], proxy=t.proxy),
        PermissionDenied,
        "Only the seat's holder",
    )
    assert_refused(
        lambda: grant(actor=t.holders[0], ballot=ballot, seat=t.seats[0], proxy=t.holders[0]),
        ValidationError,
        "another active person",
    )
    cast(t.holders[0], t.seats[0], ballot)
    assert_refused(
        lambda: grant(actor=t.holders[0], ballot=ballot, seat=t.seats[0], proxy=t.proxy),
        ValidationError,
        "already voted",
    )


def test_a_new_delegation_replaces_the_previous_one(t):
    ballot = make_ballot(t)
    first = _delegate(t, ballot)
    other = UserFactory()
    services.delegation_grant(actor=t.holders[0], ballot=ballot, seat=t.seats[0], proxy=other)
    assert Delegation.objects.get(pk=first.pk).revoked_at is not None
    assert_refused(lambda: cast(t.proxy, t.seats[0], ballot), PermissionDenied, "may not cast")
    cast(other, t.seats[0], ballot)


# --- Closing and certifying ---------------------------------------------------------------------


def test_early_close_needs_the_rule_and_every_seat(t):
    ballot = make_ballot(t)
    for holder, seat in zip(t.holders[:3], t.seats[:3], strict=True):
        cast(holder, seat, ballot)
    assert_refused(
        lambda: services.ballot_close(actor=t.chair, ballot=ballot),
        ValidationError,
        "every seat has voted",
    )
    assert_refused(
        lambda: services.ballot_close(actor=t.member, ballot=ballot),
        PermissionDenied,
        "do not run ballots",
    )
    assert_refused(
        lambda: services.ballot_close(actor=None, ballot=ballot),
        ValidationError,
        "has not come",
    )
    cast(t.holders[3], t.seats[3], ballot)
    services.ballot_close(actor=t.chair, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.closed_at < ballot.closes_at
    assert ballot.result["participation"] == {"cast": 4, "eligible": 4}


def test_no_early_close_when_the_rule_forbids_it(t):
    t.rule.allow_early_close = False
    t.rule.save()
    ballot = make_ballot(t)
    for holder, seat in zip(t.holders, t.seats, strict=True):
        cast(holder, seat, ballot)
    assert_refused(
        lambda: services.ballot_close(actor=t.chair, ballot=ballot),
        ValidationError,
        "does not allow closing early",
    )
    services.ballot_close(actor=t.chair, ballot=ballot, now=ballot.closes_at)
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.CLOSED


def test_only_the_chair_certifies_and_only_a_closed_ballot(t):
    ballot = make_ballot(t)
    cast(t.holders[0], t.seats[0], ballot)
    assert_refused(
        lambda: services.ballot_certify(actor=t.chair, ballot=ballot),
        ValidationError,
        "Only a closed ballot",
    )
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    for someone in (t.secretariat, t.member, t.holders[0], AnonymousUser()):
        assert_refused(
            lambda s=someone: services.ballot_certify(actor=s, ballot=ballot),
            PermissionDenied,
            "Only the chair",
        )
    decision = services.ballot_certify(actor=t.chair, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CERTIFIED
    assert (decision.outcome, decision.certified_by) == (ballot.result["outcome"], t.chair)
    assert decision.explanations == ballot.explanations
    assert_refused(
        lambda: services.ballot_certify(actor=t.chair, ballot=ballot),
        ValidationError,
        "Only a closed ballot",
    )
    assert Decision.objects.count() == 1


def test_a_certified_secret_ballot_publishes_only_safe_chamber_counts(t):
    ballot = make_ballot(t, secrecy=Secrecy.SECRET)
    for holder, seat in zip(t.holders[:3], t.seats[:3], strict=True):
        cast(holder, seat, ballot)
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    decision = services.ballot_certify(actor=t.chair, ballot=ballot)
    ballot.refresh_from_db()
    # The stored result keeps every count (the bulletin is recounted against it) …
    assert [row["counts"] is None for row in ballot.result["chambers"]] == [False, False]
    # … the decision, which is published, withholds chambers below min_cell (3).
    assert [row["counts"] for row in decision.tally["chambers"]] == [None, None]
    assert decision.tally["outcome"] == ballot.result["outcome"]
    assert decision.tally["totals"] == ballot.result["totals"]


def test_the_scheduler_closes_due_ballots_once(t):
    ballot = make_ballot(t, closes_in=HOUR)
    later = make_ballot(t, title="Later", closes_in=DAY)
    cast(t.holders[0], t.seats[0], ballot)
    with time_machine.travel(ballot.closes_at - MINUTE, tick=False):
        assert services.close_due_ballots() == 0
    with time_machine.travel(ballot.closes_at + 5 * MINUTE, tick=False):
        assert services.close_due_ballots() == 1
        assert services.close_due_ballots() == 0
        assert_refused(lambda: cast(t.holders[1], t.seats[1], ballot), ValidationError, "closed")
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED
    assert ballot.closed_at == ballot.closes_at  # the instant it closed, not when the job ran
    assert Ballot.objects.get(pk=later.pk).status == BallotStatus.OPEN
    closed = AuditEvent.objects.filter(action="ballot.closed", object_id=str(ballot.pk))
    assert closed.count() == 1 and closed.get().actor is None
    assert_refused(
        lambda: services.ballot_close(actor=None, ballot=ballot), ValidationError, "Only an open"
    )


def test_one_broken_ballot_does_not_stop_the_scheduler(t, caplog):
    broken = make_ballot(t, title="Broken", closes_in=HOUR)
    good = make_ballot(t, title="Good", closes_in=HOUR)
    cast(t.holders[0], t.seats[0], broken)
    snapshot = {**broken.rule_snapshot, "method": "consensus"}  # corrupted behind our back
    Ballot.objects.filter(pk=broken.pk).update(rule_snapshot=snapshot)
    with (
        time_machine.travel(good.closes_at + MINUTE, tick=False),
        caplog.at_level(logging.ERROR, logger="governance.services.ballots"),
    ):
        assert services.close_due_ballots() == 1
    assert Ballot.objects.get(pk=good.pk).status == BallotStatus.CLOSED
    assert Ballot.objects.get(pk=broken.pk).status == BallotStatus.OPEN
    assert f"ballot {broken.pk}" in caplog.text
