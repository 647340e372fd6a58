"""The decision register: published decisions only, filters as a plain GET form, search
through Wagtail's search (PostgreSQL full-text with the database backend; the same
backend also answers on SQLite), pagination, and a query count that does not grow."""

import datetime
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.demo import decisions as demo_decisions
from cms.demo import pages
from cms.models import DecisionPage
from consultations.models import DraftVersion, Standard
from governance.models import Ballot, BallotStatus, Decision, VotingRule, WorkingGroupStatus
from tests.factories import UserFactory, WorkingGroupFactory

_numbers = itertools.count(1)


@pytest.fixture
def register(db):
    pages.load()
    return demo_decisions.register()


def decision_in(
    group,
    *,
    title=None,
    motion="The group adopts the plan.",
    outcome="adopted",
    when=None,
    version=None,
    explanation="Adopted.",
    by=None,
) -> Decision:
    """A decision as governance stores it; with `version`, from a certified ballot on it."""
    n = next(_numbers)
    when = when or timezone.now() - datetime.timedelta(days=n)
    ballot = None
    if version is not None:
        rule = VotingRule.objects.get_or_create(working_group=group, name="Majority")[0]
        ballot = Ballot.objects.create(
            working_group=group,
            title=f"Ballot {n}",
            motion=motion,
            rule=rule,
            opens_at=when - datetime.timedelta(days=7),
            closes_at=when - datetime.timedelta(days=1),
            status=BallotStatus.CERTIFIED,
            subject_type=ContentType.objects.get_for_model(DraftVersion),
            subject_id=version.pk,
        )
    return Decision.objects.create(
        working_group=group,
        ballot=ballot,
        kind=Decision.Kind.BALLOT if ballot else Decision.Kind.CONSENSUS,
        title=title or f"Decision {n}",
        motion=motion,
        outcome=outcome,
        explanations={"en": explanation, "fr": f"{explanation} (fr)"},
        certified_by=by or UserFactory(),
        decided_at=when,
    )


def page_for(register, decision, *, rationale="", live=True) -> DecisionPage:
    page = DecisionPage(
        title=decision.title,
        slug=f"decision-{decision.pk}",
        decision=decision,
        rationale=rationale,
        live=live,
    )
    register.add_child(instance=page)
    return page


@pytest.fixture
def world(register):
    framework = WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt-framework")
    steering = WorkingGroupFactory(name="Steering Committee", slug="steering-committee")
    standard = Standard.objects.create(
        title="ASM Cobalt Framework", slug="asm-cobalt-framework", working_group=framework
    )
    version = DraftVersion.objects.create(standard=standard, label="2.0")
    chair = UserFactory()
    made = {
        "framework": decision_in(
            framework,
            title="Adopt version 2.0",
            motion="The group adopts version 2.0 of the framework on pit safety.",
            version=version,
            when=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC),
            by=chair,
        ),
        "budget": decision_in(
            steering,
            title="Adopt the 2027 work plan",
            motion="The Steering Committee adopts the work plan and budget.",
            when=datetime.datetime(2026, 11, 5, 12, tzinfo=datetime.UTC),
            by=chair,
        ),
        "rejected": decision_in(
            steering,
            title="Move the secretariat to Lubumbashi",
            motion="The secretariat moves its office.",
            outcome="rejected",
            explanation="Rejected. Support 40.0 % < 66.7 %.",
            when=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC),
            by=chair,
        ),
        "draft": decision_in(
            steering, title="A draft nobody approved", motion="Draft tantalum motion.", by=chair
        ),
    }
    for key, decision in made.items():
        page_for(
            register,
            decision,
            rationale="<p>The cooperatives asked for weekly inspections.</p>"
            if key == "framework"
            else "",
            live=key != "draft",
        )
    return made


def titles(client, query: str = "") -> list[str]:
    response = client.get(f"/decisions/{query}")
    assert response.status_code == 200
    return [entry["page"].title for entry in response.context["entries"]]


def test_the_register_lists_published_decisions_newest_first(client, world):
    assert titles(client) == [
        "Adopt the 2027 work plan",
        "Adopt version 2.0",
        "Move the secretariat to Lubumbashi",
    ]
    html = client.get("/decisions/").content.decode()
    assert '<form method="get"' in html and 'role="search"' in html
    assert "ASM Cobalt Framework 2.0" in html  # the standard version it concerns
    assert "A draft nobody approved" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?group=asm-cobalt-framework", ["Adopt version 2.0"]),
        (
            "?group=steering-committee",
            ["Adopt the 2027 work plan", "Move the secretariat to Lubumbashi"],
        ),
        ("?standard=asm-cobalt-framework", ["Adopt version 2.0"]),
        ("?year=2025", ["Move the secretariat to Lubumbashi"]),
        ("?outcome=rejected", ["Move the secretariat to Lubumbashi"]),
        ("?group=steering-committee&year=2026", ["Adopt the 2027 work plan"]),
        ("?group=asm-cobalt-framework&outcome=rejected", []),
    ],
)
def test_filters(client, world, query, expected):
    assert titles(client, query) == expected


def test_a_filter_it_does_not_know_is_shown_as_an_error_and_filters_nothing(client, world):
    response = client.get("/decisions/?group=no-such-group&outcome=rejected")
    assert [e["page"].title for e in response.context["entries"]] == [
        "Move the secretariat to Lubumbashi"
    ]
    assert response.context["form"].errors.keys() == {"group"}


def test_the_year_choices_are_the_years_with_decisions(client, world):
    form = client.get("/decisions/").context["form"]
    assert [value for value, _label in form.fields["year"].choices] == ["", 2026, 2025]


@pytest.mark.parametrize(
    "words, expected",
    [
        ("safety", ["Adopt version 2.0"]),  # a word of the motion
        ("budget", ["Adopt the 2027 work plan"]),
        ("inspections", ["Adopt version 2.0"]),  # a word of the rationale
        ("Lubumbashi", ["Move the secretariat to Lubumbashi"]),  # of the title
        ("66.7", ["Move the secretariat to Lubumbashi"]),  # of the explanation
        ("pit safety", ["Adopt version 2.0"]),
        ("safety budget", []),  # every word must match
        ("tantalum", []),  # only in an unpublished draft
    ],
)
def test_search_finds_a_decision_by_its_words(client, world, words, expected):
    assert titles(client, f"?q={words}") == expected


def test_search_and_filters_combine(client, world):
    assert titles(client, "?q=adopts&group=steering-committee") == ["Adopt the 2027 work plan"]
    assert titles(client, "?q=adopts&standard=asm-cobalt-framework") == ["Adopt version 2.0"]
    html = client.get("/decisions/?q=budget").content.decode()
    assert "1 decision matches “budget”." in html


def test_a_closed_groups_decisions_leave_the_register(client, world):
    world["rejected"].working_group.status = WorkingGroupStatus.CLOSED
    world["rejected"].working_group.save(update_fields=["status"])
    assert "Move the secretariat to Lubumbashi" not in titles(client)
    assert titles(client, "?q=Lubumbashi") == []


def test_the_register_is_paginated_by_twenty(client, register):
    group = WorkingGroupFactory(slug="steering-committee")
    for _ in range(25):
        page_for(register, decision_in(group))
    response = client.get("/decisions/?group=steering-committee")
    assert len(response.context["entries"]) == 20
    html = response.content.decode()
    assert 'href="?group=steering-committee&amp;page=2"' in html and "Page 1 of 2" in html
    assert len(client.get("/decisions/?group=steering-committee&page=2").context["entries"]) == 5
    assert len(client.get("/decisions/?page=99").context["entries"]) == 5  # the last page


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def _fill(register, group, version, n):
    for i in range(n):  # decided in 2026, half of them on a standard version
        decision = decision_in(
            group,
            motion="The group adopts a measure on cobalt.",
            version=version if i % 2 else None,
            when=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=i),
        )
        page_for(register, decision)


URLS = ["/decisions/", "/decisions/?q=cobalt", "/decisions/?standard=s&year=2026"]


def test_the_query_count_does_not_grow_with_the_number_of_decisions(client, register, settings):
    """15 queries for 10 decisions as for 60, listed, searched or filtered: the site, its
    locale and the page route (5), view restrictions (2), the filter choices: groups,
    standards, years (3), the count, one page of results with decision, group and ballot
    joined, the standard versions of that page (1), the header's links to the pages
    in the reader's language (its locale, then the two pages)."""
    # A cache of its own: a shared Redis cleared by another run would change the count.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    group = WorkingGroupFactory()
    standard = Standard.objects.create(title="S", slug="s", working_group=group)
    version = DraftVersion.objects.create(standard=standard, label="1.0")
    _fill(register, group, version, 10)
    client.get(URLS[0])  # warm the site-root cache
    few = [_queries(client, url) for url in URLS]
    _fill(register, group, version, 50)
    many = [_queries(client, url) for url in URLS]
    assert few == many
    assert max(many) <= 17


def test_the_demo_register_finds_the_certified_ballots_decision_by_a_word_of_its_motion(client, db):
    call_command("load_demo", verbosity=0)
    assert titles(client) == [
        "Open a second public comment round on version 2.0",
        "Adopt the 2027 work plan",
    ]
    assert titles(client, "?q=budget") == ["Adopt the 2027 work plan"]
    html = client.get("/decisions/adopt-the-2027-work-plan/").content.decode()
    assert 'role="img"' in html and "money where the pits are" in html
