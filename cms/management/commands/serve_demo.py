"""`make run`'s server: `runserver` (daphne's: pages and sockets) with the scheduled
work of `run_scheduled` in a thread, once a minute, so that ballots close and are
counted on time and reminders go out, without cron or a second terminal.

For development and the demo only: in production cron runs `run_scheduled` (README).
The thread runs in the process that serves (the autoreloader's child), so it restarts
with the code; `run_scheduled` is idempotent, so an overlap with a cron run is harmless.
"""

import io
import logging
import re
import threading

from django.core.management import call_command, get_commands, load_command_class
from django.db import connections

logger = logging.getLogger(__name__)

# Whichever app provides `runserver` (daphne, first in INSTALLED_APPS).
Runserver = type(load_command_class(get_commands()["runserver"], "runserver"))


class Scheduler(threading.Thread):
    """Runs `run_scheduled` now, then every `every` seconds until `stopped` is set. A
    failing run is logged and tried again at the next tick; it never stops the server."""

    def __init__(self, every: float = 60, stdout=None):
        super().__init__(name="run_scheduled", daemon=True)
        self.every, self.stdout = every, stdout
        self.stopped = threading.Event()

    def tick(self) -> str:
        out = io.StringIO()
        try:
            call_command("run_scheduled", stdout=out)
        except Exception:
            logger.exception("run_scheduled failed; trying again in %s s", self.every)
        text = out.getvalue().strip()
        if self.stdout is not None and re.search(r"[1-9]", text):  # something was done
            self.stdout.write(f"Scheduled work: {text}")
        return text

    def run(self):
        while not self.stopped.is_set():
            try:
                self.tick()
            finally:
                connections.close_all()  # this thread's: none is held between runs
            self.stopped.wait(self.every)


class Command(Runserver):
    help = (
        "Serve the site for development (runserver) and run the scheduled work "
        "(run_scheduled: close and count due ballots, send reminders, apply terms) every "
        "minute in the same process."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=60,
            help="Seconds between two runs of the scheduled work (default 60).",
        )

    def inner_run(self, *args, **options):
        Scheduler(options.get("schedule_every") or 60, self.stdout).start()
        return super().inner_run(*args, **options)
