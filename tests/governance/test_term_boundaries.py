"""Rights follow role and seat terms within a minute of their midnight (Kolwezi time),
through `manage.py run_scheduled` (cron, every minute), not a day later through the
daily `sync_permissions`; the sockets of a person whose rights end close at once.

Time is frozen with time-machine around the site's midnight at the end of a term:
a term's `end` is its last day, so its rights last until that day's midnight.
"""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from channels.db import database_sync_to_async
from django.core.management import call_command
from guardian.shortcuts import get_perms

from consultations.services import discussions
from governance import permissions
from governance.models import GroupRole, TermSync
from tests.consultations.test_discussion_consumer import (
    caught_up,
    closed_with,
    communicator,
    run,
    session_cookie,
)
from tests.factories import (
    SeatAssignmentFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupRoleFactory,
)

KOLWEZI = zoneinfo.ZoneInfo("Africa/Lubumbashi")
LAST_DAY = datetime.date(2031, 3, 14)
NEXT_DAY = LAST_DAY + datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), KOLWEZI)


def run_scheduled() -> str:
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    return out.getvalue()


def in_admin(person) -> bool:
    return person.groups.filter(name=permissions.ADMIN_GROUP_NAME).exists()


def test_a_role_ends_within_a_minute_of_its_last_midnight(group):
    person = UserFactory()
    with time_machine.travel(at(LAST_DAY, 9, 0), tick=False) as clock:
        WorkingGroupRoleFactory(
            person=person,
            working_group=group,
            role=GroupRole.SECRETARIAT,
            start=LAST_DAY - datetime.timedelta(days=90),
            end=LAST_DAY,
        )
        permissions.sync_user_group(person, group)
        run_scheduled()
        assert "run_ballots" in get_perms(person, group) and in_admin(person)

        clock.move_to(at(LAST_DAY, 23, 59, 30))
        assert "terms applied: 0" in run_scheduled()
        assert "run_ballots" in get_perms(person, group)  # the last day is still theirs

        clock.move_to(at(NEXT_DAY, 0, 0, 40))
        assert "terms applied: 1 (person, group) pair(s) changed" in run_scheduled()
        assert get_perms(person, group) == [] and not in_admin(person)
        assert "terms applied: 0" in run_scheduled()  # each day is applied once


def test_a_role_starts_within_a_minute_of_its_first_midnight(group):
    person = UserFactory()
    with time_machine.travel(at(LAST_DAY, 20, 0), tick=False) as clock:
        WorkingGroupRoleFactory(
            person=person, working_group=group, role=GroupRole.CHAIR, start=NEXT_DAY
        )
        permissions.sync_user_group(person, group)
        run_scheduled()
        assert get_perms(person, group) == [] and not in_admin(person)

        clock.move_to(at(NEXT_DAY, 0, 0, 50))
        run_scheduled()
        assert {"run_ballots", "certify_results"} <= set(get_perms(person, group))
        assert in_admin(person)


def test_a_missed_night_is_caught_up_and_untouched_terms_are_left_alone(group):
    """Cron stopped for two days: the next run applies every boundary it missed, and
    reads no term whose start and end lie elsewhere."""
    ended, starting, steady = UserFactory(), UserFactory(), UserFactory()
    seat = SeatFactory(working_group=group)
    with time_machine.travel(at(LAST_DAY - datetime.timedelta(days=1), 12, 0), tick=False) as c:
        SeatAssignmentFactory(seat=seat, person=ended, end=LAST_DAY)
        WorkingGroupRoleFactory(person=starting, working_group=group, start=NEXT_DAY)
        WorkingGroupRoleFactory(person=steady, working_group=group)
        for person in (ended, starting, steady):
            permissions.sync_user_group(person, group)
        run_scheduled()
        c.move_to(at(NEXT_DAY + datetime.timedelta(days=1), 3, 0))
        assert permissions.sync_due_terms() == 2
        assert get_perms(ended, group) == []
        assert "view_private_content" in get_perms(starting, group)
        assert "view_private_content" in get_perms(steady, group)
        assert TermSync.objects.get().synced_through == NEXT_DAY + datetime.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_a_seat_term_that_ends_closes_the_members_room_at_once(settings):
    """The holder's seat made them a member; at the midnight after its last day the
    scheduled run removes their rights and their open socket on the members' room is
    closed by the pushed access change — not by a periodic check (an hour apart here)."""
    settings.DISCUSSION_RECHECK_SECONDS = 3600
    settings.DISCUSSION_TICK_SECONDS = 3600
    holder = UserFactory()
    seat = SeatFactory()
    group = seat.working_group
    with time_machine.travel(at(LAST_DAY, 23, 58), tick=True) as clock:
        SeatAssignmentFactory(seat=seat, person=holder, end=LAST_DAY)
        permissions.sync_user_group(holder, group)
        run_scheduled()
        room = discussions.thread_for_group(group)
        key = session_cookie(holder)

        async def scenario():
            comm = communicator(room, session=key)
            connected, _code = await comm.connect(timeout=5)
            assert connected
            await caught_up(comm)
            clock.move_to(at(NEXT_DAY, 0, 0, 30))
            said = await database_sync_to_async(run_scheduled)()
            assert "terms applied: 1" in said
            assert await closed_with(comm) == 4403

        run(scenario)
    assert get_perms(holder, group) == []
