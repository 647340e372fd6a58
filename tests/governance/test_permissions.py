"""Who may do what in a working group: the role × action matrix, and how rights
follow the calendar (roles and seat terms start and end on dates)."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from governance import permissions, services
from governance.models import AuditEvent, GroupRole, SeatRole
from tests.factories import (
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    WorkingGroupRoleFactory,
    give_role,
    seat_person,
)

KOLWEZI = zoneinfo.ZoneInfo("Africa/Lubumbashi")
JUNE_15 = datetime.date(2025, 6, 15)
DAY = datetime.timedelta(days=1)


# --- The matrix -------------------------------------------------------------------------

ACTIONS = {
    "view_private": lambda u, g: permissions.can_view_private(u, g),
    "comment_members_only": lambda u, g: permissions.can_comment_members_only(u, g),
    "post_discussion": lambda u, g: permissions.can_post_discussion(u, g),
    "manage_seats": lambda u, g: permissions.can_manage_seats(u, g),
    "manage_consultations": lambda u, g: permissions.can_manage_consultations(u, g),
    "moderate": lambda u, g: permissions.can_moderate(u, g),
    "run_ballots": lambda u, g: permissions.can_run_ballots(u, g),
    "certify_results": lambda u, g: permissions.can_certify_results(u, g),
    "record_assisted_votes": lambda u, g: permissions.can_record_assisted_votes(u, g),
    "grant_member": lambda u, g: permissions.can_grant_role(u, g, GroupRole.MEMBER),
    "grant_chair": lambda u, g: permissions.can_grant_role(u, g, GroupRole.CHAIR),
    "manage_organisations": lambda u, g: permissions.can_manage_organisations(u),
}

# One row per kind of person, one column per action above, in the same order.
#   view  comm  post  seats cons  mod   ballot cert  assist grantM grantC orgs
MATRIX = {
    "anonymous":               "·     ·     ·     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "registered":              "·     ·     ·     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "observer":                "Y     ·     ·     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "member":                  "Y     Y     Y     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "seat holder":             "Y     Y     Y     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "alternate":               "Y     Y     Y     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "facilitator":             "Y     ·     Y     ·     ·     ·     ·      ·     Y      ·      ·      ·",
    "secretariat":             "Y     Y     Y     Y     Y     Y     Y      ·     ·      Y      ·      ·",
    "chair":                   "Y     Y     Y     ·     Y     Y     Y      Y     ·      ·      ·      ·",
    "secretariat elsewhere":   "·     ·     ·     ·     ·     ·     ·      ·     ·      ·      ·      ·",
    "superuser":               "Y     Y     Y     Y     Y     Y     Y      Y     Y      Y      Y      Y",
}  # fmt: skip


def _cases():
    for who, row in MATRIX.items():
        cells = row.split()
        assert len(cells) == len(ACTIONS), who
        for action, cell in zip(ACTIONS, cells, strict=True):
            yield pytest.param(who, action, cell == "Y", id=f"{who}-{action}")


def make_person(who: str, group, other_group):
    """A person in the given position towards `group`, rights synced as services would."""
    if who == "anonymous":
        return AnonymousUser()
    if who == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory()
    if who in ("seat holder", "alternate"):
        seat_person(
            SeatFactory(working_group=group),
            role=SeatRole.HOLDER if who == "seat holder" else SeatRole.ALTERNATE,
            person=person,
        )
    elif who == "secretariat elsewhere":
        give_role(person, other_group, GroupRole.SECRETARIAT)
    elif who != "registered":
        give_role(person, group, who)
    return person


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "action", "allowed"), list(_cases()))
def test_role_action_matrix(who, action, allowed):
    group, other_group = WorkingGroupFactory(), WorkingGroupFactory()
    person = make_person(who, group, other_group)
    assert ACTIONS[action](person, group) is allowed


@pytest.mark.django_db
def test_an_inactive_account_has_no_rights_whatever_its_roles():
    group = WorkingGroupFactory()
    person = give_role(UserFactory(), group, GroupRole.SECRETARIAT).person
    person.is_active = False
    person.save()
    assert not any(check(person, group) for check in ACTIONS.values())


@pytest.mark.django_db
def test_a_facilitator_named_on_a_seat_needs_the_role_to_record_votes():
    """`Seat.facilitator` names who may record that seat's votes; the group-wide right
    comes from the facilitator role."""
    group = WorkingGroupFactory()
    helper = UserFactory()
    SeatFactory(working_group=group, facilitator=helper)
    assert not permissions.can_record_assisted_votes(helper, group)
    give_role(helper, group, GroupRole.FACILITATOR)
    assert permissions.can_record_assisted_votes(helper, group)


# --- Rights follow the calendar -------------------------------------------------------------


@pytest.fixture
def june_15():
    with time_machine.travel(
        datetime.datetime(2025, 6, 15, 9, 0, tzinfo=KOLWEZI), tick=False
    ) as traveller:
        yield traveller


def next_morning(traveller, day: datetime.date) -> None:
    traveller.move_to(datetime.datetime.combine(day, datetime.time(0, 5), tzinfo=KOLWEZI))


def sync(*args) -> str:
    out = io.StringIO()
    call_command("sync_permissions", *args, stdout=out)
    return out.getvalue()


def guardian_rows():
    return sorted(
        UserObjectPermission.objects.values_list("user_id", "object_pk", "permission__codename")
    )


def test_a_role_that_ended_yesterday_gives_nothing_once_permissions_are_synced(
    june_15, superuser, group
):
    person = UserFactory()
    services.role_grant(
        actor=superuser,
        group=group,
        person=person,
        role=GroupRole.MEMBER,
        start=JUNE_15 - 30 * DAY,
        end=JUNE_15,
    )
    assert permissions.can_post_discussion(person, group)  # the 15th is the role's last day

    next_morning(june_15, JUNE_15 + DAY)
    assert sync() == "Synced permissions for today: 1 (person, group) pair(s) changed.\n"
    assert not permissions.can_view_private(person, group)
    assert not UserObjectPermission.objects.filter(user=person).exists()
    assert "0 (person, group) pair(s) changed" in sync()  # a second run has nothing to do


def test_a_seat_term_that_ended_yesterday_gives_nothing_once_permissions_are_synced(
    june_15, superuser, group
):
    seat = SeatFactory(working_group=group)
    holder = seat_person(seat, start=JUNE_15 - 30 * DAY, end=JUNE_15).person
    assert permissions.can_comment_members_only(holder, group)
    next_morning(june_15, JUNE_15 + DAY)
    sync()
    assert not permissions.can_comment_members_only(holder, group)


def test_a_role_starting_tomorrow_gives_nothing_today(june_15, superuser, group):
    person = UserFactory()
    services.role_grant(
        actor=superuser, group=group, person=person, role=GroupRole.SECRETARIAT, start=JUNE_15 + DAY
    )
    assert not permissions.can_manage_seats(person, group)
    assert permissions.ADMIN_GROUP_NAME not in names_of_groups(person)

    next_morning(june_15, JUNE_15 + DAY)
    sync()
    assert permissions.can_manage_seats(person, group)
    assert permissions.ADMIN_GROUP_NAME in names_of_groups(person)


def test_sync_can_look_at_another_day(june_15, superuser, group):
    person = UserFactory()
    services.role_grant(
        actor=superuser, group=group, person=person, role=GroupRole.MEMBER, start=JUNE_15 + 7 * DAY
    )
    assert (
        sync("--date", "2025-06-22")
        == "Synced permissions for 2025-06-22: 1 (person, group) pair(s) changed.\n"
    )
    assert permissions.can_post_discussion(person, group)


@pytest.mark.parametrize("bad", ["22/06/2025", "2025-02-30", "tomorrow", ""])
def test_sync_refuses_a_date_it_cannot_read_and_changes_nothing(june_15, superuser, group, bad):
    person = UserFactory()
    services.role_grant(
        actor=superuser, group=group, person=person, role=GroupRole.MEMBER, start=JUNE_15 + 7 * DAY
    )
    before = (guardian_rows(), names_of_groups(person), AuditEvent.objects.count())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        sync("--date", bad)
    assert (guardian_rows(), names_of_groups(person), AuditEvent.objects.count()) == before


def test_ending_a_role_through_the_service_revokes_at_once(june_15, superuser, group):
    secretariat = give_role(UserFactory(), group, GroupRole.SECRETARIAT).person
    grant = give_role(UserFactory(), group, GroupRole.MEMBER)
    services.role_end(actor=secretariat, grant=grant, end=JUNE_15 - DAY)
    assert not permissions.can_view_private(grant.person, group)
    assert not UserObjectPermission.objects.filter(user=grant.person).exists()


def test_a_seat_holder_who_is_also_a_member_keeps_member_rights_when_the_term_ends(
    june_15, superuser, group
):
    seat = SeatFactory(working_group=group)
    assignment = seat_person(seat, start=JUNE_15 - 30 * DAY)
    give_role(assignment.person, group, GroupRole.OBSERVER)
    services.seat_assignment_end(actor=superuser, assignment=assignment, end=JUNE_15 - DAY)
    assert permissions.can_view_private(assignment.person, group)  # still an observer
    assert not permissions.can_comment_members_only(assignment.person, group)


def test_sync_removes_rights_that_no_role_backs(june_15, group):
    stray = UserFactory()
    assign_perm("governance.manage_seats", stray, group)
    assert permissions.can_manage_seats(stray, group)
    assert "1 (person, group) pair(s) changed" in sync()
    assert not permissions.can_manage_seats(stray, group)


def test_sync_leaves_rights_it_does_not_manage_alone(june_15, group):
    editor = UserFactory()
    assign_perm("governance.change_workinggroup", editor, group)
    sync()
    assert editor.has_perm("governance.change_workinggroup", group)


# --- Admin access follows the privileged roles ------------------------------------------------


def names_of_groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.parametrize("role", [GroupRole.SECRETARIAT, GroupRole.CHAIR])
def test_secretariat_and_chair_enter_the_admin_and_leave_it_when_the_role_ends(
    june_15, superuser, group, role
):
    person = UserFactory()
    grant = services.role_grant(
        actor=superuser, group=group, person=person, role=role, start=JUNE_15 - 10 * DAY
    )
    assert permissions.ADMIN_GROUP_NAME in names_of_groups(person)
    assert person.has_perm("wagtailadmin.access_admin")
    services.role_end(actor=superuser, grant=grant, end=JUNE_15 - DAY)
    assert permissions.ADMIN_GROUP_NAME not in names_of_groups(person)


def test_members_do_not_enter_the_admin(june_15, superuser, group):
    person = UserFactory()
    services.role_grant(
        actor=superuser, group=group, person=person, role=GroupRole.MEMBER, start=JUNE_15
    )
    assert names_of_groups(person) == set()


def test_a_secretariat_of_two_groups_keeps_admin_access_while_one_role_lasts(
    june_15, superuser, group
):
    other = WorkingGroupFactory()
    person = UserFactory()
    first = services.role_grant(
        actor=superuser,
        group=group,
        person=person,
        role=GroupRole.SECRETARIAT,
        start=JUNE_15 - 10 * DAY,
    )
    services.role_grant(
        actor=superuser,
        group=other,
        person=person,
        role=GroupRole.SECRETARIAT,
        start=JUNE_15 - 10 * DAY,
    )
    services.role_end(actor=superuser, grant=first, end=JUNE_15 - DAY)
    assert permissions.ADMIN_GROUP_NAME in names_of_groups(person)
    assert list(permissions.working_groups_managed_by(person)) == [other]


def test_admin_access_ends_with_the_role_once_permissions_are_synced(june_15, superuser, group):
    person = UserFactory()
    services.role_grant(
        actor=superuser,
        group=group,
        person=person,
        role=GroupRole.SECRETARIAT,
        start=JUNE_15 - 10 * DAY,
        end=JUNE_15,
    )
    assert permissions.ADMIN_GROUP_NAME in names_of_groups(person)
    next_morning(june_15, JUNE_15 + DAY)
    sync()
    assert permissions.ADMIN_GROUP_NAME not in names_of_groups(person)


# --- working_groups_managed_by --------------------------------------------------------------


@pytest.mark.django_db
def test_working_groups_managed_by():
    mine, theirs, closed = (
        WorkingGroupFactory(name="A"),
        WorkingGroupFactory(name="B"),
        WorkingGroupFactory(name="C"),
    )
    secretariat = give_role(UserFactory(), mine, GroupRole.SECRETARIAT).person
    give_role(secretariat, theirs, GroupRole.MEMBER)
    chair = give_role(UserFactory(), theirs, GroupRole.CHAIR).person
    superuser = UserFactory(is_superuser=True)
    former = UserFactory()
    WorkingGroupRoleFactory(
        person=former,
        working_group=closed,
        role=GroupRole.SECRETARIAT,
        end=datetime.date(2020, 1, 1),
        start=datetime.date(2019, 1, 1),
    )
    permissions.sync_all()

    assert list(permissions.working_groups_managed_by(secretariat)) == [mine]
    assert (
        list(permissions.working_groups_managed_by(chair)) == []
    )  # chairs certify; secretariats manage
    assert list(permissions.working_groups_managed_by(former)) == []
    assert list(permissions.working_groups_managed_by(UserFactory())) == []
    assert list(permissions.working_groups_managed_by(AnonymousUser())) == []
    assert list(permissions.working_groups_managed_by(None)) == []
    assert list(permissions.working_groups_managed_by(superuser).order_by("name")) == [
        mine,
        theirs,
        closed,
    ]
