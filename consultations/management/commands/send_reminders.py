"""Queue the comment-period emails that are due: "period opened", and the reminders
7 days and 1 day before a period closes.

Each email goes out once per period (ReminderSent rows), so the command is safe to
run as often as you like. Run it every few minutes from cron, e.g.

    */5 * * * *  cd /srv/chaintable && .venv/bin/python manage.py send_reminders

The emails themselves are sent by background tasks (django-tasks): in production
a `manage.py db_worker` process sends them.
"""

from django.core.management.base import BaseCommand

from consultations.notifications import send_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the due comment-period emails (period opened; 7 days and 1 day before it "
        "closes), each once per period. Run every few minutes from cron, e.g. "
        "'*/5 * * * * manage.py send_reminders'; a task worker sends them."
    )

    def handle(self, *args, **options):
        queued = send_due_reminders()
        self.stdout.write(f"{queued} notification(s) queued.")
