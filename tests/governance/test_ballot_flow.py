"""End to end through the ballot services: open, cast, close, certify."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import services
from governance.models import Ballot, BallotStatus, Participation, SecretChoice, VotingRule
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person


@pytest.fixture
def table(group):
    chair = UserFactory()
    give_role(chair, group, "chair")
    industry, miners = ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=c, label=f"{c.name} {i}")
        for c in (industry, miners)
        for i in range(2)
    ]
    holders = [seat_person(s).person for s in seats]
    rule = VotingRule.objects.create(
        working_group=group,
        name="Two thirds, chambers equal",
        threshold="2/3",
        chamber_weighting="equal",
    )
    return chair, seats, holders, rule


def _ballot(group, rule, chair, secrecy="roll_call"):
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Adopt v2",
        motion="Adopt version 2.",
        rule=rule,
        secrecy=secrecy,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=2),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    return services.ballot_open(actor=chair, ballot=ballot)


@pytest.mark.parametrize("secrecy", ["roll_call", "secret"])
def test_a_ballot_runs_from_opening_to_decision(group, table, secrecy):
    chair, seats, holders, rule = table
    ballot = _ballot(group, rule, chair, secrecy)
    receipts = [
        services.vote_cast(actor=h, ballot=ballot, seat=s, option_key="for")
        for h, s in zip(holders[:3], seats[:3], strict=True)
    ]
    assert len(set(receipts)) == 3
    with pytest.raises(PermissionDenied):
        services.vote_cast(actor=holders[0], ballot=ballot, seat=seats[3], option_key="for")
    with pytest.raises(ValidationError):
        services.vote_cast(actor=holders[3], ballot=ballot, seat=seats[3], option_key="maybe")
    services.vote_cast(actor=holders[3], ballot=ballot, seat=seats[3], option_key="against")
    later = timezone.now() + datetime.timedelta(days=3)
    services.ballot_close(actor=None, ballot=ballot, now=later)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED
    assert ballot.result["outcome"] == "adopted"  # industry 100 %, miners 50 % → 75 % ≥ 66.7 %
    assert "Adopted" in ballot.explanations["en"]
    with pytest.raises(ValidationError):
        services.vote_cast(
            actor=holders[3], ballot=ballot, seat=seats[3], option_key="for", now=later
        )
    decision = services.ballot_certify(actor=chair, ballot=ballot)
    assert decision.outcome == "adopted"
    assert Participation.objects.filter(ballot=ballot).count() == 4
    assert SecretChoice.objects.filter(ballot=ballot).count() == (4 if secrecy == "secret" else 0)
