"""Governance texts in the reader's language (django-modeltranslation), with the
English source as fallback marked lang="en", and the note that says which is
authoritative."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

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


# --- No seat votes on a text it cannot read ----------------------------------


def draft_ballot(group, chair, rule):
    ballot = Ballot(
        working_group=group,
        title="Adopt the Artisanal Cobalt Standard 2.0",
        motion=MOTION,
        rule=rule,
        opens_at=timezone.now() - datetime.timedelta(minutes=5),
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )
    return services.ballot_save(actor=chair, ballot=ballot)


def test_a_ballot_will_not_open_on_a_motion_its_voters_cannot_read(group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    translate(ballot, translator, secretariat, "title", "sw", "Kupitisha Kiwango 2.0")
    with pytest.raises(ValidationError) as refused:
        services.ballot_open(actor=chair, ballot=ballot)
    assert "the motion in Swahili" in str(refused.value)
    assert "the title" not in str(refused.value)
    ballot.refresh_from_db()
    assert ballot.status == "draft" and not ballot.roll.exists()
    translate(ballot, translator, secretariat, "motion", "sw", MOTION_SW)
    assert services.ballot_open(actor=chair, ballot=ballot).status == "open"


def test_an_out_of_date_translation_holds_the_ballot_back(group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    translate(ballot, translator, secretariat, "title", "sw", "Kupitisha Kiwango 2.0")
    translate(ballot, translator, secretariat, "motion", "sw", MOTION_SW)
    ballot.motion = MOTION + " Amended."
    services.ballot_save(actor=chair, ballot=ballot)
    with pytest.raises(ValidationError, match="the motion in Swahili"):
        services.ballot_open(actor=chair, ballot=ballot)


def test_a_waiver_with_its_reason_opens_it_and_shows_on_the_ballot(client, group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    with pytest.raises(PermissionDenied):
        services.ballot_waive_translations(actor=chair, ballot=ballot, reason="Urgent.")
    with pytest.raises(ValidationError):
        services.ballot_waive_translations(actor=secretariat, ballot=ballot, reason=" ")
    services.ballot_waive_translations(
        actor=secretariat, ballot=ballot, reason="The motion is read aloud in Swahili."
    )
    assert services.ballot_open(actor=chair, ballot=ballot).status == "open"
    event = AuditEvent.objects.get(action="ballot.translation_waived")
    assert event.payload == {"reason": "The motion is read aloud in Swahili."}
    client.force_login(holder)
    page = text(client.get(reverse("ballots:detail", args=[ballot.pk])))
    assert "The motion is read aloud in Swahili." in page


def test_a_proxy_named_after_opening_must_read_the_ballot_too(group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    for field, text_ in (("title", "Kupitisha Kiwango 2.0"), ("motion", MOTION_SW)):
        translate(ballot, translator, secretariat, field, "sw", text_)
    ballot = services.ballot_open(actor=chair, ballot=ballot)
    english_holder = ballot.roll.get(seat=seats[1]).holder
    french_reader = UserFactory(preferred_language="fr", display_name="Aline Kasongo")
    with pytest.raises(ValidationError) as refused:
        services.delegation_grant(
            actor=english_holder, ballot=ballot, seat=seats[1], proxy=french_reader
        )
    assert "Aline Kasongo reads French" in str(refused.value)
    assert not ballot.delegations.exists()
    swahili_reader = UserFactory(preferred_language="sw")
    services.delegation_grant(
        actor=english_holder, ballot=ballot, seat=seats[1], proxy=swahili_reader
    )
    translate(ballot, translator, secretariat, "title", "fr", "Adopter la norme 2.0")
    translate(ballot, translator, secretariat, "motion", "fr", "Le groupe adopte la norme.")
    services.delegation_grant(
        actor=english_holder, ballot=ballot, seat=seats[1], proxy=french_reader
    )
    assert ballot.delegations.filter(proxy=french_reader, revoked_at__isnull=True).exists()


# --- The holder's emails in their language ------------------------------------


def test_the_link_email_shows_the_motion_and_seat_in_the_holders_language(
    client, group, miner, people, django_capture_on_commit_callbacks
):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    translate(ballot, translator, secretariat, "title", "sw", "Kupitisha Kiwango 2.0")
    translate(ballot, translator, secretariat, "motion", "sw", MOTION_SW)
    translate(seats[0], translator, secretariat, "label", "sw", "Vyama vya Kolwezi 1")
    services.ballot_open(actor=chair, ballot=ballot)
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballots:send_links", args=[ballot.pk]))
    to_holder = next(m for m in mail.outbox if m.to == [holder.email])
    assert "Kupitisha Kiwango 2.0" in to_holder.subject
    assert MOTION_SW in to_holder.body and "Vyama vya Kolwezi 1" in to_holder.body
    assert in_language("sw", "Translation — the English text is authoritative.") in to_holder.body
    to_other = next(m for m in mail.outbox if m.to == [other.email])
    assert MOTION in to_other.body and "Translation" not in to_other.body


# --- The translator's screen ----------------------------------------------------


def test_the_translators_screen_lists_texts_and_shows_the_glossary(client, group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    client.force_login(translator)
    listing = client.get(reverse("governance_translations"))
    assert listing.status_code == 200
    assert "Adopt the Artisanal Cobalt Standard 2.0" in text(listing)
    edit = reverse("governance_translation_edit", args=[ct_of(ballot), ballot.pk, "motion", "sw"])
    page = client.get(edit)
    # The motion speaks of a "working group": the glossary gives "kikundi kazi".
    assert page.status_code == 200 and "kikundi kazi" in text(page)
    assert 'value="approve"' not in page.content.decode()
    assert client.post(edit, {"action": "draft", "text": MOTION_SW}).status_code == 302
    assert client.post(edit, {"action": "approve"}).status_code == 400
    ballot.refresh_from_db()
    assert ballot.motion_sw is None
    client.force_login(secretariat)
    assert 'value="approve"' in client.get(edit).content.decode()
    assert client.post(edit, {"action": "approve"}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.motion_sw == MOTION_SW


def test_people_who_do_not_translate_are_kept_out(client, group, miner, people):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    client.force_login(member)
    edit = reverse("governance_translation_edit", args=[ct_of(ballot), ballot.pk, "motion", "sw"])
    assert client.get(reverse("governance_translations")).status_code in (302, 403)
    assert client.post(edit, {"action": "draft", "text": "x"}).status_code in (302, 403)
    assert not TextTranslation.objects.exists()


def test_the_overview_takes_the_same_queries_for_many_records(
    client, group, miner, people, django_assert_max_num_queries
):
    """Queries: session, user, permissions, groups, then one per kind of record and
    one for the translation rows, whatever their number."""
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    client.force_login(translator)
    draft_ballot(group, chair, rule)
    client.get(reverse("governance_translations"))  # warm caches (content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("governance_translations"))
    for n in range(8):
        ballot = draft_ballot(group, chair, rule)
        services.translation_draft(
            actor=translator, record=ballot, field="title", language="fr", text=f"Titre {n}"
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("governance_translations"))
    assert len(many) == len(few)


def ct_of(record) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk
