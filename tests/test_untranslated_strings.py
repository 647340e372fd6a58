"""The strings found in English on French and Swahili pages: Django's password rules
on the registration page (Django has no Swahili for them) and the discussion form's
help (formatted once, at import, in English)."""

import html

import pytest
from django.test import Client

from cms.demo import pages
from tests.consultations.test_discussions import DiscussionScene


def text(response) -> str:
    assert response.status_code in (200, 400)
    return html.unescape(response.content.decode())


@pytest.fixture
def site(db):
    pages.load()


def test_the_swahili_registration_page_states_the_password_rules_in_swahili(site):
    page = text(Client().get("/sw/accounts/register/"))
    assert "Nenosiri lako lisifanane sana na taarifa zako nyingine binafsi." in page
    assert "Nenosiri lako lazima liwe na angalau herufi 8." in page
    assert "Nenosiri lako lisiwe nenosiri linalotumiwa na watu wengi." in page
    assert "Nenosiri lako lisiwe la tarakimu tupu." in page
    assert "Your password" not in page


def test_the_swahili_registration_page_refuses_a_password_in_swahili(site):
    sent = {"username": "neema", "email": "neema@example.org", "display_name": "Neema"}
    page = text(
        Client().post("/sw/accounts/register/", {**sent, "password1": "1234", "password2": "1234"})
    )
    assert "Nenosiri hili ni fupi mno. Lazima liwe na angalau herufi 8." in page
    assert "Nenosiri hili lina tarakimu tupu." in page
    assert "This password" not in page


def test_the_french_registration_page_states_the_password_rules_in_french(site):
    page = text(Client().get("/fr/accounts/register/"))
    assert "Votre mot de passe doit contenir au minimum 8 caractères." in page
    assert "Your password" not in page


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        ("sw", "Maandishi ya kawaida, yasiyozidi herufi 2000."),
        ("fr", "Texte simple, 2000 caractères au maximum."),
    ],
)
def test_the_discussion_form_helps_in_the_page_language(db, language, help_text):
    scene = DiscussionScene()
    client = Client()
    client.force_login(scene.member)
    page = text(client.get(f"/{language}/discussions/{scene.general.pk}/"))
    assert help_text in page
    assert "Plain text, up to" not in page


# The home, working-group and decision-register headings and introductions: the demo's
# page translations, tested in tests/cms/test_page_translations.py.
