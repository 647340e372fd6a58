"""Too much data is a 413 page with the site's layout, the limits and the reader's
language, on every form that takes an upload (Django alone answers a bare 400)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consultations.models import Comment, DraftVersion, Message
from tests.consultations.test_admin import drafts
from tests.consultations.test_discussions import DiscussionScene, _client
from tests.consultations.test_views import Scene
from tests.consultations.test_views import url as consultation_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024


def upload(name: str, size: int) -> io.BytesIO:
    data = io.BytesIO(b"0" * size)
    data.name = name
    return data


def assert_too_large(response, *, language="en"):
    page = response.content.decode()
    assert response.status_code == 413
    assert f'<html lang="{language}">' in page and 'class="site-header"' in page
    limits = {"en": ("1 MB", "0.2 MB"), "fr": ("1 Mo", "0.2 Mo"), "sw": ("MB 1", "MB 0.2")}
    assert all(limit in page for limit in limits[language])


def test_a_draft_too_large_for_the_import_form(client, limits):
    scene = Scene()
    client.force_login(scene.secretariat)
    response = client.post(
        drafts("import", scene.standard.pk),
        {"label": "2.0", "file": upload("draft.docx", 2 * 1024 * 1024)},
    )
    assert_too_large(response)
    assert "A file may be at most 1 MB" in response.content.decode()
    assert not DraftVersion.objects.filter(label="2.0").exists()


def test_a_spreadsheet_too_large_for_the_comment_import(client, limits):
    scene = Scene()
    client.force_login(scene.secretariat)
    with translation.override("fr"):
        target = consultation_url("import", scene.consultation.pk)
    response = client.post(target, {"file": upload("matrix.xlsx", 2 * 1024 * 1024)})
    assert_too_large(response, language="fr")
    assert "Too large to accept" not in response.content.decode()  # in French
    assert not Comment.objects.exists()


def test_a_form_whose_fields_are_too_large(limits):
    scene = DiscussionScene()
    client = _client(scene.member)
    with translation.override("sw"):
        target = reverse("discussions:post", args=[scene.general.pk])
    response = client.post(target, {"body": "x" * (300 * 1024), "idempotency_key": "big"})
    assert_too_large(response, language="sw")
    assert not Message.objects.exists()


def test_other_bad_requests_stay_400(limits):
    client = Client()
    response = client.get("/", HTTP_HOST="bad host name")
    assert response.status_code == 400
