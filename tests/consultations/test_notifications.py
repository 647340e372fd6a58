"""Emails about comment periods: who gets which, when, in which language; each once.

Emails are queued with transaction.on_commit and sent by a task, which the test
settings run at once (TASKS uses the ImmediateBackend). A test's transaction
never commits, so the on-commit callbacks are captured and run explicitly.
"""

import datetime
import io
import struct
from array import array

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from consultations import services
from consultations.models import CommentSource, Subscription
from consultations.notifications import send_due_reminders
from tests.consultations.test_services import (  # noqa: F401 (fresh_rate_limits is autouse)
    comment,
    disposition,
    draft,
    fresh_rate_limits,
    member,
    period,
    secretariat,
    standard,
)
from tests.factories import SeatFactory, UserFactory, seat_person

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.fixture
def std(group):
    return standard(group, title="ASM Cobalt Framework", slug="asm-cobalt-framework")


@pytest.fixture
def clerk(group):
    return secretariat(group, username="clerk")


@pytest.fixture
def audience(group, clerk):
    """Who hears about the group's periods: members, seat holders, subscribers (and the
    secretariat, a member by role); not the person who turned emails off, nor outsiders."""
    people = {
        "member": member(group, username="member"),
        "seat holder": seat_person(SeatFactory(working_group=group)).person,
        "subscriber": UserFactory(username="subscriber"),
        "secretariat": clerk,
    }
    Subscription.objects.create(person=people["subscriber"], working_group=group)
    member(group, username="quiet", notifications_enabled=False)
    UserFactory(username="outsider")
    return people


# --- Period opened, closing soon --------------------------------------------------------------


def test_period_opened_is_sent_once(std, audience, mailoutbox, django_capture_on_commit_callbacks):
    period(draft(std))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 1
    assert recipients(mailoutbox) == sorted(p.email for p in audience.values())
    assert {m.subject for m in mailoutbox} == {"Comment period open: ASM Cobalt Framework 1.0"}

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 0
    assert len(mailoutbox) == len(audience)


OPENS = datetime.datetime(2031, 3, 2, 7, 0, tzinfo=UTC)
CLOSES = OPENS + 60 * DAY


def test_members_only_period_is_not_announced_to_outside_subscribers(
    std, audience, mailoutbox, django_capture_on_commit_callbacks
):
    period(draft(std), audience="members")

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()
    assert "subscriber@example.org" not in recipients(mailoutbox)
    assert audience["member"].email in recipients(mailoutbox)


def test_closing_reminders_go_out_7_days_and_1_day_before_close(
    std, audience, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = period(draft(std), opens_at=OPENS, closes_at=CLOSES)
    commenter = UserFactory(username="commenter")  # not in the group: hears as a commenter
    comment(consultation, author=commenter)
    group_and_commenter = sorted([*(p.email for p in audience.values()), commenter.email])

    def run(at) -> tuple[int, list]:
        mailoutbox.clear()
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            queued = send_due_reminders()
        return queued, list(mailoutbox)

    assert run(OPENS - MINUTE) == (0, [])
    queued, sent = run(OPENS + MINUTE)
    assert queued == 1
    assert commenter.email not in recipients(sent)  # "opened" goes to the group
    assert run(CLOSES - 7 * DAY - MINUTE) == (0, [])

    queued, sent = run(CLOSES - 7 * DAY)
    assert queued == 1
    assert {m.subject for m in sent} == {"One week left to comment on ASM Cobalt Framework"}
    assert recipients(sent) == group_and_commenter
    assert run(CLOSES - 7 * DAY + MINUTE) == (0, [])
    assert run(CLOSES - DAY - MINUTE) == (0, [])

    queued, sent = run(CLOSES - DAY)
    assert queued == 1
    assert {m.subject for m in sent} == {"Last day to comment on ASM Cobalt Framework"}
    assert recipients(sent) == group_and_commenter

    assert run(CLOSES - MINUTE) == (0, [])
    assert run(CLOSES) == (0, [])
    assert set(consultation.reminders.values_list("kind", flat=True)) == {"opened", "7d", "1d"}


def test_the_command_queues_due_emails_and_says_how_many(
    std, audience, mailoutbox, django_capture_on_commit_callbacks
):
    period(draft(std))
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)

    assert out.getvalue().strip() == "1 notification(s) queued."
    assert len(mailoutbox) == len(audience)


def test_extending_tells_the_group_and_the_commenters(
    std, clerk, audience, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = period(draft(std))
    commenter = UserFactory()
    comment(consultation, author=commenter)

    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_extend(
            actor=clerk,
            consultation=consultation,
            closes_at=consultation.closes_at + 14 * DAY,
            reason="Requests from miners.",
        )

    assert recipients(mailoutbox) == sorted(
        [*(p.email for p in audience.values()), commenter.email]
    )
    assert {m.subject for m in mailoutbox} == {"Comment period extended: ASM Cobalt Framework"}
    assert all("Requests from miners." in m.body for m in mailoutbox)


# --- Dispositions and the report ---------------------------------------------------------------


def test_a_disposition_is_sent_to_the_author_only_after_commit(
    std, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = period(draft(std), state="closed")
    author = UserFactory()
    row = comment(consultation, author=author)
    comment(consultation)  # someone else's comment

    with django_capture_on_commit_callbacks() as callbacks:
        services.comment_dispose(actor=clerk, comment=row, decision="accepted", response="Done.")
    assert mailoutbox == []  # nothing leaves before the change commits
    for callback in callbacks:
        callback()

    assert recipients(mailoutbox) == [author.email]
    assert (
        mailoutbox[0].subject == "The working group answered your comment on ASM Cobalt Framework"
    )


def test_imported_comments_get_no_disposition_email(
    std, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = period(draft(std), state="closed")
    row = comment(consultation, author=clerk, source=CommentSource.IMPORT, submitted_by=clerk)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_dispose(actor=clerk, comment=row, decision="noted", response="Noted.")

    assert mailoutbox == []


def test_the_report_is_sent_to_every_commenter(
    std, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = period(draft(std), state="closed")
    first, second = UserFactory(), UserFactory()
    quiet = UserFactory(notifications_enabled=False)
    rows = [
        comment(consultation, author=first),
        comment(consultation, author=first),
        comment(consultation, author=second),
        comment(consultation, author=quiet),
        comment(consultation, author=clerk, source=CommentSource.IMPORT),
    ]
    comment(consultation, author=UserFactory(), withdrawn_at=timezone.now())
    for row in rows:
        disposition(row, decided_by=clerk)

    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=clerk, consultation=consultation)

    assert recipients(mailoutbox) == sorted([first.email, second.email])
    assert {m.subject for m in mailoutbox} == {
        "Report published: how every comment on ASM Cobalt Framework was handled"
    }


def test_people_who_turned_emails_off_get_none(
    std, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    quiet = member(std.working_group, notifications_enabled=False)
    consultation = period(draft(std))
    row = comment(consultation, author=quiet)

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()
        services.consultation_extend(
            actor=clerk,
            consultation=consultation,
            closes_at=consultation.closes_at + DAY,
            reason="More time.",
        )
    consultation.refresh_from_db()
    consultation.closes_at = timezone.now()
    consultation.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_dispose(actor=clerk, comment=row, decision="noted", response="Noted.")
        services.report_publish(actor=clerk, consultation=consultation)

    assert quiet.email not in recipients(mailoutbox)
    assert mailoutbox  # the others did hear


# --- Language ---------------------------------------------------------------------------------


def write_mo(path, messages: dict[str, str]) -> None:
    """A compiled gettext catalogue (the format of CPython's Tools/i18n/msgfmt.py), so the
    test needs no French translation in the repository and no msgfmt binary."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        msgid, msgstr = key.encode(), messages[key].encode()
        offsets.append((len(ids), len(msgid), len(strs), len(msgstr)))
        ids += msgid + b"\0"
        strs += msgstr + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets, value_offsets = [], []
    for id_at, id_len, str_at, str_len in offsets:
        key_offsets += [id_len, id_at + key_start]
        value_offsets += [str_len, str_at + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    path.parent.mkdir(parents=True)
    path.write_bytes(
        header
        + array("i", key_offsets).tobytes()
        + array("i", value_offsets).tobytes()
        + ids
        + strs
    )


@pytest.fixture
def french(settings, tmp_path):
    write_mo(
        tmp_path / "fr" / "LC_MESSAGES" / "django.mo",
        {
            "Comment period open: %(standard)s %(version)s": (
                "Période de commentaires ouverte : %(standard)s %(version)s"
            )
        },
    )
    # Changing LOCALE_PATHS resets Django's translation caches (and again afterwards).
    settings.LOCALE_PATHS = [tmp_path]


def test_emails_are_in_each_recipients_language(
    std, french, mailoutbox, django_capture_on_commit_callbacks
):
    group = std.working_group
    reader = {
        "en": member(group, preferred_language="en"),
        "fr": member(group, preferred_language="fr"),
        "default": member(group, preferred_language=""),
    }
    period(draft(std))

    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()

    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects[reader["fr"].email] == (
        "Période de commentaires ouverte : ASM Cobalt Framework 1.0"
    )
    assert subjects[reader["en"].email] == "Comment period open: ASM Cobalt Framework 1.0"
    assert subjects[reader["default"].email] == "Comment period open: ASM Cobalt Framework 1.0"
