"""Governance texts in the reader's language (django-modeltranslation), with the
English source as fallback marked lang="en", and the note that says which is
authoritative."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from governance import services
from governance.models import AuditEvent, Ballot, GroupRole, TextTranslation
from tests.factories import UserFactory, give_role
from tests.governance import test_low_bandwidth as low_bandwidth
from tests.governance.test_low_bandwidth import MOTION, link_for, open_ballot, text

miner = low_bandwidth.miner

pytestmark = pytest.mark.django_db

MOTION_SW = "Kikundi kazi kinapitisha toleo la 2.0 la Kiwango cha Kobalti cha Wachimbaji Wadogo."


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_a_swahili_reader_sees_the_motion_in_swahili(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    ballot.title_sw, ballot.motion_sw = "Kupitisha Kiwango 2.0", MOTION_SW
    ballot.save(update_fields=["title_sw", "motion_sw"])
    seats[0].label_sw = "Vyama vya ushirika vya Kolwezi 1"
    seats[0].save(update_fields=["label_sw"])
    page = text(client.get(link_for(ballot, seats[0])))
    assert "Kupitisha Kiwango 2.0" in page and MOTION_SW in page
    assert "Vyama vya ushirika vya Kolwezi 1" in page
    assert "Adopt the Artisanal Cobalt Standard" not in page
    assert in_language("sw", "Translation — the English text is authoritative.") in page


def test_an_untranslated_text_shows_the_english_marked_as_english(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    body = client.get(link_for(ballot, seats[0])).content.decode()
    assert '<span lang="en">Adopt the Artisanal Cobalt Standard 2.0</span>' in body
    assert '<div lang="en"><p>The ASM Cobalt Framework' in body
    note = "Not yet translated into your language: shown in English, the original text."
    assert in_language("sw", note) in text(client.get(link_for(ballot, seats[0])))


def test_an_english_reader_sees_the_source_without_notes(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    body = client.get(link_for(ballot, seats[1])).content.decode()
    assert "Adopt the Artisanal Cobalt Standard 2.0" in body
    assert 'lang="en">Adopt' not in body and "translation-note" not in body


# --- The workflow: a translator drafts, the secretariat approves ---------------


@pytest.fixture
def people(group):
    translator, secretariat, member = UserFactory(), UserFactory(), UserFactory()
    give_role(translator, group, GroupRole.TRANSLATOR)
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    give_role(member, group, GroupRole.MEMBER)
    return translator, secretariat, member


def translate(ballot, translator, secretariat, field, language, text_):
    services.translation_draft(
        actor=translator, record=ballot, field=field, language=language, text=text_
    )
    services.translation_approve(actor=secretariat, record=ballot, field=field, language=language)


def test_a_draft_stays_hidden_until_the_secretariat_approves(client, group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = open_ballot(group, chair, rule)
    services.translation_draft(
        actor=translator, record=ballot, field="motion", language="sw", text=MOTION_SW
    )
    assert MOTION_SW not in text(client.get(link_for(ballot, seats[0])))
    row = services.translation_approve(
        actor=secretariat, record=ballot, field="motion", language="sw"
    )
    assert (row.translated_by, row.approved_by, row.status) == (translator, secretariat, "approved")
    assert MOTION_SW in text(client.get(link_for(ballot, seats[0])))
    actions = list(
        AuditEvent.objects.filter(action__startswith="translation.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["translation.drafted", "translation.approved"]


def test_only_translators_draft_and_only_the_secretariat_approves(group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = open_ballot(group, chair, rule)
    with pytest.raises(PermissionDenied):
        services.translation_draft(
            actor=member, record=ballot, field="motion", language="sw", text=MOTION_SW
        )
    services.translation_draft(
        actor=translator, record=ballot, field="motion", language="sw", text=MOTION_SW
    )
    for not_secretariat in (translator, member, holder):
        with pytest.raises(PermissionDenied):
            services.translation_approve(
                actor=not_secretariat, record=ballot, field="motion", language="sw"
            )
    ballot.refresh_from_db()
    assert ballot.motion_sw is None
    assert TextTranslation.objects.get(field="motion").status == "draft"


def test_bad_input_changes_nothing(group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = open_ballot(group, chair, rule)
    for field, language, text_ in (
        ("motion", "en", "x"),
        ("status", "sw", "x"),
        ("motion", "sw", " "),
    ):
        with pytest.raises(ValidationError):
            services.translation_draft(
                actor=translator, record=ballot, field=field, language=language, text=text_
            )
    with pytest.raises(ValidationError):
        services.translation_approve(
            actor=secretariat, record=ballot, field="motion", language="sw"
        )
    assert not TextTranslation.objects.exclude(status="missing").exists()
    assert not AuditEvent.objects.filter(action__startswith="translation.").exists()


def test_an_english_edit_marks_the_translation_out_of_date_until_revised(
    client, group, miner, people
):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = open_ballot(group, chair, rule)
    translate(ballot, translator, secretariat, "title", "sw", "Kupitisha Kiwango 2.0")
    translate(ballot, translator, secretariat, "motion", "sw", MOTION_SW)
    out_of_date = in_language(
        "sw", "Out of date: the English text changed after this translation was approved."
    )
    assert out_of_date not in text(client.get(link_for(ballot, seats[0])))
    Ballot.objects.filter(pk=ballot.pk).update(motion_en=MOTION + " Amended.")
    page = text(client.get(link_for(ballot, seats[0])))
    assert out_of_date in page and MOTION_SW in page
    ballot.refresh_from_db()
    assert services.translations.status_of(ballot, "motion", "sw") == "out_of_date"
    translate(ballot, translator, secretariat, "motion", "sw", MOTION_SW + " Imerekebishwa.")
    page = text(client.get(link_for(ballot, seats[0])))
    assert out_of_date not in page and "Imerekebishwa." in page
