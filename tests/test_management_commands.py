"""Every management command of the project, run as cron runs it: `python manage.py …`
in a child process against the test database (tests/commands.py).

`call_command` skips what the command line does first — argument parsing and
Django's system checks (`BaseCommand.check`) — so a command can pass every
call_command test and still crash from cron, as `verify_ballot` did when its own
`check` method replaced Django's. Adding a command without a test here fails
`test_every_command_has_a_command_line_test`.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import find_commands
from django.utils import timezone
from guardian.shortcuts import get_perms

from consultations.models import ReminderSent
from governance import services
from governance.models import Ballot, BallotStatus, GroupRole, VotingRule, WorkingGroupRole
from tests.commands import manage
from tests.consultations.test_services import draft, member, period, standard
from tests.factories import SeatFactory, UserFactory, give_role, seat_person

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT_APPS = ("governance", "consultations", "cms", "membership", "dashboard")
TESTED = {
    "close_due_ballots",
    "demo_code",  # tests/cms/test_load_demo.py
    "grant_app_role",  # tests/governance/test_database_roles.py
    "load_demo",
    "run_scheduled",
    "send_ballot_reminders",
    "send_digests",  # tests/dashboard/test_digests.py
    "send_reminders",
    "serve_demo",  # below, and tests/cms/test_serve_demo.py
    "sync_permissions",
    "verify_audit_log",
    "verify_ballot",
}
DAY = datetime.timedelta(days=1)


def test_every_command_has_a_command_line_test():
    found = {
        name
        for label in PROJECT_APPS
        for name in find_commands(f"{apps.get_app_config(label).path}/management")
    }
    assert found == TESTED


def group_with_seats(n: int = 3):
    chair = UserFactory()
    seats = [SeatFactory() for _ in range(n)]
    group = seats[0].working_group
    for seat in seats[1:]:
        seat.working_group = group
        seat.save(update_fields=["working_group"])
    give_role(chair, group, GroupRole.CHAIR)
    holders = [seat_person(seat).person for seat in seats]
    rule = VotingRule.objects.create(working_group=group, name="Majority")
    return SimpleNamespace(group=group, chair=chair, seats=seats, holders=holders, rule=rule)


def ballot(scene, *, opened: datetime.datetime, closes: datetime.datetime, votes=()) -> Ballot:
    made = services.ballot_save(
        actor=scene.chair,
        ballot=Ballot(
            working_group=scene.group,
            title="Adopt the work plan",
            motion="…",
            rule=scene.rule,
            opens_at=opened,
            closes_at=closes,
        ),
        now=opened,
    )
    services.ballot_open(actor=scene.chair, ballot=made, now=opened)
    for position, key in enumerate(votes):
        services.vote_cast(
            actor=scene.holders[position],
            ballot=made,
            seat=scene.seats[position],
            option_key=key,
            now=opened + datetime.timedelta(minutes=1),
        )
    return made


def closed_ballot(scene) -> Ballot:
    now = timezone.now()
    made = ballot(scene, opened=now - 3 * DAY, closes=now - DAY, votes=["for", "against", "for"])
    services.ballot_close(actor=None, ballot=made, now=made.closes_at)
    made.refresh_from_db()
    return made


def test_verify_ballot(db):
    scene = group_with_seats()
    counted = closed_ballot(scene)

    done = manage("verify_ballot", str(counted.pk))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"OK ballot {counted.pk}")
    done = manage("verify_ballot", "--all")
    assert done.returncode == 0 and f"OK ballot {counted.pk}" in done.stdout

    Ballot.objects.filter(pk=counted.pk).update(result={**counted.result, "outcome": "rejected"})
    done = manage("verify_ballot", str(counted.pk))
    assert done.returncode == 1
    assert "outcome: stored 'rejected', recomputed 'adopted'" in done.stderr

    done = manage("verify_ballot", "999999")
    assert done.returncode == 1 and "There is no ballot 999999" in done.stderr
    done = manage("verify_ballot", "not-a-number")
    assert done.returncode == 2 and "invalid int value" in done.stderr


def test_verify_audit_log(db):
    closed_ballot(group_with_seats())
    done = manage("verify_audit_log")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: ") and "events" in done.stdout


@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("close_due_ballots", "Closed 1 ballot(s)."),
        ("run_scheduled", "Closed 1 ballot(s);"),
    ],
)
def test_due_ballots_close_from_the_command_line(db, command, said):
    scene = group_with_seats()
    now = timezone.now()
    due = ballot(scene, opened=now - 2 * DAY, closes=now - datetime.timedelta(minutes=2))
    done = manage(command)
    assert done.returncode == 0, done.stderr
    assert said in done.stdout
    due.refresh_from_db()
    assert due.status == BallotStatus.CLOSED and due.result["outcome"]


def test_send_ballot_reminders(db):
    scene = group_with_seats()
    now = timezone.now()
    ballot(scene, opened=now - 3 * DAY, closes=now + datetime.timedelta(hours=20), votes=["for"])
    done = manage("send_ballot_reminders")
    assert done.returncode == 0, done.stderr
    assert "Reminded the seats of 1 ballot(s)." in done.stdout
    # The console email backend prints the emails: the seats that have not voted.
    assert scene.holders[1].email in done.stdout and scene.holders[2].email in done.stdout
    assert scene.holders[0].email not in done.stdout
    assert "Reminded the seats of 0 ballot(s)." in manage("send_ballot_reminders").stdout


def test_send_reminders(group):
    reader = member(group, username="reader")
    opened = period(draft(standard(group, title="ASM Cobalt Framework")))
    done = manage("send_reminders")
    assert done.returncode == 0, done.stderr
    assert "1 notification(s) queued." in done.stdout and reader.email in done.stdout
    assert ReminderSent.objects.filter(consultation=opened).exists()
    assert "0 notification(s) queued." in manage("send_reminders").stdout


def test_sync_permissions(group):
    person = UserFactory()
    role = give_role(person, group, GroupRole.SECRETARIAT)
    WorkingGroupRole.objects.filter(pk=role.pk).update(
        start=timezone.localdate() - 10 * DAY, end=timezone.localdate() - DAY
    )
    assert "run_ballots" in get_perms(person, group)  # until synced
    done = manage("sync_permissions")
    assert done.returncode == 0, done.stderr
    assert "1 (person, group) pair(s) changed" in done.stdout
    assert get_perms(person, group) == []

    done = manage("sync_permissions", "--date", "31/03/2025")
    assert done.returncode == 1 and "--date must be a calendar date" in done.stderr


def test_load_demo(db):
    done = manage("load_demo")
    assert done.returncode == 0, done.stderr
    assert "Demo content is in place." in done.stdout
    assert Ballot.objects.filter(status=BallotStatus.CERTIFIED).exists()
    assert manage("load_demo").returncode == 0  # idempotent


def test_serve_demo_parses_its_command_line():
    """`make run`'s server (its scheduler is tested in tests/cms/test_serve_demo.py):
    its options parse from the command line, with Django's checks run first."""
    done = manage("serve_demo", "--help")
    assert done.returncode == 0, done.stderr
    assert "--schedule-every" in done.stdout
