"""Pages in three languages: the demo's pages exist in French and Swahili, translated
through wagtail-localize, and /fr/ and /sw/ serve them."""

import pytest
from django.core.management import call_command
from wagtail.models import Locale
from wagtail_localize.models import Translation

from cms.models import ContentPage, HomePage
from cms.translation.pages import MissingStrings, page_translate


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_site_has_english_french_and_swahili_locales(db):
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"en", "fr", "sw"}


def test_a_reader_reads_the_demo_pages_in_french_and_swahili(client, demo):
    english = client.get("/").content.decode()
    french = client.get("/fr/").content.decode()
    swahili = client.get("/sw/").content.decode()
    assert "The whole chain, at one table." in english
    assert "Toute la chaîne, autour d" in french
    assert "Mnyororo mzima, kwenye meza moja." in swahili
    assert "The whole chain, at one table." not in swahili

    story = client.get("/sw/value-chain-participation/").content.decode()
    assert "Kila kiungo cha mnyororo kina kiti" in story  # a StreamField heading
    assert "Huleta hali halisi ya mashimo" in story  # a block's field
    assert "Every link of the chain has a seat" not in story
    assert "Vikundi kazi" in client.get("/sw/working-groups/").content.decode()
    register = client.get("/fr/decisions/").content.decode()
    assert "Registre des décisions" in register
    assert "Adopter le plan de travail 2027" in register  # the French decision page, listed
    assert "Adopt the 2027 work plan" not in register
    decision = client.get("/sw/decisions/adopt-the-2027-work-plan/").content.decode()
    assert "Mpango kazi wa 2027 unaweka fedha za muungano" in decision


def test_demo_translations_are_wagtail_localize_translations(demo):
    """So the translators' editor shows them, with their progress and PO export."""
    home = HomePage.objects.get(locale__language_code="en")
    targets = set(
        Translation.objects.filter(source__object_id=home.translation_key).values_list(
            "target_locale__language_code", flat=True
        )
    )
    assert targets == {"fr", "sw"}


def test_a_translation_missing_a_segment_is_refused_and_changes_nothing(demo):
    page = ContentPage.objects.get(locale__language_code="en")
    page.title = "A new title"
    page.save_revision().publish()
    with pytest.raises(MissingStrings, match="A new title"):
        page_translate(page=page, language="fr", strings={})
    french = ContentPage.objects.get(locale__language_code="fr")
    assert french.title == "La participation de toute la chaîne de valeur"
