"""/me/: what needs a person now, per role, with a query count that stays flat."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Audience
from governance import services
from governance.models import Ballot, BallotStatus, GroupRole, SeatRole
from tests.consultations.test_views import Scene, closed, comment, dispose, period
from tests.factories import UserFactory, give_role, seat_person
from tests.governance.test_ballot_views import make_ballot, text
from tests.governance.test_ballot_views import t as t  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

ME = "/me/"


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(ME)
    assert response.status_code == 200
    return text(response)


def test_login_lands_on_the_dashboard(client):
    UserFactory(username="amani")
    response = client.post(
        reverse("accounts:login"), {"username": "amani", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(ME) or "two-step" in response["Location"]


def test_anonymous_readers_are_sent_to_log_in(client):
    response = client.get(ME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_holder_sees_a_pending_vote_then_that_it_is_cast(client, t):
    ballot = make_ballot(t)
    holder = t.holders[0]
    body = page(client, holder)
    assert ballot.title in body and "not voted yet" in body and "Vote now" in body
    assert f"/ballots/{ballot.pk}/#seat-{t.seats[0].pk}" in body
    assert "1 vote waits for you" in body
    assert t.seats[0].label in body and "you hold this seat" in body

    services.vote_cast(actor=holder, ballot=ballot, seat=t.seats[0], option_key="for")
    body = page(client, holder)
    assert "voted" in body and "Vote now" not in body and "0 votes wait for you" in body


def test_alternate_and_proxy_see_the_seats_they_stand_in_for(client, t):
    ballot = make_ballot(t)
    assert "you are the alternate" in page(client, t.alternate)
    proxy = UserFactory()
    services.delegation_grant(actor=t.holders[1], ballot=ballot, seat=t.seats[1], proxy=proxy)
    body = page(client, proxy)
    assert "you are the proxy" in body and "Vote now" in body and t.seats[1].label in body
    body = page(client, t.holders[1])
    assert f"your proxy {proxy.display_name} votes" in body and "Vote now" not in body


def test_someone_without_a_seat_sees_no_ballot(client, t):
    make_ballot(t)
    body = page(client, UserFactory())
    assert "No ballot is open for a seat of yours." in body
    assert "You hold no seat" in body


def test_chair_sees_drafts_and_ballots_to_certify(client, t):
    draft = make_ballot(t, open_it=False)
    done = make_ballot(t)
    Ballot.objects.filter(pk=done.pk).update(title="Ready to count")
    services.ballot_close(actor=None, ballot=done, now=done.closes_at)
    done.refresh_from_db()
    assert done.status == BallotStatus.CLOSED
    body = page(client, t.chair)
    assert "Draft ballot" in body and f"/ballots/{draft.pk}/" in body
    assert "Ballot to certify" in body and "Ready to count" in body
    # A plain holder runs no ballot and certifies nothing.
    body = page(client, t.holders[2])
    assert "Draft ballot" not in body and "Ballot to certify" not in body


def test_secretariat_sees_comments_to_dispose_of(client):
    scene = Scene()
    first = comment(scene.consultation, scene.commenter, scene.clauses[0])
    comment(scene.consultation, scene.commenter, scene.clauses[1])
    closed(scene.consultation)
    dispose(first, scene.secretariat)
    body = page(client, scene.secretariat)
    assert "Comments to dispose of" in body and "1 comment without a disposition" in body
    assert reverse("consultations:resolution", args=[scene.consultation.pk]) in body
    assert "Comments to dispose of" not in page(client, scene.member)


def test_commenter_sees_open_periods_and_how_each_comment_was_disposed(client):
    scene = Scene()
    first = comment(scene.consultation, scene.commenter, scene.clauses[0], body="Be precise.")
    comment(scene.consultation, scene.commenter, scene.clauses[1], body="Add a date.")
    dispose(first, scene.secretariat, decision="not_accepted", response="Out of our hands.")
    body = page(client, scene.commenter)
    assert "Comment periods open to you" in body and "you made 2 comments" in body
    assert "Not accepted" in body and "Out of our hands." in body
    assert "awaiting a disposition" in body


def test_members_only_rounds_are_listed_for_members_only(client):
    scene = Scene(audience=Audience.MEMBERS)
    assert str(scene.consultation) in page(client, scene.member)
    assert "members only" in page(client, scene.member)
    assert "No comment period is open to you." in page(client, scene.commenter)


def _grow(t, scene, n):
    """n more open ballots with the holder on their roll, n periods with a comment
    each (half disposed), n closed periods to resolve, n drafts."""
    for _ in range(n):
        make_ballot(t)
        make_ballot(t, open_it=False)
        other = period(scene.version)
        mine = comment(other, scene.commenter, scene.clauses[0])
        dispose(mine, scene.secretariat)
        comment(other, scene.commenter, scene.clauses[1])
        done = period(scene.version)
        comment(done, scene.commenter, scene.clauses[0])
        closed(done)


def _count(client, user) -> int:
    client.force_login(user)
    client.get(ME)  # warm the per-process caches (content types, site root)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    return len(queries)


def test_query_count_stays_flat_for_every_role(client, t):
    """One query per list (seats, ballots and their proxies, periods, comments, and
    each kind of task), plus the session, user and permission rows."""
    scene = Scene()
    scene.group = t.group
    give_role(scene.commenter, t.group, GroupRole.SECRETARIAT)
    seat_person(t.seats[1], role=SeatRole.ALTERNATE, person=scene.commenter)
    people = [t.holders[0], t.chair, scene.commenter, scene.secretariat]
    _grow(t, scene, 2)
    before = [_count(client, person) for person in people]
    _grow(t, scene, 6)
    after = [_count(client, person) for person in people]
    assert after == before
    assert max(after) <= 22


def test_ballots_that_closed_leave_the_list(client, t):
    ballot = make_ballot(t, closes=timezone.now() + datetime.timedelta(minutes=1))
    assert ballot.title in page(client, t.holders[0])
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    assert "No ballot is open for a seat of yours." in page(client, t.holders[0])
