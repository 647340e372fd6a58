"""RSS and Atom feeds parse cleanly (feedparser, bozo 0) and list the demo-like items."""

import datetime

import feedparser
import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from cms import decisions as cms_decisions
from cms.demo import decisions as demo_decisions
from cms.demo import pages
from consultations.models import Consultation
from governance.models import Decision
from governance.services.decisions import decision_record_consensus
from tests.cms.test_api import build_world, period
from tests.factories import WorkingGroupFactory

FEEDS = [
    "/feeds/decisions.rss",
    "/feeds/decisions.atom",
    "/feeds/consultations.rss",
    "/feeds/consultations.atom",
]


@pytest.fixture
def world(db):
    return build_world()


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_are_valid_rss_and_atom(client, world, url):
    response, feed = parse(client, url)
    atom = url.endswith(".atom")
    assert feed.version == ("atom10" if atom else "rss20")
    assert response["Content-Type"].startswith(
        "application/atom+xml" if atom else "application/rss+xml"
    )
    assert "max-age=300" in response["Cache-Control"] and response["ETag"]
    assert feed.feed.title.startswith("Chaintable")


@pytest.mark.parametrize("suffix", ["rss", "atom"])
def test_decisions_feed_lists_the_certified_decision(client, world, suffix):
    _response, feed = parse(client, f"/feeds/decisions.{suffix}")
    (entry,) = feed.entries
    assert entry.title == "Adopt the 2027 work plan — Adopted"
    assert entry.link == f"http://testserver/ballots/{world.work_plan.pk}/"
    assert entry.id == f"decision-{world.decision.pk}@chaintable"
    assert "2027 work plan" in entry.summary and "Adopted." in entry.summary
    assert "Steering Committee" in {tag.term for tag in entry.tags}


def test_a_consensus_decision_links_to_its_group(client, world):
    Decision.objects.create(
        working_group=world.framework,
        kind=Decision.Kind.CONSENSUS,
        title="Adopt the glossary",
        motion="The group adopts the glossary.",
        outcome="adopted",
        certified_by=world.chair,
        decided_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    _response, feed = parse(client, "/feeds/decisions.rss")
    assert [e.title for e in feed.entries] == [
        "Adopt the glossary — Adopted",
        "Adopt the 2027 work plan — Adopted",
    ]
    assert feed.entries[0].link.startswith("http://testserver/")


def test_items_and_the_api_lead_to_the_published_decision_page(client, world):
    """Once a decision's page is published, the feeds, the API and the export link to it,
    not to the ballot; a consensus decision gets its page's address too."""
    pages.load()
    demo_decisions.register()
    consensus = decision_record_consensus(
        actor=world.chair,
        group=world.framework,
        title="Adopt the glossary",
        motion="The group adopts the glossary.",
    )
    for decision in (world.decision, consensus):
        page = cms_decisions.draft_page(decision)
        page.save_revision().publish()
    paths = {
        world.decision.pk: "/decisions/adopt-the-2027-work-plan/",
        consensus.pk: "/decisions/adopt-the-glossary/",
    }
    api = client.get("/api/v1/decisions").json()
    assert {d["id"]: d["url"] for d in api["items"]} == paths
    assert client.get(f"/api/v1/decisions/{consensus.pk}").json()["url"] == paths[consensus.pk]
    for suffix in ("rss", "atom"):
        _response, feed = parse(client, f"/feeds/decisions.{suffix}")
        assert sorted(e.link for e in feed.entries) == sorted(
            f"http://testserver{path}" for path in paths.values()
        )
    assert client.get(paths[consensus.pk]).status_code == 200
    export = client.get("/exports/decisions.csv").content.decode()
    assert all(path in export for path in paths.values())


def test_the_api_gives_a_consensus_without_a_page_its_group_page(client, world):
    consensus = decision_record_consensus(
        actor=world.chair,
        group=world.framework,
        title="Adopt the glossary",
        motion="The group adopts the glossary.",
    )
    url = client.get(f"/api/v1/decisions/{consensus.pk}").json()["url"]
    assert url and url.startswith("/")


@pytest.mark.parametrize("suffix", ["rss", "atom"])
def test_per_group_decision_feeds(client, world, suffix):
    _response, steering = parse(client, f"/feeds/groups/steering-committee/decisions.{suffix}")
    assert [e.title for e in steering.entries] == ["Adopt the 2027 work plan — Adopted"]
    assert "Steering Committee" in steering.feed.title
    _response, framework = parse(client, f"/feeds/groups/asm-cobalt-framework/decisions.{suffix}")
    assert framework.entries == []


def test_unknown_and_closed_groups_have_no_feed(client, world):
    WorkingGroupFactory(slug="dissolved", status="closed")
    assert client.get("/feeds/groups/nope/decisions.rss").status_code == 404
    assert client.get("/feeds/groups/dissolved/decisions.atom").status_code == 404


@pytest.mark.parametrize("suffix", ["rss", "atom"])
def test_consultations_feed_lists_public_periods_once_open(client, world, suffix):
    upcoming = period(world.std.v1, round_number=3, opened_days_ago=-5)
    _response, feed = parse(client, f"/feeds/consultations.{suffix}")
    (entry,) = feed.entries  # not the members-only round, not the one still to open
    assert entry.title == "Comment period open: ASM Cobalt Framework 2.0-draft, round 1"
    assert entry.link == f"http://testserver/consultations/{world.public.pk}/"
    assert entry.id == f"consultation-{world.public.pk}-opens@chaintable"
    assert "Comment clause by clause." in entry.summary
    Consultation.objects.filter(pk=upcoming.pk).update(
        opens_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    _response, feed = parse(client, f"/feeds/consultations.{suffix}")
    assert len(feed.entries) == 2


def test_per_group_consultation_feeds(client, world):
    _response, feed = parse(client, "/feeds/groups/asm-cobalt-framework/consultations.atom")
    assert len(feed.entries) == 1
    _response, feed = parse(client, "/feeds/groups/steering-committee/consultations.rss")
    assert feed.entries == []


def test_feeds_speak_the_request_language(client, world):
    Decision.objects.filter(pk=world.decision.pk).update(
        explanations={"en": "Adopted, in English.", "fr": "Adoptée, en français."}
    )
    response = client.get("/feeds/decisions.rss", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Accept-Language" in response["Vary"]
    feed = feedparser.parse(response.content)
    assert feed.feed.language == "fr"
    assert feed.entries[0].summary.endswith("Adoptée, en français.")
    feed = feedparser.parse(client.get("/feeds/decisions.atom?lang=sw").content)
    assert feed.feed.language == "sw"
    assert feed.entries[0].summary.endswith("Adopted, in English.")  # no Swahili yet


def test_the_demo_is_in_the_feeds_calendar_and_api(client, db):
    """`make run`'s demo: the certified ballot's decision, the public round and the
    open ballot are in the feeds, the calendar and the API."""
    call_command("load_demo", verbosity=0)
    _response, decisions = parse(client, "/feeds/decisions.atom")
    assert "Adopt the 2027 work plan — Adopted" in [e.title for e in decisions.entries]
    _response, rounds = parse(client, "/feeds/consultations.rss")
    assert any("ASM Cobalt Framework" in e.title for e in rounds.entries)
    calendar = Calendar.from_ical(client.get("/calendar.ics").content)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert "Ballot closes: Admit three new cooperatives" in summaries
    api = client.get("/api/v1/decisions").json()
    assert "Adopt the 2027 work plan" in [d["title"] for d in api["items"]]
    # Every decision (the consensus one too) leads to its page, in the feed and the API.
    assert {d["kind"] for d in api["items"]} == {"ballot", "consensus"}
    assert all(d["url"].startswith("/decisions/") for d in api["items"])
    assert all(e.link.startswith("http://testserver/decisions/") for e in decisions.entries)
    assert client.get("/api/v1/openapi.json").status_code == 200
