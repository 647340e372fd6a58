"""Admission as a working group's decision: the secretariat puts applications to a
ballot; certifying it admits them (or puts them back in the queue)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance import services as governance
from governance.models import AuditEvent, Ballot, MembershipStatus, Organisation, VotingRule
from membership import services
from membership.models import Application, ApplicationStatus
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person
from tests.membership.test_applications import submit


@pytest.fixture
def table(group, secretariat):
    chair = UserFactory()
    give_role(chair, group, "chair")
    seats = [
        SeatFactory(working_group=group, chamber=ChamberFactory(name="Miners")) for _ in range(3)
    ]
    holders = [seat_person(seat).person for seat in seats]
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Admit these three cooperatives",
        motion="Admit the three cooperatives that applied.",
        rule=rule,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=2),
    )
    governance.ballot_save(actor=secretariat, ballot=ballot)
    return chair, ballot, list(zip(holders, seats, strict=True))


def cooperatives():
    return [
        submit(
            organisation_name=f"Coopérative {name}",
            chain_link="asm_cooperative",
            declared_tonnes="",
            contact_email=f"{name.lower()}@coop.example",
            language="sw",
        )
        for name in ("Kasulo", "Mutoshi", "Kapata")
    ]


def run(ballot, chair, voters, choice):
    ballot = governance.ballot_open(actor=chair, ballot=ballot)
    for holder, seat in voters:
        governance.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key=choice)
    governance.ballot_close(
        actor=None, ballot=ballot, now=timezone.now() + datetime.timedelta(days=3)
    )
    return governance.ballot_certify(actor=chair, ballot=ballot)


def test_certifying_an_adopted_ballot_admits_every_application_put_to_it(
    secretariat, table, committed
):
    chair, ballot, voters = table
    applications = cooperatives()
    for application in applications:
        services.application_attach(actor=secretariat, application=application, ballot=ballot)
    with pytest.raises(ValidationError, match="waits for the ballot"):
        services.application_accept(actor=secretariat, application=applications[0])
    with committed():
        decision = run(ballot, chair, voters, "for")
    assert decision.outcome == "adopted"
    for application in Application.objects.filter(pk__in=[a.pk for a in applications]):
        assert application.status == ApplicationStatus.ACCEPTED
        assert application.organisation.membership_status == MembershipStatus.MEMBER
        assert application.history.last().message == "Admit these three cooperatives"
    admitted = AuditEvent.objects.filter(action="organisation.admitted")
    assert admitted.count() == 3
    # The group's own public register shows them, the decision's certifier as actor.
    assert {(e.working_group_id, e.actor_id, e.is_public) for e in admitted} == {
        (ballot.working_group_id, chair.pk, True)
    }
    assert {e.payload["decision"] for e in admitted} == {decision.pk}
    assert len([m for m in mail.outbox if "Karibu" in m.subject]) == 3  # in Swahili


def test_a_rejected_ballot_puts_the_applications_back_in_the_queue(secretariat, table):
    chair, ballot, voters = table
    applications = cooperatives()
    for application in applications:
        services.application_attach(actor=secretariat, application=application, ballot=ballot)
    run(ballot, chair, voters, "against")
    for application in Application.objects.filter(pk__in=[a.pk for a in applications]):
        assert (application.status, application.ballot) == (ApplicationStatus.PENDING, None)
        assert application.history.last().kind == "detached"
    assert not Organisation.objects.filter(name__startswith="Coopérative").exists()


def test_one_that_cannot_be_admitted_does_not_undo_the_certification(secretariat, table):
    chair, ballot, voters = table
    first, second, third = cooperatives()
    for application in (first, second, third):
        services.application_attach(actor=secretariat, application=application, ballot=ballot)
    Organisation.objects.create(
        name="Coopérative Mutoshi",
        slug="mutoshi",
        chain_link="asm_cooperative",
        country="CD",
        membership_status=MembershipStatus.MEMBER,
    )
    run(ballot, chair, voters, "for")
    ballot.refresh_from_db()
    assert ballot.status == "certified"
    statuses = dict(Application.objects.values_list("organisation_name", "status"))
    assert statuses == {
        "Coopérative Kasulo": "accepted",
        "Coopérative Mutoshi": "pending",
        "Coopérative Kapata": "accepted",
    }
    assert "already a member" in Application.objects.get(pk=second.pk).history.last().message


def test_only_a_draft_or_open_ballot_of_ones_own_group_takes_applications(
    secretariat, table, person
):
    chair, ballot, voters = table
    application = cooperatives()[0]
    with pytest.raises(PermissionDenied):
        services.application_attach(actor=person, application=application, ballot=ballot)
    services.application_attach(actor=secretariat, application=application, ballot=ballot)
    governance.ballot_cancel(actor=secretariat, ballot=ballot, reason="Wrong motion")
    with pytest.raises(ValidationError, match="draft or open ballot"):
        services.application_attach(actor=secretariat, application=application, ballot=ballot)
    # A cancelled ballot decides nothing: the secretariat may decide again.
    services.application_accept(actor=secretariat, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
