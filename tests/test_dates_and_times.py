"""Dates and times follow the page's language (no English a.m./p.m. on French or
Swahili pages) and name their zone; the live discussion writes a new message's time
exactly as the server writes the others (tests/browser/test_live_times.py)."""

import datetime
import html
import re

import pytest
from django.test import Client

from consultations.models import Message
from tests.consultations.test_discussions import DiscussionScene

# 12:30 UTC is 14:30 in Kolwezi (Africa/Lubumbashi, CAT) and 13:30 in Paris (CET).
POSTED = datetime.datetime(2026, 12, 6, 12, 30, tzinfo=datetime.UTC)


@pytest.fixture
def scene(db):
    scene = DiscussionScene()
    message = scene.post("Tuanze na kifungu cha kwanza.")
    Message.objects.filter(pk=message.pk).update(created_at=POSTED)
    return scene


def thread_page(scene, language: str, *, zone: str = "") -> str:
    if zone:
        scene.member.time_zone = zone
        scene.member.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(scene.member)
    prefix = "" if language == "en" else f"/{language}"
    response = client.get(f"{prefix}/discussions/{scene.general.pk}/")
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return html.unescape(response.text)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("sw", "6 Disemba 2026, 14:30 CAT"),
        ("fr", "6 décembre 2026, 14:30 CAT"),
        ("en", "Dec. 6, 2026, 2:30 p.m. CAT"),
    ],
)
def test_a_time_follows_the_page_language_and_names_its_zone(scene, language, shown):
    page = thread_page(scene, language)
    assert f'<time datetime="2026-12-06T12:30:00+00:00">{shown}</time>' in page


@pytest.mark.parametrize("language", ["sw", "fr"])
def test_no_english_clock_on_french_or_swahili_pages(scene, language):
    page = thread_page(scene, language)
    # Leave out the words the script is handed (Django's "a.m"/"p.m" among them).
    shown = re.sub(r'data-time-words="{[^}]*}"', "", page)
    assert "p.m" not in shown and "a.m" not in shown


def test_the_readers_own_zone_is_named(scene):
    page = thread_page(scene, "sw", zone="Europe/Paris")
    assert "6 Disemba 2026, 13:30 CET" in page


def test_the_live_discussion_gets_the_pages_format_zone_and_words(scene):
    page = thread_page(scene, "sw", zone="Europe/Paris")
    assert 'data-time-format="j F Y, H:i T"' in page
    assert 'data-time-zone="Europe/Paris"' in page
    assert 'data-time-zone-names="{"60": "CET", "120": "CEST"}"' in page
    assert '"Disemba"' in page
