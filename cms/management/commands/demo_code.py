from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.demo.two_factor import current_code


class Command(BaseCommand):
    help = "Print the current login code of the demo staff accounts (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code works only with DEBUG on (demo data).")
        self.stdout.write(current_code())
