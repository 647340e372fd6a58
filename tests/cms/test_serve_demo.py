"""`make run` runs the scheduled work too: `serve_demo` is runserver with a thread that
runs `run_scheduled` every minute, so a ballot closes and is counted on time."""

import datetime
import io
import threading

import time_machine
from django.core.management import call_command

from cms.management.commands import serve_demo
from governance.models import Ballot, BallotStatus


def test_make_run_serves_with_serve_demo():
    with open("Makefile") as makefile:
        run = makefile.read().split("\nrun:")[1].split("\n\n")[0]
    assert "manage.py serve_demo 127.0.0.1:8000" in run
    assert "manage.py runserver" not in run


def test_the_scheduler_closes_and_counts_a_due_ballot(db):
    call_command("load_demo", verbosity=0)
    ballot = Ballot.objects.get(status=BallotStatus.OPEN)
    out = io.StringIO()
    scheduler = serve_demo.Scheduler(every=60, stdout=out)
    assert "Closed 0 ballot(s)" in scheduler.tick()
    printed = out.getvalue()
    scheduler.tick()  # nothing left to do: the console stays quiet
    assert out.getvalue() == printed
    with time_machine.travel(ballot.closes_at + datetime.timedelta(minutes=1)):
        assert "Closed 1 ballot(s)" in scheduler.tick()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.result["outcome"]
    assert out.getvalue().startswith("Scheduled work: ") and "Closed 1 ballot(s)" in out.getvalue()


def test_a_failing_run_does_not_stop_the_server(db, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr(serve_demo, "call_command", broken)
    assert serve_demo.Scheduler(every=60).tick() == ""
    assert "run_scheduled failed" in caplog.text


def test_the_server_starts_the_scheduler_beside_itself(monkeypatch):
    """inner_run (the process that serves, under the autoreloader) starts the thread,
    then serves; the thread runs until stopped, at the pace asked."""
    ticks, served = threading.Event(), []
    started = []

    class Recorder(serve_demo.Scheduler):
        def tick(self):
            ticks.set()
            return ""

        def start(self):
            started.append(self)
            super().start()

    monkeypatch.setattr(serve_demo, "Scheduler", Recorder)
    monkeypatch.setattr(serve_demo.Runserver, "inner_run", lambda self, *a, **o: served.append(o))
    command = serve_demo.Command()
    command.inner_run(schedule_every=0.01, use_threading=True)
    assert served and ticks.wait(2)
    (scheduler,) = started
    assert scheduler.daemon and scheduler.every == 0.01
    scheduler.stopped.set()
    scheduler.join(2)
    assert not scheduler.is_alive()
