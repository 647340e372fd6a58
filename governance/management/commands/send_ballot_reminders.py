"""Email seats that have not voted, 48 h and 24 h before a ballot closes (once each).

Run every few minutes by the scheduler: `manage.py send_ballot_reminders`.
"""

from django.core.management.base import BaseCommand

from governance import ballot_reminders


class Command(BaseCommand):
    help = "Send the ballot reminders that are due (48 h and 24 h before close)."

    def handle(self, *args, **options):
        reminded = ballot_reminders.send_due_reminders()
        self.stdout.write(f"Reminded the seats of {reminded} ballot(s).")
