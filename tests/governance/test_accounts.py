import copy
import datetime
import re
import uuid

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from governance import audit, tokens
from governance.models import AuditEvent, User
from governance.services import accounts as services
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
NEW_PASSWORD = "cobalt-lantern-rivers-42"


@pytest.fixture(autouse=True)
def _settings_for_these_tests(settings):
    """Rate-limit counters live in the cache (Redis under REDIS_URL): give each test a
    key prefix of its own rather than flushing a database others may share."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-accounts-{uuid.uuid4().hex}"
    settings.CACHES = caches


def register_data(**overrides):
    data = {
        "username": "amani",
        "email": "Amani.K@Example.org",
        "display_name": "Amani Kabila",
        "organisation": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def link_in(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def audit_payloads() -> str:
    return repr(list(AuditEvent.objects.values_list("payload", "object_repr")))


# --- Registration and verification -----------------------------------------------


def test_register_sends_a_link_that_verifies_the_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:register"), register_data(organisation=organisation.pk)
        )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user = User.objects.get(username="amani")
    assert user.email == "Amani.K@example.org"
    assert user.display_name == "Amani Kabila"
    assert user.organisation == organisation
    assert user.is_active and not user.email_verified
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).context["user"] == user  # logged in

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Amani.K@example.org"]
    link = link_in(mailoutbox[0])
    assert link.startswith("http://testserver/accounts/verify/")
    assert "amani.k" not in link.lower()  # the address is not in the URL

    client.logout()  # the link works without a session
    response = client.get(link)
    assert response.status_code == 200
    assert "Email address confirmed" in response.content.decode()
    assert "Amani.K@example.org" not in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified

    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "account.registered",
        "account.email_verified",
    ]
    payloads = audit_payloads()
    assert "example.org" not in payloads.lower() and NEW_PASSWORD not in payloads
    assert audit.verify_chain().ok


def test_verification_is_idempotent(person):
    person.email_verified = False
    person.save()
    token = tokens.email_verification_token(person)

    assert services.account_verify_email(token=token) == (person, True)
    assert services.account_verify_email(token=token)[1] is False
    assert AuditEvent.objects.filter(action="account.email_verified").count() == 1


def test_duplicate_email_in_another_case_is_refused(client, mailoutbox):
    UserFactory(email="amani.k@example.org")
    users_before = User.objects.count()

    response = client.post(reverse("accounts:register"), register_data(email="AMANI.K@EXAMPLE.ORG"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "An account with this email address already exists" in form.errors["email"][0]
    assert 'id="id_email_error"' in response.content.decode()
    assert User.objects.count() == users_before
    assert mailoutbox == []
    assert not AuditEvent.objects.exists()


def test_service_refuses_duplicate_email_without_integrity_error(db):
    UserFactory(email="amani.k@example.org")
    with pytest.raises(services.ValidationError) as refused:
        services.account_register(
            actor=None,
            username="amani2",
            email="Amani.K@Example.ORG",
            password=NEW_PASSWORD,
            site_url="http://testserver",
        )
    assert "email" in refused.value.message_dict
    assert not User.objects.filter(username="amani2").exists()


def test_mismatched_passwords_and_taken_username_are_refused(client):
    UserFactory(username="Amani")
    response = client.post(
        reverse("accounts:register"), register_data(password2="something-else-entirely")
    )
    errors = response.context["form"].errors
    assert "username" in errors  # "amani" vs "Amani": same person to a reader
    assert "password2" in errors
    assert not User.objects.filter(email__iexact="amani.k@example.org").exists()


def test_bad_link_is_refused_with_a_message(client, person):
    person.email_verified = False
    person.save()
    token = tokens.email_verification_token(person)

    response = client.get(reverse("accounts:verify_email", kwargs={"token": token[:-3] + "xyz"}))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    person.refresh_from_db()
    assert not person.email_verified
    assert not AuditEvent.objects.exists()


def test_expired_link_is_refused(client, person):
    person.email_verified = False
    person.save()
    token = tokens.email_verification_token(person)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=4), tick=False):
        response = client.get(reverse("accounts:verify_email", kwargs={"token": token}))

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    person.refresh_from_db()
    assert not person.email_verified
    assert not AuditEvent.objects.exists()


def test_link_sent_to_a_previous_address_is_refused(person):
    person.email_verified = False
    person.save()
    token = tokens.email_verification_token(person)
    person.email = "new-address@example.org"
    person.save()

    with pytest.raises(services.ValidationError, match="no longer valid"):
        services.account_verify_email(token=token)
    person.refresh_from_db()
    assert not person.email_verified


def test_unverified_person_can_ask_for_a_new_link(
    client, person, mailoutbox, django_capture_on_commit_callbacks
):
    person.email_verified = False
    person.save()
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verification_resend"))

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    client.get(link_in(mailoutbox[0]))
    person.refresh_from_db()
    assert person.email_verified

    response = client.post(reverse("accounts:verification_resend"), follow=True)
    assert "already confirmed" in response.content.decode()
    assert len(mailoutbox) == 1
    assert client.get(reverse("accounts:verification_resend")).status_code == 405


# --- Logging in and out ------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["person-login", "Person.Login@Example.ORG"])
def test_login_with_username_or_email(client, identifier):
    user = UserFactory(username="person-login", email="person.login@example.org")

    response = client.post(
        reverse("accounts:login"), {"username": identifier, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused_with_a_message(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": person.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "We could not log you in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, person):
    client.force_login(person)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(person.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Profile -------------------------------------------------------------------------


def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('accounts:profile')}"


def test_profile_update_saves_and_audits_field_names_only(client, person):
    organisation = OrganisationFactory()
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Neema M.",
            "organisation": organisation.pk,
            "preferred_language": "sw",
            "time_zone": "Africa/Nairobi",
            # notifications_enabled left out: the checkbox is unticked
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Neema M."
    assert person.organisation == organisation
    assert person.preferred_language == "sw"
    assert person.time_zone == "Africa/Nairobi"
    assert person.notifications_enabled is False
    event = AuditEvent.objects.get()
    assert event.action == "account.profile_updated"
    assert event.actor == person and not event.is_public
    assert sorted(event.payload["fields"]) == [
        "display_name",
        "notifications_enabled",
        "organisation",
        "preferred_language",
        "time_zone",
    ]
    assert person.email not in audit_payloads()
    assert "Neema" not in repr(event.payload)


def test_profile_without_changes_writes_no_event(client, person):
    client.force_login(person)
    client.post(
        reverse("accounts:profile"),
        {"display_name": person.display_name, "notifications_enabled": "on"},
    )
    assert not AuditEvent.objects.exists()


def test_profile_refuses_an_unknown_time_zone(client, person):
    client.force_login(person)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "X", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    person.refresh_from_db()
    assert person.time_zone == "" and person.display_name != "X"


def test_only_the_person_may_update_their_profile(person):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=UserFactory(), user=person, display_name="Hijacked")
    person.refresh_from_db()
    assert person.display_name != "Hijacked"


def test_profile_time_zone_applies_to_displayed_times(client):
    user = UserFactory(time_zone="Europe/Paris")
    User.objects.filter(pk=user.pk).update(
        date_joined=datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.UTC)
    )
    client.force_login(user)

    content = client.get(reverse("accounts:profile")).content.decode()

    assert 'datetime="2024-01-15T13:00:00+01:00"' in content
    assert "<dd>Europe/Paris</dd>" in content


def test_default_time_zone_is_kolwezi(client, person):
    User.objects.filter(pk=person.pk).update(
        date_joined=datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.UTC)
    )
    client.force_login(person)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert 'datetime="2024-01-15T14:00:00+02:00"' in content


def test_preferred_language_is_served(client):
    user = UserFactory(preferred_language="fr")
    client.force_login(user)

    response = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "fr"
    assert response["Content-Language"] == "fr"


def test_saving_a_language_returns_to_the_profile_in_that_language(client, person):
    client.force_login(person)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Neema", "preferred_language": "sw"}
    )
    assert response.url == "/sw/accounts/profile/"
    response = client.get(response.url)
    assert response.status_code == 200
    assert response["Content-Language"] == "sw"


def test_language_prefix_in_the_url_beats_the_profile(client):
    user = UserFactory(preferred_language="fr")
    client.force_login(user)

    response = client.get("/sw/accounts/profile/")

    assert response.status_code == 200
    assert response["Content-Language"] == "sw"


# --- Passwords ----------------------------------------------------------------------


def test_password_reset_sends_a_working_link(client, person, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": person.email.upper()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [person.email]
    link = link_in(mailoutbox[0])
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("accounts:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_password_reset_for_unknown_address_sends_nothing_but_looks_the_same(client, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_password_change(client, person):
    client.force_login(person)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("accounts:password_change_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


# --- Rate limits ----------------------------------------------------------------------


def test_registrations_are_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"register": (2, 3600)}
    for n in range(2):
        client.post(
            reverse("accounts:register"),
            register_data(username=f"person{n}x", email=f"p{n}@example.org"),
        )
        client.logout()
    response = client.post(
        reverse("accounts:register"), register_data(username="third", email="p3@example.org")
    )
    assert response.status_code == 429
    assert not User.objects.filter(username="third").exists()
    assert User.objects.count() == 2


def test_default_login_limit_kicks_in(client, person):
    limit = 20
    for _ in range(limit):
        client.post(reverse("accounts:login"), {"username": person.username, "password": "x"})
    response = client.post(
        reverse("accounts:login"), {"username": person.username, "password": PASSWORD}
    )
    assert response.status_code == 429


# --- Accessibility and privacy ---------------------------------------------------------


def test_register_form_is_labelled_and_autocompletes(client):
    content = client.get(reverse("accounts:register")).content.decode()

    for name in ("username", "email", "display_name", "organisation", "password1", "password2"):
        assert f'<label for="id_{name}"' in content
    assert 'autocomplete="username"' in content
    assert 'autocomplete="email"' in content
    assert content.count('autocomplete="new-password"') == 2


def test_login_form_autocompletes(client):
    content = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username"' in content and '<label for="id_password"' in content
    assert 'autocomplete="username"' in content
    assert 'autocomplete="current-password"' in content


def test_errors_are_tied_to_their_field(client):
    response = client.post(reverse("accounts:register"), register_data(email="not-an-address"))
    content = response.content.decode()
    assert 'id="id_email_error"' in content
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_email_error', content)
    assert re.search(
        r'<input[^>]*aria-invalid="true"[^>]*name="email"|name="email"[^>]*aria-invalid="true"',
        content,
    )
