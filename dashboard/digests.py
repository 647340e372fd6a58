"""Daily and weekly digest emails of what people follow (`manage.py send_digests`).

A digest covers the notifications kept for it (`Notification.digest`) from the
previous cut-off to this one. Cut-offs are the site's midnight (daily) and Monday's
midnight (weekly), in the site's zone, so every run within the same day (or week)
has the same cut-off; `DigestSent` records each person's digest per cut-off, and a
second run sends nothing. A person's first digest reaches back one period.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation

from governance.emails import render_plain_text, render_subject
from governance.models import User

from .models import Digest, DigestSent, Notification

LENGTH = {Digest.DAILY: datetime.timedelta(days=1), Digest.WEEKLY: datetime.timedelta(days=7)}


def cutoff(period: str, now: datetime.datetime) -> datetime.datetime:
    """The latest cut-off at or before `now`: the site's midnight, or Monday's."""
    zone = timezone.get_default_timezone()
    day = timezone.localtime(now, zone).date()
    if period == Digest.WEEKLY:
        day -= datetime.timedelta(days=day.weekday())
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def send_digests(period: str, now: datetime.datetime | None = None) -> int:
    """Send each person with news their digest for `period`; how many were sent."""
    if period not in LENGTH:
        raise ValueError(f"unknown digest period {period!r}")
    until = cutoff(period, now or timezone.now())
    waiting = (
        Notification.objects.filter(digest=period, created_at__lt=until)
        .filter(created_at__gte=until - LENGTH[period] * 8)  # bounded look-back
        .exclude(
            Exists(
                DigestSent.objects.filter(person=OuterRef("recipient"), period=period, until=until)
            )
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    people = User.objects.filter(pk__in=list(waiting), is_active=True).order_by("pk")
    sent = 0
    for person in people:
        sent += _send_one(person, period, until)
    return sent


def _send_one(person, period: str, until: datetime.datetime) -> int:
    last = (
        DigestSent.objects.filter(person=person, period=period, until__lt=until)
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )
    since = last or until - LENGTH[period]
    items = list(
        Notification.objects.filter(
            recipient=person, digest=period, created_at__gte=since, created_at__lt=until
        ).order_by("created_at", "pk")
    )
    if not items:
        return 0
    try:
        with transaction.atomic():
            DigestSent.objects.create(person=person, period=period, until=until, items=len(items))
    except IntegrityError:
        return 0  # another run sent it
    if not (person.notifications_enabled and person.email):
        return 0
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "person": person,
            "period": period,
            "items": items,
            "base_url": base_url,
            "following": base_url + reverse("dashboard:following"),
        }
        subject = render_subject("dashboard/email/digest_subject.txt", context)
        body = render_plain_text("dashboard/email/digest.txt", context)
    return send_mail(subject, body, None, [person.email])
