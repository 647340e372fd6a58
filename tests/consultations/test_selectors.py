"""Reads for the consultation pages: what they return, and that their query counts
do not depend on the number of comments."""

import datetime

import pytest
from django.utils import timezone

from consultations import selectors
from consultations.models import Consultation
from consultations.redline import ClauseText
from consultations.resolution_matrix import MatrixRow
from tests.consultations.test_views import (
    Scene,
    closed,
    comment,
    dispose,
    period,
    standard,
    version,
)
from tests.factories import ChamberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_consultation_page_counts_active_comments_of_this_period_only(django_assert_num_queries):
    scene = Scene()
    first, second, third = scene.clauses
    comment(scene.consultation, scene.member, first)
    comment(scene.consultation, scene.commenter, first, body="Mine.")
    comment(scene.consultation, scene.member, first, withdrawn_at=timezone.now())
    comment(scene.consultation, scene.commenter, None, body="Mine, general.")
    comment(
        scene.consultation, scene.commenter, second, body="Withdrawn.", withdrawn_at=timezone.now()
    )
    other = period(scene.version, opens_at=scene.consultation.closes_at)
    comment(other, scene.member, first)

    with django_assert_num_queries(3):
        page = selectors.consultation_page(scene.consultation, scene.commenter)

    assert [c.comment_count for c in page.clauses] == [2, 0, 0]
    assert page.general_count == 1
    assert [c.body for c in page.clauses[0].own_comments] == ["Mine."]
    assert page.clauses[1].own_comments == [] and page.clauses[2].own_comments == []
    assert [c.body for c in page.own_general] == ["Mine, general."]
    assert page.own_count == 2


def test_consultation_page_for_an_anonymous_reader(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    scene = Scene()
    comment(scene.consultation, scene.member, scene.clauses[0])
    with django_assert_num_queries(2):
        page = selectors.consultation_page(scene.consultation, AnonymousUser())
    assert page.own_count == 0 and page.clauses[0].comment_count == 1


def test_public_comments_of_a_clause_or_general():
    scene = Scene()
    on_clause = comment(scene.consultation, scene.member, scene.clauses[0])
    general = comment(scene.consultation, scene.member, None)
    comment(scene.consultation, scene.member, scene.clauses[0], withdrawn_at=timezone.now())
    assert list(selectors.public_comments(scene.consultation, scene.clauses[0])) == [on_clause]
    assert list(selectors.public_comments(scene.consultation, None)) == [general]


def test_progress_counts_active_comments():
    scene = Scene()
    done = comment(scene.consultation, scene.member, scene.clauses[0])
    dispose(done, scene.secretariat)
    comment(scene.consultation, scene.member, scene.clauses[1])
    comment(scene.consultation, scene.member, None, withdrawn_at=timezone.now())
    progress = selectors.resolution_progress(scene.consultation)
    assert (progress.resolved, progress.total, progress.percent) == (1, 2, 50)
    assert not progress.complete
    empty = selectors.resolution_progress(period(version(standard(), "1")))
    assert (empty.resolved, empty.total, empty.complete) == (0, 0, True)


def test_resolution_comments_filters_and_order(django_assert_num_queries):
    scene = Scene()
    refiners = ChamberFactory(name="Refiners")
    third = comment(scene.consultation, scene.member, scene.clauses[2], comment_type="ed")
    first = comment(scene.consultation, scene.member, scene.clauses[0], chamber=scene.chamber)
    general = comment(scene.consultation, scene.member, None, comment_type="ge", chamber=refiners)
    dispose(first, scene.secretariat)

    def pks(**filters):
        return [c.pk for c in selectors.resolution_comments(scene.consultation, **filters)]

    assert pks() == [general.pk, first.pk, third.pk]  # general first, then clause order
    assert pks(status=selectors.DISPOSED) == [first.pk]
    assert pks(status=selectors.UNDISPOSED) == [general.pk, third.pk]
    assert pks(clause="general") == [general.pk]
    assert pks(clause=str(scene.clauses[2].pk)) == [third.pk]
    assert pks(comment_type="ed") == [third.pk]
    assert pks(chamber=refiners.pk) == [general.pk]
    with django_assert_num_queries(1):
        rows = list(selectors.resolution_comments(scene.consultation))
        [(c.clause, c.author.public_name, c.chamber, getattr(c, "disposition", None)) for c in rows]
    assert list(selectors.resolution_chambers(scene.consultation)) == [scene.chamber, refiners]


def test_resulting_clauses_are_of_later_versions_of_the_same_standard():
    scene = Scene()
    earlier = version(
        scene.standard,
        "0.9",
        [("1", "Old", "")],
        created_at=scene.version.created_at - datetime.timedelta(days=30),
    )
    later = version(scene.standard, "2.0", [("1", "Scope", ""), ("2", "New", "")])
    version(standard(scene.group), "2.0", [("1", "Other standard", "")])
    choices = selectors.resulting_clause_choices(scene.consultation)
    assert {c.version_id for c in choices} == {later.pk}
    assert [c.number for c in choices] == ["1", "2"]
    assert earlier.pk not in {c.version_id for c in choices}


def test_synopsis_groups_active_comments_by_clause():
    scene = Scene()
    second = comment(scene.consultation, scene.member, scene.clauses[1], body="On two.")
    dispose(second, scene.secretariat, "accepted", "Yes.")
    general = comment(scene.consultation, scene.member, None, body="General.")
    comment(scene.consultation, scene.member, scene.clauses[2], withdrawn_at=timezone.now())
    synopsis = selectors.synopsis(scene.consultation)
    assert [c.number for c in synopsis.clauses] == ["2"]
    assert synopsis.clauses[0].period_comments == [second]
    assert synopsis.clauses[0].period_comments[0].disposition.response == "Yes."
    assert synopsis.general == [general]
    assert synopsis.total == 2


def test_matrix_rows():
    scene = Scene()
    row = comment(
        scene.consultation,
        scene.member,
        scene.clauses[1],
        body="Body.",
        proposed_change="Change.",
        paragraph="Table 1",
        organisation_name="Kolwezi Miners' Cooperative",
    )
    dispose(row, scene.secretariat, "not_accepted", "Out of our hands.")
    comment(
        scene.consultation,
        UserFactory(),
        None,
        body="Imported.",
        comment_type="ge",
        commenter_name="Ada Lovelace",
        source="import",
    )
    assert selectors.matrix_rows(scene.consultation) == [
        MatrixRow("Ada Lovelace", "", "", "", "ge", "Imported.", "", ""),
        MatrixRow(
            "Amani Kabila",
            "Kolwezi Miners' Cooperative",
            "2",
            "Table 1",
            "te",
            "Body.",
            "Change.",
            "Not accepted: Out of our hands.",
        ),
    ]


def test_clause_texts_and_numbers():
    scene = Scene()
    texts = selectors.clause_texts(scene.version)
    assert texts[0] == ClauseText(
        key=scene.clauses[0].key,
        number="1",
        heading="Scope",
        body="This standard applies to artisanal cobalt mining sites.",
    )
    assert selectors.clause_numbers(scene.version) == {"1", "2", "3"}


def test_standard_versions_with_periods(django_assert_num_queries):
    scene = Scene()
    closed(scene.consultation)
    second = period(scene.version)
    with django_assert_num_queries(2):
        versions = selectors.standard_versions(scene.standard, None, private=True)
        rounds = [list(v.consultations.all()) for v in versions]
    assert versions[0].clause_count == 3
    assert rounds == [[scene.consultation, second]]
    assert isinstance(rounds[0][0], Consultation)
