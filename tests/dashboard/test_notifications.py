"""Notifications in the site: each event kind reaches the people concerned and the
object's followers who may see it (and nobody else), the header counts what is unread,
the list and the count stay flat as notifications grow, and following is a screen.

Notifications are made after commit: a test's transaction never commits, so the
on-commit callbacks are captured and run (`told`)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import Audience, FollowEmail, Subscription
from consultations.notifications import send_due_reminders as period_reminders
from consultations.services.discussions import guardrails, messages, threads
from dashboard.models import Kind, Notification
from governance import ballot_reminders, services
from governance.models import AuditEvent, WorkingGroupStatus
from governance.services.decisions import decision_publication_record
from tests.consultations.test_services import (  # noqa: F401 (fresh_rate_limits is autouse)
    comment,
    draft,
    fresh_rate_limits,
    member,
    period,
    secretariat,
    standard,
)
from tests.factories import UserFactory
from tests.governance.test_ballot_views import make_ballot, text
from tests.governance.test_ballot_views import t as t  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """Run `action` and its after-commit work; the notifications it made, per person."""

    def run(action) -> dict:
        before = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            action()
        made = Notification.objects.exclude(pk__in=before).select_related("recipient")
        result: dict = {}
        for note in made:
            result.setdefault(note.recipient, []).append(note)
        return result

    return run


def kinds(result, person) -> set[str]:
    return {note.kind for note in result.get(person, [])}


# --- Each kind of event -----------------------------------------------------------------


def test_period_opened_and_closing_reach_members_and_followers_of_the_standard(group, told):
    std = standard(group, title="ASM Cobalt Framework")
    reader = member(group)
    fan = UserFactory()
    Subscription.objects.create(person=fan, standard=std, email=FollowEmail.OFF)
    stranger = UserFactory()
    now = timezone.now()
    consultation = period(draft(std), opens_at=now - HOUR, closes_at=now + 12 * HOUR)

    made = told(lambda: period_reminders(now=now))
    assert kinds(made, reader) == {Kind.PERIOD_OPENED, Kind.PERIOD_CLOSING}
    assert kinds(made, fan) == {Kind.PERIOD_OPENED, Kind.PERIOD_CLOSING}
    assert stranger not in made
    note = made[reader][0]
    assert note.title == str(consultation) and note.url.endswith(
        f"/consultations/{consultation.pk}/"
    )


def test_members_only_round_reaches_no_outside_follower(group, told):
    std = standard(group)
    reader = member(group)
    outsider = UserFactory()
    Subscription.objects.create(person=outsider, working_group=group)
    period(draft(std), audience=Audience.MEMBERS)
    made = told(lambda: period_reminders())
    assert Kind.PERIOD_OPENED in kinds(made, reader)
    assert outsider not in made


def test_disposition_reaches_the_author_of_the_comment_only(group, told):
    clerk = secretariat(group)
    author, other = UserFactory(), UserFactory()
    consultation = period(draft(standard(group)), state="closed")
    mine = comment(consultation, author=author)
    comment(consultation, author=other)
    made = told(
        lambda: consultation_services.comment_dispose(
            actor=clerk, comment=mine, decision="accepted", response="Done."
        )
    )
    assert kinds(made, author) == {Kind.COMMENT_DISPOSED}
    assert other not in made and clerk not in made
    assert made[author][0].url.endswith(f"#comment-{mine.pk}")


def test_ballot_opened_reminder_and_result(t, told):
    fan = UserFactory()
    Subscription.objects.create(person=fan, working_group=t.group, email=FollowEmail.OFF)
    made = told(lambda: setattr(t, "ballot", make_ballot(t)))
    ballot = t.ballot
    for person in [*t.holders, t.alternate, t.chair.__class__.objects.get(pk=t.secretariat.pk)]:
        assert kinds(made, person) == {Kind.BALLOT_OPENED}
    assert t.chair not in made  # who opened it is not told of it
    assert kinds(made, fan) == {Kind.BALLOT_OPENED}
    assert made[t.holders[0]][0].url.endswith(f"/ballots/{ballot.pk}/")

    made = told(lambda: ballot_reminders.send_due_reminders(ballot.closes_at - 20 * HOUR))
    assert kinds(made, t.holders[0]) == {Kind.BALLOT_REMINDER}
    assert fan not in made  # a reminder is for the seats

    after = ballot.closes_at + HOUR
    made = told(lambda: services.ballot_close(actor=None, ballot=ballot, now=after))
    assert kinds(made, t.holders[1]) == {Kind.BALLOT_RESULT}
    assert kinds(made, fan) == {Kind.BALLOT_RESULT}
    assert made[fan][0].created_at == ballot.closes_at


def test_ballot_of_a_closed_group_reaches_no_outside_follower(t, told):
    outsider = UserFactory()
    Subscription.objects.create(person=outsider, working_group=t.group)
    t.group.status = WorkingGroupStatus.CLOSED
    t.group.save(update_fields=["status"])
    made = told(lambda: make_ballot(t))
    assert Kind.BALLOT_OPENED in kinds(made, t.holders[0])
    assert outsider not in made


def test_decision_published_once(t, told):
    ballot = make_ballot(t)
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at + HOUR)
    decision = services.ballot_certify(actor=t.chair, ballot=ballot)

    def publish():
        decision_publication_record(
            actor=None, decision=decision, page_id=1, revision_id=1, language="en", url=""
        )

    made = told(publish)
    assert kinds(made, t.holders[0]) == {Kind.DECISION_PUBLISHED}
    assert made[t.holders[0]][0].title == decision.title
    assert told(publish) == {}  # a new revision is not news
    assert AuditEvent.objects.filter(action="decision.published").count() == 2


def test_reply_and_mention_in_a_discussion(group, told):
    first, second = member(group, username="amani"), member(group, username="neema")
    outsider = UserFactory(username="mwangi")
    room = threads.thread_for_group(group)
    for person in (first, second):
        guardrails.acknowledge_competition_notice(actor=person)

    made = told(lambda: messages.message_post(actor=first, thread=room, body="Hello all"))
    assert made == {}  # nobody took part yet, nobody follows

    body = "Agreed, @amani. And @mwangi? @nobody"
    made = told(lambda: messages.message_post(actor=second, thread=room, body=body))
    assert kinds(made, first) == {Kind.DISCUSSION_MENTION}
    assert outsider not in made  # may not read the members' room
    assert second not in made

    made = told(lambda: messages.message_post(actor=first, thread=room, body="Thanks"))
    assert kinds(made, second) == {Kind.DISCUSSION_REPLY}
    note = made[second][0]
    assert note.title == str(room) and "#message-" in note.url


# --- The page, the header, marking read ---------------------------------------------------


def notes(person, n, **fields):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=Kind.BALLOT_OPENED,
            title=f"Ballot {i}",
            url=f"/ballots/{i}/",
            created_at=now - datetime.timedelta(minutes=i),
            **fields,
        )
        for i in range(n)
    )


def test_unread_count_in_the_header_for_signed_in_people_only(client):
    person = UserFactory()
    notes(person, 3)
    notes(person, 2, read_at=timezone.now())
    notes(person, 4, on_site=False, digest="daily")  # for the digest only
    notes(UserFactory(), 5)
    home = reverse("site:search")
    anonymous = text(client.get(home))
    assert reverse("dashboard:notifications") not in anonymous
    client.force_login(person)
    body = text(client.get(home))
    assert reverse("dashboard:notifications") in body
    assert '<span class="badge" aria-label="3 unread">3</span>' in body


def test_list_and_mark_read(client):
    person, other = UserFactory(), UserFactory()
    notes(person, 30)
    notes(other, 1)
    client.force_login(person)
    body = text(client.get(reverse("dashboard:notifications")))
    assert "Ballot 0" in body and "Ballot 24" in body and "Ballot 25" not in body
    assert "Page 1 of 2" in body
    assert "Ballot 29" in text(client.get(reverse("dashboard:notifications") + "?page=2"))

    first = Notification.objects.get(recipient=person, title="Ballot 0")
    theirs = Notification.objects.get(recipient=other)
    url = reverse("dashboard:notifications_read")
    assert client.get(url).status_code == 405
    client.post(url, {"id": first.pk})
    client.post(url, {"id": theirs.pk})  # not mine: nothing happens
    first.refresh_from_db(), theirs.refresh_from_db()
    assert first.read_at and not theirs.read_at
    assert Notification.objects.unread().filter(recipient=person).count() == 29

    client.post(url, {"all": "1"})
    assert not Notification.objects.unread().filter(recipient=person).exists()
    assert Notification.objects.unread().filter(recipient=other).count() == 1


def test_marking_read_needs_the_form_token(client):
    from django.test import Client

    person = UserFactory()
    notes(person, 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    response = strict.post(reverse("dashboard:notifications_read"), {"all": "1"})
    assert response.status_code == 403
    assert Notification.objects.unread().filter(recipient=person).count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_flat_as_notifications_grow(client):
    person = UserFactory()
    client.force_login(person)
    notes(person, 3)
    few = _queries(client, reverse("dashboard:notifications"))
    header_few = _queries(client, reverse("site:search"))
    notes(person, 80)
    assert _queries(client, reverse("dashboard:notifications")) == few
    assert _queries(client, reverse("site:search")) == header_few


# --- Following ---------------------------------------------------------------------------


def test_follow_a_standard_from_its_page_choose_how_then_unfollow(client, group):
    std = standard(group, title="ASM Cobalt Framework", slug="asm-cobalt")
    page = reverse("consultations:standard", args=[std.slug])
    assert "Follow" not in text(client.get(page))  # anonymous: no form, cacheable
    person = UserFactory()
    client.force_login(person)
    assert ">Follow</button>" in text(client.get(page))

    response = client.post(
        reverse("dashboard:follow"),
        {"target": f"standard:{std.pk}", "on_site": "1", "email": "off", "next": page},
    )
    assert response.status_code == 302 and response["Location"] == page
    row = Subscription.objects.get(person=person, standard=std)
    assert row.on_site and row.email == FollowEmail.OFF
    assert AuditEvent.objects.filter(action="subscription.created", actor=person).exists()
    assert "You follow this." in text(client.get(page))

    following = text(client.get(reverse("dashboard:following")))
    assert "ASM Cobalt Framework" in following
    client.post(reverse("dashboard:follow"), {"target": f"standard:{std.pk}", "email": "daily"})
    row.refresh_from_db()
    assert not row.on_site and row.email == FollowEmail.DAILY

    client.post(reverse("dashboard:unfollow"), {"target": f"standard:{std.pk}"})
    assert not Subscription.objects.filter(person=person).exists()
    assert AuditEvent.objects.filter(action="subscription.removed", actor=person).exists()


def test_follow_buttons_on_the_group_and_thread_pages(client, group):
    person = member(group)
    client.force_login(person)
    room = threads.thread_for_group(group)
    body = text(client.get(reverse("discussions:thread", args=[room.pk])))
    assert f'value="thread:{room.pk}"' in body
    client.post(reverse("dashboard:follow"), {"target": f"group:{group.pk}", "on_site": "1"})
    assert Subscription.objects.filter(person=person, working_group=group).exists()


def test_nobody_follows_what_they_may_not_see(client, group):
    room = threads.thread_for_group(group)
    client.force_login(UserFactory())
    response = client.post(
        reverse("dashboard:follow"), {"target": f"thread:{room.pk}", "on_site": "1"}
    )
    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_followers_who_asked_for_email_at_once_get_one(t, told, mailoutbox):
    fan = UserFactory(preferred_language="fr")
    Subscription.objects.create(person=fan, working_group=t.group, email=FollowEmail.IMMEDIATE)
    told(lambda: make_ballot(t))
    assert [m.to for m in mailoutbox] == [[fan.email]]
    assert "Adopt version 2" in mailoutbox[0].subject
    assert "/me/following/" in mailoutbox[0].body


def test_a_group_follower_gets_one_email_about_a_period_not_two(group, told, mailoutbox):
    fan = UserFactory()
    Subscription.objects.create(person=fan, working_group=group, email=FollowEmail.IMMEDIATE)
    period(draft(standard(group, title="ASM Cobalt Framework")))
    made = told(lambda: period_reminders())
    assert kinds(made, fan) == {Kind.PERIOD_OPENED}
    to_fan = [m for m in mailoutbox if m.to == [fan.email]]
    assert len(to_fan) == 1 and "Comment period open" in to_fan[0].subject


def test_site_only_followers_get_no_email(group, told, mailoutbox):
    fan = UserFactory()
    Subscription.objects.create(person=fan, working_group=group, email=FollowEmail.OFF)
    period(draft(standard(group)))
    made = told(lambda: period_reminders())
    assert kinds(made, fan) == {Kind.PERIOD_OPENED}
    assert all(m.to != [fan.email] for m in mailoutbox)
