"""The "Open data" page, linked from every page's footer, lists every feed, calendar,
export and the API with its documentation; each link answers, in the reader's language."""

import re

import pytest
from django.test import Client

from tests.cms.test_api import build_world

HREF = re.compile(r'<a href="([^"]+)"')


@pytest.fixture
def world(db):
    return build_world()


def _article_links(response) -> list[str]:
    html = response.content.decode()
    article = html[html.index('<article class="open-data"') : html.index("</article>")]
    return [link.replace("&amp;", "&") for link in HREF.findall(article)]


@pytest.mark.parametrize(
    "language, prefix, title",
    [("en", "", "Open data"), ("fr", "/fr", "Données ouvertes"), ("sw", "/sw", "Data huria")],
)
def test_every_listed_link_answers_in_the_readers_language(world, language, prefix, title):
    client = Client()
    page = client.get(f"{prefix}/open-data/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<h1 id="open-data-title">{title}</h1>' in html
    # The footer of every page leads here, in the reader's language.
    assert f'href="{prefix}/open-data/"' in html
    links = _article_links(page)
    for expected in (
        "/feeds/decisions.rss",
        "/feeds/decisions.atom",
        "/feeds/consultations.rss",
        "/feeds/consultations.atom",
        "/feeds/groups/steering-committee/decisions.rss",
        "/feeds/groups/asm-cobalt-framework/consultations.atom",
        "/calendar.ics",
        "/calendar/groups/steering-committee.ics",
        "/exports/decisions.csv",
        "/exports/decisions.xlsx",
        f"/exports/ballots/{world.work_plan.pk}.csv",
        f"/exports/ballots/{world.secret.pk}.xlsx",
        "/api/v1/docs",
        "/api/v1/openapi.json",
    ):
        assert any(link.split("?")[0] == expected for link in links), expected
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, (link, response.status_code)
        if language != "en" and not link.startswith("/api/v1/docs") and "openapi" not in link:
            assert f"lang={language}" in link, link
    # The data opened from a French or Swahili page speaks that language.
    feed = client.get(next(link for link in links if link.startswith("/feeds/decisions.rss")))
    assert f"<language>{language}</language>" in feed.content.decode()


def test_the_open_data_page_costs_the_same_with_more_groups(world, django_assert_max_num_queries):
    from tests.factories import WorkingGroupFactory

    client = Client()
    with django_assert_max_num_queries(12) as few:
        client.get("/open-data/")
    for n in range(10):
        WorkingGroupFactory(name=f"Group {n}", slug=f"group-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/open-data/?more").status_code == 200
