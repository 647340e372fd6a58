"""A reader who chose French or Swahili stays in that language whatever link they
follow: every public page reached from the home page is in their language, and no
link leads out of it except the language switcher's (marked with `hreflang`)."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

# Data, not reading: the same in every language.
LANGUAGE_FREE = ("/api/", "/static/", "/media/")
# Open data (the "Open data" page lists them): the same addresses in every language,
# asked in the reader's with `?lang=`.
OPEN_DATA = ("/feeds/", "/calendar", "/exports/")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("/") and "hreflang" not in attrs:
            self.links.append(href.split("#")[0])


def _crawl(client: Client, start: str, limit: int = 200):
    """Breadth first over the site's own HTML pages; yields (path, parsed page)."""
    seen, queue = set(), [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        page = _Page()
        page.feed(response.content.decode())
        yield path, page
        queue.extend(link for link in page.links if link.startswith(start))


@pytest.mark.parametrize("language", ["sw", "fr"])
def test_every_link_keeps_the_reader_in_their_language(db, language):
    call_command("load_demo", verbosity=0)
    start = f"/{language}/"
    pages = wrong_language = 0
    leaks = {}
    for path, page in _crawl(Client(), start):
        pages += 1
        if page.lang != language:
            wrong_language += 1
        for link in page.links:
            if link.startswith(OPEN_DATA) and f"lang={language}" in link:
                continue
            if not link.startswith(start) and not link.startswith(LANGUAGE_FREE):
                leaks.setdefault(link, path)
    # The demo's public site: pages, groups, decisions, standards, members and more.
    assert pages > 60
    assert wrong_language == 0
    assert leaks == {}, f"links out of /{language}/ (link: page): {leaks}"


def test_the_header_leads_to_the_pages_in_the_readers_language(db):
    call_command("load_demo", verbosity=0)
    html = Client().get("/sw/").content.decode()
    assert 'class="brand" href="/sw/"' in html
    assert 'href="/sw/working-groups/"' in html
    assert 'href="/sw/decisions/"' in html
