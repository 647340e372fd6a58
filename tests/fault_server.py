"""The project's WSGI application served in a child process, optionally killed the
moment a vote is committed — before its answer leaves (a worker killed by the OOM
killer, a deploy, a power cut). Tests start it with `serve(...)`.

    python -m tests.fault_server PORT [--die-after-vote]

The fault is injected here, in the test process tree only: on a committed new
Participation the process sends itself SIGKILL (no cleanup, no answer).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

from tests.commands import ROOT, child_environment


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the stdlib's name)
        pass


def main(port: int, die_after_vote: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.db.models.signals import post_save

    from config.wsgi import application
    from governance.models import Participation

    if die_after_vote:

        def die_once_committed(sender, instance, created, **kwargs):
            if created:
                transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))

        post_save.connect(die_once_committed, sender=Participation, weak=False)
    make_server("127.0.0.1", port, application, handler_class=QuietHandler).serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(*, die_after_vote: bool = False):
    """Yield the base URL of a child serving the site on the test database."""
    port = free_port()
    args = [sys.executable, "-m", "tests.fault_server", str(port)]
    if die_after_vote:
        args.append("--die-after-vote")
    child = subprocess.Popen(args, cwd=ROOT, env=child_environment())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/robots-not-here", timeout=2)
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if child.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
            else:
                break
        yield base, child
    finally:
        if child.poll() is None:
            child.terminate()
        child.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]), "--die-after-vote" in sys.argv[2:])
