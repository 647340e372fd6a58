"""In Chromium with JavaScript turned off, in French: an organisation works out its
contribution, makes a mistake, is told so in French, and applies."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from membership.models import Application
from tests.membership.conftest import make_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_applying_in_french_without_javascript(page_without_js):
    from django.utils import timezone

    make_schedule(timezone.localdate().year)
    page = page_without_js
    page.goto("/fr/join/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Participez : ajoutez votre maillon à la chaîne".replace(" :", "\u00a0:")
    )

    # The calculator is a plain form: the server answers.
    calculator = page.locator(".calculator-form")
    calculator.get_by_label("Maillon de la chaîne").select_option("refiner")
    calculator.get_by_label("Teneur en cobalt par an (tonnes)").fill("1200")
    calculator.get_by_role("button", name="Calculer").click()
    expect(page.locator("#calculator-result")).to_contain_text("Tranche B")
    expect(page.locator("#calculator-result")).to_contain_text("60")

    form = page.locator("form.application-form")
    form.get_by_label("Nom de l’organisation").fill("Raffinerie de Likasi")
    form.get_by_label("Pays").select_option("CD")
    form.get_by_label("Maillon de la chaîne").select_option("refiner")
    form.get_by_label("Personne de contact").fill("Patrice Kalenga")
    form.get_by_label("Adresse e-mail du contact").fill("patrice@likasi.example")
    form.get_by_label("Déclaration d’intention").fill("Nous voulons suivre la norme.")
    form.get_by_label("Teneur en cobalt par an (tonnes)").fill("-40")
    form.get_by_label("J’ai lu l’avis sur le droit de la concurrence", exact=False).check()
    form.get_by_role("button", name="Envoyer la demande").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Le tonnage ne peut pas être négatif.")
    assert Application.objects.count() == 0
    form = page.locator("form.application-form")
    expect(form.get_by_label("Nom de l’organisation")).to_have_value("Raffinerie de Likasi")
    form.get_by_label("Teneur en cobalt par an (tonnes)").fill("1200")
    form.get_by_label("J’ai lu l’avis sur le droit de la concurrence", exact=False).check()
    form.get_by_role("button", name="Envoyer la demande").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("votre demande a bien été reçue")
    application = Application.objects.get()
    assert (application.organisation_name, application.language) == ("Raffinerie de Likasi", "fr")
    assert application.declared_tonnes == 1200
    assert "adhésion" in mail.outbox[-1].subject
