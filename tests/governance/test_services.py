"""Governance services as the people who run the alliance meet them.

Every refusal is checked the same way (`refused`): the right exception with a
message a person can act on, no row changed anywhere in governance, no object
permission changed, and no audit event written.
"""

import contextlib
import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.models import UserObjectPermission

from governance import permissions, services
from governance.models import (
    AuditEvent,
    ChainLink,
    Chamber,
    ChamberQuota,
    GroupRole,
    MembershipStatus,
    Organisation,
    ReservedSeatRule,
    Seat,
    SeatAssignment,
    SeatRole,
    User,
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
    give_role,
    seat_person,
)

DAY = datetime.timedelta(days=1)
GOVERNANCE_TABLES = (
    Organisation,
    Chamber,
    WorkingGroup,
    ChamberQuota,
    ReservedSeatRule,
    Seat,
    SeatAssignment,
    WorkingGroupRole,
    AuditEvent,
    UserObjectPermission,
    User.groups.through,
)


def governance_state() -> dict:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in GOVERNANCE_TABLES}


@contextlib.contextmanager
def refused(exception, match: str | None = None):
    """The block must raise `exception` (message matching `match`) and change nothing."""
    before, events = governance_state(), AuditEvent.objects.count()
    with pytest.raises(exception, match=match) as info:
        yield info
    assert AuditEvent.objects.count() == events, "a refused change wrote an audit event"
    assert governance_state() == before, "a refused change changed stored state"


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-sequence").first()


@pytest.fixture
def chamber(db):
    return ChamberFactory(name="Industry")


@pytest.fixture
def secretariat(group):
    return give_role(UserFactory(), group, GroupRole.SECRETARIAT).person


@pytest.fixture
def other_group(db):
    return WorkingGroupFactory(name="Traceability")


def new_seat(group, chamber, label="S-1", **kwargs) -> Seat:
    return Seat(working_group=group, chamber=chamber, label=label, **kwargs)


def assigning(
    actor, seat, *, person=None, role=SeatRole.HOLDER, organisation=None, begin=None, end=None
):
    """The attempt to put someone on `seat`, with the person and organisation already made."""
    person = person or UserFactory()
    organisation = organisation or OrganisationFactory()
    return lambda: services.seat_assignment_start(
        actor=actor,
        seat=seat,
        person=person,
        role=role,
        organisation=organisation,
        start=begin or today(),
        end=end,
    )


def start(actor, seat, **kwargs) -> SeatAssignment:
    return assigning(actor, seat, **kwargs)()


# --- Organisations ----------------------------------------------------------------


def test_platform_admin_registers_an_organisation(superuser):
    org = services.organisation_save(
        actor=superuser,
        organisation=Organisation(
            name="Coopérative Minière de Kolwezi",
            chain_link=ChainLink.ARTISANAL_COOPERATIVE,
            country="CD",
        ),
    )
    org.refresh_from_db()
    assert org.slug == "cooperative-miniere-de-kolwezi"
    assert org.membership_status == MembershipStatus.APPLICANT
    event = last_event()
    assert (event.action, event.actor, event.object_id, event.is_public) == (
        "organisation.created",
        superuser,
        str(org.pk),
        True,
    )
    assert event.payload["changes"]["name"] == [None, "Coopérative Minière de Kolwezi"]


def test_updating_an_organisation_records_only_what_changed(superuser):
    org = OrganisationFactory(membership_status=MembershipStatus.APPLICANT)
    org.membership_status = MembershipStatus.MEMBER
    services.organisation_save(actor=superuser, organisation=org)
    event = last_event()
    assert event.action == "organisation.updated"
    assert event.payload == {"changes": {"membership_status": ["applicant", "member"]}}
    assert Organisation.objects.get(pk=org.pk).membership_status == MembershipStatus.MEMBER


def test_invalid_organisation_is_refused(superuser):
    with refused(ValidationError, match="country"):
        services.organisation_save(
            actor=superuser,
            organisation=Organisation(
                name="Nowhere Ltd", chain_link=ChainLink.TRADER, country="XX"
            ),
        )


# --- No-op updates write nothing ----------------------------------------------------


def _unchanged_organisation(superuser, group, chamber):
    return services.organisation_save, {
        "organisation": Organisation.objects.get(pk=OrganisationFactory().pk)
    }


def _unchanged_chamber(superuser, group, chamber):
    return services.chamber_save, {"chamber": Chamber.objects.get(pk=chamber.pk)}


def _unchanged_group(superuser, group, chamber):
    ChamberQuota.objects.create(working_group=group, chamber=chamber, min_seats=0)
    return services.working_group_save, {"group": WorkingGroup.objects.get(pk=group.pk)}


def _unchanged_seat(superuser, group, chamber):
    return services.seat_save, {
        "seat": Seat.objects.get(pk=SeatFactory(working_group=group, chamber=chamber).pk)
    }


def _unchanged_assignment_end(superuser, group, chamber):
    assignment = SeatAssignmentFactory(seat__working_group=group, end=today() + 10 * DAY)
    return services.seat_assignment_end, {"assignment": assignment, "end": assignment.end}


def _unchanged_role_end(superuser, group, chamber):
    grant = WorkingGroupRoleFactory(working_group=group, end=today() + 10 * DAY)
    return services.role_end, {"grant": grant, "end": grant.end}


@pytest.mark.parametrize(
    "scene",
    [
        _unchanged_organisation,
        _unchanged_chamber,
        _unchanged_group,
        _unchanged_seat,
        _unchanged_assignment_end,
        _unchanged_role_end,
    ],
    ids=lambda f: f.__name__.removeprefix("_unchanged_"),
)
def test_saving_without_a_change_writes_no_event(scene, superuser, group, chamber):
    service, kwargs = scene(superuser, group, chamber)
    before, events = governance_state(), AuditEvent.objects.count()
    service(actor=superuser, **kwargs)
    assert AuditEvent.objects.count() == events
    assert governance_state() == before


# --- The registry is for platform administrators ---------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "registered", "secretariat"])
@pytest.mark.parametrize(
    "attempt",
    [
        lambda actor: services.organisation_save(
            actor=actor,
            organisation=Organisation(name="X", chain_link=ChainLink.TRADER, country="CD"),
        ),
        lambda actor: services.chamber_save(actor=actor, chamber=Chamber(name="Finance")),
        lambda actor: services.working_group_save(
            actor=actor, group=WorkingGroup(name="Due diligence")
        ),
    ],
    ids=["organisation", "chamber", "working-group"],
)
def test_only_platform_admins_keep_the_registry(attempt, who, group):
    actor = {
        "anonymous": AnonymousUser(),
        "registered": UserFactory(),
        "secretariat": give_role(UserFactory(), group, GroupRole.SECRETARIAT).person,
    }[who]
    with refused(PermissionDenied, match="platform administrators"):
        attempt(actor)


# --- Chambers ------------------------------------------------------------------------


def test_chambers_and_sub_chambers(superuser):
    civil = services.chamber_save(actor=superuser, chamber=Chamber(name="Civil society"))
    south = services.chamber_save(
        actor=superuser, chamber=Chamber(name="Global South", parent=civil)
    )
    assert south.slug == "global-south"
    assert str(south) == "Civil society – Global South"
    assert south.top_level == civil
    assert list(AuditEvent.objects.values_list("action", "object_id")) == [
        ("chamber.created", str(civil.pk)),
        ("chamber.created", str(south.pk)),
    ]
    south.description = "Organisations based in producing countries."
    services.chamber_save(actor=superuser, chamber=south)
    assert last_event().action == "chamber.updated"
    assert last_event().payload == {
        "changes": {"description": ["", "Organisations based in producing countries."]}
    }


def test_a_sub_chamber_cannot_have_sub_chambers(superuser):
    civil = ChamberFactory(name="Civil society")
    south = ChamberFactory(name="Global South", parent=civil)
    with refused(ValidationError, match="cannot have sub-chambers"):
        services.chamber_save(actor=superuser, chamber=Chamber(name="Kolwezi", parent=south))


def test_a_chamber_with_sub_chambers_cannot_become_one(superuser):
    industry, civil = ChamberFactory(name="Industry"), ChamberFactory(name="Civil society")
    ChamberFactory(name="Global South", parent=civil)
    civil.parent = industry
    with refused(ValidationError, match="has sub-chambers"):
        services.chamber_save(actor=superuser, chamber=civil)


def test_a_chamber_cannot_be_its_own_parent(superuser, chamber):
    chamber.parent_id = chamber.pk
    with refused(ValidationError, match="own parent"):
        services.chamber_save(actor=superuser, chamber=chamber)


def test_an_unknown_parent_chamber_is_refused(superuser):
    with refused(ValidationError, match="parent"):
        services.chamber_save(actor=superuser, chamber=Chamber(name="Orphans", parent_id=987654))


# --- Working groups -------------------------------------------------------------------


def test_platform_admin_creates_a_working_group_with_its_rules(superuser, chamber):
    group = WorkingGroup(name="Responsible sourcing", max_seats=9)
    group.chamber_quotas.add(ChamberQuota(chamber=chamber, min_seats=2))
    group.reserved_seat_rules.add(
        ReservedSeatRule(label="at least 3 non-profit", min_seats=3, require_non_profit=True)
    )
    services.working_group_save(actor=superuser, group=group)
    stored = WorkingGroup.objects.get(slug="responsible-sourcing")
    assert stored.chamber_quotas.get().min_seats == 2
    assert stored.reserved_seat_rules.get().label == "at least 3 non-profit"
    event = last_event()
    assert (event.action, event.working_group_id, event.is_public) == (
        "working_group.created",
        stored.pk,
        True,
    )
    assert event.payload["changes"]["rules"][1] == [
        9,
        [[chamber.pk, 2]],
        [["at least 3 non-profit", 3, True, False, "", ""]],
    ]


def test_secretariat_updates_its_own_group(group, secretariat):
    group.mandate = "<p>Draft the cobalt due-diligence standard.</p>"
    services.working_group_save(actor=secretariat, group=group)
    event = last_event()
    assert (event.action, event.actor) == ("working_group.updated", secretariat)
    assert list(event.payload["changes"]) == ["mandate"]


def test_a_rule_the_current_seats_already_break_is_refused(group, secretariat, chamber):
    for label in ("A", "B", "C"):
        SeatFactory(working_group=group, chamber=chamber, label=label)
    group.max_seats = 2
    with refused(ValidationError, match="already break this rule: at most 2 seats"):
        services.working_group_save(actor=secretariat, group=group)


def test_a_rule_the_seats_already_meet_is_accepted(group, secretariat, chamber):
    SeatFactory(working_group=group, chamber=chamber)
    group = WorkingGroup.objects.get(pk=group.pk)
    group.chamber_quotas.add(ChamberQuota(chamber=chamber, min_seats=1))
    services.working_group_save(actor=secretariat, group=group)
    assert group.chamber_quotas.get().min_seats == 1
    assert last_event().action == "working_group.updated"


# --- Seats ---------------------------------------------------------------------------


def test_secretariat_creates_a_seat(group, secretariat, chamber):
    seat = services.seat_save(actor=secretariat, seat=new_seat(group, chamber, "Industry 1"))
    assert Seat.objects.get(pk=seat.pk).is_active
    event = last_event()
    assert (event.action, event.actor, event.working_group_id, event.object_id) == (
        "seat.created",
        secretariat,
        group.pk,
        str(seat.pk),
    )


def test_moving_a_seat_to_another_chamber(group, secretariat, chamber):
    seat = SeatFactory(working_group=group, chamber=chamber)
    civil = ChamberFactory(name="Civil society")
    seat.chamber = civil
    services.seat_save(actor=secretariat, seat=seat)
    assert Seat.objects.get(pk=seat.pk).chamber == civil
    assert last_event().payload == {"changes": {"chamber": [chamber.pk, civil.pk]}}


def test_a_chamber_change_that_breaks_a_chamber_minimum_is_refused(group, secretariat, chamber):
    ChamberQuota.objects.create(working_group=group, chamber=chamber, min_seats=1)
    seat = SeatFactory(working_group=group, chamber=chamber)
    seat.chamber = ChamberFactory(name="Civil society")
    with refused(ValidationError, match="At least 1 seat"):
        services.seat_save(actor=secretariat, seat=seat)


def test_a_seat_cannot_move_to_another_working_group(group, other_group, superuser, chamber):
    seat = SeatFactory(working_group=group, chamber=chamber)
    seat.working_group = other_group
    with refused(ValidationError, match="cannot move to another working group"):
        services.seat_save(actor=superuser, seat=seat)


def test_maximum_seats(group, secretariat, chamber):
    group.max_seats = 2
    group.save()
    services.seat_save(actor=secretariat, seat=new_seat(group, chamber, "A"))
    services.seat_save(actor=secretariat, seat=new_seat(group, chamber, "B"))
    with refused(ValidationError, match="at most 2 seats"):
        services.seat_save(actor=secretariat, seat=new_seat(group, chamber, "C"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"chamber_id": 987654}, "chamber"),
        ({"weight": 0}, "weight"),
        ({"weight": -1}, "weight"),
        ({"label": ""}, "label"),
    ],
    ids=["unknown-chamber", "zero-weight", "negative-weight", "no-label"],
)
def test_an_invalid_seat_is_refused(group, secretariat, chamber, changes, message):
    seat = new_seat(group, chamber)
    for name, value in changes.items():
        setattr(seat, name, value)
    with refused(ValidationError, match=message):
        services.seat_save(actor=secretariat, seat=seat)


def test_two_seats_with_one_label_are_refused(group, secretariat, chamber):
    SeatFactory(working_group=group, chamber=chamber, label="Industry 1")
    with refused(ValidationError):
        services.seat_save(actor=secretariat, seat=new_seat(group, chamber, "Industry 1"))


def test_retiring_a_vacant_seat(group, secretariat, chamber):
    seat = SeatFactory(working_group=group, chamber=chamber)
    SeatAssignmentFactory(seat=seat, start=today() - 90 * DAY, end=today() - DAY)  # history stays
    services.seat_retire(actor=secretariat, seat=seat)
    assert not Seat.objects.get(pk=seat.pk).is_active
    assert last_event().action == "seat.retired"
    with refused(ValidationError, match="already retired"):
        services.seat_retire(actor=secretariat, seat=seat)
    seat.refresh_from_db()
    seat.label = "Renamed"
    with refused(ValidationError, match="retired"):
        services.seat_save(actor=secretariat, seat=seat)
    attempt = assigning(secretariat, seat)
    with refused(ValidationError, match="retired"):
        attempt()


@pytest.mark.parametrize(
    ("begin", "end"),
    [(-30, None), (-30, 0), (10, 20)],
    ids=["current-open-ended", "ending-today", "future"],
)
def test_a_seat_with_a_current_or_future_assignment_cannot_retire(
    group, secretariat, chamber, begin, end
):
    seat = SeatFactory(working_group=group, chamber=chamber)
    SeatAssignmentFactory(
        seat=seat, start=today() + begin * DAY, end=None if end is None else today() + end * DAY
    )
    with refused(ValidationError, match="End this seat's current and future assignments"):
        services.seat_retire(actor=secretariat, seat=seat)


def test_a_seat_cannot_be_switched_off_around_the_retirement_checks(group, secretariat, chamber):
    seat = SeatFactory(working_group=group, chamber=chamber)
    SeatAssignmentFactory(seat=seat)  # a current holder: retiring is refused
    seat.is_active = False
    with refused(ValidationError, match="Retire the seat instead"):
        services.seat_save(actor=secretariat, seat=seat)


def test_retiring_a_seat_that_a_chamber_minimum_needs_is_refused(group, secretariat, chamber):
    ChamberQuota.objects.create(working_group=group, chamber=chamber, min_seats=2)
    first, _second = SeatFactory.create_batch(2, working_group=group, chamber=chamber)
    with refused(ValidationError, match="At least 2 seat"):
        services.seat_retire(actor=secretariat, seat=first)


def test_people_without_the_right_cannot_manage_seats(group, chamber):
    seat = SeatFactory(working_group=group, chamber=chamber)
    member = give_role(UserFactory(), group, GroupRole.MEMBER).person
    chair = give_role(UserFactory(), group, GroupRole.CHAIR).person
    holder = seat_person(seat).person
    for actor in (AnonymousUser(), UserFactory(), member, chair, holder):
        with refused(PermissionDenied, match="do not manage the seats"):
            services.seat_save(actor=actor, seat=new_seat(group, chamber, "New"))
        with refused(PermissionDenied):
            services.seat_retire(actor=actor, seat=seat)
        attempt = assigning(actor, seat, role=SeatRole.ALTERNATE)
        with refused(PermissionDenied):
            attempt()


# --- Seat assignments -------------------------------------------------------------------


@pytest.fixture
def seat(group, chamber):
    return SeatFactory(working_group=group, chamber=chamber, label="Industry 1")


def test_secretariat_puts_a_holder_and_an_alternate_on_a_seat(seat, secretariat):
    org = OrganisationFactory(name="Kamoto Refining")
    holder = start(secretariat, seat, organisation=org)
    alternate = start(secretariat, seat, role=SeatRole.ALTERNATE, organisation=org)
    assert list(
        SeatAssignment.objects.current().filter(seat=seat).values_list("role", "person")
    ) == [
        (SeatRole.ALTERNATE, alternate.person_id),
        (SeatRole.HOLDER, holder.person_id),
    ]
    event = AuditEvent.objects.get(action="seat_assignment.started", object_id=str(holder.pk))
    assert event.payload["organisation"] == "Kamoto Refining"
    assert event.payload["person"] == holder.person.public_name
    assert permissions.can_comment_members_only(holder.person, seat.working_group)
    assert permissions.can_comment_members_only(alternate.person, seat.working_group)


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [
        ((-30, None), (0, None)),
        ((-30, 10), (10, None)),  # the last day of one term is the first of the other
        ((5, 20), (0, 5)),
        ((5, 20), (-10, None)),
        ((0, 0), (0, 0)),
    ],
    ids=["open-ended", "same-last-day", "future-term", "open-ended-attempt", "one-day"],
)
def test_overlapping_terms_on_a_seat_are_refused(seat, secretariat, existing, attempt):
    first, last = existing
    SeatAssignmentFactory(
        seat=seat, start=today() + first * DAY, end=None if last is None else today() + last * DAY
    )
    begin, end = attempt
    attempt = assigning(
        secretariat,
        seat,
        begin=today() + begin * DAY,
        end=None if end is None else today() + end * DAY,
    )
    with refused(ValidationError, match="already has a holder for part of that term"):
        attempt()


def test_terms_that_follow_each_other_are_accepted(seat, secretariat):
    SeatAssignmentFactory(seat=seat, start=today() - 30 * DAY, end=today())
    nxt = start(secretariat, seat, begin=today() + DAY)
    assert SeatAssignment.objects.filter(seat=seat).count() == 2
    assert nxt.end is None


def test_a_term_cannot_end_before_it_starts(seat, secretariat):
    attempt = assigning(secretariat, seat, begin=today(), end=today() - DAY)
    with refused(ValidationError, match="cannot end before it starts"):
        attempt()


@pytest.mark.parametrize(
    "status", [MembershipStatus.APPLICANT, MembershipStatus.SUSPENDED, MembershipStatus.FORMER]
)
def test_only_member_organisations_are_represented(seat, secretariat, status):
    org = OrganisationFactory(name="Not Yet Ltd", membership_status=status)
    attempt = assigning(secretariat, seat, organisation=org)
    with refused(ValidationError, match="Not Yet Ltd is not a member organisation"):
        attempt()


def test_an_inactive_account_cannot_take_a_seat(seat, secretariat):
    attempt = assigning(secretariat, seat, person=UserFactory(is_active=False))
    with refused(ValidationError, match="inactive"):
        attempt()


def test_an_unknown_role_on_a_seat_is_refused(seat, secretariat):
    attempt = assigning(secretariat, seat, role="proxy")
    with refused(ValidationError, match="Unknown role on a seat: proxy"):
        attempt()


def test_one_person_cannot_be_holder_and_alternate_of_a_seat(seat, secretariat):
    holder = start(secretariat, seat).person
    attempt = assigning(secretariat, seat, person=holder, role=SeatRole.ALTERNATE)
    with refused(ValidationError, match="already sits on this seat in another role"):
        attempt()


def test_one_person_cannot_hold_two_seats_in_a_group(seat, secretariat, chamber):
    holder = start(secretariat, seat).person
    second = SeatFactory(working_group=seat.working_group, chamber=chamber, label="Industry 2")
    attempt = assigning(secretariat, second, person=holder)
    with refused(ValidationError, match="already holds another seat in this working group"):
        attempt()
    # Standing in as alternate elsewhere in the group, or holding a seat in another group, is fine.
    start(secretariat, second, person=holder, role=SeatRole.ALTERNATE)
    elsewhere = SeatFactory(working_group=WorkingGroupFactory(), chamber=chamber)
    start(
        give_role(UserFactory(), elsewhere.working_group, GroupRole.SECRETARIAT).person,
        elsewhere,
        person=holder,
    )
    assert SeatAssignment.objects.filter(person=holder).count() == 3


def test_ending_a_term_sets_its_last_day_and_keeps_the_row(seat, secretariat):
    assignment = start(secretariat, seat, begin=today() - 30 * DAY)
    person = assignment.person
    services.seat_assignment_end(actor=secretariat, assignment=assignment, end=today())
    stored = SeatAssignment.objects.get(pk=assignment.pk)
    assert (stored.start, stored.end, stored.person) == (today() - 30 * DAY, today(), person)
    event = last_event()
    assert event.action == "seat_assignment.ended"
    assert event.payload["end"] == [None, today().isoformat()]
    # Today is still the term's last day; ending it yesterday takes the rights away now.
    assert permissions.can_comment_members_only(person, seat.working_group)
    services.seat_assignment_end(actor=secretariat, assignment=assignment, end=today() - DAY)
    assert not permissions.can_comment_members_only(person, seat.working_group)
    assert SeatAssignment.objects.filter(seat=seat).count() == 1


def test_ending_a_term_before_it_starts_is_refused(seat, secretariat):
    assignment = start(secretariat, seat, begin=today())
    with refused(ValidationError, match="cannot end before it starts"):
        services.seat_assignment_end(actor=secretariat, assignment=assignment, end=today() - DAY)


def test_an_ended_term_cannot_change(seat, secretariat):
    assignment = SeatAssignmentFactory(seat=seat, start=today() - 90 * DAY, end=today() - 10 * DAY)
    for end in (today() - 20 * DAY, today() + 30 * DAY):
        with refused(ValidationError, match="already over; its history cannot change"):
            services.seat_assignment_end(actor=secretariat, assignment=assignment, end=end)


def test_extending_a_term_into_the_next_one_is_refused(seat, secretariat):
    current = SeatAssignmentFactory(seat=seat, start=today() - 30 * DAY, end=today() + 10 * DAY)
    SeatAssignmentFactory(seat=seat, start=today() + 11 * DAY)
    with refused(ValidationError, match="already has a holder for part of that term"):
        services.seat_assignment_end(actor=secretariat, assignment=current, end=today() + 20 * DAY)
    services.seat_assignment_end(actor=secretariat, assignment=current, end=today() + 5 * DAY)
    assert SeatAssignment.objects.get(pk=current.pk).end == today() + 5 * DAY


@pytest.mark.parametrize("later_role", [SeatRole.ALTERNATE, "holder elsewhere"])
def test_extending_a_term_cannot_put_one_person_in_two_places(
    seat, secretariat, chamber, later_role
):
    person = UserFactory()
    current = SeatAssignmentFactory(seat=seat, person=person, end=today() + 10 * DAY)
    if later_role == SeatRole.ALTERNATE:
        SeatAssignmentFactory(
            seat=seat, person=person, role=SeatRole.ALTERNATE, start=today() + 11 * DAY
        )
        message = "already sits on this seat in another role"
    else:
        other_seat = SeatFactory(
            working_group=seat.working_group, chamber=chamber, label="Industry 2"
        )
        SeatAssignmentFactory(seat=other_seat, person=person, start=today() + 11 * DAY)
        message = "already holds another seat in this working group"
    with refused(ValidationError, match=message):
        services.seat_assignment_end(actor=secretariat, assignment=current, end=today() + 20 * DAY)


def test_reserved_seats_refuse_the_seventh_for_profit_holder(group, secretariat, chamber):
    """Nine seats, "at least 3 non-profit": after six for-profit holders only
    three seats are left, and all three are reserved."""
    group.max_seats = 9
    group.save()
    ReservedSeatRule.objects.create(
        working_group=group, label="at least 3 non-profit", min_seats=3, require_non_profit=True
    )
    seats = [
        services.seat_save(actor=secretariat, seat=new_seat(group, chamber, f"Seat {i}"))
        for i in range(1, 10)
    ]
    for seat in seats[:6]:
        start(secretariat, seat, organisation=OrganisationFactory(is_non_profit=False))
    attempt = assigning(
        secretariat, seats[6], organisation=OrganisationFactory(is_non_profit=False)
    )
    with refused(ValidationError, match="composition rule “at least 3 non-profit”"):
        attempt()
    # A non-profit takes the seat; the alternate may come from anywhere.
    start(secretariat, seats[6], organisation=OrganisationFactory(is_non_profit=True))
    start(
        secretariat,
        seats[6],
        role=SeatRole.ALTERNATE,
        organisation=OrganisationFactory(is_non_profit=False),
    )
    attempt = assigning(
        secretariat, seats[7], organisation=OrganisationFactory(is_non_profit=False)
    )
    with refused(ValidationError, match="at least 3 non-profit"):
        attempt()


def test_steering_committee_keeps_a_seat_for_congolese_artisanal_miners(group, superuser, chamber):
    group.max_seats = 3
    group.save()
    ReservedSeatRule.objects.create(
        working_group=group,
        label="at least 1 Congolese organisation representing artisanal miners",
        min_seats=1,
        require_represents_artisanal_miners=True,
        country="CD",
    )
    seats = [SeatFactory(working_group=group, chamber=chamber) for _ in range(3)]
    start(
        superuser,
        seats[0],
        organisation=OrganisationFactory(chain_link=ChainLink.AUTOMOTIVE, country="DE"),
    )
    start(
        superuser,
        seats[1],
        organisation=OrganisationFactory(chain_link=ChainLink.REFINER, country="CD"),
    )
    rwandan = OrganisationFactory(
        represents_artisanal_miners=True, country="RW", chain_link=ChainLink.ARTISANAL_COOPERATIVE
    )
    attempt = assigning(superuser, seats[2], organisation=rwandan)
    with refused(ValidationError, match="Congolese organisation representing artisanal miners"):
        attempt()
    congolese = OrganisationFactory(
        represents_artisanal_miners=True, country="CD", chain_link=ChainLink.ARTISANAL_COOPERATIVE
    )
    start(superuser, seats[2], organisation=congolese)
    assert services.composition_shortfalls(group) == {
        "at most 3 seats": 0,
        "at least 1 Congolese organisation representing artisanal miners": 0,
    }


# --- Roles ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [GroupRole.CHAIR, GroupRole.SECRETARIAT])
def test_only_superusers_grant_chair_and_secretariat(group, superuser, secretariat, role):
    person = UserFactory()
    chair = give_role(UserFactory(), group, GroupRole.CHAIR).person
    for actor in (secretariat, chair):
        with refused(PermissionDenied, match="may not grant this role"):
            services.role_grant(actor=actor, group=group, person=person, role=role, start=today())
    grant = services.role_grant(
        actor=superuser, group=group, person=person, role=role, start=today()
    )
    event = last_event()
    assert (event.action, event.actor, event.object_id, event.payload["role"]) == (
        "role.granted",
        superuser,
        str(grant.pk),
        role,
    )
    assert permissions.can_run_ballots(person, group)


def test_secretariat_grants_and_ends_a_member_role(group, secretariat):
    person = UserFactory()
    grant = services.role_grant(
        actor=secretariat,
        group=group,
        person=person,
        role=GroupRole.MEMBER,
        start=today() - 10 * DAY,
    )
    assert permissions.can_post_discussion(person, group)
    services.role_end(actor=secretariat, grant=grant, end=today() - DAY)
    grant.refresh_from_db()
    assert grant.end == today() - DAY
    assert not permissions.can_post_discussion(person, group)
    assert [
        e.action
        for e in AuditEvent.objects.filter(
            object_type="governance.workinggrouprole", object_id=str(grant.pk)
        )
    ] == [
        "role.granted",
        "role.ended",
    ]


def test_a_member_cannot_grant_roles(group):
    member = give_role(UserFactory(), group, GroupRole.MEMBER).person
    with refused(PermissionDenied):
        services.role_grant(
            actor=member, group=group, person=UserFactory(), role=GroupRole.OBSERVER, start=today()
        )


def test_secretariat_cannot_end_the_chairs_role(group, secretariat):
    chair_role = give_role(UserFactory(), group, GroupRole.CHAIR)
    with refused(PermissionDenied, match="may not change this role"):
        services.role_end(actor=secretariat, grant=chair_role, end=today())


def test_overlapping_roles_of_one_kind_are_refused(group, secretariat):
    person = UserFactory()
    services.role_grant(
        actor=secretariat,
        group=group,
        person=person,
        role=GroupRole.MEMBER,
        start=today(),
        end=today() + 30 * DAY,
    )
    with refused(ValidationError, match="already has this role"):
        services.role_grant(
            actor=secretariat,
            group=group,
            person=person,
            role=GroupRole.MEMBER,
            start=today() + 30 * DAY,
        )
    # A different role, or the same one after the first ends, is fine.
    services.role_grant(
        actor=secretariat, group=group, person=person, role=GroupRole.FACILITATOR, start=today()
    )
    services.role_grant(
        actor=secretariat,
        group=group,
        person=person,
        role=GroupRole.MEMBER,
        start=today() + 31 * DAY,
    )


def test_a_role_cannot_end_before_it_starts(group, secretariat):
    with refused(ValidationError, match="cannot end before it starts"):
        services.role_grant(
            actor=secretariat,
            group=group,
            person=UserFactory(),
            role=GroupRole.MEMBER,
            start=today(),
            end=today() - DAY,
        )
    grant = give_role(UserFactory(), group, GroupRole.MEMBER)
    with refused(ValidationError, match="cannot end before it starts"):
        services.role_end(actor=secretariat, grant=grant, end=grant.start - DAY)


def test_an_ended_role_cannot_change(group, secretariat):
    grant = WorkingGroupRoleFactory(
        working_group=group, start=today() - 60 * DAY, end=today() - 5 * DAY
    )
    with refused(ValidationError, match="already over"):
        services.role_end(actor=secretariat, grant=grant, end=today())


def test_extending_a_role_into_the_next_grant_is_refused(group, secretariat):
    person = UserFactory()
    current = WorkingGroupRoleFactory(working_group=group, person=person, end=today() + 10 * DAY)
    WorkingGroupRoleFactory(working_group=group, person=person, start=today() + 11 * DAY)
    with refused(ValidationError, match="already has this role"):
        services.role_end(actor=secretariat, grant=current, end=today() + 20 * DAY)


def test_an_unknown_role_is_refused(group, superuser):
    with refused(ValidationError, match="Unknown role: overlord"):
        services.role_grant(
            actor=superuser, group=group, person=UserFactory(), role="overlord", start=today()
        )


def test_an_inactive_account_gets_no_role(group, secretariat):
    with refused(ValidationError, match="inactive"):
        services.role_grant(
            actor=secretariat,
            group=group,
            person=UserFactory(is_active=False),
            role=GroupRole.MEMBER,
            start=today(),
        )


# --- A secretariat runs its own group only -------------------------------------------------
# Each scene sets the stage in the other group and returns the attempt.


def _edit_group(other, chamber):
    other.mandate = "<p>Taken over.</p>"
    return lambda actor: services.working_group_save(actor=actor, group=other)


def _add_seat(other, chamber):
    return lambda actor: services.seat_save(actor=actor, seat=new_seat(other, chamber, "Intruder"))


def _edit_seat(other, chamber):
    seat = SeatFactory(working_group=other, chamber=chamber)
    seat.weight = 2
    return lambda actor: services.seat_save(actor=actor, seat=seat)


def _retire_seat(other, chamber):
    seat = SeatFactory(working_group=other, chamber=chamber)
    return lambda actor: services.seat_retire(actor=actor, seat=seat)


def _fill_seat(other, chamber):
    seat, person, org = (
        SeatFactory(working_group=other, chamber=chamber),
        UserFactory(),
        OrganisationFactory(),
    )
    return lambda actor: start(actor, seat, person=person, organisation=org)


def _end_term(other, chamber):
    assignment = SeatAssignmentFactory(seat__working_group=other)
    return lambda actor: services.seat_assignment_end(
        actor=actor, assignment=assignment, end=today()
    )


def _grant_role(other, chamber):
    person = UserFactory()
    return lambda actor: services.role_grant(
        actor=actor, group=other, person=person, role=GroupRole.MEMBER, start=today()
    )


def _end_role(other, chamber):
    grant = WorkingGroupRoleFactory(working_group=other)
    return lambda actor: services.role_end(actor=actor, grant=grant, end=today())


@pytest.mark.parametrize(
    "scene",
    [
        _edit_group,
        _add_seat,
        _edit_seat,
        _retire_seat,
        _fill_seat,
        _end_term,
        _grant_role,
        _end_role,
    ],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_a_secretariat_cannot_touch_another_group(scene, secretariat, other_group, chamber):
    attempt = scene(other_group, chamber)
    with refused(PermissionDenied):
        attempt(secretariat)
