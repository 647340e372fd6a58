"""Which language a reader gets: the URL's prefix, then the switcher's choice, then a
signed-in person's preference, then the browser's Accept-Language — at `/` too — and
the switcher keeps the page the reader is on."""

import pytest
from django.conf import settings
from django.test import Client

from cms.demo import pages
from tests.factories import UserFactory, WorkingGroupFactory

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def site(db):
    pages.load()
    return WorkingGroupFactory(name="Cobalt Traceability", slug="cobalt-traceability")


def deep(group) -> str:
    return f"/working-groups/{group.slug}/"


@pytest.mark.parametrize(
    ("header", "target"),
    [("fr-CD,fr;q=0.9,en;q=0.5", "/fr/"), ("sw", "/sw/"), ("de, sw;q=0.8", "/sw/")],
)
def test_a_browser_asking_for_french_or_swahili_is_sent_there_from_the_home(site, header, target):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == target
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    home = Client().get(target, HTTP_ACCEPT_LANGUAGE=header)
    assert home.status_code == 200 and home["Content-Language"] == target.strip("/")


@pytest.mark.parametrize("header", ["en-GB,en;q=0.9,fr;q=0.5", "", "de"])
def test_english_stays_at_the_home(site, header):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


def test_a_deep_page_is_served_in_the_browsers_language(site):
    response = Client().get(deep(site), HTTP_ACCEPT_LANGUAGE="sw")
    assert response["Location"] == "/sw" + deep(site)


def test_a_prefix_in_the_url_wins_over_the_browser(site):
    response = Client().get("/fr" + deep(site), HTTP_ACCEPT_LANGUAGE="sw")
    assert response.status_code == 200 and response["Content-Language"] == "fr"


def test_a_choice_made_with_the_switcher_wins_over_the_browser(site):
    client = Client()
    client.cookies[COOKIE] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    client.cookies[COOKIE] = "sw"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr")["Location"] == "/sw/"


def test_switching_language_on_a_deep_page_keeps_the_page(site):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get("/fr" + deep(site)).text
    to_english = f'href="/i18n/en/?next=%2Ffr%2Fworking-groups%2F{site.slug}%2F"'
    assert to_english in page
    response = client.get(f"/i18n/en/?next=/fr{deep(site)}")
    assert response["Location"] == deep(site)
    assert response.cookies[COOKIE].value == "en"
    # Back at the English URL, the French browser is not sent back to French.
    english = client.get(deep(site))
    assert english.status_code == 200 and english["Content-Language"] == "en"
    response = client.get(f"/i18n/sw/?next={deep(site)}")
    assert response["Location"] == "/sw" + deep(site)
    assert client.get("/")["Location"] == "/sw/"


def test_the_switcher_never_leaves_the_site(site):
    response = Client().get("/i18n/fr/?next=https://elsewhere.example/")
    assert response["Location"] == "/fr/"


def test_the_language_of_my_browser_works_for_signed_in_people(site):
    client = Client()
    client.force_login(UserFactory(preferred_language=""))
    assert client.get(deep(site), HTTP_ACCEPT_LANGUAGE="sw")["Location"] == "/sw" + deep(site)


def test_a_signed_in_persons_language_beats_the_browser(site):
    client = Client()
    client.force_login(UserFactory(preferred_language="fr"))
    response = client.get(deep(site), HTTP_ACCEPT_LANGUAGE="sw")
    assert response.status_code == 200 and response["Content-Language"] == "fr"


def test_a_posted_form_is_never_redirected(site):
    response = Client().post("/accounts/login/", {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code != 302 or not response["Location"].startswith("/fr/")


@pytest.mark.parametrize("english_first", [True, False])
def test_the_page_cache_never_serves_one_readers_language_to_another(site, settings, english_first):
    settings.PAGE_CACHE = True
    readers = [("en", 200), ("fr", 302)]
    for header, status in readers if english_first else readers[::-1]:
        response = Client().get("/", HTTP_ACCEPT_LANGUAGE=header)
        assert response.status_code == status
    # Again, now that whatever could be stored is.
    english = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and english["Content-Language"] == "en"
    assert english.headers.get("X-Page-Cache") == "hit"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="fr")["Location"] == "/fr/"
    french = Client().get("/fr/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["Content-Language"] == "fr" and "Accept-Language" in french["Vary"]


def test_a_page_not_yet_translated_stays_in_english_rather_than_a_dead_end(site):
    from wagtail.models import Locale

    from cms.models import ContentPage, HomePage

    home = HomePage.objects.get(locale__language_code="en")
    swahili_home = home.copy_for_translation(Locale.objects.get(language_code="sw"))
    swahili_home.save_revision().publish()
    home.add_child(instance=ContentPage(title="Only in English", slug="only-in-english"))
    assert Client().get("/sw/only-in-english/").status_code == 404
    response = Client().get("/only-in-english/", HTTP_ACCEPT_LANGUAGE="sw")
    assert response.status_code == 200 and response["Content-Language"] == "en"
