"""Emails about comment periods, sent by background tasks after the change commits.

Each email is rendered per recipient in their preferred language. People who
turned notifications off in their profile get none. The same events also reach the
site's notifications (`governance.notices.notify`), for the people concerned and for
whoever follows the group, the standard or the thread.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django_tasks import task

from governance.emails import render_plain_text, render_subject
from governance.models import SeatAssignment, User, WorkingGroupRole
from governance.notices import notify

from .models import Comment, Consultation, Disposition, FollowEmail, ReminderSent


def _audience(consultation) -> set[int]:
    """Who is emailed about a period: the group, plus those who follow it with an email
    at once if the round is public."""
    group = consultation.version.standard.working_group
    people = _group_people(group)
    if consultation.audience == "public":
        people |= set(
            group.subscriptions.filter(email=FollowEmail.IMMEDIATE).values_list(
                "person_id", flat=True
            )
        )
    return people


def _group_people(group) -> set[int]:
    today = timezone.localdate()
    people = set(
        WorkingGroupRole.objects.current(today)
        .filter(working_group=group)
        .values_list("person_id", flat=True)
    )
    people |= set(
        SeatAssignment.objects.current(today)
        .filter(seat__working_group=group)
        .values_list("person_id", flat=True)
    )
    return people


def _commenters(consultation) -> set[int]:
    return set(
        Comment.objects.active()
        .filter(consultation=consultation, source="web")
        .values_list("author_id", flat=True)
    )


def _later(kind: str, recipients: set[int], **refs) -> None:
    if recipients:
        ids = sorted(recipients)
        transaction.on_commit(lambda: send_notification.enqueue(kind, ids, refs))


def _members(consultation) -> set[int]:
    return _group_people(consultation.version.standard.working_group)


def period_opened(consultation: Consultation, now=None) -> None:
    _later("period_opened", _audience(consultation), consultation=consultation.pk)
    notify("period_opened", consultation, _members(consultation), at=now)


def period_closing(consultation: Consultation, kind: str, now=None) -> None:
    people = _audience(consultation) | _commenters(consultation)
    _later("period_closing", people, consultation=consultation.pk, reminder=kind)
    notify(
        "period_closing",
        consultation,
        _members(consultation) | _commenters(consultation),
        at=now,
    )


def period_extended(consultation: Consultation, *, reopened: bool, reason: str) -> None:
    people = _audience(consultation) | _commenters(consultation)
    _later(
        "period_extended", people, consultation=consultation.pk, reopened=reopened, reason=reason
    )
    notify("period_extended", consultation, _members(consultation) | _commenters(consultation))


def comment_disposed(disposition: Disposition) -> None:
    comment = disposition.comment
    if comment.source == "web":
        _later("comment_disposed", {comment.author_id}, comment=comment.pk)
        notify("comment_disposed", comment, {comment.author_id}, followers=False)


def report_published(consultation: Consultation) -> None:
    _later("report_published", _commenters(consultation), consultation=consultation.pk)
    notify("report_published", consultation, _commenters(consultation))


@task()
def send_notification(kind: str, recipient_ids: list[int], refs: dict) -> int:
    """Render and send one email per recipient. Returns how many were sent."""
    context = _context(refs)
    if context is None:
        return 0
    recipients = User.objects.filter(
        pk__in=recipient_ids, is_active=True, notifications_enabled=True
    ).exclude(Q(email=""))
    sent = 0
    for person in recipients:
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            ctx = {**context, "person": person, "base_url": settings.WAGTAILADMIN_BASE_URL}
            subject = render_subject(f"consultations/email/{kind}_subject.txt", ctx)
            body = render_plain_text(f"consultations/email/{kind}.txt", ctx)
        sent += send_mail(subject, body, None, [person.email])
    return sent


def _context(refs: dict) -> dict | None:
    context = dict(refs)
    if "consultation" in refs:
        consultation = (
            Consultation.objects.select_related("version__standard__working_group")
            .filter(pk=refs["consultation"])
            .first()
        )
        if consultation is None:
            return None
        context["consultation"] = consultation
    if "comment" in refs:
        comment = (
            Comment.objects.select_related(
                "disposition", "clause", "consultation__version__standard"
            )
            .filter(pk=refs["comment"])
            .first()
        )
        if comment is None:
            return None
        context["comment"], context["consultation"] = comment, comment.consultation
    return context


def send_due_reminders(now=None) -> int:
    """Opened / 7 days / 1 day before close: each once per period. Run every few minutes."""
    now = now or timezone.now()
    due = 0
    for consultation in Consultation.objects.open(now).select_related(
        "version__standard__working_group"
    ):
        left = consultation.closes_at - now
        kinds = ["opened"]
        if left <= timezone.timedelta(days=7):
            kinds.append("7d")
        if left <= timezone.timedelta(days=1):
            kinds.append("1d")
        for kind in kinds:
            with transaction.atomic():
                _, created = ReminderSent.objects.get_or_create(
                    consultation=consultation, kind=kind
                )
                if not created:
                    continue
                if kind == "opened":
                    period_opened(consultation, now=now)
                else:
                    period_closing(consultation, kind, now=now)
                due += 1
    return due
