"""Redis stopped for real: a private redis-server serves the cache and the channel
layer, then is killed. Every kind of page still renders, votes (on a page and through
a personal link) come back with their receipt, sockets close with 4503 ("try again
later"), and once Redis is back they connect and catch up."""

import asyncio
import json
import shutil
import socket
import subprocess
import time

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from cms.demo import pages as demo_pages
from config.cache import DegradingRedisCache
from consultations.models import Consultation, Standard, Thread
from governance import ballot_links
from governance.models import Ballot, Participation, RollEntry, User
from tests.consultations.test_discussion_workers import _session
from tests.consultations.test_discussions import DiscussionScene
from tests.governance.test_ballot_views import make_ballot, t, vote_data, vote_url  # noqa: F401
from tests.live_asgi import serve_asgi

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")

WAIT = 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that can be stopped for real."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait(WAIT)


@pytest.fixture
def redis(settings):
    server = PrivateRedis()
    server.start()
    # The site's own cache configuration, pointed at this server.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("the suite runs without Redis")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": server.url, "socket_timeout": None}]},
        }
    }
    yield server
    if server.process.poll() is None:
        server.stop()
    DegradingRedisCache._down_until = 0.0  # the suite's own Redis is up


def every_kind_of_page() -> list[str]:
    urls = [page.url for page in Page.objects.live().specific() if page.depth > 1 and page.url]
    urls += ["/fr/", "/sw/", reverse("accounts:login"), reverse("accounts:register")]
    urls += [reverse("consultations:standard", args=[s.slug]) for s in Standard.objects.all()]
    for consultation in Consultation.objects.all():
        urls += [reverse("consultations:detail", args=[consultation.pk])]
    for ballot in Ballot.objects.exclude(status="draft"):
        urls += [reverse("ballots:detail", args=[ballot.pk])]
        urls += [reverse("ballots:bulletin", args=[ballot.pk])]
    urls += [reverse("discussions:thread", args=[thread.pk]) for thread in Thread.objects.all()]
    urls += ["/api/v1/standards", "/feeds/decisions.rss", "/calendar.ics"]
    return urls


def test_pages_render_with_redis_stopped(redis, db):
    call_command("load_demo", verbosity=0)
    urls = every_kind_of_page()
    assert len(urls) > 20
    member = Client()
    member.force_login(User.objects.get(username="member"))
    redis.stop()
    for client in (Client(), member):
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 404), (url, response.status_code)
    assert member.get("/").status_code == 200
    assert member.get(reverse("accounts:profile")).status_code == 200


def test_votes_return_their_receipt_with_redis_stopped(redis, client, t):  # noqa: F811
    demo_pages.load()  # the site's pages: the header links to them through the cache
    ballot = make_ballot(t, secrecy="secret")
    redis.stop()
    client.force_login(t.holders[0])
    prefix = f"seat-{t.seats[0].pk}-"
    confirmed = {f"{prefix}confirmed": "1", f"{prefix}idempotency_key": "outage-1"}
    response = client.post(
        vote_url(ballot, t.seats[0]), {**vote_data(t.seats[0], "for"), **confirmed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    receipts = set(
        Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True)
    )
    assert len(receipts) == 1 and receipts.pop() in page

    entry = RollEntry.objects.get(ballot=ballot, seat=t.seats[1])
    link = Client().post(
        ballot_links.link_path(entry),
        {"option": "against", "reason": "", "idempotency_key": "outage-2", "confirmed": "1"},
    )
    assert link.status_code == 200
    receipts = set(
        Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True)
    )
    assert len(receipts) == 2
    assert any(code in link.content.decode() for code in receipts)


@pytest.fixture
def worker(redis, django_db_setup, django_db_blocker):
    with serve_asgi(django_db_blocker, static=False) as (url,):
        yield url


async def _open(url: str, path: str, session: str | None = None):
    import websockets

    headers = {"Cookie": f"sessionid={session}"} if session else {}
    return await websockets.connect(
        url.replace("http", "ws", 1) + path,
        origin=url,
        additional_headers=headers,
        open_timeout=WAIT,
    )


async def _frame(connection, kind: str) -> dict:
    async with asyncio.timeout(WAIT):
        while True:
            frame = json.loads(await connection.recv())
            if frame["type"] == kind:
                return frame


def test_sockets_close_with_4503_and_come_back_with_redis(redis, worker, transactional_db):
    scene = DiscussionScene()
    ballot = Ballot.objects.create(
        working_group=scene.group,
        title="Live",
        motion="Live turnout.",
        rule=scene.ballot.rule,
        status="open",
        opens_at=scene.ballot.opens_at,
        closes_at=scene.ballot.closes_at,
    )
    member = _session(scene.member)
    thread_path = f"/ws/threads/{scene.general.pk}/"
    ballot_path = f"/ws/ballots/{ballot.pk}/"

    async def closed_with(path, session=None) -> int:
        connection = await _open(worker, path, session)
        async with asyncio.timeout(WAIT):
            await connection.wait_closed()
        return connection.close_code

    async def live(path, session=None, first="caught_up"):
        connection = await _open(worker, path, session)
        if first == "caught_up":
            await connection.send(json.dumps({"type": "hello", "last_seq": 0}))
        frame = await _frame(connection, first)
        await connection.close()
        return frame

    async def scenario():
        await live(thread_path, member)  # all is well to begin with
        redis.stop()
        assert await closed_with(thread_path, member) == 4503
        assert await closed_with(ballot_path) == 4503
        redis.start()
        assert (await live(thread_path, member))["last_seq"] == 0
        assert (await live(ballot_path, first="turnout"))["ballot"] == ballot.pk

    async_to_sync(scenario)()
