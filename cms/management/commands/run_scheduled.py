"""Everything time-driven, in one command for one cron line:

    * * * * *  cd /srv/chaintable && .venv/bin/python manage.py run_scheduled

It applies the role and seat terms that started or ended since the last run (so
rights follow a term within a minute of its midnight, and sockets of the people
concerned close at once), closes and counts ballots whose time has come, then
queues the due emails
(period opened, 7 days / 1 day before a period closes, 48 h / 24 h ballot reminders)
and sends the daily and weekly digests of what people follow once their cut-off passed
(`manage.py send_digests` does the same on its own).
Each step is idempotent, so overlapping or repeated runs are harmless; the emails
go out through the task worker (`manage.py db_worker`).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from consultations.notifications import send_due_reminders as consultation_reminders
from governance import ballot_reminders, permissions, services


class Command(BaseCommand):
    help = (
        "Apply role and seat terms that started or ended, close due ballots and queue due "
        "reminders. Run every minute from cron."
    )

    def handle(self, *args, **options):
        terms = permissions.sync_due_terms()
        closed = services.close_due_ballots()
        ballots = ballot_reminders.send_due_reminders()
        periods = consultation_reminders()
        # The dashboard app's command (called by name: cms imports no dashboard code).
        for period in ("daily", "weekly"):
            call_command("send_digests", period=period, stdout=self.stdout)
        self.stdout.write(
            f"Closed {closed} ballot(s); reminded {ballots} ballot(s); queued {periods} "
            f"comment-period notification(s); terms applied: {terms} (person, group) "
            "pair(s) changed."
        )
