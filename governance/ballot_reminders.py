"""Emails to a ballot's seats: each holder's personal link, and reminders to seats
that have not voted, 48 h and 24 h before close (each once per ballot).

Emails leave from a background task after the transaction commits (the pattern of
consultations/notifications.py), one per person in their language; people who
turned notifications off get none. Personal links are built when the email is
rendered, so no link (a credential) sits in the task queue.

Which reminders went out is read from the audit log (action "ballot.reminder_sent",
payload {"kind": "48h" | "24h"}), recorded in the transaction that enqueues the
emails and under the ballot's row lock, so two schedulers never both send. A small
`BallotReminder(ballot, kind)` table with a unique constraint (like consultations'
`ReminderSent`) would say the same more directly.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from . import audit, ballot_links, notices, permissions
from .emails import render_plain_text, render_subject
from .models import AuditEvent, Ballot, BallotStatus, Delegation, Participation, RollEntry, User
from .services._base import refuse, require

REMINDER_SENT = "ballot.reminder_sent"
LINKS_SENT = "ballot.links_sent"
# Most urgent first: when both are due (a missed run), only the later one is sent.
REMINDERS = (("24h", datetime.timedelta(hours=24)), ("48h", datetime.timedelta(hours=48)))

HOLDER, ALTERNATE, PROXY = "holder", "alternate", "proxy"


def due_reminder(ballot: Ballot, now: datetime.datetime) -> str | None:
    """The reminder a ballot is due for now, if any. A ballot that began accepting votes
    inside a window gets no reminder for it: its opening was the news."""
    left = ballot.closes_at - now
    started = max(ballot.opens_at, ballot.opened_at or ballot.opens_at)
    for kind, window in REMINDERS:
        if left <= window:
            return kind if started <= ballot.closes_at - window else None
    return None


def reminder_sent(ballot: Ballot, kind: str) -> bool:
    return AuditEvent.objects.filter(
        action=REMINDER_SENT,
        object_type=Ballot._meta.label_lower,
        object_id=str(ballot.pk),
        payload__kind=kind,
    ).exists()


def waiting_recipients(ballot: Ballot) -> dict[int, list[tuple[int, str]]]:
    """Person id → [(seat id, capacity)] for every seat on the roll that has not voted:
    its holder, its alternate and an active proxy."""
    voted = Participation.objects.filter(ballot=ballot).values("seat_id")
    entries = RollEntry.objects.filter(ballot=ballot).exclude(seat_id__in=voted)
    people: dict[int, list[tuple[int, str]]] = {}
    for seat_id, holder_id, alternate_id in entries.values_list(
        "seat_id", "holder_id", "alternate_id"
    ):
        if holder_id:
            people.setdefault(holder_id, []).append((seat_id, HOLDER))
        if alternate_id:
            people.setdefault(alternate_id, []).append((seat_id, ALTERNATE))
    for seat_id, proxy_id in (
        Delegation.objects.filter(ballot=ballot, revoked_at__isnull=True)
        .exclude(seat_id__in=voted)
        .values_list("seat_id", "proxy_id")
    ):
        people.setdefault(proxy_id, []).append((seat_id, PROXY))
    return people


def send_due_reminders(now: datetime.datetime | None = None) -> int:
    """Reminders due now, each once per ballot. Returns how many ballots were reminded.
    Run every few minutes (`manage.py send_ballot_reminders`)."""
    now = now or timezone.now()
    reminded = 0
    candidates = Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    )
    for ballot in candidates:
        if due_reminder(ballot, now) is None:
            continue
        with transaction.atomic():
            ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
            kind = due_reminder(ballot, now) if ballot.status == BallotStatus.OPEN else None
            if kind is None or reminder_sent(ballot, kind):
                continue
            people = waiting_recipients(ballot)
            audit.record(
                at=now,
                actor=None,
                action=REMINDER_SENT,
                obj=ballot,
                working_group=ballot.working_group,
                payload={"kind": kind, "people": len(people)},
            )
            _later("reminder", ballot, people, kind=kind)
            notices.notify("ballot_reminder", ballot, people, at=now, followers=False)
            reminded += 1
    return reminded


@transaction.atomic
def send_links(*, actor, ballot: Ballot) -> int:
    """Email every holder whose seat has not voted their personal link. Returns how many."""
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_run_ballots(actor, ballot.working_group),
        _("You do not run ballots in this working group."),
    )
    if ballot.status != BallotStatus.OPEN or timezone.now() >= ballot.closes_at:
        refuse(_("Links can be sent only while the ballot is open."))
    people = {
        person: [(seat, role) for seat, role in seats if role == HOLDER]
        for person, seats in waiting_recipients(ballot).items()
    }
    people = {person: seats for person, seats in people.items() if seats}
    audit.record(
        actor=actor,
        action=LINKS_SENT,
        obj=ballot,
        working_group=ballot.working_group,
        payload={"people": len(people)},
    )
    _later("link", ballot, people)
    return len(people)


def _later(email: str, ballot: Ballot, people: dict, **refs) -> None:
    if not people:
        return
    recipients = [[person, [list(seat) for seat in seats]] for person, seats in people.items()]
    ballot_id = ballot.pk
    transaction.on_commit(lambda: send_ballot_email.enqueue(email, ballot_id, recipients, refs))


@task()
def send_ballot_email(email: str, ballot_id: int, recipients: list, refs: dict) -> int:
    """Render and send one email per person. Returns how many were sent."""
    ballot = Ballot.objects.select_related("working_group").filter(pk=ballot_id).first()
    if ballot is None or ballot.status != BallotStatus.OPEN:
        return 0
    seats_of = dict(recipients)
    entries = {
        e.seat_id: e
        for e in RollEntry.objects.filter(ballot=ballot).select_related("seat", "holder")
    }
    people = User.objects.filter(
        pk__in=seats_of, is_active=True, notifications_enabled=True
    ).exclude(Q(email=""))
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    sent = 0
    for person in people:
        # Everything the person reads, seat labels included, in their language.
        language = person.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            message = _ballot_message(email, ballot, person, seats_of, entries, refs, base_url)
        if message:
            sent += send_mail(*message, None, [person.email])
    return sent


def _ballot_message(email, ballot, person, seats_of, entries, refs, base_url):
    """(subject, body) of one person's email, or None when no seat of theirs is left."""
    seats = []
    for seat_id, role in seats_of[person.pk]:
        entry = entries.get(seat_id)
        if entry is None:
            continue
        own_link = role == HOLDER and entry.holder_id == person.pk
        seats.append(
            {
                "label": entry.seat.label,
                "role": role,
                "link": ballot_links.link_url(entry, base_url) if own_link else "",
            }
        )
    if not seats:
        return None
    page = base_url + reverse("ballots:detail", args=[ballot.pk])
    context = {**refs, "ballot": ballot, "person": person, "seats": seats, "page": page}
    subject = render_subject(f"governance/email/ballot_{email}_subject.txt", context)
    body = render_plain_text(f"governance/email/ballot_{email}.txt", context)
    return subject, body
