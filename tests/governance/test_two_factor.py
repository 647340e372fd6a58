"""Two-step login: required for platform admins, chairs, secretariats and facilitators,
on the site and the Wagtail admin; optional for everyone else. Codes are computed
from the device's key, as an authenticator app does: no browser needed."""

import datetime
import re
from base64 import b32decode

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import two_factor
from governance.models import AuditEvent, GroupRole
from tests.factories import SeatFactory, UserFactory, give_role

PASSWORD = "correct-horse-battery"
SETUP, VERIFY, MANAGE = (
    "/accounts/two-factor/setup/",
    "/accounts/two-factor/verify/",
    "/accounts/two-factor/",
)

pytestmark = pytest.mark.django_db


def person_with(role: str, group):
    person = UserFactory()
    if role == "platform admin":
        person.is_superuser = person.is_staff = True
        person.save()
    elif role == "seat facilitator":
        SeatFactory(working_group=group, facilitator=person)
    elif role != "commenter":
        give_role(person, group, role)
    return person


def password_login(user, client=None) -> Client:
    client = client or Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def enrolled_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code(device_or_key) -> str:
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(key):06d}"


REQUIRED = [
    "platform admin",
    GroupRole.CHAIR,
    GroupRole.SECRETARIAT,
    GroupRole.FACILITATOR,
    "seat facilitator",
]
OPTIONAL = [GroupRole.MEMBER, GroupRole.OBSERVER, "commenter"]


@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles_without_a_device_are_sent_to_set_up(role, group):
    person = person_with(role, group)
    client = password_login(person)
    for path in ("/accounts/profile/", "/admin/", f"/ballots/group/{group.slug}/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP), (path, response["Location"])
    assert client.get(SETUP).status_code == 200


@pytest.mark.parametrize("role", REQUIRED + OPTIONAL)
def test_anyone_with_a_device_gives_a_code_before_anything_else(role, group):
    person = person_with(role, group)
    device = enrolled_device(person)
    client = password_login(person)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get("/accounts/profile/")["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"token": code(device), "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    if role in ("platform admin", GroupRole.CHAIR, GroupRole.SECRETARIAT):
        assert (
            client.get(
                "/admin/locked-logins/" if role == "platform admin" else "/admin/"
            ).status_code
            == 200
        )


@pytest.mark.parametrize("role", OPTIONAL)
def test_optional_roles_without_a_device_go_where_they_like(role, group):
    client = password_login(person_with(role, group))
    assert client.get("/accounts/profile/").status_code == 200


def test_the_admin_is_not_reachable_with_the_password_alone(client, superuser):
    client.force_login(superuser, second_factor=False)
    for path in ("/admin/", "/admin/users/", "/admin/locked-logins/", "/admin/pages/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), path


def test_the_admins_own_login_page_leads_to_the_code_page(group):
    chair = person_with(GroupRole.CHAIR, group)
    device = enrolled_device(chair)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": chair.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_whole_road_from_first_login_to_a_second_one(group):
    """First login: set-up reached at once, the app's key read from the page, the first
    code confirms it, ten recovery codes shown once. Second login: the code page."""
    chair = person_with(GroupRole.CHAIR, group)
    client = password_login(chair)
    response = client.get("/accounts/profile/")
    assert response["Location"] == f"{SETUP}?next=%2Faccounts%2Fprofile%2F"
    page = client.get(response["Location"]).content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    key = b32decode(secret.replace(" ", ""))
    assert "<svg" in page  # the QR code, drawn on the page: no outside service

    wrong = client.post(SETUP, {"token": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    with time_machine.travel(datetime.timedelta(seconds=31), tick=False):
        shown = client.post(SETUP, {"token": code(key), "next": "/accounts/profile/"})
        assert shown.status_code == 200
        codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
        assert len(codes) == 10
        assert client.get("/accounts/profile/").status_code == 200
        assert client.get("/admin/").status_code == 200
    device = TOTPDevice.objects.get(user=chair)
    assert device.confirmed and device.bin_key == key
    assert AuditEvent.objects.filter(action="account.two_factor_enrolled", actor=chair).exists()

    with time_machine.travel(datetime.timedelta(seconds=91), tick=False):
        again = password_login(chair)
        assert again.get("/accounts/profile/")["Location"].startswith(VERIFY)
        # The set-up page cannot replace the app before the code is given.
        assert again.get(SETUP)["Location"].startswith(VERIFY)
        again.post(VERIFY, {"token": code(key)})
        assert again.get("/accounts/profile/").status_code == 200


def test_a_code_works_only_once(group):
    member = person_with(GroupRole.MEMBER, group)
    device = enrolled_device(member)
    with time_machine.travel(
        datetime.datetime(2026, 5, 4, 8, 0, 0, tzinfo=datetime.UTC), tick=False
    ):
        token = code(device)
        first = password_login(member)
        first.post(VERIFY, {"token": token})
        second = password_login(member)
        response = second.post(VERIFY, {"token": token})
        assert response.status_code == 400
        assert second.get("/accounts/profile/")["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(group):
    secretariat = person_with(GroupRole.SECRETARIAT, group)
    enrolled_device(secretariat)
    client = Client()
    client.force_login(secretariat)
    shown = client.post(reverse("accounts:two_factor_renew_codes"))
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == 10 and StaticToken.objects.count() == 10

    lost_phone = password_login(secretariat)
    response = lost_phone.post(VERIFY, {"token": codes[0].upper(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert lost_phone.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action="account.recovery_code_used")
    assert event.payload == {"left": 9}

    again = password_login(secretariat)
    assert again.post(VERIFY, {"token": codes[0]}).status_code == 400
    # A wrong code slows the next try down (django-otp's throttling): wait a little.
    with time_machine.travel(datetime.timedelta(seconds=5)):
        assert again.post(VERIFY, {"token": codes[1]}).status_code == 302


def test_optional_two_step_login_can_be_turned_off_but_not_a_required_one(group):
    member, chair = person_with(GroupRole.MEMBER, group), person_with(GroupRole.CHAIR, group)
    for person in (member, chair):
        enrolled_device(person)
        client = Client()
        client.force_login(person)
        page = client.get(MANAGE).content.decode()
        client.post(reverse("accounts:two_factor_disable"), {"password": PASSWORD})
        if person is member:
            assert "Turn two-step login off" in page
            assert not TOTPDevice.objects.filter(user=member).exists()
        else:
            assert "cannot be turned off" in page
            assert TOTPDevice.objects.filter(user=chair).exists()
    assert AuditEvent.objects.filter(action="account.two_factor_disabled").count() == 1


def test_a_secretariat_resets_a_lost_app_and_it_is_audited(group):
    secretariat = person_with(GroupRole.SECRETARIAT, group)
    facilitator = person_with(GroupRole.FACILITATOR, group)
    enrolled_device(facilitator)
    client = Client()
    client.force_login(secretariat)
    response = client.post("/admin/locked-logins/", {"reset_two_factor": facilitator.username})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=facilitator).exists()
    event = AuditEvent.objects.get(action="account.two_factor_reset")
    assert event.actor == secretariat and event.object_id == str(facilitator.pk)
    # At their next login they set up a new app.
    assert password_login(facilitator).get("/accounts/profile/")["Location"].startswith(SETUP)


def test_a_secretariat_cannot_reset_a_platform_admin(group, superuser):
    secretariat = person_with(GroupRole.SECRETARIAT, group)
    give_role(superuser, group, GroupRole.MEMBER)
    enrolled_device(superuser)
    client = Client()
    client.force_login(secretariat)
    client.post("/admin/locked-logins/", {"reset_two_factor": superuser.username})
    assert TOTPDevice.objects.filter(user=superuser).exists()


def test_sockets_see_an_unverified_session_as_anonymous(group):
    chair = person_with(GroupRole.CHAIR, group)
    device = enrolled_device(chair)
    client = password_login(chair)
    session = SessionStore(client.session.session_key)
    assert isinstance(two_factor.session_user(session, chair), AnonymousUser)
    client.post(VERIFY, {"token": code(device)})
    session = SessionStore(client.session.session_key)
    assert two_factor.session_user(session, chair) == chair


def test_a_swahili_reader_stays_in_swahili_on_the_way(group):
    chair = person_with(GroupRole.CHAIR, group)
    chair.preferred_language = "sw"
    chair.save()
    client = password_login(chair)
    location = client.get("/accounts/profile/")["Location"]
    assert location.startswith("/sw/accounts/two-factor/setup/")
    page = client.get(location).content.decode()
    assert "Weka kuingia kwa hatua mbili" in page and 'lang="sw"' in page
