"""Notifications in the site: made from `governance.signals.people_notified` after the
change commits, read at /me/notifications/, marked read here.

One notification per person told, carrying the object's title and link in their
language as they were when it happened (the page never joins back to the object, so
its query count does not grow with the kinds of objects). Whoever follows the object
(consultations.Subscription) is told too, through the channels they chose: in the site,
an email at once, or the daily or weekly digest (`manage.py send_digests`). Nobody is
told of something they may not see, and nobody of their own act.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from consultations.models import Audience, Comment, Consultation, FollowEmail, Subscription
from consultations.models.discussions import Message
from consultations.services.discussions.threads import can_read_thread
from governance import permissions
from governance.emails import render_plain_text, render_subject
from governance.models import Ballot, Decision, User

from .models import Digest, Kind, Notification

logger = logging.getLogger(__name__)

# Kinds whose own email already reaches the people told and the group's followers who
# asked for an email at once (consultations.notifications): no second email for them.
EMAILED_TO_GROUP_FOLLOWERS = {Kind.PERIOD_OPENED, Kind.PERIOD_CLOSING, Kind.PERIOD_EXTENDED}
EMAILED_TO_PEOPLE = EMAILED_TO_GROUP_FOLLOWERS | {
    Kind.COMMENT_DISPOSED,
    Kind.REPORT_PUBLISHED,
    Kind.BALLOT_REMINDER,
}


@dataclass
class Target:
    """What a notification is about: who may see it, what it is followed through, and
    its title and link (read in the active language)."""

    can_see: Callable[[User], bool]
    title: Callable[[], str]
    url: Callable[[], str]
    working_group: object = None
    standard: object = None
    thread: object = None


def _consultation_target(consultation: Consultation, url=None) -> Target:
    standard = consultation.version.standard
    group = standard.working_group
    members_only = consultation.audience == Audience.MEMBERS
    return Target(
        can_see=lambda person: (
            permissions.can_view_group(person, group)
            and permissions.can_read_consultation(person, group, members_only=members_only)
        ),
        title=lambda: str(consultation),
        url=url or (lambda: reverse("consultations:detail", args=[consultation.pk])),
        working_group=group,
        standard=standard,
    )


def _decision_url(decision: Decision) -> str:
    from cms.models import DecisionPage

    language = translation.get_language() or settings.LANGUAGE_CODE
    pages = DecisionPage.objects.live().filter(decision=decision)
    page = pages.filter(locale__language_code=language).first() or pages.first()
    if page is not None:
        return page.url or ""
    return reverse("ballots:detail", args=[decision.ballot_id]) if decision.ballot_id else ""


def target_of(obj) -> Target | None:
    if isinstance(obj, Consultation):
        return _consultation_target(obj)
    if isinstance(obj, Comment):
        consultation = obj.consultation
        return _consultation_target(
            consultation,
            url=lambda: (
                reverse("consultations:detail", args=[consultation.pk]) + f"#comment-{obj.pk}"
            ),
        )
    if isinstance(obj, Ballot):
        return Target(
            can_see=lambda person: permissions.can_view_ballot(person, obj),
            title=lambda: obj.title,
            url=lambda: reverse("ballots:detail", args=[obj.pk]),
            working_group=obj.working_group,
        )
    if isinstance(obj, Decision):
        group = obj.working_group
        return Target(
            can_see=lambda person: permissions.can_view_group(person, group),
            title=lambda: obj.title,
            url=lambda: _decision_url(obj),
            working_group=group,
        )
    if isinstance(obj, Message):
        thread = obj.thread
        return Target(
            can_see=lambda person: can_read_thread(person, thread),
            title=lambda: str(thread),
            url=lambda: (
                reverse("discussions:thread", args=[thread.pk]) + f"#message-{obj.sequence}"
            ),
            thread=thread,
        )
    return None


def _follows(target: Target) -> dict[int, tuple[bool, set[str], bool]]:
    """Person id → (in the site?, email choices, follows the group itself?)."""
    where = Q(pk__in=[])
    if target.working_group is not None:
        where |= Q(working_group=target.working_group)
    if target.standard is not None:
        where |= Q(standard=target.standard)
    if target.thread is not None:
        where |= Q(thread=target.thread)
    follows: dict[int, tuple[bool, set[str], bool]] = {}
    for person_id, on_site, email, group_id in Subscription.objects.filter(where).values_list(
        "person_id", "on_site", "email", "working_group_id"
    ):
        site, emails, of_group = follows.get(person_id, (False, set(), False))
        follows[person_id] = (site or on_site, emails | {email}, of_group or bool(group_id))
    return follows


def _digest(emails: set[str]) -> str:
    if FollowEmail.DAILY in emails:
        return Digest.DAILY
    if FollowEmail.WEEKLY in emails:
        return Digest.WEEKLY
    return Digest.NONE


def notification_create(
    *,
    kind: str,
    obj,
    people=(),
    actor_id: int | None = None,
    at: datetime.datetime | None = None,
    followers: bool = True,
) -> list[Notification]:
    """Tell `people` (ids) and, with `followers`, whoever follows `obj`, that `kind`
    happened to it: a notification each (in the site, or kept for their digest) and an
    email at once to followers who asked for one. Only people who may see `obj`."""
    target = target_of(obj)
    if target is None:
        return []
    people = set(people)
    follows = _follows(target) if followers else {}
    candidates = (people | set(follows)) - {actor_id}
    readers = [
        person
        for person in User.objects.filter(pk__in=candidates, is_active=True).order_by("pk")
        if target.can_see(person)
    ]
    at = at or timezone.now()
    texts: dict[str, tuple[str, str]] = {}
    made, emails = [], []
    for person in readers:
        language = person.preferred_language or settings.LANGUAGE_CODE
        if language not in texts:
            with translation.override(language):
                texts[language] = (str(target.title())[:300], target.url()[:500])
        title, url = texts[language]
        site, choices, of_group = follows.get(person.pk, (False, set(), False))
        told = person.pk in people
        digest = _digest(choices)
        if told or site or digest:
            made.append(
                Notification(
                    recipient=person,
                    kind=kind,
                    title=title,
                    url=url,
                    created_at=at,
                    on_site=told or site,
                    digest=digest,
                )
            )
        emailed = (told and kind in EMAILED_TO_PEOPLE) or (
            of_group and kind in EMAILED_TO_GROUP_FOLLOWERS
        )
        if FollowEmail.IMMEDIATE in choices and not emailed:
            emails.append([person.pk, title, url])
    with transaction.atomic():
        Notification.objects.bulk_create(made)
        if emails:
            transaction.on_commit(lambda: send_follow_email.enqueue(kind, emails))
    return made


def on_people_notified(
    sender, *, kind, obj, people, actor_id=None, at=None, followers=True, **kwargs
):
    """Receiver of governance.signals.people_notified (connected in apps.ready): the
    work (a permission check per person) leaves the request through the task queue."""
    create_notifications.enqueue(
        kind,
        obj._meta.label_lower,
        obj.pk,
        list(people),
        actor_id,
        at.isoformat() if at else None,
        followers,
    )


@task()
def create_notifications(
    kind: str,
    label: str,
    pk: int,
    people: list,
    actor_id: int | None,
    at: str | None,
    followers: bool,
) -> int:
    """The notifications of one event (see `notification_create`); how many were made."""
    obj = apps.get_model(label)._default_manager.filter(pk=pk).first()
    if obj is None:
        return 0
    made = notification_create(
        kind=kind,
        obj=obj,
        people=people,
        actor_id=actor_id,
        at=datetime.datetime.fromisoformat(at) if at else None,
        followers=followers,
    )
    return len(made)


@task()
def send_follow_email(kind: str, recipients: list) -> int:
    """One email per follower who asked for one at once, in their language."""
    texts = {pk: (title, url) for pk, title, url in recipients}
    people = User.objects.filter(pk__in=texts, is_active=True, notifications_enabled=True).exclude(
        email=""
    )
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    sent = 0
    for person in people:
        title, url = texts[person.pk]
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "kind": Kind(kind).label,
                "title": title,
                "link": base_url + url if url else "",
                "following": base_url + reverse("dashboard:following"),
            }
            subject = render_subject("dashboard/email/followed_subject.txt", context)
            body = render_plain_text("dashboard/email/followed.txt", context)
        sent += send_mail(subject, body, None, [person.email])
    return sent


@transaction.atomic
def notifications_mark_read(
    *, actor, ids: list[int] | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark the actor's notifications read: those in `ids`, or all when `ids` is None.
    Only one's own; how many changed. (Personal reading state, not a governance act:
    it is not written to the audit log.)"""
    if not (actor and actor.is_authenticated):
        return 0
    rows = Notification.objects.unread().filter(recipient=actor)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=now or timezone.now())
