"""What the database itself refuses, whoever writes to it, and what holds when
many people act at the same instant."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from governance import audit, services
from governance.models import (
    AuditChainHead,
    AuditEvent,
    ChainLink,
    Chamber,
    GroupRole,
    Organisation,
    Seat,
    SeatAssignment,
    SeatRole,
    WorkingGroup,
    WorkingGroupRole,
)
from governance.models.assignments import today
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatAssignmentFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupRoleFactory,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no exclusion constraints and no row locks "
    "(production runs on PostgreSQL, which is where these guarantees live)",
)

D = datetime.date


def refused_by_database(make):
    """`make()` writes straight to a table, past every service; the database must say no."""
    counts = (
        SeatAssignment.objects.count(),
        WorkingGroupRole.objects.count(),
        Seat.objects.count(),
    )
    events = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        make()
    assert (
        SeatAssignment.objects.count(),
        WorkingGroupRole.objects.count(),
        Seat.objects.count(),
    ) == counts
    assert AuditEvent.objects.count() == events


# --- Portable constraints (SQLite and PostgreSQL) -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [SeatRole.HOLDER, SeatRole.ALTERNATE])
def test_one_seat_has_one_open_ended_holder_and_one_open_ended_alternate(role):
    seat = SeatFactory()
    SeatAssignmentFactory(seat=seat, role=role, end=None)
    refused_by_database(
        lambda: SeatAssignmentFactory(
            seat=seat, role=role, start=today() + 400 * datetime.timedelta(days=1), end=None
        )
    )
    # The other role on the same seat is another matter.
    other = SeatRole.ALTERNATE if role == SeatRole.HOLDER else SeatRole.HOLDER
    SeatAssignmentFactory(seat=seat, role=other, end=None)


@pytest.mark.django_db
def test_a_term_cannot_end_before_it_starts():
    seat = SeatFactory()
    refused_by_database(
        lambda: SeatAssignmentFactory(seat=seat, start=D(2025, 6, 15), end=D(2025, 6, 14))
    )
    SeatAssignmentFactory(
        seat=seat, start=D(2025, 6, 15), end=D(2025, 6, 15)
    )  # a one-day term is a term


@pytest.mark.django_db
def test_a_role_cannot_end_before_it_starts():
    refused_by_database(lambda: WorkingGroupRoleFactory(start=D(2025, 6, 15), end=D(2025, 1, 1)))


@pytest.mark.django_db
def test_one_person_has_one_open_ended_role_of_a_kind():
    grant = WorkingGroupRoleFactory(role=GroupRole.MEMBER, end=None)
    refused_by_database(
        lambda: WorkingGroupRoleFactory(
            working_group=grant.working_group,
            person=grant.person,
            role=GroupRole.MEMBER,
            start=D(2030, 1, 1),
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-1"), Decimal("-0.001")])
def test_a_seat_weighs_more_than_nothing(weight):
    group, chamber = WorkingGroupFactory(), ChamberFactory()
    refused_by_database(
        lambda: Seat.objects.create(
            working_group=group, chamber=chamber, label="Weightless", weight=weight
        )
    )
    Seat.objects.create(
        working_group=group, chamber=chamber, label="Light", weight=Decimal("0.001")
    )


@pytest.mark.django_db
def test_seat_labels_are_unique_in_a_group():
    seat = SeatFactory(label="Industry 1")
    refused_by_database(lambda: SeatFactory(working_group=seat.working_group, label="Industry 1"))
    SeatFactory(label="Industry 1")  # another group may use it


# --- PostgreSQL: no overlapping terms, even with explicit dates -------------------------------


@postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 6, 30), D(2025, 12, 31))),  # share the last day
        ((D(2025, 1, 1), D(2025, 12, 31)), (D(2025, 3, 1), D(2025, 3, 31))),  # inside
        ((D(2025, 3, 1), D(2025, 3, 31)), (D(2025, 1, 1), None)),  # open-ended from before
    ],
    ids=["shared-last-day", "nested", "open-ended-later"],
)
def test_overlapping_terms_on_a_seat_are_refused_by_the_database(first, second):
    seat = SeatFactory()
    SeatAssignmentFactory(seat=seat, role=SeatRole.HOLDER, start=first[0], end=first[1])
    refused_by_database(
        lambda: SeatAssignmentFactory(
            seat=seat, role=SeatRole.HOLDER, start=second[0], end=second[1]
        )
    )


@pytest.mark.django_db
def test_terms_that_follow_each_other_are_accepted_by_the_database():
    seat = SeatFactory()
    SeatAssignmentFactory(seat=seat, start=D(2025, 1, 1), end=D(2025, 6, 30))
    SeatAssignmentFactory(seat=seat, start=D(2025, 7, 1), end=D(2025, 12, 31))
    SeatAssignmentFactory(
        seat=seat, role=SeatRole.ALTERNATE, start=D(2025, 1, 1), end=D(2025, 12, 31)
    )
    assert SeatAssignment.objects.filter(seat=seat).count() == 3


@postgres_only
@pytest.mark.django_db
def test_overlapping_roles_of_a_kind_are_refused_by_the_database():
    grant = WorkingGroupRoleFactory(role=GroupRole.MEMBER, start=D(2025, 1, 1), end=D(2025, 6, 30))
    refused_by_database(
        lambda: WorkingGroupRoleFactory(
            working_group=grant.working_group,
            person=grant.person,
            role=GroupRole.MEMBER,
            start=D(2025, 6, 1),
            end=D(2025, 8, 1),
        )
    )
    WorkingGroupRoleFactory(
        working_group=grant.working_group,
        person=grant.person,
        role=GroupRole.OBSERVER,
        start=D(2025, 6, 1),
    )


# --- PostgreSQL: many people at the same instant ------------------------------------------------

N = 10


def run_at_once(jobs):
    """Run each job in its own thread with its own connection, released together.
    Returns what each returned or raised."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list = [None] * len(jobs)

    def worker(i, job):
        try:
            connections["default"].ensure_connection()  # connect first, so the race is the work
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_assignments_to_one_seat_give_one_holder():
    superuser = UserFactory(is_superuser=True)
    seat = SeatFactory()
    people = UserFactory.create_batch(N)
    org = OrganisationFactory()

    def assign(person):
        return lambda: services.seat_assignment_start(
            actor=superuser,
            seat=seat,
            person=person,
            role=SeatRole.HOLDER,
            organisation=org,
            start=today(),
        )

    results = run_at_once([assign(person) for person in people])

    won = [r for r in results if isinstance(r, SeatAssignment)]
    lost = [r for r in results if not isinstance(r, SeatAssignment)]
    assert len(won) == 1
    assert len(lost) == N - 1
    assert all(isinstance(r, ValidationError) for r in lost), lost
    assert all("already has a holder" in str(r) for r in lost)
    assert list(SeatAssignment.objects.filter(seat=seat).values_list("person", flat=True)) == [
        won[0].person_id
    ]
    assert AuditEvent.objects.filter(action="seat_assignment.started").count() == 1
    assert audit.verify_chain().ok


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("head", ["present", "absent"], ids=["chain-head-row", "fresh-database"])
def test_simultaneous_appends_from_different_services_keep_one_chain(head):
    if head == "present":
        AuditChainHead.objects.get_or_create(pk=1)
    else:
        AuditChainHead.objects.all().delete()
    superuser = UserFactory(is_superuser=True)
    groups = WorkingGroupFactory.create_batch(N)
    chamber = ChamberFactory()
    member_org = OrganisationFactory()
    seats = [SeatFactory(working_group=g, chamber=chamber) for g in groups]
    people = UserFactory.create_batch(N)

    def job(round_, i):
        # Seats and roles can be filled once; registry records can be added every round.
        kind = i % 5 if round_ == 0 else i % 3
        tag = f"{round_}-{i}"
        if kind == 0:
            return lambda: services.organisation_save(
                actor=superuser,
                organisation=Organisation(
                    name=f"Org {tag}", chain_link=ChainLink.TRADER, country="CD"
                ),
            )
        if kind == 1:
            return lambda: services.chamber_save(
                actor=superuser, chamber=Chamber(name=f"Chamber {tag}")
            )
        if kind == 2:
            return lambda: services.working_group_save(
                actor=superuser, group=WorkingGroup(name=f"Group {tag}")
            )
        if kind == 3:
            return lambda: services.seat_assignment_start(
                actor=superuser,
                seat=seats[i],
                person=people[i],
                role=SeatRole.HOLDER,
                organisation=member_org,
                start=today(),
            )
        return lambda: services.role_grant(
            actor=superuser, group=groups[i], person=people[i], role=GroupRole.MEMBER, start=today()
        )

    rounds = 3
    for round_ in range(rounds):
        results = run_at_once([job(round_, i) for i in range(N)])
        assert not [r for r in results if isinstance(r, Exception)], results

    check = audit.verify_chain()
    assert check.ok, check
    assert check.count == rounds * N
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(
        range(1, rounds * N + 1)
    )
    # No fork: every event has its own parent.
    assert AuditEvent.objects.values("prev_hash").distinct().count() == rounds * N
    assert AuditChainHead.objects.get(pk=1).sequence == rounds * N
