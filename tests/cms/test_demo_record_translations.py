"""The demo's governance records read in French and Swahili: approved through the
translation workflow, with one translation out of date and one ballot held back."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cms.demo import record_translations
from cms.models import WorkingGroupIndexPage
from consultations.models import Comment
from governance import ballot_links, services
from governance.models import (
    Ballot,
    BallotStatus,
    GroupRole,
    RollEntry,
    TextTranslation,
    User,
    WorkingGroup,
    WorkingGroupRole,
)
from governance.services.translations import status_of


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _group_page(language: str, group: WorkingGroup) -> str:
    index = WorkingGroupIndexPage.objects.get(locale__language_code=language)
    response = Client().get(f"{index.url}{group.slug}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_demo_reads_in_french_and_swahili_through_the_workflow():
    call_command("load_demo", verbosity=0)
    translator = User.objects.get(username="translator")
    framework = WorkingGroup.objects.get(name_en="ASM Cobalt Framework")
    steering = WorkingGroup.objects.get(name_en="Steering Committee")
    assert WorkingGroupRole.objects.filter(
        person=translator, working_group=framework, role=GroupRole.TRANSLATOR
    ).exists()

    # Every text of every demo record is approved in both languages, drafted by the
    # translator, except the two the demo keeps to show the workflow's marks.
    left = []
    for record in record_translations.records():
        for field in ("name", "mandate", "label", "title", "motion", "heading", "body"):
            if not hasattr(record, f"{field}_en") or not getattr(record, f"{field}_en"):
                continue
            for language in ("fr", "sw"):
                status = status_of(record, field, language)
                if status != "approved":
                    left.append((type(record).__name__, field, language, status))
    assert sorted(left) == [
        ("Ballot", "motion", "sw", "missing"),
        ("WorkingGroup", "mandate", "fr", "out_of_date"),
        ("WorkingGroup", "mandate", "sw", "out_of_date"),
    ]
    assert set(
        TextTranslation.objects.filter(status="approved").values_list(
            "translated_by__username", "approved_by__username"
        )
    ) == {("translator", "secretariat")}

    # A Swahili reader of the framework's page reads its name and mandate in Swahili.
    page = _group_page("sw", framework)
    assert "Mfumo wa Kobalti ya Wachimbaji Wadogo" in page
    assert "Kuandaa Mfumo wa Kobalti ya Wachimbaji Wadogo, kuutolea maoni" in page
    assert "Wachimbaji wadogo 1" in page  # a seat label
    assert "Draft, consult on and maintain" not in page
    french = _group_page("fr", framework)
    assert "tenir à jour\u00a0: la norme commune" in french  # the glossary's typography

    # The Steering Committee's mandate changed in English after approval: the
    # translation still shows, marked out of date.
    page = _group_page("sw", steering)
    assert "Kuweka vipaumbele" in page or "kuweka vipaumbele" in page
    assert "out-of-date" in page
    assert (
        _in("sw", "Out of date: the English text changed after this translation was approved.")
        in page
    )
    assert "out-of-date" not in _group_page("sw", framework)

    # WCAG 3.1.2: an English source shown for want of a translation carries lang="en".
    WorkingGroup.objects.filter(pk=framework.pk).update(mandate_sw="")
    assert '<div lang="en"><p>Draft, consult on and maintain' in _group_page("sw", framework)


@pytest.mark.django_db
def test_the_demo_holder_reads_the_motion_in_swahili_and_a_ballot_waits_for_its_translation():
    call_command("load_demo", verbosity=0)
    holder = User.objects.get(username="holder")
    assert holder.preferred_language == "sw"

    ballot = Ballot.objects.get(title_en="Admit three new cooperatives")
    assert ballot.status == BallotStatus.OPEN
    entry = RollEntry.objects.get(ballot=ballot, holder=holder)
    page = Client().get(ballot_links.link_path(entry)).content.decode()
    assert "Kupokea vyama vitatu vipya vya ushirika" in page
    assert "Muungano unapokea vyama vitatu vya ushirika vya Kolwezi" in page
    assert "Kiti: Wachimbaji wadogo 1" in page or "Wachimbaji wadogo 1" in page
    assert "The alliance admits" not in page

    # Held back: its Swahili motion is missing and a Swahili reader sits on its roll.
    held = Ballot.objects.get(title_en=record_translations.HELD_BACK_TITLE)
    assert held.status == BallotStatus.DRAFT
    chair = User.objects.get(username="chair")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.ballot_open(actor=chair, ballot=held)
    assert "the motion in Swahili" in " ".join(refused.value.messages)
    held.refresh_from_db()
    assert held.status == BallotStatus.DRAFT
    assert status_of(held, "motion", "fr") == "approved"

    # The holder wrote a comment of the open round in Swahili: English readers see it
    # marked as such.
    comment = Comment.objects.get(author=holder, consultation__round_number=2)
    assert comment.language == "sw"
    page = Client().get(
        reverse("consultations:clause_comments", args=[comment.consultation_id, comment.clause.key])
    )
    html = page.content.decode()
    assert re.search(r'class="comment-text" lang="sw">\s*<p>Taja', html)
    assert "Written in Swahili" in html
