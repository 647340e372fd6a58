"""Password logins are throttled per account and per address on every login page; a
locked person still votes; their secretariat can unlock them. Rate-limited posts answer
429 with Retry-After."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from consultations.models import Comment, Message
from governance.models import AuditEvent, GroupRole, Participation
from tests.consultations.test_discussions import DiscussionScene
from tests.consultations.test_views import Scene, comment_data
from tests.factories import UserFactory, WorkingGroupFactory, give_role
from tests.governance.test_ballot_views import make_ballot, t  # noqa: F401 (fixture)

PASSWORD = "correct-horse-battery"
SITE_LOGIN, ADMIN_LOGIN = "/accounts/login/", "/admin/login/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15


def attempt(path: str, username: str, password: str, address: str = "203.0.113.1"):
    """A login from a fresh browser at `address`."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked(response):
    assert response.status_code == 429, response.status_code
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "Too many failed log-ins" in response.content.decode()


@pytest.mark.parametrize("path", [SITE_LOGIN, ADMIN_LOGIN])
def test_an_account_is_locked_after_failures_from_many_addresses(path, person):
    for n in range(2):
        _client, response = attempt(path, person.username, "wrong", address=f"198.51.100.{n}")
        assert response.status_code == 200
    # The failure that reaches the limit is answered with the lockout.
    assert_locked(attempt(path, person.username, "wrong", address="198.51.100.2")[1])
    client, response = attempt(path, person.username, PASSWORD, address="192.0.2.99")
    assert_locked(response)
    assert not logged_in(client)
    # Someone else, from the same address, is not affected.
    other = UserFactory()
    client, response = attempt(path, other.username, PASSWORD, address="192.0.2.99")
    assert response.status_code == 302 and logged_in(client)


def test_a_lockout_earned_on_one_login_page_holds_on_the_others(person):
    for _ in range(3):
        attempt(SITE_LOGIN, person.email.upper(), "wrong")  # the address counts as the account
    for path in (SITE_LOGIN, ADMIN_LOGIN):
        client, response = attempt(path, person.username, PASSWORD, address="192.0.2.50")
        assert_locked(response)
        assert not logged_in(client)


@pytest.mark.parametrize("path", [SITE_LOGIN, ADMIN_LOGIN])
def test_an_address_is_locked_after_failures_on_many_accounts(path):
    people = [UserFactory() for _ in range(6)]
    for victim in people[:5]:
        attempt(path, victim.username, "wrong", address="203.0.113.7")
    client, response = attempt(path, people[5].username, PASSWORD, address="203.0.113.7")
    assert_locked(response)
    client, response = attempt(path, people[5].username, PASSWORD, address="203.0.113.8")
    assert response.status_code == 302 and logged_in(client)


def test_a_lockout_ends_after_its_cool_off(person):
    for _ in range(3):
        attempt(SITE_LOGIN, person.username, "wrong")
    _client, response = attempt(SITE_LOGIN, person.username, PASSWORD)
    assert_locked(response)
    # Guesses during the lockout are not checked and do not make it longer.
    for _ in range(5):
        attempt(SITE_LOGIN, person.username, "wrong", address="198.51.100.200")
    with time_machine.travel(datetime.timedelta(minutes=16)):
        client, response = attempt(SITE_LOGIN, person.username, PASSWORD)
        assert response.status_code == 302 and logged_in(client)


def test_an_open_session_stays_open_when_the_account_is_locked(client, person):
    client.force_login(person)
    for _ in range(4):
        attempt(SITE_LOGIN, person.username, "wrong")
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- A locked miner still votes -----------------------------------------------------


def test_a_locked_holder_votes_through_the_personal_link(t):  # noqa: F811
    from governance import ballot_links
    from governance.models import RollEntry

    ballot = make_ballot(t)
    holder = t.holders[0]
    for _ in range(4):
        attempt(SITE_LOGIN, holder.username, "wrong")
    _client, response = attempt(SITE_LOGIN, holder.username, PASSWORD, address="192.0.2.1")
    assert_locked(response)

    link = ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=t.seats[0]))
    # A link vote is confirmed in a second step; the confirmation records it.
    response = Client().post(
        link, {"option": "for", "idempotency_key": "locked-1", "confirmed": "1"}
    )
    assert response.status_code == 200
    assert Participation.objects.filter(ballot=ballot, seat=t.seats[0]).exists()


def test_the_facilitator_records_the_vote_of_a_locked_miner(client, t):  # noqa: F811
    ballot = make_ballot(t)
    miner = t.holders[3]  # the seat the facilitator assists
    for _ in range(4):
        attempt(SITE_LOGIN, miner.username, "wrong")
    client.force_login(t.facilitator)
    response = client.post(
        reverse("ballots:assisted", args=[ballot.pk]),
        {"seat": t.seats[3].pk, "option": "for", "mode": "in_person", "witness": "Mama Furaha"},
    )
    assert response.status_code == 200
    assert Participation.objects.filter(ballot=ballot, seat=t.seats[3]).exists()


# --- Unlocking ---------------------------------------------------------------------------

LOCKED_LOGINS = "/admin/locked-logins/"


@pytest.fixture
def locked(group):
    miner = UserFactory(display_name="Mama Furaha")
    give_role(miner, group, GroupRole.MEMBER)
    for _ in range(4):
        attempt(SITE_LOGIN, miner.username, "wrong", address="198.51.100.9")
    return miner


def test_the_persons_secretariat_unlocks_them_and_it_is_audited(client, group, locked):
    secretariat = UserFactory()
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    client.force_login(secretariat)
    page = client.get(LOCKED_LOGINS)
    assert page.status_code == 200
    assert "Mama Furaha" in page.content.decode()

    response = client.post(LOCKED_LOGINS, {"account": locked.username.lower()})
    assert response.status_code == 302
    other_client, response = attempt(SITE_LOGIN, locked.username, PASSWORD, "192.0.2.3")
    assert response.status_code == 302 and logged_in(other_client)
    event = AuditEvent.objects.get(action="account.login_unlocked")
    assert event.actor == secretariat and event.object_id == str(locked.pk)
    assert "198.51.100" not in str(event.payload)


def test_another_groups_secretariat_may_not_unlock_the_account(client, locked):
    stranger = UserFactory()
    give_role(stranger, WorkingGroupFactory(), GroupRole.SECRETARIAT)
    client.force_login(stranger)
    assert 'name="account"' not in client.get(LOCKED_LOGINS).content.decode()
    client.post(LOCKED_LOGINS, {"account": locked.username.lower()})
    _client, response = attempt(SITE_LOGIN, locked.username, PASSWORD, "192.0.2.4")
    assert_locked(response)
    assert not AuditEvent.objects.filter(action="account.login_unlocked").exists()


def test_an_address_is_unlocked_by_a_secretariat(client, group):
    secretariat = UserFactory()
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    people = [UserFactory() for _ in range(6)]
    for victim in people[:5]:
        attempt(SITE_LOGIN, victim.username, "wrong", address="203.0.113.70")
    client.force_login(secretariat)
    client.post(LOCKED_LOGINS, {"address": "203.0.113.70"})
    other, response = attempt(SITE_LOGIN, people[5].username, PASSWORD, "203.0.113.70")
    assert response.status_code == 302 and logged_in(other)
    assert AuditEvent.objects.get(action="account.login_unlocked").payload["scope"] == "address"


def test_people_without_a_secretariat_role_do_not_see_the_screen(client, group, person):
    give_role(person, group, GroupRole.CHAIR)  # into the admin, but no secretariat
    client.force_login(person)
    assert client.get(LOCKED_LOGINS).status_code in (302, 403)


# --- The site's own rate limits answer 429 with Retry-After -----------------------------


def test_a_comment_flood_answers_429_with_retry_after(client, settings):
    settings.RATE_LIMITS = {"comment": (2, 600)}
    scene = Scene()
    client.force_login(scene.commenter)
    url = reverse("consultations:detail", args=[scene.consultation.pk])
    for _ in range(2):
        assert client.post(url, comment_data(scene.clauses[0])).status_code == 302
    response = client.post(url, comment_data(scene.clauses[0]))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert "many comments in a short time" in response.content.decode()
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_message_flood_answers_429_with_retry_after(client, settings, accept):
    settings.RATE_LIMITS = {"message": (2, 60)}
    scene = DiscussionScene()
    client.force_login(scene.member)
    url = reverse("discussions:post", args=[scene.general.pk])
    for n in range(2):
        client.post(url, {"body": f"Message {n}", "idempotency_key": f"k{n}"}, HTTP_ACCEPT=accept)
    response = client.post(url, {"body": "Third", "idempotency_key": "k3"}, HTTP_ACCEPT=accept)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    if accept == "application/json":
        assert response.json()["code"] == "too_many"
    assert Message.objects.count() == 2


def test_registration_and_reset_floods_say_when_to_retry(client, settings):
    settings.RATE_LIMITS = {"register": (0, 3600), "password_reset": (0, 3600)}
    response = client.post(reverse("accounts:register"), {})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    response = client.post(reverse("accounts:password_reset"), {"email": "a@example.org"})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
