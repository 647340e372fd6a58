"""Everything time-driven, in one command for one cron line:

    * * * * *  cd /srv/chaintable && .venv/bin/python manage.py run_scheduled

It closes and counts ballots whose time has come, then queues the due emails
(period opened, 7 days / 1 day before a period closes, 48 h / 24 h ballot reminders).
Each step is idempotent, so overlapping or repeated runs are harmless; the emails
go out through the task worker (`manage.py db_worker`).
"""

from django.core.management.base import BaseCommand

from consultations.notifications import send_due_reminders as consultation_reminders
from governance import ballot_reminders, services


class Command(BaseCommand):
    help = "Close due ballots and queue due reminders. Run every minute from cron."

    def handle(self, *args, **options):
        closed = services.close_due_ballots()
        ballots = ballot_reminders.send_due_reminders()
        periods = consultation_reminders()
        self.stdout.write(
            f"Closed {closed} ballot(s); reminded {ballots} ballot(s); queued {periods} "
            "comment-period notification(s)."
        )
