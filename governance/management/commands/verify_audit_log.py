"""Walk the hash-chained audit log and say whether it is intact.

Exit status 0 and "OK: N events" when every link and hash checks out; otherwise
"BROKEN at sequence S: reason" on stderr and exit status 1, so a scheduler or a
monitoring check can alert on it.

    manage.py verify_audit_log --expect 1234:9f86d0…   (repeatable)

also checks that entry 1234 still has the hash someone kept from an earlier head
(the register pages and /api/v1/audit/head publish it): a verified chain whose kept
hashes still match was not rewritten up to them (docs/audit.md).
"""

import re
import sys

from django.core.management.base import BaseCommand, CommandError

from governance.audit import verify_chain
from governance.models import AuditEvent

KEPT = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _kept(value: str) -> tuple[int, str]:
    found = KEPT.match(value.strip().lower())
    if not found:
        raise CommandError(
            f"--expect takes ENTRY:HASH, an entry number and its 64-character hash, not {value!r}."
        )
    return int(found.group(1)), found.group(2)


class Command(BaseCommand):
    help = "Verify the hash chain of the governance audit log (and kept hashes of its head)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="ENTRY:HASH",
            help="A head kept earlier (entry number and hash) that must still be in the log.",
        )

    def handle(self, *args, expect=(), **options):
        kept = [_kept(value) for value in expect]
        check = verify_chain()
        if not check.ok:
            self.stderr.write(f"BROKEN at sequence {check.broken_sequence}: {check.reason}")
            sys.exit(1)
        stored = dict(
            AuditEvent.objects.filter(sequence__in=[s for s, _h in kept]).values_list(
                "sequence", "hash"
            )
        )
        rewritten = [(s, h) for s, h in kept if stored.get(s) != h]
        for sequence, expected in rewritten:
            found = stored.get(sequence)
            self.stderr.write(
                f"REWRITTEN at sequence {sequence}: kept {expected}, the log has "
                f"{found or 'no such entry'}"
            )
        if rewritten:
            sys.exit(1)
        self.stdout.write(f"OK: {check.count} events")
        for sequence, _hash in kept:
            self.stdout.write(f"OK: entry {sequence} has the hash kept for it")
