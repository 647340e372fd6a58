"""Digest emails, run the way cron runs them: `python manage.py send_digests --period …`
in a child process against the test database, with the clock given by `--now`.
Each person gets one email in their language; a second run sends nothing."""

import datetime
import zoneinfo

import pytest

from consultations.models import FollowEmail, Subscription
from consultations.notifications import send_due_reminders as period_reminders
from dashboard.models import DigestSent, Notification
from tests.commands import manage
from tests.consultations.test_services import draft, period, standard
from tests.factories import UserFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db(transaction=True)

KOLWEZI = zoneinfo.ZoneInfo("Africa/Lubumbashi")
TUESDAY = datetime.datetime(2031, 3, 4, 10, 0, tzinfo=KOLWEZI)


def digests(*args: str):
    done = manage("send_digests", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_daily_and_weekly_digests_in_each_readers_language():
    group = WorkingGroupFactory()
    std = standard(group, title="ASM Cobalt Framework")
    swahili = UserFactory(username="neema", preferred_language="sw")
    english = UserFactory(username="john", preferred_language="en")
    site_only = UserFactory(username="site")
    Subscription.objects.create(
        person=swahili, standard=std, on_site=False, email=FollowEmail.DAILY
    )
    Subscription.objects.create(person=english, working_group=group, email=FollowEmail.WEEKLY)
    Subscription.objects.create(person=site_only, standard=std, email=FollowEmail.OFF)
    consultation = period(
        draft(std),
        opens_at=TUESDAY - datetime.timedelta(hours=1),
        closes_at=TUESDAY + datetime.timedelta(days=30),
    )
    period_reminders(now=TUESDAY)  # "opened": notifications after commit
    assert Notification.objects.filter(recipient=swahili, digest="daily", on_site=False).exists()
    assert Notification.objects.filter(recipient=english, digest="weekly", on_site=True).exists()

    # Tuesday, before midnight: the day is not over, nothing to send.
    assert "Sent 0 daily digest(s)." in digests("--period", "daily", "--now", TUESDAY.isoformat())

    wednesday = "2031-03-05T06:00:00+02:00"
    out = digests("--period", "daily", "--now", wednesday)
    assert "Sent 1 daily digest(s)." in out
    assert swahili.email in out and english.email not in out and site_only.email not in out
    assert "Subject: Muhtasari wako wa kila siku: kipengee 1" in out
    assert "Habari neema," in out or "Habari Neema," in out
    assert "Kipindi cha maoni kimefunguliwa" in out  # the kind, in Swahili
    assert f"/sw/consultations/{consultation.pk}/" in out
    assert "/sw/me/following/" in out

    # Cron runs again (or twice): nothing more.
    assert "Sent 0 daily digest(s)." in digests("--period", "daily", "--now", wednesday)
    assert DigestSent.objects.filter(person=swahili, period="daily", items=1).count() == 1
    # The next day brings nothing new.
    assert "Sent 0 daily digest(s)." in digests(
        "--period", "daily", "--now", "2031-03-06T06:00:00+02:00"
    )

    # Weekly: Monday's midnight is the cut-off.
    assert "Sent 0 weekly digest(s)." in digests("--period", "weekly", "--now", wednesday)
    monday = "2031-03-10T06:00:00+02:00"
    out = digests("--period", "weekly", "--now", monday)
    assert "Sent 1 weekly digest(s)." in out and english.email in out
    assert "Subject: Your weekly digest: 1 item" in out
    assert "Sent 0 weekly digest(s)." in digests("--period", "weekly", "--now", monday)


def test_now_needs_a_time_zone():
    done = manage("send_digests", "--period", "daily", "--now", "2031-03-05T06:00:00")
    assert done.returncode != 0 and "--now needs a time zone" in done.stderr
