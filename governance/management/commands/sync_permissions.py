"""Bring object permissions in line with the roles and seat terms of a given day.

Roles and seat terms start and end on dates, while guardian rows only change
when a service runs; run this daily (shortly after midnight, Kolwezi time) so a
term that ended yesterday stops granting rights and one that starts today
begins to.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from governance.permissions import sync_all


def _parse_date(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"--date must be a calendar date written YYYY-MM-DD (for example 2025-03-31), not {value!r}."
        ) from None


class Command(BaseCommand):
    help = "Re-sync working-group object permissions with current roles and seat assignments."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Sync as of this day (YYYY-MM-DD). Default: today in the site's time zone.",
        )

    def handle(self, *args, date=None, **options):
        on = _parse_date(date) if date is not None else None
        with transaction.atomic():
            changed = sync_all(on)
        when = on.isoformat() if on else "today"
        self.stdout.write(
            f"Synced permissions for {when}: {changed} (person, group) pair(s) changed."
        )
