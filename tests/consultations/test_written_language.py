"""Comments and discussion messages stay in the language their author wrote, are tagged
with it (the page's language when written, never an arbitrary value), and are shown
with "Written in …" and `lang="…"` when it is not the reader's page language
(WCAG 3.1.2, language of parts)."""

import re
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from config.asgi import application
from consultations import discussion_events as events
from consultations.models import Comment, Message
from governance.models import WorkingGroup
from tests.consultations.test_discussions import (
    DiscussionScene,
    _own_cache_namespace,  # noqa: F401
)

WAIT = 5


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.fixture
def scene(db):
    return DiscussionScene()


def test_a_message_is_tagged_with_its_page_language_and_marked_for_other_readers(scene):
    client = _client(scene.member)
    sent = client.post(
        _url("sw", "discussions:post", scene.general.pk),
        # A client cannot choose the language: only the page's is taken.
        {"body": "Mashimo yakaguliwe kila wiki.", "idempotency_key": "k1", "language": "de"},
    )
    assert sent.status_code in (200, 302)
    message = Message.objects.get()
    assert message.language == "sw"
    assert events.message_payload(message)["language"] == "sw"

    english = client.get(_url("en", "discussions:thread", scene.general.pk)).content.decode()
    assert re.search(r'<p class="message-body" lang="sw">\s*Mashimo yakaguliwe', english)
    assert "Written in Swahili" in english

    swahili = client.get(_url("sw", "discussions:thread", scene.general.pk)).content.decode()
    assert '<p class="message-body">Mashimo yakaguliwe' in swahili
    assert "written-in" not in swahili
    # The live page's socket is told the page's language, for the messages posted on it.
    assert f'data-ws="/ws/threads/{scene.general.pk}/?lang=sw"' in swahili


def test_the_service_takes_only_a_site_language_else_the_active_one(scene):
    assert scene.post("Un point juste.", language="fr").language == "fr"
    with translation.override("sw"):
        assert scene.post("Hoja nzuri.", language="<script>").language == "sw"
        assert scene.post("Hoja nyingine.").language == "sw"
    with translation.override("en"):
        assert scene.post("A fair point.", language="de").language == "en"


def test_a_comment_is_tagged_with_its_page_language_and_marked_for_other_readers(scene):
    client = _client(scene.member)
    detail = "consultations:detail"
    sent = client.post(
        _url("fr", detail, scene.consultation.pk),
        {
            "clause": scene.clause.pk,
            "comment_type": "te",
            "body": "Les puits doivent être inspectés chaque semaine.",
            "proposed_change": "Ajouter : inspection hebdomadaire.",
            "paragraph": "",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert sent.status_code == 302, sent.content.decode()[:500]
    comment = Comment.objects.get()
    assert comment.language == "fr"

    english = client.get(_url("en", detail, scene.consultation.pk)).content.decode()
    assert re.search(r'class="comment-text" lang="fr">\s*<p>Les puits', english)
    assert re.search(r'class="comment-text" lang="fr">\s*<p>Ajouter', english)
    assert "Written in French" in english
    french = client.get(_url("fr", detail, scene.consultation.pk)).content.decode()
    assert 'lang="fr">' not in french.split("<body", 1)[1]
    assert "written-in" not in french


@pytest.mark.django_db(transaction=True)
def test_a_message_posted_through_the_socket_keeps_the_page_language():
    scene = DiscussionScene()
    client = _client(scene.member)
    session = client.cookies["sessionid"].value

    def socket(lang: str) -> WebsocketCommunicator:
        headers = [
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", f"sessionid={session}".encode()),
        ]
        path = f"/ws/threads/{scene.general.pk}/?lang={lang}"
        return WebsocketCommunicator(application, path, headers=headers)

    async def created(comm) -> dict:
        while True:
            data = await comm.receive_json_from(timeout=WAIT)
            if data["type"] == "message.created":
                return data["message"]

    async def scenario():
        for lang, body, expected in (("sw", "Habari za leo.", "sw"), ("xx", "Hello.", "en")):
            comm = socket(lang)
            connected, _code = await comm.connect(timeout=WAIT)
            assert connected
            await comm.send_json_to({"type": "hello", "last_seq": 0})
            await comm.send_json_to({"type": "post", "body": body, "key": f"k-{lang}"})
            message = await created(comm)
            while message["body"] != body:
                message = await created(comm)
            assert message["language"] == expected
            await comm.disconnect()

    async_to_sync(scenario)()
    stored = dict(Message.objects.values_list("body", "language"))
    assert stored == {"Habari za leo.": "sw", "Hello.": "en"}


def test_record_text_shown_in_english_for_want_of_a_translation_is_marked(db):
    group = WorkingGroup.objects.create(name="Steering Committee", slug="steering")
    template = Template('{% load translated %}{% tr group "name" %}|{% lang_attr lang %}')
    with translation.override("sw"):
        shown = template.render(Context({"group": group, "lang": "fr"}))
    assert shown == '<span lang="en">Steering Committee</span>| lang="fr"'
    group.name_sw = "Kamati ya Uongozi"
    with translation.override("sw"):
        shown = template.render(Context({"group": group, "lang": "sw"}))
    assert shown == "Kamati ya Uongozi|"


def test_clauses_not_yet_translated_are_shown_in_english_marked_as_such(scene):
    page = Client().get(_url("sw", "consultations:detail", scene.consultation.pk))
    html = page.content.decode()
    assert '<span lang="en">Scope</span>' in html
    assert '<div lang="en"><p>Applies to sites.</p></div>' in html
    scene.clause.heading_sw, scene.clause.body_sw = "Wigo", "Inatumika kwa maeneo."
    scene.clause.save()
    html = Client().get(_url("sw", "consultations:detail", scene.consultation.pk)).content.decode()
    assert '<span lang="en">Scope</span>' not in html
    assert "Wigo" in html and "<p>Inatumika kwa maeneo.</p>" in html
