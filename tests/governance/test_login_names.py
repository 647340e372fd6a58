"""Login names point at one person: usernames and addresses never collide (forms and
database), and a new address is used only once the link sent to it comes back."""

import datetime
import re

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from governance.models import AuditEvent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "cobalt-lantern-rivers-42"


def register(client, **overrides):
    data = {
        "username": "amani",
        "email": "amani@example.org",
        "display_name": "Amani",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:register"), data)


def logs_in(identifier: str, password: str = PASSWORD) -> bool:
    client = Client()
    client.post(reverse("accounts:login"), {"username": identifier, "password": password})
    return "_auth_user_id" in client.session


# --- Registering --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["furaha@example.org", "FURAHA@Example.ORG"])
def test_a_username_equal_to_someone_elses_address_is_refused(client, typed):
    victim = UserFactory(username="furaha", email="furaha@example.org")
    response = register(client, username=typed, email="attacker@example.org")
    assert response.status_code == 200
    assert "must be your own email address" in response.content.decode()
    assert not User.objects.filter(email="attacker@example.org").exists()
    assert logs_in("furaha@example.org")  # the victim's email login still works
    assert victim.username == "furaha"


def test_an_address_equal_to_someone_elses_username_is_refused(client):
    UserFactory(username="kabila@example.org", email="kabila@example.org")
    response = register(client, username="newcomer", email="Kabila@Example.org")
    assert "An account with this email address already exists" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_a_username_differing_only_in_case_is_refused(client):
    UserFactory(username="amani")
    response = register(client, username="AMANI", email="other@example.org")
    assert "That username is taken" in response.content.decode()


def test_ones_own_address_may_be_the_username(client):
    response = register(client, username="Amani@Example.org", email="amani@example.org")
    assert response.status_code == 302
    assert logs_in("amani@example.org", NEW_PASSWORD)


# --- The database holds the rule too ------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "email"),
    [
        ("someone@example.org", "other@example.org"),  # "@" but not one's own address
        ("FURAHA", "f2@example.org"),  # an existing username in another case
        ("plain", "no-at-sign"),  # an address without "@"
    ],
)
def test_constraints_refuse_colliding_rows(username, email):
    UserFactory(username="furaha", email="furaha@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=username, email=email)


def test_a_username_cannot_become_someone_elses_address():
    UserFactory(username="furaha", email="furaha@example.org")
    other = UserFactory(username="other", email="other@example.org")
    other.username = "Furaha@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


# --- Changing one's address ----------------------------------------------------------


@pytest.fixture
def amani(client):
    person = UserFactory(username="amani", email="amani@example.org")
    client.force_login(person)
    return person


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def ask_change(client, email, password=PASSWORD, **kwargs):
    return client.post(
        reverse("accounts:email_change"), {"email": email, "password": password}, **kwargs
    )


def test_a_new_address_is_used_only_once_confirmed(
    client, amani, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_change(client, "amani.new@example.org")
    assert response.status_code == 302
    amani.refresh_from_db()
    assert amani.email == "amani@example.org" and amani.email_verified
    assert amani.pending_email == "amani.new@example.org"
    (message,) = mailoutbox
    assert message.to == ["amani.new@example.org"]
    assert logs_in("amani@example.org") and not logs_in("amani.new@example.org")
    assert "amani.new@example.org" in client.get(reverse("accounts:profile")).content.decode()

    response = Client().get(link_in(message))
    assert response.status_code == 200
    amani.refresh_from_db()
    assert (amani.email, amani.pending_email, amani.email_verified) == (
        "amani.new@example.org",
        "",
        True,
    )
    assert logs_in("amani.new@example.org") and not logs_in("amani@example.org")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["account.email_change_requested", "account.email_changed"]
    assert "example.org" not in repr(list(AuditEvent.objects.values_list("payload", flat=True)))
    # The link does not work twice.
    assert Client().get(link_in(message)).status_code == 400


def test_a_username_that_was_the_address_follows_it(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(username="tshala@example.org", email="tshala@example.org")
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        ask_change(client, "tshala@coop.example")
    Client().get(link_in(mailoutbox[0]))
    person.refresh_from_db()
    assert person.username == person.email == "tshala@coop.example"


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [
        ("furaha@example.org", PASSWORD, "already exists"),  # someone's address
        ("FURAHA@example.org", PASSWORD, "already exists"),
        ("amani@example.org", PASSWORD, "already your email address"),
        ("amani.new@example.org", "wrong", "not your password"),
        ("not-an-address", PASSWORD, "valid email address"),
    ],
)
def test_a_refused_change_changes_nothing(client, amani, mailoutbox, email, password, error):
    UserFactory(username="furaha", email="furaha@example.org")
    response = ask_change(client, email, password)
    assert response.status_code == 400
    assert error in response.content.decode()
    amani.refresh_from_db()
    assert amani.pending_email == "" and amani.email == "amani@example.org"
    assert not mailoutbox


def test_an_address_taken_before_the_link_comes_back_is_refused(
    client, amani, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_change(client, "shared@example.org")
    UserFactory(username="quicker", email="shared@example.org")
    response = Client().get(link_in(mailoutbox[0]))
    assert response.status_code == 400
    amani.refresh_from_db()
    assert amani.email == "amani@example.org"


def test_a_superseded_or_expired_link_is_refused(
    client, amani, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_change(client, "first@example.org")
        ask_change(client, "second@example.org")
    first, second = (link_in(m) for m in mailoutbox)
    assert Client().get(first).status_code == 400
    with time_machine.travel(datetime.timedelta(days=4)):
        assert Client().get(second).status_code == 400
    amani.refresh_from_db()
    assert amani.email == "amani@example.org"


def test_a_pending_change_can_be_cancelled(
    client, amani, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_change(client, "amani.new@example.org")
    client.post(reverse("accounts:email_change_cancel"))
    assert Client().get(link_in(mailoutbox[0])).status_code == 400
    amani.refresh_from_db()
    assert amani.pending_email == "" and amani.email == "amani@example.org"


# --- The admin's user forms --------------------------------------------------------------


def test_the_admin_cannot_set_an_address_directly(client, superuser):
    person = UserFactory(
        username="mwamba", email="mwamba@example.org", first_name="M", last_name="W"
    )
    client.force_login(superuser)
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    form = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="email"[^>]*disabled', form)
    client.post(
        url,
        {
            "username": "mwamba",
            "email": "hijack@example.org",
            "first_name": "M",
            "last_name": "W",
            "is_active": "on",
        },
    )
    person.refresh_from_db()
    assert person.email == "mwamba@example.org"


def test_the_admin_cannot_create_a_colliding_username(client, superuser):
    UserFactory(username="furaha", email="furaha@example.org")
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "Furaha@example.org",
            "email": "new@example.org",
            "first_name": "N",
            "last_name": "P",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "must be your own email address" in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()
