"""Recount a closed ballot from its public bulletin and compare with the stored result.

    manage.py verify_ballot 42        one ballot
    manage.py verify_ballot --all     every closed or certified ballot

Prints "OK" per ballot whose recount (bulletin rows + roll snapshot + rule snapshot,
through governance.tally) matches the stored outcome, totals and per-chamber counts;
otherwise lists the differences on stderr and exits with status 1. An unknown id or
a ballot that is not closed yet is a CommandError.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from governance import bulletin
from governance.models import Ballot, Participation


def recount_problems(ballot: Ballot) -> list[str]:
    """What does not add up on a closed ballot (empty: its bulletin recounts to its result).
    A module function, not a Command method: `check` is BaseCommand's own system check,
    which Django runs before `handle` when the command is started from the command line."""
    rows = bulletin.rows(ballot)
    problems = []
    took_part = Participation.objects.filter(ballot=ballot).count()
    if took_part != len(rows):
        problems.append(f"{took_part} seats took part but the bulletin lists {len(rows)}")
    try:
        recomputed = bulletin.recount(ballot, rows)
    except (ValueError, KeyError) as exc:  # a bulletin that does not fit roll or rule
        return [*problems, f"cannot recount: {exc}"]
    return problems + bulletin.differences(ballot.result, recomputed)


class Command(BaseCommand):
    help = "Recount closed ballots from their bulletins and compare with the stored results."

    def add_arguments(self, parser):
        parser.add_argument("ballot_id", nargs="?", type=int, help="The ballot to verify.")
        parser.add_argument(
            "--all", action="store_true", help="Verify every closed or certified ballot."
        )

    def handle(self, *args, ballot_id=None, all=False, **options):
        if all == (ballot_id is not None):
            raise CommandError("Give one ballot id, or --all.")
        if all:
            ballots = list(Ballot.objects.filter(status__in=bulletin.VISIBLE).order_by("pk"))
        else:
            ballot = Ballot.objects.filter(pk=ballot_id).first()
            if ballot is None:
                raise CommandError(f"There is no ballot {ballot_id}.")
            if ballot.status not in bulletin.VISIBLE:
                raise CommandError(
                    f"Ballot {ballot_id} is {ballot.get_status_display().lower()}: "
                    "only a closed or certified ballot can be verified."
                )
            ballots = [ballot]
        failed = 0
        for ballot in ballots:
            problems = recount_problems(ballot)
            if problems:
                failed += 1
                self.stderr.write(f"MISMATCH ballot {ballot.pk} ({ballot.title}):")
                for line in problems:
                    self.stderr.write(f"  {line}")
            else:
                self.stdout.write(f"OK ballot {ballot.pk} ({ballot.title})")
        if not ballots:
            self.stdout.write("OK: no closed ballots to verify")
        if failed:
            sys.exit(1)
