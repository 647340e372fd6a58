"""What the home page shows: what is open now, what was decided, and, for a
signed-in person, the votes that wait for them.

A fixed number of queries whatever the amount of data (tests/cms/test_home.py). The
anonymous page is cached (config/pagecache.py) and expires after PAGE_CACHE_SECONDS,
which bounds how stale a deadline badge can be."""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from wagtail.models import Locale

from consultations.models import Audience, Consultation
from governance.models import (
    Ballot,
    BallotStatus,
    Delegation,
    Participation,
    RollEntry,
    WorkingGroupStatus,
)
from governance.tally import outcome_label

from .models.decisions import DecisionIndexPage, DecisionPage

SHOWN = 6
LATEST_DECISIONS = 3
CLOSING_SOON = datetime.timedelta(days=2)


def _open_ballots(now):
    return Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).exclude(working_group__status=WorkingGroupStatus.CLOSED)


def open_now(now=None) -> dict:
    """Public comment periods and ballots open now, closing soonest first."""
    now = now or timezone.now()
    consultations = list(
        Consultation.objects.open(now)
        .filter(audience=Audience.PUBLIC)
        .exclude(version__standard__working_group__status=WorkingGroupStatus.CLOSED)
        .select_related("version__standard__working_group")
        .order_by("closes_at", "id")[:SHOWN]
    )
    ballots = list(
        _open_ballots(now).select_related("working_group").order_by("closes_at", "id")[:SHOWN]
    )
    soon = now + CLOSING_SOON
    for item in (*consultations, *ballots):
        item.closing_soon = item.closes_at <= soon
    return {"open_consultations": consultations, "open_ballots": ballots}


def latest_decisions(limit: int = LATEST_DECISIONS) -> list[dict]:
    """The newest published decisions, from the register in the reader's language
    (the default locale's when it has none)."""
    indexes = DecisionIndexPage.objects.live().public()
    index = indexes.filter(locale=Locale.get_active()).first() or indexes.first()
    if index is None:
        return []
    pages = (
        DecisionPage.objects.live()
        .public()
        .child_of(index)
        .exclude(decision__working_group__status=WorkingGroupStatus.CLOSED)
        .select_related("decision__working_group")
        .order_by("-decision__decided_at", "-pk")[:limit]
    )
    return [
        {"page": p, "decision": p.decision, "outcome_label": outcome_label(p.decision.outcome)}
        for p in pages
    ]


def votes_waiting(person, now=None) -> list[RollEntry]:
    """Seats `person` may vote for (holder, alternate or proxy) on ballots open now,
    that have not voted yet. Counts participation only, never a choice."""
    now = now or timezone.now()
    voted = Participation.objects.filter(ballot=OuterRef("ballot"), seat=OuterRef("seat"))
    proxy = Delegation.objects.filter(
        ballot=OuterRef("ballot"), seat=OuterRef("seat"), proxy=person, revoked_at__isnull=True
    )
    return list(
        RollEntry.objects.filter(ballot__in=_open_ballots(now))
        .filter(Q(holder=person) | Q(alternate=person) | Q(Exists(proxy)))
        .exclude(Exists(voted))
        .select_related("ballot", "seat")
        .order_by("ballot__closes_at", "ballot_id", "seat__label")
    )
