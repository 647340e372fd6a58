"""The anonymous page cache: the next anonymous reader gets the stored page, any
change of content shows at once, nothing private or personal is ever stored, and a
cache that is away only makes pages slower."""

import pytest
from django.test import Client

from cms.demo import pages
from consultations.models import Audience
from governance import services
from governance.models import Organisation, WorkingGroup
from tests.cms.test_api import period, standard_with_versions
from tests.factories import UserFactory, WorkingGroupFactory, give_role


@pytest.fixture
def site(db, settings):
    settings.PAGE_CACHE = True
    pages.load()
    return WorkingGroupFactory(name="Cobalt Traceability", slug="cobalt-traceability")


def group_url(group) -> str:
    return f"/working-groups/{group.slug}/"


def read(client, url, **headers):
    response = client.get(url, **headers)
    return response, response.headers.get("X-Page-Cache")


def test_the_second_anonymous_reader_gets_the_stored_page(site):
    first, state = read(Client(), group_url(site))
    assert (first.status_code, state) == (200, "miss")
    assert "Cobalt Traceability" in first.text
    assert not first.cookies  # nothing per person on the page
    second, state = read(Client(), group_url(site))
    assert (second.status_code, state) == (200, "hit")
    assert second.content == first.content
    assert "s-maxage=" in second["Cache-Control"] and "public" in second["Cache-Control"]
    assert "Accept-Language" in second["Vary"]


def test_each_language_has_its_own_page(site):
    read(Client(), group_url(site))
    french, state = read(Client(), "/fr" + group_url(site))
    assert state == "miss" and french["Content-Language"] == "fr"
    assert read(Client(), "/fr" + group_url(site))[1] == "hit"


def test_a_browser_that_has_the_page_gets_a_304(site):
    first, _ = read(Client(), group_url(site))
    again = Client().get(group_url(site), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_change_through_a_service_shows_to_the_next_anonymous_reader(site, superuser):
    read(Client(), group_url(site))
    assert read(Client(), group_url(site))[1] == "hit"
    group = WorkingGroup.objects.get(pk=site.pk)
    group.mandate = "<p>Trace every kilogram from the pit to the cell.</p>"
    services.working_group_save(actor=superuser, group=group)
    fresh, state = read(Client(), group_url(site))
    assert state == "miss"
    assert "Trace every kilogram" in fresh.text


def test_a_change_in_another_app_purges_too(site, superuser):
    read(Client(), "/members/")
    assert read(Client(), "/members/")[1] == "hit"
    services.organisation_save(
        actor=superuser,
        organisation=Organisation(
            name="Lualaba Refining", chain_link="refiner", country="CD", membership_status="member"
        ),
    )
    fresh, state = read(Client(), "/members/")
    assert state == "miss"
    assert "Lualaba Refining" in fresh.text


def test_a_publication_in_wagtail_shows_at_once(site):
    home = pages.load()
    read(Client(), "/")
    assert read(Client(), "/")[1] == "hit"
    home.title = "The whole chain, at one table"
    home.save_revision().publish()
    fresh, state = read(Client(), "/")
    assert state == "miss"
    assert "The whole chain, at one table" in fresh.text


def test_signed_in_people_are_never_served_or_stored(site):
    member = UserFactory()
    client = Client()
    client.force_login(member)
    response, state = read(client, group_url(site))
    assert response.status_code == 200 and state is None
    # What they saw was not stored for anonymous readers either.
    assert read(Client(), group_url(site))[1] == "miss"


def test_a_reader_with_a_session_is_served_fresh(site):
    read(Client(), group_url(site))
    client = Client()
    client.cookies["sessionid"] = "a-session-that-may-hold-messages"
    assert read(client, group_url(site))[1] is None


def test_a_members_only_round_is_never_stored(site):
    member = UserFactory()
    give_role(member, site, "member")
    standard = standard_with_versions(site, title="MEMBERS-ONLY-STANDARD", slug="private-std")
    private = period(standard.v2, audience=Audience.MEMBERS)
    url = f"/consultations/{private.pk}/"
    insider = Client()
    insider.force_login(member)
    assert insider.get(url).status_code == 200
    stranger, state = read(Client(), url)
    assert stranger.status_code == 404 and "MEMBERS-ONLY-STANDARD" not in stranger.text
    assert state is None  # a 404 is not stored, so the next reader is asked afresh
    assert read(Client(), url)[0].status_code == 404


def test_live_pages_are_never_cached(site):
    response, state = read(Client(), f"/working-groups/{site.slug}/register/")
    assert response.status_code == 200 and state is None
    assert "no-cache" in response["Cache-Control"]


def test_with_the_cache_away_pages_still_render(site, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for _ in range(2):
        response = Client().get(group_url(site))
        assert response.status_code == 200
        assert "Cobalt Traceability" in response.text
