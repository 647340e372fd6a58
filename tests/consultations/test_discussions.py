"""Live discussion: threads, the posting service and its guardrails, moderation, and the
pages that work without JavaScript.

`DiscussionScene` sets the scene with rows made directly; what is under test goes
through services and views. The consumer and browser tests reuse it.
"""

import datetime
import itertools
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from consultations import discussion_events
from consultations.models import (
    Audience,
    Clause,
    CompetitionNoticeAcknowledgement,
    Consultation,
    DraftVersion,
    Message,
    SensitiveTerm,
    Standard,
    Thread,
    VersionStatus,
)
from consultations.services import discussions as services
from consultations.services.discussions import guardrails
from governance.models import AuditEvent, Ballot, BallotStatus, GroupRole, VotingRule
from tests.factories import UserFactory, WorkingGroupFactory, give_role

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """Rate-limit counters and presence live in the (Redis) cache: a fresh key prefix
    per test keeps tests, and reruns of the suite, apart."""
    caches = {name: dict(conf) for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


# --- the scene ---------------------------------------------------------------------


class DiscussionScene:
    """A working group with a secretariat, a member and an outsider; a standard with a
    version of two clauses under an open comment period; a ballot; and every kind of
    thread. Everyone who posts has acknowledged the competition-law notice, except
    `newcomer`."""

    def __init__(self, *, audience: str = Audience.PUBLIC):
        n = next(_numbers)
        self.group = WorkingGroupFactory()
        self.secretariat = UserFactory(display_name="Sam Secretariat")
        self.member = UserFactory(display_name="Mia Member")
        self.outsider = UserFactory(display_name="Otto Outsider")
        self.newcomer = UserFactory(display_name="Nora Newcomer")
        give_role(self.secretariat, self.group, GroupRole.SECRETARIAT)
        give_role(self.member, self.group, GroupRole.MEMBER)
        for person in (self.secretariat, self.member, self.outsider):
            services.acknowledge_competition_notice(actor=person)
        standard = Standard.objects.create(
            working_group=self.group, title=f"Framework {n}", slug=f"framework-{n}"
        )
        self.version = DraftVersion.objects.create(
            standard=standard, label="1.0", status=VersionStatus.CONSULTATION
        )
        self.clause = Clause.objects.create(
            version=self.version, number="1", heading="Scope", body="Applies to sites.", order=0
        )
        Clause.objects.create(
            version=self.version, number="2", heading="Safety", body="Pits are shored.", order=1
        )
        now = timezone.now()
        self.consultation = Consultation.objects.create(
            version=self.version,
            audience=audience,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=60),
        )
        rule = VotingRule.objects.create(working_group=self.group, name=f"Majority {n}")
        self.ballot = Ballot.objects.create(
            working_group=self.group,
            title="Adopt version 1.0",
            motion="That version 1.0 be adopted.",
            rule=rule,
            status=BallotStatus.OPEN,
            opens_at=now,
            closes_at=now + datetime.timedelta(days=7),
        )
        self.general = services.thread_for_consultation(self.consultation)
        self.clause_thread = services.thread_for_consultation(self.consultation, self.clause)
        self.ballot_thread = services.thread_for_ballot(self.ballot)
        self.room = services.thread_for_group(self.group)

    def post(self, body="A fair point.", *, thread=None, author=None, **kwargs) -> Message:
        return services.message_post(
            actor=author or self.member, thread=thread or self.general, body=body, **kwargs
        )


@pytest.fixture
def scene(db):
    return DiscussionScene()


@pytest.fixture
def sent(monkeypatch):
    """The live events services hand over for after commit, in order."""
    events = []
    monkeypatch.setattr(
        discussion_events,
        "broadcast_after_commit",
        lambda group, build: events.append((group, build())),
    )
    return events


# --- threads --------------------------------------------------------------------------


def test_threads_are_made_once_per_owner(scene):
    assert services.thread_for_consultation(scene.consultation) == scene.general
    assert services.thread_for_consultation(scene.consultation, scene.clause) == (
        scene.clause_thread
    )
    assert services.thread_for_ballot(scene.ballot) == scene.ballot_thread
    assert services.thread_for_group(scene.group) == scene.room
    assert Thread.objects.count() == 4
    assert scene.room.owning_group() == scene.group
    assert scene.ballot_thread.owning_group() == scene.group
    assert scene.clause_thread.owning_group() == scene.group
    assert scene.clause_thread.group_name == f"thread.{scene.clause_thread.pk}"


@pytest.mark.parametrize(
    "owners",
    [
        {},
        {"consultation": True, "ballot": True},
        {"ballot": True, "working_group": True},
        {"clause": True},
        {"clause": True, "ballot": True},
    ],
)
def test_a_thread_has_exactly_one_kind_of_owner(scene, owners):
    values = {
        "consultation": scene.consultation,
        "clause": scene.clause,
        "ballot": scene.ballot,
        "working_group": scene.group,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Thread.objects.create(**{name: values[name] for name in owners})


def test_a_clause_of_another_draft_has_no_thread_here(scene):
    other = Clause.objects.create(
        version=DraftVersion.objects.create(standard=scene.version.standard, label="2.0"),
        number="1",
        heading="Scope",
    )
    with pytest.raises(ValidationError):
        services.thread_for_consultation(scene.consultation, other)


# --- who may read, post and moderate --------------------------------------------------


@pytest.mark.parametrize(
    "who, thread, read, post, moderate",
    [
        ("anonymous", "general", True, False, False),
        ("unverified", "general", True, False, False),
        ("outsider", "general", True, True, False),
        ("outsider", "clause_thread", True, True, False),
        ("outsider", "ballot_thread", False, False, False),
        ("outsider", "room", False, False, False),
        ("observer", "room", True, False, False),
        ("member", "room", True, True, False),
        ("member", "ballot_thread", True, True, False),
        ("secretariat", "room", True, True, True),
        ("secretariat", "general", True, True, True),
    ],
)
def test_access_follows_governance_permissions(scene, who, thread, read, post, moderate):
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        user = AnonymousUser()
    elif who == "unverified":
        user = UserFactory(email_verified=False)
    elif who == "observer":
        user = UserFactory()
        give_role(user, scene.group, GroupRole.OBSERVER)
    else:
        user = getattr(scene, who)
    access = services.thread_access(user, services.thread_get(getattr(scene, thread).pk))
    assert (access.read, access.post, access.moderate) == (read, post, moderate)


def test_members_only_consultation_threads_are_for_members(db):
    scene = DiscussionScene(audience=Audience.MEMBERS)
    thread = services.thread_get(scene.general.pk)
    assert not services.thread_access(scene.outsider, thread).read
    assert services.thread_access(scene.member, thread).post
    with pytest.raises(PermissionDenied, match="Only members"):
        scene.post(author=scene.outsider)


# --- posting ----------------------------------------------------------------------------


def test_posting_numbers_messages_and_tells_live_clients(scene, sent):
    first = scene.post("First.")
    second = scene.post("Second.", author=scene.outsider)
    assert (first.sequence, second.sequence) == (1, 2)
    scene.general.refresh_from_db()
    assert scene.general.last_sequence == 2
    group, event = sent[-1]
    assert group == f"thread.{scene.general.pk}"
    assert event["type"] == "message.created"
    assert event["message"]["sequence"] == 2
    assert event["message"]["author"] == "Otto Outsider"
    assert "@" not in str(event)  # never an email address
    assert AuditEvent.objects.filter(action="discussion.message_posted").count() == 2
    assert not AuditEvent.objects.filter(action="discussion.message_posted", is_public=True)


def test_threads_number_their_own_messages(scene):
    scene.post()
    assert scene.post(thread=scene.room).sequence == 1
    assert scene.post(thread=scene.clause_thread).sequence == 1


def test_bodies_are_plain_text_and_limited(scene):
    message = scene.post("<script>alert(1)</script>Hello <b>there</b> &amp; all")
    assert message.body == "Hello there & all"
    with pytest.raises(ValidationError, match="empty"):
        scene.post("   <i></i> ")
    with pytest.raises(ValidationError, match="2000"):
        scene.post("x" * 2001)
    assert scene.post("y" * 2000).body == "y" * 2000


def test_the_same_idempotency_key_gives_one_message(scene, sent):
    first = scene.post("Once.", idempotency_key="k-1")
    again = scene.post("Once.", idempotency_key="k-1")
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert len(sent) == 1
    # Keys belong to their author: someone else's same key is a new message.
    assert scene.post("Mine.", idempotency_key="k-1", author=scene.outsider).pk != first.pk


def test_an_idempotency_key_answers_for_one_thread_only(scene):
    first = scene.post("In the general thread.", idempotency_key="k-reused")
    elsewhere = scene.post("In the room.", idempotency_key="k-reused", thread=scene.room)
    assert elsewhere.pk != first.pk
    assert elsewhere.thread_id == scene.room.pk and elsewhere.body == "In the room."
    # The database holds it too: one key, one person, one thread, one message.
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            thread=scene.room, author=scene.member, body="Again.", idempotency_key="k-reused"
        )


def test_an_over_long_message_is_told_its_limit(scene):
    url = reverse("discussions:post", args=[scene.general.pk])
    client = _client(scene.member)
    body = {"body": "x" * 2001, "idempotency_key": "long-1"}
    reply = client.post(url, body, HTTP_ACCEPT="application/json")
    assert reply.status_code == 400
    assert reply.json()["message"] == "Keep your message to at most 2000 characters."
    page = client.post(url, body).content.decode()
    assert "Keep your message to at most 2000 characters." in page
    assert "Write your message." not in page
    with translation.override("fr"):
        french_url = reverse("discussions:post", args=[scene.general.pk])
    french = client.post(french_url, body, HTTP_ACCEPT="application/json")
    assert "2000" in french.json()["message"]
    assert french.json()["message"] != "Keep your message to at most 2000 characters."
    assert not Message.objects.exists()


def test_posting_is_rate_limited_per_person(scene, settings):
    settings.RATE_LIMITS = {"message": (3, 60)}
    for n in range(3):
        scene.post(f"Message {n}")
    with pytest.raises(ValidationError, match="many messages"):
        scene.post("One too many")
    scene.post("Someone else may still post", author=scene.outsider)


def test_readers_who_may_not_post_are_refused(scene):
    with pytest.raises(PermissionDenied, match="Log in"):
        from django.contrib.auth.models import AnonymousUser

        scene.post(author=AnonymousUser())
    with pytest.raises(PermissionDenied, match="Verify"):
        scene.post(author=UserFactory(email_verified=False))
    with pytest.raises(PermissionDenied):
        scene.post(thread=scene.room, author=scene.outsider)


@pytest.mark.django_db(transaction=True)
def test_sequences_have_no_gaps_or_duplicates_under_concurrency():
    """Ten people post at the same moment, each from their own connection: the thread
    row lock hands out 1..10, each once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    scene = DiscussionScene()
    people = [UserFactory() for _ in range(10)]
    for person in people:
        services.acknowledge_competition_notice(actor=person)
    start = threading.Barrier(len(people))
    errors = []

    def post(person):
        try:
            start.wait()
            services.message_post(actor=person, thread=scene.general, body="At once!")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=post, args=(p,)) for p in people]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert not errors
    sequences = sorted(
        Message.objects.filter(thread=scene.general).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, 11))
    scene.general.refresh_from_db()
    assert scene.general.last_sequence == 10


# --- the competition-law notice ----------------------------------------------------------


def test_a_first_post_needs_the_competition_notice(scene, sent):
    with pytest.raises(services.NoticeRequired, match="competition-law notice"):
        scene.post(author=scene.newcomer)
    assert not Message.objects.exists()
    ack = services.acknowledge_competition_notice(actor=scene.newcomer)
    assert ack.notice_version == services.COMPETITION_NOTICE_VERSION
    assert AuditEvent.objects.filter(
        action="discussion.competition_notice_acknowledged", actor=scene.newcomer
    ).exists()
    # Acknowledging twice changes nothing.
    assert services.acknowledge_competition_notice(actor=scene.newcomer).pk == ack.pk
    assert CompetitionNoticeAcknowledgement.objects.filter(person=scene.newcomer).count() == 1
    assert scene.post(author=scene.newcomer).sequence == 1


def test_a_new_notice_version_is_acknowledged_again(scene, monkeypatch):
    monkeypatch.setattr(guardrails, "COMPETITION_NOTICE_VERSION", "2099-1")
    with pytest.raises(services.NoticeRequired):
        scene.post()
    services.acknowledge_competition_notice(actor=scene.member)
    assert scene.post().sequence == 1


# --- sensitive terms -----------------------------------------------------------------------


def test_a_message_with_a_sensitive_term_is_held_and_its_author_told(scene, sent):
    SensitiveTerm.objects.create(term="price", working_group=None)
    SensitiveTerm.objects.create(term="market share", working_group=scene.group)
    SensitiveTerm.objects.create(term="capacity", working_group=WorkingGroupFactory())
    assert scene.post("Our capacity is fine.").sequence == 1  # another group's term
    assert scene.post("Prices and pricing are words, not the term.").sequence == 2
    held = scene.post("The PRICE will rise; our Market\n share too.")
    assert held.sequence is None and held.is_pending
    assert held.held_terms == ["market share", "price"]
    assert "“market share”" in services.held_notice(held)
    assert [e["message"]["sequence"] for _g, e in sent] == [1, 2]  # nothing live
    assert AuditEvent.objects.filter(action="discussion.message_held").exists()
    assert services.messages_awaiting_review(scene.secretariat) == [held]
    assert services.messages_awaiting_review(scene.member) == []

    with pytest.raises(PermissionDenied):
        services.message_review(actor=scene.member, message=held, approve=True)
    approved = services.message_review(actor=scene.secretariat, message=held, approve=True)
    assert approved.sequence == 3 and approved.approved
    assert sent[-1][1]["type"] == "message.created"
    assert sent[-1][1]["message"]["sequence"] == 3
    with pytest.raises(ValidationError, match="not waiting"):
        services.message_review(actor=scene.secretariat, message=held, approve=True)


def test_a_rejected_message_stays_unpublished(scene, sent):
    SensitiveTerm.objects.create(term="customers")
    held = scene.post("Who are your customers?")
    rejected = services.message_review(actor=scene.secretariat, message=held, approve=False)
    assert rejected.is_rejected and rejected.sequence is None
    assert sent == []
    assert AuditEvent.objects.filter(action="discussion.message_rejected").exists()


def test_the_secretariat_keeps_the_list_of_terms(scene):
    term = services.sensitive_term_add(
        actor=scene.secretariat, term=" Volumes ", working_group=scene.group
    )
    assert term.term == "Volumes"
    with pytest.raises(ValidationError, match="already"):
        services.sensitive_term_add(
            actor=scene.secretariat, term="volumes", working_group=scene.group
        )
    with pytest.raises(PermissionDenied):
        services.sensitive_term_add(actor=scene.member, term="tonnes", working_group=scene.group)
    with pytest.raises(PermissionDenied):  # everyone's list: platform admins only
        services.sensitive_term_add(actor=scene.secretariat, term="tonnes", working_group=None)
    services.sensitive_term_remove(actor=scene.secretariat, term=term)
    assert not SensitiveTerm.objects.exists()
    assert AuditEvent.objects.filter(action="discussion.sensitive_term_removed").exists()


# --- editing, deleting, hiding ----------------------------------------------------------------


def test_authors_edit_their_own_within_the_window(scene, sent):
    message = scene.post("Frist.")
    edited = services.message_edit(actor=scene.member, message=message, body="First.")
    assert edited.body == "First." and edited.edited_at
    assert edited.changed_seq == 2 and edited.sequence == 1
    assert sent[-1][1]["type"] == "message.edited"
    assert sent[-1][1]["message"]["cursor"] == 2
    with pytest.raises(PermissionDenied):
        services.message_edit(actor=scene.outsider, message=message, body="Mine now.")
    later = message.created_at + datetime.timedelta(minutes=16)
    with pytest.raises(ValidationError, match="15 minutes"):
        services.message_edit(actor=scene.member, message=message, body="Too late.", now=later)
    with pytest.raises(ValidationError, match="15 minutes"):
        services.message_delete(actor=scene.member, message=message, now=later)


def test_an_edit_cannot_slip_a_sensitive_term_past_review(scene):
    SensitiveTerm.objects.create(term="price")
    message = scene.post("Nothing to see.")
    with pytest.raises(ValidationError, match="price"):
        services.message_edit(actor=scene.member, message=message, body="Our price is 10.")


def test_deleting_erases_the_text_and_tells_everyone(scene, sent):
    message = scene.post("Oops.")
    deleted = services.message_delete(actor=scene.member, message=message)
    assert deleted.deleted_at and deleted.body == ""
    assert sent[-1][1]["type"] == "message.deleted"
    assert sent[-1][1]["message"]["body"] == ""
    with pytest.raises(ValidationError, match="deleted"):
        services.message_edit(actor=scene.member, message=message, body="Back.")


def test_moderators_hide_and_show_messages(scene, sent):
    message = scene.post("Off topic.")
    with pytest.raises(PermissionDenied):
        services.message_hide(actor=scene.outsider, message=message)
    hidden = services.message_hide(actor=scene.secretariat, message=message)
    assert hidden.hidden_by == scene.secretariat
    kind, payload = sent[-1][1]["type"], sent[-1][1]["message"]
    assert kind == "message.hidden" and payload["hidden"] and payload["body"] == ""
    with pytest.raises(ValidationError, match="hid"):
        services.message_edit(actor=scene.member, message=message, body="Sneaky.")
    shown = services.message_unhide(actor=scene.secretariat, message=message)
    assert shown.hidden_at is None
    assert sent[-1][1]["type"] == "message.edited"
    assert sent[-1][1]["message"]["body"] == "Off topic."
    assert [e["message"]["cursor"] for _g, e in sent] == [1, 2, 3]


def test_replay_gives_each_message_once_in_its_latest_state(scene):
    one, two, three = scene.post("1"), scene.post("2"), scene.post("3")
    services.message_edit(actor=scene.member, message=one, body="1 (edited)")  # 4
    services.message_hide(actor=scene.secretariat, message=three)  # 5
    got = [
        (discussion_events.event_type(m, after=2), m.sequence, m.cursor)
        for m in services.replay(scene.general, 2)
    ]
    assert got == [("message.edited", 1, 4), ("message.created", 3, 5)]
    assert services.replay(scene.general, 5) == []
    assert [m.sequence for m in services.replay(scene.general, 0, limit=2)] == [2, 1]
    assert two.cursor == 2


# --- pages -------------------------------------------------------------------------------------


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_thread_page_reads_without_an_account(scene):
    scene.post("Visible to all.")
    response = _client().get(reverse("discussions:thread", args=[scene.general.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Visible to all." in html
    assert "Log in" in html and "data-post-form" not in html
    assert f'data-ws="/ws/threads/{scene.general.pk}/?lang=en"' in html
    assert 'data-last-seq="1"' in html


def test_members_rooms_do_not_exist_for_outsiders(scene):
    url = reverse("discussions:thread", args=[scene.room.pk])
    assert _client(scene.outsider).get(url).status_code == 404
    assert _client().get(url).status_code == 302  # to the login page
    assert _client(scene.member).get(url).status_code == 200


def test_posting_through_the_form_redirects_to_the_message(scene):
    url = reverse("discussions:post", args=[scene.general.pk])
    client = _client(scene.member)
    form = {"body": "Posted without JavaScript.", "idempotency_key": "form-1"}
    response = client.post(url, form)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/discussions/{scene.general.pk}/#message-1")
    assert client.post(url, form).status_code == 302  # a double submit
    assert Message.objects.count() == 1
    page = client.get(reverse("discussions:thread", args=[scene.general.pk])).content.decode()
    assert "Posted without JavaScript." in page and "Your message was posted." in page
    assert reverse("discussions:edit", args=[Message.objects.get().pk]) in page


def test_posting_over_http_answers_json_for_the_script(scene):
    url = reverse("discussions:post", args=[scene.general.pk])
    response = _client(scene.member).post(
        url, {"body": "From fetch.", "idempotency_key": "js-1"}, HTTP_ACCEPT="application/json"
    )
    data = response.json()
    assert data["ok"] and data["sequence"] == 1 and data["message"]["mine"]
    assert "author_id" not in data["message"]
    refused = _client(scene.newcomer).post(
        url, {"body": "Hi", "idempotency_key": "js-2"}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "notice_required"


def test_a_first_post_shows_the_notice_and_keeps_the_text(scene):
    client = _client(scene.newcomer)
    thread_url = reverse("discussions:thread", args=[scene.general.pk])
    page = client.get(thread_url).content.decode()
    assert "Competition-law notice" in page and "I acknowledge" in page
    assert "data-post-form" not in page
    response = client.post(
        reverse("discussions:post", args=[scene.general.pk]),
        {"body": "My first words.", "idempotency_key": "n-1"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "acknowledge the competition-law notice" in html and "I acknowledge" in html
    assert not Message.objects.exists()
    refused = client.post(reverse("discussions:acknowledge"), {"next": thread_url})
    assert refused.status_code == 302
    assert not CompetitionNoticeAcknowledgement.objects.filter(person=scene.newcomer).exists()
    done = client.post(
        reverse("discussions:acknowledge"), {"next": thread_url, "acknowledge": "yes"}
    )
    assert done["Location"] == thread_url
    page = client.get(thread_url).content.decode()
    assert "data-post-form" in page and "My first words." in page  # the draft came back


def test_a_held_message_is_explained_to_its_author_only(scene):
    SensitiveTerm.objects.create(term="tonnage")
    client = _client(scene.member)
    client.post(
        reverse("discussions:post", args=[scene.general.pk]),
        {"body": "Our tonnage doubled.", "idempotency_key": "h-1"},
    )
    page = client.get(reverse("discussions:thread", args=[scene.general.pk])).content.decode()
    assert "secretariat reviews such messages first" in page
    assert "waiting for the secretariat" in page and "Our tonnage doubled." in page
    other = _client(scene.outsider).get(reverse("discussions:thread", args=[scene.general.pk]))
    assert "Our tonnage doubled." not in other.content.decode()
    queue = _client(scene.secretariat).get(reverse("discussions:review"))
    assert "Our tonnage doubled." in queue.content.decode()
    message = Message.objects.get()
    response = _client(scene.secretariat).post(
        reverse("discussions:review_decide", args=[message.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.sequence == 1
    assert _client(scene.member).get(reverse("discussions:review")).status_code == 403


def test_editing_deleting_and_hiding_through_the_pages(scene):
    message = scene.post("Tpyo.")
    edit = reverse("discussions:edit", args=[message.pk])
    assert _client(scene.outsider).get(edit).status_code == 404
    member = _client(scene.member)
    assert member.post(edit, {"body": "Typo."}).status_code == 302
    message.refresh_from_db()
    assert message.body == "Typo." and message.changed_seq == 2
    hide = reverse("discussions:hide", args=[message.pk])
    member.post(hide)
    message.refresh_from_db()
    assert message.hidden_at is None  # refused: not a moderator
    _client(scene.secretariat).post(hide)
    message.refresh_from_db()
    assert message.hidden_at
    page = _client(scene.outsider).get(reverse("discussions:thread", args=[scene.general.pk]))
    assert "A moderator hid this message." in page.content.decode()
    assert "Typo." not in page.content.decode()
    other = scene.post("Delete me.")
    member.post(reverse("discussions:delete", args=[other.pk]))
    other.refresh_from_db()
    assert other.deleted_at and other.body == ""


def test_lazily_made_threads_are_reached_by_their_owners(scene):
    client = _client(scene.member)
    clause_url = reverse("discussions:clause", args=[scene.consultation.pk, scene.clause.key])
    assert client.get(clause_url)["Location"] == reverse(
        "discussions:thread", args=[scene.clause_thread.pk]
    )
    assert client.get(reverse("discussions:ballot", args=[scene.ballot.pk]))["Location"] == (
        reverse("discussions:thread", args=[scene.ballot_thread.pk])
    )
    assert client.get(reverse("discussions:group", args=[scene.group.slug]))["Location"] == (
        reverse("discussions:thread", args=[scene.room.pk])
    )
    assert (
        _client(scene.outsider)
        .get(reverse("discussions:ballot", args=[scene.ballot.pk]))
        .status_code
        == 404
    )


def test_a_draft_ballots_debate_shows_nothing_and_makes_nothing_on_a_get(scene):
    """Members who may not see a draft ballot never learn its title through its
    discussion link, and following the link makes no thread."""
    draft = Ballot.objects.create(
        working_group=scene.group,
        title="UNANNOUNCED-MOTION-TITLE",
        motion="Not yet.",
        rule=scene.ballot.rule,
        opens_at=timezone.now(),
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    url = reverse("discussions:ballot", args=[draft.pk])
    for person in (scene.member, scene.outsider):
        response = _client(person).get(url)
        assert response.status_code == 404
        assert b"UNANNOUNCED-MOTION-TITLE" not in response.content
    assert Client().get(url).status_code == 302  # to the login page
    # Those who run the group's ballots see it, and a GET still makes nothing.
    runner = _client(scene.secretariat)
    page = runner.get(url)
    assert page.status_code == 200 and b"UNANNOUNCED-MOTION-TITLE" in page.content
    assert not Thread.objects.filter(ballot=draft).exists()
    started = runner.post(url)
    thread = Thread.objects.get(ballot=draft)
    assert started["Location"] == reverse("discussions:thread", args=[thread.pk])
    # Once made (by whoever runs ballots), the thread itself stays closed to members.
    thread_url = reverse("discussions:thread", args=[thread.pk])
    assert _client(scene.member).get(thread_url).status_code == 404
    assert _client(scene.member).post(url).status_code == 404
    draft.status = BallotStatus.OPEN
    draft.save(update_fields=["status"])
    assert _client(scene.member).get(url)["Location"] == thread_url


def test_an_open_ballots_debate_is_started_by_a_post(scene):
    Thread.objects.filter(ballot=scene.ballot).delete()
    url = reverse("discussions:ballot", args=[scene.ballot.pk])
    member = _client(scene.member)
    page = member.get(url)
    assert page.status_code == 200 and b"Start the discussion" in page.content
    assert not Thread.objects.filter(ballot=scene.ballot).exists()
    thread_url = member.post(url)["Location"]
    assert thread_url == reverse(
        "discussions:thread", args=[Thread.objects.get(ballot=scene.ballot).pk]
    )
    assert _client(scene.outsider).post(url).status_code == 404


def test_the_sensitive_terms_page(scene):
    url = reverse("discussions:terms")
    assert _client(scene.member).get(url).status_code == 403
    client = _client(scene.secretariat)
    response = client.post(url, {"term": "volumes", "working_group": str(scene.group.pk)})
    assert response.status_code == 302
    term = SensitiveTerm.objects.get()
    assert term.working_group == scene.group and term.created_by == scene.secretariat
    assert "volumes" in client.get(url).content.decode()
    client.post(reverse("discussions:term_delete", args=[term.pk]))
    assert not SensitiveTerm.objects.exists()


def test_the_embed_needs_only_the_thread(scene, rf):
    from django.template.loader import render_to_string

    scene.post("Embedded.")
    request = rf.get("/consultations/1/")
    request.user = scene.member
    html = render_to_string(
        "consultations/discussions/thread_embed.html", {"thread": scene.general}, request=request
    )
    assert "Embedded." in html and "data-post-form" in html
    assert reverse("discussions:thread", args=[scene.general.pk]) in html


def test_the_thread_page_does_not_grow_its_queries(scene):
    """Same number of queries for 5 messages as for 60 (authors come in one join)."""
    client = _client(scene.secretariat)
    url = reverse("discussions:thread", args=[scene.general.pk])
    people = [UserFactory() for _ in range(5)]
    for person in people:
        services.acknowledge_competition_notice(actor=person)
    for person in people:
        scene.post("Hello", author=person)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(55):
        scene.post(f"More {n}", author=people[n % 5], idempotency_key=f"more-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_posting_over_http_works_while_live_updates_are_down(
    scene, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """Redis unreachable: the message is stored and the page comes back; the failed
    broadcast is logged, not raised (clients catch up by replay once it is back)."""
    from governance import events as governance_events

    class DeadLayer:
        async def group_send(self, group, message):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(governance_events, "get_channel_layer", lambda: DeadLayer())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _client(scene.member).post(
            reverse("discussions:post", args=[scene.general.pk]),
            {"body": "Stored anyway.", "idempotency_key": "down-1"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 2  # the live event, then the in-site notifications
    assert Message.objects.get().body == "Stored anyway."
    assert "not delivered" in caplog.text
