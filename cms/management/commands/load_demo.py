from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cms.demo import DEMO_PASSWORD, pages, registry


class Command(BaseCommand):
    help = "Create the demo alliance: pages, chambers, organisations, working groups, seats, people. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            pages.load()
            people = registry.load()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
        if settings.DEBUG:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username in people:
                self.stdout.write(f"  {username}")
