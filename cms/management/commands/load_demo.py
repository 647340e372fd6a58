from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from cms.demo import (
    DEMO_PASSWORD,
    ballots,
    consultations,
    decisions,
    discussions,
    membership,
    page_translations,
    pages,
    record_translations,
    registry,
    two_factor,
)


class Command(BaseCommand):
    help = "Create the demo alliance: pages, chambers, organisations, working groups, seats, people. Idempotent."

    def handle(self, *args, **options):
        # The demo replays months of history: none of it should email the demo people.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            pages.load()
            people = registry.load()
            consultations.load(people)
            ballots.load(people)
            decisions.load(people)
            page_translations.load(people)
            discussions.load(people)
            staff = two_factor.load(people)
            membership.load(people)
            record_translations.load(people)
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if settings.DEBUG:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username in people:
                self.stdout.write(f"  {username}")
            self.stdout.write(
                f"Two-step login for {', '.join(staff)}: after the password, give the code "
                f"of an authenticator app set up with the key {two_factor.demo_secret()}, "
                "or print the current code with: .venv/bin/python manage.py demo_code"
            )
