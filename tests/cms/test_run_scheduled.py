import datetime
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from governance.models import Ballot, BallotStatus


def test_run_scheduled_closes_the_ballots_whose_time_has_come(db):
    call_command("load_demo", verbosity=0)
    open_ballot = Ballot.objects.get(status=BallotStatus.OPEN)
    out = io.StringIO()
    call_command("run_scheduled", stdout=out)
    assert "Closed 0 ballot(s)" in out.getvalue()

    with time_machine.travel(open_ballot.closes_at + datetime.timedelta(minutes=1)):
        out = io.StringIO()
        call_command("run_scheduled", stdout=out)
        assert timezone.now() > open_ballot.closes_at
    open_ballot.refresh_from_db()
    assert open_ballot.status == BallotStatus.CLOSED
    assert open_ballot.result["outcome"]
    assert "Closed 1 ballot(s)" in out.getvalue()
