"""Daily or weekly digest emails of what people follow, one per person in their language:

    0 6 * * *  cd /srv/chaintable && .venv/bin/python manage.py send_digests --period daily
    0 6 * * 1  cd /srv/chaintable && .venv/bin/python manage.py send_digests --period weekly

Idempotent: a digest is recorded per person and cut-off, so a second run sends nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from dashboard.digests import send_digests
from dashboard.models import Digest


class Command(BaseCommand):
    help = "Send the daily or weekly digest emails of what people follow."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=[Digest.DAILY, Digest.WEEKLY], required=True)
        parser.add_argument(
            "--now",
            help="The time to act at (ISO 8601 with a zone), instead of the clock.",
        )

    def handle(self, *args, period, now=None, **options):
        at = None
        if now:
            try:
                at = datetime.datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now: {error}") from None
            if at.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2031-03-02T06:00:00+02:00")
        sent = send_digests(period, now=at)
        self.stdout.write(f"Sent {sent} {period} digest(s).")
