"""Plain-text emails show names as typed: no HTML entities in a text email."""

import datetime

import pytest
from django.conf import settings
from django.template import engines

from governance.emails import render_plain_text, render_subject

NASTY = 'Kabila & Fils <SARL> "Tshala" l\'Union'
ENTITIES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;")
EMAIL_TEMPLATES = sorted(
    str(path.relative_to(settings.BASE_DIR / "templates"))
    for path in (settings.BASE_DIR / "templates").glob("*/email/*.txt")
)


class Anything:
    """Whatever a template asks of it (an attribute, a call, a loop) it answers with
    another of itself, written as a name full of what HTML escapes."""

    ZONES = {"time_zone", "reference_time_zone"}

    def __getattr__(self, name):
        if name in self.ZONES:
            return "UTC"
        if name.endswith("_at"):
            return datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __call__(self):
        return Anything()

    def __iter__(self):
        return iter([Anything()])

    def __str__(self):
        return NASTY


def _context() -> dict:
    return {
        "user": Anything(),
        "person": Anything(),
        "ballot": Anything(),
        "comment": Anything(),
        "consultation": Anything(),
        "application": Anything(),
        "organisation": Anything(),
        "invoice": Anything(),
        "question": Anything(),
        "seats": [{"label": NASTY, "role": "holder", "link": "https://example.org/v/a:b/"}],
        "reason": NASTY,
        "page": "https://example.org/ballots/1/",
        "base_url": "https://example.org",
        "url": "https://example.org/accounts/verify/a:b/",
        "protocol": "https",
        "domain": "example.org",
        "uid": "MQ",
        "token": "abc-123",
        "days": 3,
    }


def test_every_email_template_is_found():
    assert len(EMAIL_TEMPLATES) >= 18, EMAIL_TEMPLATES
    assert "governance/email/ballot_link.txt" in EMAIL_TEMPLATES


@pytest.mark.parametrize("template_name", EMAIL_TEMPLATES)
def test_plain_text_email_shows_names_as_typed(template_name):
    source = (settings.BASE_DIR / "templates" / template_name).read_text()
    rendered = render_plain_text(template_name, _context())
    assert not [entity for entity in ENTITIES if entity in rendered], rendered
    if "with " in source or "{{ comment" in source or "{{ reason" in source:
        assert NASTY in rendered, rendered


def test_subjects_are_one_line():
    subject = render_subject("governance/email/ballot_link_subject.txt", _context())
    assert "\n" not in subject
    assert NASTY in subject


def test_html_stays_escaped():
    """The site's own engine still escapes, and the plain-text one renders only .txt."""
    assert "&lt;SARL&gt;" in engines["django"].from_string("{{ name }}").render({"name": NASTY})
    with pytest.raises(ValueError):
        render_plain_text("base.html", {})


@pytest.mark.django_db
def test_verification_email_of_a_real_registration(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/register/",
            {
                "username": "kabila",
                "email": "kabila@example.org",
                "display_name": NASTY,
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
            },
        )
    (message,) = mailoutbox
    assert f"Hello {NASTY}," in message.body
    assert not message.alternatives


@pytest.mark.django_db
def test_password_reset_email(client, mailoutbox):
    from tests.factories import UserFactory

    UserFactory(display_name=NASTY, email="tshala@example.org")
    client.post("/accounts/password/reset/", {"email": "tshala@example.org"})
    (message,) = mailoutbox
    assert f"Hello {NASTY}," in message.body
    assert not [entity for entity in ENTITIES if entity in message.body]
