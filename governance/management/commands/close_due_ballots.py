"""Close every open ballot whose closing time has come, and count it.

Run every minute by the scheduler (cron, systemd timer): `manage.py close_due_ballots`.
"""

from django.core.management.base import BaseCommand

from governance import services


class Command(BaseCommand):
    help = "Close and count the open ballots whose closing time has passed."

    def handle(self, *args, **options):
        closed = services.close_due_ballots()
        self.stdout.write(f"Closed {closed} ballot(s).")
