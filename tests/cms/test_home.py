"""Issue 14, the home page: what is happening, in the reader's language — open comment
periods and ballots with their deadlines, the latest decisions, the chain, the working
groups, a call to get involved — and for a signed-in seat holder, the votes waiting."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import DecisionPage
from consultations.models import Consultation
from governance.models import Ballot, BallotStatus, Participation, RollEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    ballot = Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).first()
    consultation = Consultation.objects.open(now).filter(audience="public").first()
    decision = DecisionPage.objects.live().public().order_by("-decision__decided_at").first()
    assert ballot and consultation and decision
    return ballot, consultation, decision


def test_a_visitor_sees_what_is_open_what_was_decided_and_how_to_join(client, demo):
    ballot, consultation, decision = demo
    html = client.get("/").content.decode()
    assert "Open now" in html
    assert f'href="/ballots/{ballot.pk}/"' in html
    assert ballot.title in html
    assert f'href="/consultations/{consultation.pk}/"' in html
    assert consultation.version.standard.title in html
    assert "Closes" in html and 'datetime="' in html
    assert "Latest decisions" in html and decision.title in html
    assert "The chain at a glance" in html and 'class="chain-map' in html
    assert "ASM Cobalt Framework" in html  # a working group
    assert "Add your link to the chain" in html
    assert "Waiting for you" not in html


def test_the_home_page_speaks_french_and_swahili(client, demo):
    french = client.get("/fr/").content.decode()
    assert "Dernières décisions" in french
    assert "Ajoutez votre maillon à la chaîne" in french
    swahili = client.get("/sw/").content.decode()
    assert "Maamuzi ya hivi karibuni" in swahili


def test_a_seat_holder_sees_the_vote_waiting_for_them_until_cast(client, demo):
    ballot = demo[0]
    entry = (
        RollEntry.objects.filter(ballot=ballot, holder__isnull=False)
        .exclude(seat__in=Participation.objects.filter(ballot=ballot).values("seat"))
        .select_related("holder", "seat")
        .first()
    )
    client.force_login(entry.holder)
    html = client.get("/").content.decode()
    assert "Waiting for you" in html
    assert f"Your vote for the seat {entry.seat.label}" in html

    Participation.objects.create(
        ballot=ballot, seat=entry.seat, cast_by=entry.holder, cast_as="holder"
    )
    html = client.get("/").content.decode()
    assert f"Your vote for the seat {entry.seat.label}" not in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_home_page_costs_the_same_queries_with_more_open_ballots_and_periods(client, demo):
    """Open consultations (1), open ballots (1), the register and its latest pages (2),
    groups, chain map: fixed, whatever the number of open items."""
    ballot, consultation, _ = demo
    before = _queries(client)
    for n in range(8):
        clone = Ballot.objects.get(pk=ballot.pk)
        clone.pk = None
        clone.save()
        copy = Consultation.objects.get(pk=consultation.pk)
        copy.pk = None
        copy.round_number = 50 + n
        copy.save()
    assert _queries(client) == before
