"""The thread WebSocket (consultations.consumers.ThreadConsumer) through the project's
ASGI application, origin check and session authentication included, against the
configured channel layer (Redis in CI).

Tests are transactional: services broadcast after commit, so commits must happen.
Each scenario is a coroutine run to completion with async_to_sync; ORM calls inside
it go through database_sync_to_async like the consumer's own.
"""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.asgi import application
from consultations.models import Message, SensitiveTerm
from consultations.services import discussions as services
from governance import permissions
from governance.models import WorkingGroupRole
from governance.services import seats
from tests.consultations.test_discussions import (
    DiscussionScene,
    _own_cache_namespace,  # noqa: F401
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 5  # seconds: generous, for a loaded CI machine


@pytest.fixture(autouse=True)
def _check_every_event(settings):
    settings.DISCUSSION_RECHECK_SECONDS = 0


SESSIONS: dict[int, str] = {}  # person id → session key, made before any event loop runs


@pytest.fixture
def scene():
    scene = DiscussionScene()
    SESSIONS.clear()
    for person in (scene.secretariat, scene.member, scene.outsider, scene.newcomer):
        SESSIONS[person.pk] = session_cookie(person)
    return scene


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def communicator(thread, user=None, *, origin="http://testserver", session=None):
    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    key = session or (SESSIONS[user.pk] if user is not None else None)
    if key:
        headers.append((b"cookie", f"sessionid={key}".encode()))
    return WebsocketCommunicator(application, f"/ws/threads/{thread.pk}/", headers=headers)


async def frame(comm, *, skip=("presence",)):
    """The next frame that is not presence news."""
    while True:
        data = await comm.receive_json_from(timeout=WAIT)
        if data["type"] not in skip:
            return data


async def quiet(comm, timeout: float = 0.5) -> bool:
    """Nothing but presence news arrives within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (remaining := deadline - loop.time()) > 0:
        if await comm.receive_nothing(timeout=remaining):
            return True
        if (await comm.receive_json_from())["type"] != "presence":
            return False
    return True


async def closed_with(comm) -> int:
    while True:
        output = await comm.receive_output(timeout=WAIT)
        if output["type"] == "websocket.close":
            return output.get("code")


async def caught_up(comm, last_seq=0) -> list[dict]:
    """Say hello; return what was replayed before "caught_up"."""
    await comm.send_json_to({"type": "hello", "last_seq": last_seq})
    replayed = []
    while True:
        data = await frame(comm)
        if data["type"] == "caught_up":
            return replayed
        replayed.append(data)


def run(scenario):
    async_to_sync(scenario)()


post = database_sync_to_async(services.message_post)


# --- who gets in ----------------------------------------------------------------------


def test_anyone_may_follow_a_public_thread(scene):
    async def scenario():
        comm = communicator(scene.general)
        connected, _ = await comm.connect(timeout=WAIT)
        assert connected
        assert await caught_up(comm) == []
        await comm.send_json_to({"type": "ping"})
        assert (await frame(comm))["type"] == "pong"
        await comm.disconnect()

    run(scenario)


def test_a_foreign_origin_is_refused(scene):
    async def scenario():
        comm = communicator(scene.general, scene.member, origin="http://evil.example")
        connected, _ = await comm.connect(timeout=WAIT)
        assert not connected
        nobody = communicator(scene.general, origin=None)
        connected, _ = await nobody.connect(timeout=WAIT)
        assert not connected

    run(scenario)


@pytest.mark.parametrize(
    "who, thread, allowed",
    [
        (None, "room", False),
        ("outsider", "room", False),
        ("outsider", "ballot_thread", False),
        ("member", "room", True),
        ("member", "ballot_thread", True),
        ("outsider", "clause_thread", True),
    ],
)
def test_permission_is_checked_per_thread(scene, who, thread, allowed):
    user = getattr(scene, who) if who else None

    async def scenario():
        comm = communicator(getattr(scene, thread), user)
        connected, _ = await comm.connect(timeout=WAIT)
        assert connected  # accepted, then closed with a code the browser can read
        if allowed:
            assert await caught_up(comm) == []
            await comm.disconnect()
        else:
            assert await closed_with(comm) == 4403

    run(scenario)


def test_a_thread_that_does_not_exist_is_refused(scene):
    class Missing:
        pk = 999999

    async def scenario():
        comm = communicator(Missing, scene.member)
        await comm.connect(timeout=WAIT)
        assert await closed_with(comm) == 4403

    run(scenario)


# --- live events -------------------------------------------------------------------------


def test_created_hidden_and_deleted_messages_arrive_live(scene):
    async def scenario():
        comm = communicator(scene.general, scene.outsider)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        first = await post(actor=scene.member, thread=scene.general, body="Hello all")
        created = await frame(comm)
        assert created["type"] == "message.created"
        message = created["message"]
        assert (message["sequence"], message["cursor"], message["body"]) == (1, 1, "Hello all")
        assert message["author"] == "Mia Member" and message["mine"] is False
        assert "author_id" not in message and "email" not in str(created)

        await database_sync_to_async(services.message_hide)(actor=scene.secretariat, message=first)
        hidden = await frame(comm)
        assert hidden["type"] == "message.hidden"
        assert hidden["message"]["hidden"] and hidden["message"]["body"] == ""
        assert hidden["message"]["cursor"] == 2

        second = await post(actor=scene.member, thread=scene.general, body="Oops")
        assert (await frame(comm))["message"]["sequence"] == 3
        await database_sync_to_async(services.message_delete)(actor=scene.member, message=second)
        deleted = await frame(comm)
        assert deleted["type"] == "message.deleted"
        assert deleted["message"]["deleted"] and deleted["message"]["body"] == ""
        assert await quiet(comm, 0.3)
        await comm.disconnect()

    run(scenario)


def test_replay_after_a_gap_gives_each_missed_message_once_in_order(scene):
    async def scenario():
        comm = communicator(scene.general, scene.outsider)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        await post(actor=scene.member, thread=scene.general, body="Before")
        seen = (await frame(comm))["message"]["cursor"]
        await comm.disconnect()

        for n in range(3):
            await post(actor=scene.member, thread=scene.general, body=f"While away {n}")

        back = communicator(scene.general, scene.outsider)
        await back.connect(timeout=WAIT)
        replayed = await caught_up(back, last_seq=seen)
        assert [(f["type"], f["message"]["sequence"], f["message"]["body"]) for f in replayed] == [
            ("message.created", 2, "While away 0"),
            ("message.created", 3, "While away 1"),
            ("message.created", 4, "While away 2"),
        ]
        assert await quiet(back, 0.3)
        # A hello that is already up to date replays nothing.
        assert await caught_up(back, last_seq=4) == []
        await back.disconnect()

    run(scenario)


def test_changes_made_while_away_are_replayed_too(scene):
    async def scenario():
        first = await post(actor=scene.member, thread=scene.general, body="Kept")
        await post(actor=scene.member, thread=scene.general, body="Hidden later")
        hidden = await database_sync_to_async(Message.objects.get)(sequence=2)
        await database_sync_to_async(services.message_hide)(actor=scene.secretariat, message=hidden)
        comm = communicator(scene.general, scene.member)
        await comm.connect(timeout=WAIT)
        replayed = await caught_up(comm, last_seq=2)
        assert [(f["type"], f["message"]["sequence"]) for f in replayed] == [("message.hidden", 2)]
        assert first.sequence == 1
        await comm.disconnect()

    run(scenario)


# --- posting over the socket --------------------------------------------------------------


def test_a_resent_post_with_the_same_key_makes_one_message(scene):
    async def scenario():
        comm = communicator(scene.general, scene.member)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        for _ in range(2):
            await comm.send_json_to({"type": "post", "body": "Only once", "key": "key-123"})
        frames = []
        while sum(f["type"] == "ack" for f in frames) < 2 or not any(
            f["type"] == "message.created" for f in frames
        ):
            frames.append(await frame(comm))
        acks = [f for f in frames if f["type"] == "ack"]
        assert [a["sequence"] for a in acks] == [1, 1]
        assert all(a["key"] == "key-123" and a["held"] is False for a in acks)
        created = [f for f in frames if f["type"] == "message.created"]
        assert len(created) == 1 and created[0]["message"]["mine"] is True
        assert await quiet(comm, 0.3)
        assert await database_sync_to_async(Message.objects.count)() == 1
        await comm.disconnect()

    run(scenario)


def test_posting_is_rate_limited(scene, settings):
    settings.RATE_LIMITS = {"message": (2, 60)}

    async def scenario():
        comm = communicator(scene.general, scene.member)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        replies = []
        for n in range(3):
            await comm.send_json_to({"type": "post", "body": f"Message {n}", "key": f"k{n}"})
            while True:
                data = await frame(comm, skip=("presence", "message.created"))
                if data["type"] in ("ack", "error"):
                    replies.append(data)
                    break
        assert [r["type"] for r in replies] == ["ack", "ack", "error"]
        assert replies[2]["code"] == "too_many" and "many messages" in replies[2]["message"]
        assert 0 < replies[2]["retry_after"] <= 60
        await comm.disconnect()

    run(scenario)


def test_posting_needs_the_notice_and_the_right_to_post(scene):
    async def scenario():
        comm = communicator(scene.general, scene.newcomer)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        await comm.send_json_to({"type": "post", "body": "Hi", "key": "n1"})
        refused = await frame(comm)
        assert refused == {
            "type": "error",
            "key": "n1",
            "code": "notice_required",
            "message": refused["message"],
        }
        assert "competition-law notice" in refused["message"]
        await comm.disconnect()

        anonymous = communicator(scene.general)
        await anonymous.connect(timeout=WAIT)
        await anonymous.send_json_to({"type": "post", "body": "Hi", "key": "a1"})
        assert (await frame(anonymous))["code"] == "forbidden"
        await anonymous.disconnect()

    run(scenario)


def test_a_message_with_a_sensitive_term_is_held_until_approved(scene):
    async def scenario():
        await database_sync_to_async(SensitiveTerm.objects.create)(term="price")
        reader = communicator(scene.general, scene.outsider)
        await reader.connect(timeout=WAIT)
        await caught_up(reader)
        author = communicator(scene.general, scene.member)
        await author.connect(timeout=WAIT)
        await caught_up(author)
        await author.send_json_to({"type": "post", "body": "Our price is 10.", "key": "p1"})
        ack = await frame(author)
        assert ack["type"] == "ack" and ack["held"] is True and ack["sequence"] is None
        assert "secretariat reviews" in ack["message"]
        # Nothing live while held: the next message anyone sees is a later, plain one.
        await post(actor=scene.secretariat, thread=scene.general, body="Agenda item 2.")
        later = await frame(reader)
        assert later["type"] == "message.created"
        assert (later["message"]["sequence"], later["message"]["body"]) == (1, "Agenda item 2.")

        held = await database_sync_to_async(Message.objects.get)(idempotency_key="p1")
        await database_sync_to_async(services.message_review)(
            actor=scene.secretariat, message=held, approve=True
        )
        created = await frame(reader)
        assert created["type"] == "message.created"
        assert created["message"]["sequence"] == 2
        assert created["message"]["body"] == "Our price is 10."
        await reader.disconnect()
        await author.disconnect()

    run(scenario)


# --- bad frames --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, code",
    [
        ("this is not json", 4400),
        ("[1, 2, 3]", 4400),
        ('{"no": "type"}', 4400),
        ('{"type": "subscribe_everything"}', 4400),
        ('{"type": "hello", "last_seq": "seven"}', 4400),
        ('{"type": "hello", "last_seq": -1}', 4400),
        ('{"type": "post", "body": 42}', 4400),
        ('{"type": "post", "body": "' + "x" * 9000 + '"}', 4413),
    ],
)
def test_bad_frames_close_the_socket_with_a_code(scene, raw, code):
    async def scenario():
        bad = communicator(scene.general, scene.member)
        good = communicator(scene.general, scene.outsider)
        await bad.connect(timeout=WAIT)
        await good.connect(timeout=WAIT)
        await caught_up(good)
        await bad.send_to(text_data=raw)
        assert await closed_with(bad) == code
        # The server keeps serving everyone else.
        await post(actor=scene.member, thread=scene.general, body="Still here")
        assert (await frame(good))["message"]["body"] == "Still here"
        await good.disconnect()

    run(scenario)


def test_a_flood_of_frames_is_cut_off(scene):
    async def scenario():
        comm = communicator(scene.general)
        await comm.connect(timeout=WAIT)
        for _ in range(61):
            await comm.send_json_to({"type": "ping"})
        assert await closed_with(comm) == 4429

    run(scenario)


# --- losing access ---------------------------------------------------------------------------


def test_a_socket_closes_once_its_user_logs_out(scene):
    async def scenario():
        key = SESSIONS[scene.member.pk]
        comm = communicator(scene.room, session=key)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        await database_sync_to_async(SessionStore(session_key=key).delete)()
        await post(actor=scene.secretariat, thread=scene.room, body="Anyone there?")
        assert await closed_with(comm) == 4403

    run(scenario)


def test_a_socket_closes_once_its_user_loses_access(scene):
    def revoke():
        WorkingGroupRole.objects.filter(person=scene.member).delete()
        permissions.sync_user_group(scene.member, scene.group)

    async def scenario():
        comm = communicator(scene.room, scene.member)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        await database_sync_to_async(revoke)()
        await post(actor=scene.secretariat, thread=scene.room, body="Members only")
        assert await closed_with(comm) == 4403

    run(scenario)


def test_an_idle_socket_is_checked_periodically(scene, settings):
    settings.DISCUSSION_TICK_SECONDS = 0.3

    async def scenario():
        key = SESSIONS[scene.member.pk]
        comm = communicator(scene.room, session=key)
        await comm.connect(timeout=WAIT)
        await caught_up(comm)
        await database_sync_to_async(SessionStore(session_key=key).delete)()
        assert await closed_with(comm) == 4403

    run(scenario)


# --- access changes pushed to open sockets ------------------------------------------------------
# With periodic checks an hour apart and no other event on the thread, only the push from
# the change itself can close these sockets.


@pytest.fixture
def _checks_an_hour_apart(settings):
    settings.DISCUSSION_RECHECK_SECONDS = 3600
    settings.DISCUSSION_TICK_SECONDS = 3600


def _site_client(session_key: str) -> Client:
    client = Client()
    client.cookies["sessionid"] = session_key
    return client


async def _joined(thread, user=None, *, session=None):
    comm = communicator(thread, user, session=session)
    await comm.connect(timeout=WAIT)
    await caught_up(comm)
    return comm


def _closes_at_once(thread, change, user=None, *, session=None) -> None:
    """A socket on `thread` is closed with 4403 as soon as `change` (run in a database
    thread) is made: no other event happens that could trigger a check."""

    async def scenario():
        comm = await _joined(thread, user, session=session)
        await database_sync_to_async(change)()
        assert await closed_with(comm) == 4403

    run(scenario)


@pytest.mark.usefixtures("_checks_an_hour_apart")
def test_logging_out_closes_that_sessions_sockets_at_once(scene):
    laptop, phone = SESSIONS[scene.member.pk], session_cookie(scene.member)

    def log_out_on_laptop():
        response = _site_client(laptop).post(reverse("accounts:logout"))
        assert response.status_code == 302

    async def scenario():
        on_laptop = await _joined(scene.room, session=laptop)
        on_phone = await _joined(scene.room, session=phone)
        await database_sync_to_async(log_out_on_laptop)()
        assert await closed_with(on_laptop) == 4403
        # The other session is still signed in and still live.
        await post(actor=scene.secretariat, thread=scene.room, body="Still here?")
        assert (await frame(on_phone))["message"]["body"] == "Still here?"
        await on_phone.disconnect()

    run(scenario)


@pytest.mark.usefixtures("_checks_an_hour_apart")
def test_ending_a_role_closes_the_members_room_at_once(scene):
    def end_role():
        grant = WorkingGroupRole.objects.get(person=scene.member, working_group=scene.group)
        seats.role_end(
            actor=scene.secretariat, grant=grant, end=timezone.localdate() - timedelta(days=1)
        )

    async def scenario():
        room = await _joined(scene.room, scene.member)
        public = await _joined(scene.general, scene.member)
        await database_sync_to_async(end_role)()
        assert await closed_with(room) == 4403
        # A public consultation's thread stays open to them.
        await post(actor=scene.outsider, thread=scene.general, body="Open to all")
        assert (await frame(public))["message"]["body"] == "Open to all"
        await public.disconnect()

    run(scenario)


@pytest.mark.usefixtures("_checks_an_hour_apart")
def test_changing_the_password_closes_the_other_sessions_sockets(scene):
    laptop, phone = SESSIONS[scene.member.pk], session_cookie(scene.member)

    def change_password_on_laptop():
        response = _site_client(laptop).post(
            reverse("accounts:password_change"),
            {
                "old_password": "correct-horse-battery",
                "new_password1": "a new cobalt passphrase",
                "new_password2": "a new cobalt passphrase",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    _closes_at_once(scene.room, change_password_on_laptop, session=phone)


@pytest.mark.usefixtures("_checks_an_hour_apart")
def test_someone_else_signing_in_on_that_browser_closes_the_first_persons_sockets(scene):
    """A shared tablet: the member is signed in, then the secretariat signs in through
    the admin's login page in the same browser (Django empties the member's session)."""
    shared_tablet = SESSIONS[scene.member.pk]

    def secretariat_signs_in():
        response = _site_client(shared_tablet).post(
            reverse("wagtailadmin_login"),
            {"username": scene.secretariat.username, "password": "correct-horse-battery"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    _closes_at_once(scene.room, secretariat_signs_in, session=shared_tablet)


@pytest.mark.usefixtures("_checks_an_hour_apart")
def test_deactivating_people_in_bulk_in_the_admin_closes_their_sockets_at_once(scene):
    admin = UserFactory(is_superuser=True, is_staff=True)

    def deactivate_in_bulk():
        client = Client()
        client.force_login(admin)
        bulk = reverse("wagtail_bulk_action", args=("governance", "user", "set_active_state"))
        response = client.post(f"{bulk}?id={scene.member.pk}", {"mark_as_active": "False"})
        assert response.status_code == 302
        scene.member.refresh_from_db()
        assert not scene.member.is_active

    _closes_at_once(scene.room, deactivate_in_bulk, scene.member)


# --- presence ---------------------------------------------------------------------------------


def test_presence_counts_viewers_and_names_them_to_members(scene):
    async def scenario():
        member = communicator(scene.general, scene.member)
        await member.connect(timeout=WAIT)
        first = await member.receive_json_from(timeout=WAIT)
        assert first == {"type": "presence", "count": 1, "names": ["Mia Member"]}

        anonymous = communicator(scene.general)
        await anonymous.connect(timeout=WAIT)
        seen = await anonymous.receive_json_from(timeout=WAIT)
        assert seen == {"type": "presence", "count": 2}  # no names for outsiders

        outsider = communicator(scene.general, scene.outsider)
        await outsider.connect(timeout=WAIT)
        seen = await outsider.receive_json_from(timeout=WAIT)
        assert seen == {"type": "presence", "count": 3}
        await anonymous.disconnect()
        await outsider.disconnect()
        await member.disconnect()

    run(scenario)
