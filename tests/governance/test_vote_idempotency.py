"""A vote form sent twice votes once, and the second answer is the first receipt.

Each vote form carries an idempotency key made when it is shown. Sent again — a
double click, a browser retrying, a voter pressing "send" after an error page — it
returns the first submission's receipt instead of "already voted", and records
nothing more: not a second vote, not a vote change, not an audit event.

- the service, for web, link and change submissions, and after close;
- real concurrent connections (threads, each its own PostgreSQL connection, through
  the views): ten copies of one form at once give one vote and ten equal receipts;
- a server process killed after the vote is committed and before it answers: the
  retry, to a fresh process, returns the same receipt.
"""

import datetime
import html
import http.cookiejar
import re
import urllib.parse
import urllib.request
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import ballot_links, services
from governance.models import (
    AuditEvent,
    Ballot,
    GroupRole,
    Participation,
    RollCallChoice,
    RollCallChoiceRevision,
    RollEntry,
    SecretChoice,
    VotingRule,
)
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person
from tests.governance.test_ballot_concurrency import race

KEY = "5f0c1f8e2a7b4c3d9e6f1a2b3c4d5e6f"
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def make_scene(group, *, allow_vote_change=True):
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    chamber = ChamberFactory(name="Artisanal miners")
    seats = [SeatFactory(working_group=group, chamber=chamber) for _ in range(3)]
    holders = [seat_person(seat).person for seat in seats]
    rule = VotingRule.objects.create(
        working_group=group, name="Majority", allow_vote_change=allow_vote_change
    )
    return SimpleNamespace(group=group, chair=chair, seats=seats, holders=holders, rule=rule)


def open_ballot(scene, secrecy="roll_call", closes_in=datetime.timedelta(days=1)) -> Ballot:
    now = timezone.now()
    ballot = services.ballot_save(
        actor=scene.chair,
        ballot=Ballot(
            working_group=scene.group,
            title="Adopt the safety annex",
            motion="…",
            rule=scene.rule,
            secrecy=secrecy,
            opens_at=now - datetime.timedelta(minutes=5),
            closes_at=now + closes_in,
        ),
    )
    return services.ballot_open(actor=scene.chair, ballot=ballot)


def votes_recorded(ballot) -> tuple:
    return (
        Participation.objects.filter(ballot=ballot).count(),
        RollCallChoiceRevision.objects.filter(choice__participation__ballot=ballot).count(),
        SecretChoice.objects.filter(ballot=ballot).count(),
        AuditEvent.objects.filter(action__startswith="vote.", object_id=str(ballot.pk)).count(),
    )


# --- The service ---------------------------------------------------------------------------


@pytest.mark.parametrize("secrecy", ["roll_call", "secret"])
@pytest.mark.parametrize("channel", ["web", "link"])
def test_the_same_form_sent_again_returns_the_first_receipt(group, secrecy, channel):
    scene = make_scene(group)
    ballot = open_ballot(scene, secrecy)
    cast = dict(
        actor=scene.holders[0],
        ballot=ballot,
        seat=scene.seats[0],
        option_key="for",
        channel=channel,
        idempotency_key=KEY,
        allow_change=channel == "web",
    )
    first = services.vote_cast(**cast)
    recorded = votes_recorded(ballot)
    again = services.vote_cast(**cast)
    assert again == first and again.replayed and not first.replayed
    assert again.option_key == (None if secrecy == "secret" else "for")
    assert votes_recorded(ballot) == recorded == (1, 0, int(secrecy == "secret"), 1)

    # The answer was lost and the retry comes after close: still the receipt.
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    assert services.vote_cast(**cast, now=ballot.closes_at) == first
    # A new form (another key) is a new vote: refused as it always was.
    with pytest.raises(ValidationError, match="closed"):
        services.vote_cast(**{**cast, "idempotency_key": "another-form"})


def test_a_double_click_on_a_changeable_ballot_records_no_change(group):
    scene = make_scene(group, allow_vote_change=True)
    ballot = open_ballot(scene)
    cast = dict(actor=scene.holders[0], ballot=ballot, seat=scene.seats[0])
    first = services.vote_cast(**cast, option_key="for", idempotency_key="form-1")
    # The same form twice: one vote, no change.
    assert services.vote_cast(**cast, option_key="for", idempotency_key="form-1").replayed
    assert RollCallChoiceRevision.objects.count() == 0
    # A change (a new form, shown after the vote) clicked twice: one change.
    changed = services.vote_cast(**cast, option_key="against", idempotency_key="form-2")
    again = services.vote_cast(**cast, option_key="against", idempotency_key="form-2")
    assert changed == again == first and again.replayed and again.option_key == "against"
    assert RollCallChoiceRevision.objects.count() == 1
    # A stale copy of the first form arriving late changes nothing back.
    assert services.vote_cast(**cast, option_key="for", idempotency_key="form-1").replayed
    assert RollCallChoice.objects.get().option.key == "against"
    assert AuditEvent.objects.filter(action="vote.changed").count() == 1


def test_a_key_is_only_good_for_its_own_vote(group):
    scene = make_scene(group)
    ballot = open_ballot(scene)
    services.vote_cast(
        actor=scene.holders[0], ballot=ballot, seat=scene.seats[0], option_key="for",
        idempotency_key=KEY,
    )  # fmt: skip
    before = votes_recorded(ballot)
    # Someone else with a copy of the key gets no receipt: the ordinary refusal.
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            actor=UserFactory(), ballot=ballot, seat=scene.seats[0], option_key="for",
            idempotency_key=KEY,
        )  # fmt: skip
    # The key of one seat's form sent for another seat casts nothing.
    with pytest.raises(ValidationError, match="already used for another seat"):
        services.vote_cast(
            actor=scene.holders[1], ballot=ballot, seat=scene.seats[1], option_key="for",
            idempotency_key=KEY,
        )  # fmt: skip
    assert votes_recorded(ballot) == before


# --- Real concurrent connections -------------------------------------------------------------


def form_fields(body: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
    }


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: SQLite never runs writers at once")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("secrecy", ["roll_call", "secret"])
def test_ten_copies_of_one_form_at_once_vote_once(group, secrecy):
    """Ten threads, each with its own connection and session, post the same confirmed
    form to the ballot page at the same moment (a frantic double click on a slow line)."""
    scene = make_scene(group, allow_vote_change=True)
    ballot = open_ballot(scene, secrecy)
    seat = scene.seats[0]
    url = reverse("ballots:vote", args=[ballot.pk, seat.pk])
    prefix = f"seat-{seat.pk}"
    data = {
        f"{prefix}-option": "against",
        f"{prefix}-reason": "",
        f"{prefix}-idempotency_key": KEY,
        f"{prefix}-confirmed": "1",
    }
    clients = []
    for _ in range(10):
        client = Client()
        client.force_login(scene.holders[0])
        clients.append(client)

    def post(client):
        def work():
            response = client.post(url, data)
            return response.status_code, response.content.decode()

        return work

    results = race([post(client) for client in clients])
    assert all(kind == "ok" for kind, _ in results), results
    assert {status for _kind, (status, _body) in results} == {200}
    participation = Participation.objects.get(ballot=ballot)
    assert all(participation.receipt_code in body for _kind, (_s, body) in results)
    assert votes_recorded(ballot) == (1, 0, int(secrecy == "secret"), 1)
    print(f"\n[{secrecy}] 10 copies of one form at once: 1 vote, 10 equal receipts")


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL: SQLite never runs writers at once")
@pytest.mark.django_db(transaction=True)
def test_ten_copies_of_one_link_confirmation_at_once_vote_once(group):
    scene = make_scene(group)
    ballot = open_ballot(scene, "secret")
    entry = RollEntry.objects.get(ballot=ballot, seat=scene.seats[0])
    url = ballot_links.link_path(entry)
    data = {"option": "for", "reason": "", "idempotency_key": KEY, "confirmed": "1"}
    results = race([lambda: Client().post(url, data).content.decode() for _ in range(10)])
    assert all(kind == "ok" for kind, _ in results), results
    participation = Participation.objects.get(ballot=ballot)
    assert participation.channel == "link"
    assert all(participation.receipt_code in body for _kind, body in results)
    assert votes_recorded(ballot) == (1, 0, 1, 1)
    connections.close_all()


# --- A worker killed after the commit, before the answer ---------------------------------------


class Browser:
    """A phone's browser: cookies kept, forms posted as URL-encoded bodies."""

    def __init__(self, base: str, session_key: str | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        if session_key:
            self.jar.set_cookie(_cookie("sessionid", session_key))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=30) as answer:
            return answer.read().decode()


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None,
        False, None, None, {},
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["link", "web"])
def test_a_worker_killed_after_the_vote_is_stored_gives_the_receipt_on_retry(group, how):
    from tests.fault_server import serve

    scene = make_scene(group)
    ballot = open_ballot(scene, "secret")
    seat, holder = scene.seats[0], scene.holders[0]
    if how == "link":
        path = ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=seat))
        session, form_path, prefix = None, path, ""
    else:
        client = Client()
        client.force_login(holder)
        session = client.cookies["sessionid"].value
        path = reverse("ballots:detail", args=[ballot.pk])
        form_path, prefix = reverse("ballots:vote", args=[ballot.pk, seat.pk]), f"seat-{seat.pk}-"

    with serve(die_after_vote=True) as (base, child):
        browser = Browser(base, session)
        page = browser.get(path)
        fields = form_fields(page)
        key = fields[f"{prefix}idempotency_key"]
        asked = browser.post(
            form_path,
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                f"{prefix}idempotency_key": key,
                f"{prefix}option": "against",
                f"{prefix}reason": "",
            },
        )
        confirmation = form_fields(asked)
        assert confirmation[f"{prefix}idempotency_key"] == key  # carried through
        assert not Participation.objects.filter(ballot=ballot).exists()
        with pytest.raises(OSError):  # the connection drops: no answer, no receipt
            browser.post(form_path, confirmation)
        assert child.wait(30) == -9  # killed, by SIGKILL
    participation = Participation.objects.get(ballot=ballot)  # the vote was stored

    with serve() as (base, _child):
        browser.base = base  # the same phone (its cookies), the same form, sent again
        answer = browser.post(form_path, confirmation)
    assert participation.receipt_code in answer
    assert "already been sent" in answer
    assert votes_recorded(ballot) == (1, 0, 1, 1)
