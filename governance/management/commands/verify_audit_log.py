"""Walk the hash-chained audit log and say whether it is intact.

Exit status 0 and "OK: N events" when every link and hash checks out; otherwise
"BROKEN at sequence S: reason" on stderr and exit status 1, so a scheduler or a
monitoring check can alert on it.
"""

import sys

from django.core.management.base import BaseCommand

from governance.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the governance audit log."

    def handle(self, *args, **options):
        check = verify_chain()
        if not check.ok:
            self.stderr.write(f"BROKEN at sequence {check.broken_sequence}: {check.reason}")
            sys.exit(1)
        self.stdout.write(f"OK: {check.count} events")
