"""Live turnout over WebSockets, through the project's ASGI application (origin check,
sessions, routing) and the configured channel layer (Redis in CI).

Votes are cast by the services in another "request" (a database thread); the
tests use the transactional database so the services' on_commit broadcasts run.
"""

import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from config.asgi import application
from governance import services
from governance.models import Ballot, GroupRole, VotingRule, WorkingGroupStatus
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(group):
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    industry, miners = ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=chamber, label=f"{chamber.name} {n}")
        for chamber in (industry, miners)
        for n in (1, 2)
    ]
    holders = [seat_person(seat).person for seat in seats]
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    return chair, seats, holders, rule


def open_ballot(group, chair, rule, secrecy="roll_call") -> Ballot:
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Adopt version 2",
        motion="Adopt version 2.",
        rule=rule,
        secrecy=secrecy,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    return services.ballot_open(actor=chair, ballot=ballot)


def socket(ballot_id, *, origin=b"http://testserver", user=None) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", origin)]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/ballots/{ballot_id}/", headers=headers)


def test_turnout_on_connect_and_after_a_vote_in_another_request(group, scene):
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert ("redis" in layer.lower()) == bool(settings.REDIS_URL)  # Redis when configured
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)

    async def scenario():
        ws = socket(ballot.pk)
        connected, _ = await ws.connect(timeout=5)
        assert connected
        first = await ws.receive_json_from(timeout=5)
        assert (first["type"], first["ballot"]) == ("turnout", ballot.pk)
        assert [(row["chamber"], row["eligible"], row["voted"]) for row in first["turnout"]] == [
            ("Artisanal miners", 2, 0),
            ("Industry", 2, 0),
        ]
        await database_sync_to_async(services.vote_cast)(
            actor=holders[0], ballot=ballot, seat=seats[0], option_key="for"
        )
        event = await ws.receive_json_from(timeout=5)
        assert event["type"] == "turnout"
        assert {row["chamber"]: row["voted"] for row in event["turnout"]} == {
            "Artisanal miners": 0,
            "Industry": 1,
        }
        await ws.disconnect()

    async_to_sync(scenario)()


def test_a_refused_vote_sends_nothing_and_close_is_relayed(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)

    def refused_vote():
        with pytest.raises(PermissionDenied):
            services.vote_cast(actor=holders[1], ballot=ballot, seat=seats[0], option_key="for")

    ws = socket(ballot.pk, user=holders[2])  # log in outside the event loop

    async def scenario():
        assert (await ws.connect(timeout=5))[0]
        await ws.receive_json_from(timeout=5)
        await database_sync_to_async(refused_vote)()
        assert await ws.receive_nothing(timeout=0.5)
        await database_sync_to_async(services.ballot_close)(
            actor=None, ballot=ballot, now=ballot.closes_at
        )
        assert await ws.receive_json_from(timeout=5) == {
            "type": "closed",
            "ballot": ballot.pk,
            "status": "closed",
        }
        await ws.disconnect()

    async_to_sync(scenario)()


def test_cancelling_is_relayed(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)

    async def scenario():
        ws = socket(ballot.pk)
        assert (await ws.connect(timeout=5))[0]
        await ws.receive_json_from(timeout=5)
        await database_sync_to_async(services.ballot_cancel)(
            actor=chair, ballot=ballot, reason="The motion was withdrawn."
        )
        assert await ws.receive_json_from(timeout=5) == {
            "type": "closed",
            "ballot": ballot.pk,
            "status": "cancelled",
        }
        await ws.disconnect()

    async_to_sync(scenario)()


def test_secret_ballot_events_carry_counts_only(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule, secrecy="secret")

    async def scenario():
        ws = socket(ballot.pk)
        assert (await ws.connect(timeout=5))[0]
        await ws.receive_json_from(timeout=5)
        await database_sync_to_async(services.vote_cast)(
            actor=holders[3], ballot=ballot, seat=seats[3], option_key="against"
        )
        event = await ws.receive_json_from(timeout=5)
        await ws.disconnect()
        return event

    event = async_to_sync(scenario)()
    assert set(event) == {"type", "ballot", "turnout"}
    assert all(
        set(row) == {"chamber", "chamber_id", "eligible", "voted"} for row in event["turnout"]
    )
    assert "against" not in str(event) and seats[3].label not in str(event)


def test_a_foreign_origin_is_refused(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)

    async def scenario():
        ws = socket(ballot.pk, origin=b"http://evil.example")
        connected, _ = await ws.connect(timeout=5)
        assert not connected

    async_to_sync(scenario)()


def test_private_and_unknown_ballots_are_refused(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)
    group.status = WorkingGroupStatus.CLOSED
    group.save()

    cases = (
        (socket(ballot.pk), False),  # anonymous, closed group
        (socket(ballot.pk + 1000), False),  # no such ballot
        (socket(ballot.pk, user=holders[0]), True),  # a member
    )

    async def scenario():
        for ws, allowed in cases:
            connected, _ = await ws.connect(timeout=5)
            assert connected is allowed
            if connected:
                await ws.disconnect()

    async_to_sync(scenario)()


def test_clients_send_nothing_and_malformed_frames_close_the_socket(group, scene):
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)

    async def scenario():
        ws = socket(ballot.pk)
        assert (await ws.connect(timeout=5))[0]
        await ws.receive_json_from(timeout=5)
        await ws.send_json_to({"type": "turnout.changed", "turnout": []})  # ignored
        assert await ws.receive_nothing(timeout=0.3)
        await ws.send_to(text_data="{not json")
        closed = await ws.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4400}
        await ws.wait()

    async_to_sync(scenario)()


def test_a_burst_of_votes_sends_few_events_and_always_the_final_count(group, scene, settings):
    """Votes within one interval share one event, sent after the interval with the
    state as it is then; the last event always counts every vote."""
    settings.LIVE_TURNOUT_INTERVAL = 1.0
    chair, seats, holders, rule = scene
    ballot = open_ballot(group, chair, rule)
    ballot_seats = [(holders[index], seats[index]) for index in range(len(seats))]

    async def scenario():
        ws = socket(ballot.pk)
        assert (await ws.connect(timeout=5))[0]
        await ws.receive_json_from(timeout=5)  # the turnout on connecting
        for holder, seat in ballot_seats:
            await database_sync_to_async(services.vote_cast)(
                actor=holder, ballot=ballot, seat=seat, option_key="for"
            )
        received = [await ws.receive_json_from(timeout=5)]
        while not await ws.receive_nothing(timeout=1):
            received.append(await ws.receive_json_from(timeout=1))
        await ws.disconnect()
        return received

    received = async_to_sync(scenario)()
    assert len(received) < len(ballot_seats)  # coalesced
    final = received[-1]["turnout"]
    assert sum(row["voted"] for row in final) == len(ballot_seats)
