"""Issue 14, the design system: a living style guide in every language, and no admin
code on pages that are not the CMS's."""

import pytest

from cms.demo import pages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "title", "button"),
    [
        ("", "Style guide", "Primary action"),
        ("/fr", "Guide de style", "Action principale"),
        ("/sw", "Mwongozo wa mtindo", "Kitendo kikuu"),
    ],
)
def test_the_style_guide_shows_each_component_in_the_readers_language(
    client, prefix, title, button
):
    html = client.get(f"{prefix}/styleguide/").content.decode()
    assert f"<h1>{title}</h1>" in html
    assert button in html
    for component in (
        "badge-open",
        "badge-closing",
        "badge-adopted",
        "badge-rejected",
        'class="card"',
        "notice-error",
        "<progress",
        'class="empty"',
        "chamber-artisanal-miners",
        'aria-invalid="true"',
        'class="secondary"',
    ):
        assert component in html, component


@pytest.fixture
def editor(client):
    pages.load()
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_editors_get_the_userbar_on_cms_pages_only(client, editor):
    assert "wagtail-userbar" in client.get("/").content.decode()
    html = client.get("/styleguide/").content.decode()
    assert "wagtail-userbar" not in html
    assert "/static/wagtailadmin/" not in html
