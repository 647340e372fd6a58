"""Two people in one thread, in real Chromium, over real WebSockets.

The project's ASGI application runs in a daphne child process (tests/live_asgi.py),
forked before the browser starts and before any test data exists; the tests commit
their data (transactional_db), so the child sees it.
"""

import time

import pytest
from django.test import Client

from consultations.services import discussions as services
from tests.consultations.test_discussions import DiscussionScene
from tests.live_asgi import serve_asgi

pytestmark = pytest.mark.browser


@pytest.fixture
def live_daphne(django_db_setup, django_db_blocker):
    """The base URL of daphne serving config.asgi (pages, static files and /ws/).

    One server per test: the flush after a test makes the content types afresh with new
    ids, and a server that outlived it would index new messages under the old ones."""
    with serve_asgi(django_db_blocker) as (base_url,):
        yield base_url


def _person(chromium, base_url: str, user):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=base_url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _bodies(page) -> list[str]:
    return page.locator("[data-messages] .message-body").all_inner_texts()


def _post(page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator("[data-messages] .message-body", has_text=text).wait_for()


def test_two_readers_live_and_after_going_offline(live_daphne, chromium, transactional_db):
    from playwright.sync_api import expect

    scene = DiscussionScene()
    thread_url = f"/discussions/{scene.general.pk}/"
    context_a, a = _person(chromium, live_daphne, scene.member)
    context_b, b = _person(chromium, live_daphne, scene.outsider)
    try:
        for page in (a, b):
            page.goto(thread_url)
            expect(page.get_by_role("status")).to_have_text("Live: caught up.")

        # A posts; B sees it within two seconds, without reloading.
        started = time.monotonic()
        a.get_by_label("Your message").fill("Shall we start with clause 1?")
        a.get_by_role("button", name="Post", exact=True).click()
        expect(b.locator("[data-messages] .message-body")).to_have_text(
            ["Shall we start with clause 1?"], timeout=2_000
        )
        assert time.monotonic() - started < 2.5
        expect(b.locator("[data-presence]")).to_contain_text("2 people viewing")

        # B loses the network; A goes on.
        context_b.set_offline(True)
        expect(b.get_by_role("status")).to_contain_text("Offline — live updates paused")
        missed = ["Clause 1 is fine.", "Clause 2 needs work.", "Let us vote next week."]
        for text in missed:
            _post(a, text)

        # B comes back: the three arrive, in order, once each.
        context_b.set_offline(False)
        expect(b.get_by_role("status")).to_have_text("Live: caught up.", timeout=15_000)
        expected = ["Shall we start with clause 1?", *missed]
        expect(b.locator("[data-messages] .message-body")).to_have_text(expected)
        time.sleep(0.5)  # nothing more trickles in afterwards
        assert _bodies(b) == expected
        sequences = b.locator("[data-messages] > li").evaluate_all(
            "items => items.map(i => Number(i.dataset.sequence))"
        )
        assert sequences == [1, 2, 3, 4]
        assert services.replay(scene.general, 0)[-1].sequence == 4
    finally:
        context_a.close()
        context_b.close()


def test_a_message_typed_offline_is_sent_once_when_back(live_daphne, chromium, transactional_db):
    from playwright.sync_api import expect

    scene = DiscussionScene()
    context_a, a = _person(chromium, live_daphne, scene.member)
    try:
        a.goto(f"/discussions/{scene.general.pk}/")
        expect(a.get_by_role("status")).to_have_text("Live: caught up.")
        context_a.set_offline(True)
        expect(a.get_by_role("status")).to_contain_text("Offline")
        a.get_by_label("Your message").fill("Written on the bus.")
        a.get_by_role("button", name="Post", exact=True).click()
        expect(a.locator("[data-queue] .message-body")).to_have_text(["Written on the bus."])
        context_a.set_offline(False)
        expect(a.locator("[data-messages] .message-body")).to_have_text(["Written on the bus."])
        expect(a.locator("[data-queue] li")).to_have_count(0)
        assert services.replay(scene.general, 0)[0].body == "Written on the bus."
        assert len(services.replay(scene.general, 0)) == 1
    finally:
        context_a.close()


def test_a_message_written_in_another_language_arrives_marked_with_it(
    live_daphne, chromium, transactional_db
):
    """WCAG 3.1.2 for messages inserted live: a message posted from the Swahili page
    reaches a reader of the English page with lang="sw" and "Written in Swahili",
    exactly as the server renders it after a reload."""
    from playwright.sync_api import expect

    scene = DiscussionScene()
    context_sw, writer = _person(chromium, live_daphne, scene.member)
    context_en, reader = _person(chromium, live_daphne, scene.outsider)
    try:
        writer.goto(f"/sw/discussions/{scene.general.pk}/")
        reader.goto(f"/discussions/{scene.general.pk}/")
        expect(reader.get_by_role("status")).to_have_text("Live: caught up.")
        writer.locator("[data-post-form] textarea").fill("Habari za mkutano.")
        writer.locator("[data-post-form] button[type=submit]").click()

        live = reader.locator("[data-messages] .message-body", has_text="Habari za mkutano.")
        expect(live).to_have_attribute("lang", "sw")
        expect(reader.locator("[data-messages] .written-in")).to_have_text(["Written in Swahili"])
        # The writer's own page is in Swahili: no mark there.
        mine = writer.locator("[data-messages] .message-body", has_text="Habari za mkutano.")
        mine.wait_for()
        assert mine.get_attribute("lang") is None
        # After a reload the server renders the same marks.
        reader.reload()
        expect(live).to_have_attribute("lang", "sw")
        expect(reader.locator("[data-messages] .written-in")).to_have_text(["Written in Swahili"])
    finally:
        context_sw.close()
        context_en.close()
