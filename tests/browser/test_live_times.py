"""A message that arrives live shows its time exactly as the server shows it on the
same page: the page's language, the reader's zone and the zone's name."""

import datetime

import pytest
from django.test import Client

from consultations.models import Message
from tests.consultations.test_discussions import DiscussionScene
from tests.live_asgi import serve_asgi

pytestmark = pytest.mark.browser

TIMES = "[data-messages] time"


@pytest.fixture
def live_daphne(django_db_setup, django_db_blocker):
    with serve_asgi(django_db_blocker) as (base_url,):
        yield base_url


def _person(chromium, base_url: str, user, zone: str):
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=base_url, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_live_message_reads_like_the_servers(live_daphne, chromium, transactional_db):
    from playwright.sync_api import expect

    scene = DiscussionScene()
    thread = f"/sw/discussions/{scene.general.pk}/"
    context_a, a = _person(chromium, live_daphne, scene.member, "Africa/Lubumbashi")
    context_b, b = _person(chromium, live_daphne, scene.outsider, "America/New_York")
    try:
        a.goto(thread)
        b.goto(thread)
        a.locator("textarea").fill("Tuanze na kifungu cha kwanza.")
        a.locator("form[data-post-form] button[type=submit]").click()
        expect(b.locator("[data-messages] .message-body")).to_have_text(
            ["Tuanze na kifungu cha kwanza."]
        )
        live = b.locator(TIMES).inner_text()
        b.reload()
        served = b.locator(TIMES).inner_text()
        assert live == served
        assert "p.m" not in live and live.endswith(("EST", "EDT"))
    finally:
        context_a.close()
        context_b.close()


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Africa/Lubumbashi"])
def test_the_scripts_clock_matches_the_servers_in_every_language(
    live_daphne, chromium, transactional_db, zone
):
    """Midnight, noon, summer and winter time: the script's text for each message's
    instant is the text the server rendered."""
    scene = DiscussionScene()
    instants = [
        datetime.datetime(2026, 1, 5, 22, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 7, 14, 10, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 29, 0, 59, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 1, 16, 5, tzinfo=datetime.UTC),
    ]
    for number, instant in enumerate(instants):
        message = scene.post(f"Message {number}")
        Message.objects.filter(pk=message.pk).update(created_at=instant)
    context, page = _person(chromium, live_daphne, scene.member, zone)
    try:
        for prefix in ("", "/fr", "/sw"):
            page.goto(f"{prefix}/discussions/{scene.general.pk}/")
            pairs = page.locator(TIMES).evaluate_all(
                """times => times.map(t => [t.textContent.trim(), window.chaintableFormatTime(
                    t.getAttribute("datetime"), t.closest("[data-discussion]").dataset)])"""
            )
            assert len(pairs) == len(instants)
            for served, scripted in pairs:
                assert scripted == served
    finally:
        context.close()
