"""Test data builders. Rows made here bypass services on purpose: they set the
scene; the behaviour under test then goes through services."""

import datetime

import factory
from django.utils import timezone

from governance import permissions
from governance.models import (
    ChainLink,
    Chamber,
    GroupRole,
    MembershipStatus,
    Organisation,
    Seat,
    SeatAssignment,
    SeatRole,
    User,
    WorkingGroup,
    WorkingGroupRole,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    # A username with "@" must be the person's own address (constraint on User).
    email = factory.LazyAttribute(
        lambda o: o.username if "@" in o.username else f"{o.username}@example.org"
    )
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    chain_link = ChainLink.REFINER
    country = "CD"
    membership_status = MembershipStatus.MEMBER


class ChamberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chamber
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Chamber {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")
    mandate = "<p>Draft the shared standard.</p>"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    working_group = factory.SubFactory(WorkingGroupFactory)
    chamber = factory.SubFactory(ChamberFactory)
    label = factory.Sequence(lambda n: f"Seat {n}")


class SeatAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeatAssignment

    seat = factory.SubFactory(SeatFactory)
    person = factory.SubFactory(UserFactory)
    role = SeatRole.HOLDER
    organisation = factory.SubFactory(OrganisationFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class WorkingGroupRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroupRole

    working_group = factory.SubFactory(WorkingGroupFactory)
    person = factory.SubFactory(UserFactory)
    role = GroupRole.MEMBER
    start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


def give_role(person: User, group: WorkingGroup, role: str) -> WorkingGroupRole:
    """A current role with its object permissions in place."""
    grant = WorkingGroupRoleFactory(person=person, working_group=group, role=role)
    permissions.sync_user_group(person, group)
    return grant


def seat_person(seat: Seat, role: str = SeatRole.HOLDER, **kwargs) -> SeatAssignment:
    assignment = SeatAssignmentFactory(seat=seat, role=role, **kwargs)
    permissions.sync_user_group(assignment.person, seat.working_group)
    return assignment
