"""What needs a person now: the reads behind /me/.

Every list is one query (or two) whatever the number of groups, ballots or
comments: the page's query count stays flat as data grows
(tests/dashboard/test_dashboard.py).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.models import Page, WorkflowState

from cms.models import DecisionPage
from consultations.models import Audience, Comment, Consultation, Standard, Subscription
from consultations.models.discussions import Thread
from governance import permissions
from governance.models import (
    Ballot,
    BallotStatus,
    CastAs,
    Delegation,
    Participation,
    RollEntry,
    SeatAssignment,
    WorkingGroup,
)
from governance.models.assignments import today

from .models import Notification

SOON = datetime.timedelta(days=7)
RECENT_COMMENTS = 20


@dataclass
class BallotLine:
    ballot: Ballot
    seat_id: int
    seat_label: str
    capacity: str  # a CastAs value
    voted: bool
    proxy_name: str | None  # someone I named to vote for my seat

    @property
    def closes_soon(self) -> bool:
        return self.ballot.closes_at - timezone.now() <= SOON


@dataclass
class Dashboard:
    seats: list = field(default_factory=list)
    proxies: list = field(default_factory=list)
    ballots: list[BallotLine] = field(default_factory=list)
    periods: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    draft_ballots: list = field(default_factory=list)
    ballots_to_certify: list = field(default_factory=list)
    periods_to_resolve: list = field(default_factory=list)
    approvals: list = field(default_factory=list)

    @property
    def pending_votes(self) -> int:
        return sum(1 for line in self.ballots if not line.voted and not line.proxy_name)

    @property
    def actions(self) -> int:
        return (
            len(self.draft_ballots)
            + len(self.ballots_to_certify)
            + len(self.periods_to_resolve)
            + len(self.approvals)
        )


def my_seats(person, on=None):
    """Seats the person holds or stands in for (alternate) today."""
    return list(
        SeatAssignment.objects.current(on or today())
        .filter(person=person)
        .select_related("seat__working_group", "seat__chamber")
        .order_by("seat__working_group__name", "seat__label", "role")
    )


def my_open_ballots(person, now=None) -> list[BallotLine]:
    """Open ballots on which the person may cast a seat's vote (holder, alternate or
    proxy named for that ballot), voted or not, closing soonest first."""
    now = now or timezone.now()
    my_proxy = Delegation.objects.filter(
        ballot=OuterRef("ballot"), seat=OuterRef("seat"), proxy=person, revoked_at__isnull=True
    )
    entries = (
        RollEntry.objects.filter(ballot__status=BallotStatus.OPEN, ballot__closes_at__gt=now)
        .annotate(
            is_proxy=Exists(my_proxy),
            voted=Exists(
                Participation.objects.filter(ballot=OuterRef("ballot"), seat=OuterRef("seat"))
            ),
        )
        .filter(Q(holder=person) | Q(alternate=person) | Q(is_proxy=True))
        .select_related("ballot__working_group", "seat")
        .order_by("ballot__closes_at", "ballot_id", "seat__label")
    )
    entries = list(entries)
    named = {
        (d.ballot_id, d.seat_id): d.proxy.display_name or d.proxy.username
        for d in Delegation.objects.filter(
            ballot_id__in={e.ballot_id for e in entries},
            granted_by=person,
            revoked_at__isnull=True,
        ).select_related("proxy")
    }
    lines = []
    for entry in entries:
        if entry.holder_id == person.pk:
            capacity = CastAs.HOLDER
        elif entry.alternate_id == person.pk:
            capacity = CastAs.ALTERNATE
        else:
            capacity = CastAs.PROXY
        lines.append(
            BallotLine(
                ballot=entry.ballot,
                seat_id=entry.seat_id,
                seat_label=entry.seat.label,
                capacity=capacity,
                voted=entry.voted,
                proxy_name=named.get((entry.ballot_id, entry.seat_id)),
            )
        )
    return lines


def open_periods_for(person, member_groups: set[int], now=None):
    """Comment periods open now that the person may comment on: public rounds, and
    members-only rounds of their groups; each with how many comments they made."""
    return list(
        Consultation.objects.open(now)
        .filter(
            Q(audience=Audience.PUBLIC)
            | Q(audience=Audience.MEMBERS, version__standard__working_group_id__in=member_groups)
        )
        .annotate(
            my_comments=Count(
                "comments",
                filter=Q(comments__author=person, comments__withdrawn_at__isnull=True),
            )
        )
        .select_related("version__standard__working_group")
        .order_by("closes_at", "id")
    )


def my_comments(person, limit=RECENT_COMMENTS):
    """The person's latest comments with their disposition (if any). Their own text,
    so nothing here is hidden from them."""
    return list(
        Comment.objects.active()
        .filter(author=person)
        .select_related("consultation__version__standard", "clause", "disposition")
        .order_by("-created_at", "-id")[:limit]
    )


def dashboard_for(person, now=None) -> Dashboard:
    now = now or timezone.now()
    held = permissions.group_ids_by_permission(person)
    board = Dashboard(
        seats=my_seats(person),
        ballots=my_open_ballots(person, now),
        periods=open_periods_for(person, held["comment_members_only"], now),
        comments=my_comments(person),
    )
    board.proxies = [line for line in board.ballots if line.capacity == CastAs.PROXY]
    if held["run_ballots"]:
        board.draft_ballots = list(
            Ballot.objects.filter(
                status=BallotStatus.DRAFT, working_group_id__in=held["run_ballots"]
            )
            .select_related("working_group")
            .order_by("opens_at", "id")
        )
    if held["certify_results"]:
        board.ballots_to_certify = list(
            Ballot.objects.filter(
                status=BallotStatus.CLOSED, working_group_id__in=held["certify_results"]
            )
            .select_related("working_group")
            .order_by("closed_at", "id")
        )
        board.approvals = decisions_awaiting_approval(held["certify_results"])
    if held["manage_consultations"]:
        board.periods_to_resolve = list(
            Consultation.objects.closed(now)
            .filter(
                report_published_at__isnull=True,
                version__standard__working_group_id__in=held["manage_consultations"],
            )
            .annotate(
                undisposed=Count(
                    "comments",
                    filter=Q(
                        comments__withdrawn_at__isnull=True,
                        comments__disposition__isnull=True,
                    ),
                )
            )
            .select_related("version__standard__working_group")
            .order_by("closes_at", "id")
        )
    return board


def decisions_awaiting_approval(group_ids: set[int]) -> list[DecisionPage]:
    """Decision pages of these groups whose approval workflow is in progress."""
    in_progress = WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=DecisionPage.objects.filter(decision__working_group_id__in=group_ids)
        .annotate(key=Cast("pk", CharField()))
        .values("key"),
    )
    page_ids = [int(pk) for pk in in_progress.values_list("object_id", flat=True)]
    if not page_ids:
        return []
    return list(
        DecisionPage.objects.filter(pk__in=page_ids)
        .select_related("decision__working_group")
        .order_by("pk")
    )


# --- Notifications and following -------------------------------------------------


def notifications_for(person):
    """The person's notifications for the site, newest first (no join: each row carries
    its own title and link)."""
    return Notification.objects.shown().filter(recipient=person).order_by("-created_at", "-pk")


def unread_count(person) -> int:
    """One count on the partial index of unread notifications."""
    if not (person and person.is_authenticated):
        return 0
    return Notification.objects.unread().filter(recipient=person).count()


FOLLOWABLE = {"group", "standard", "thread"}
THREAD_RELATED = (
    "thread__consultation__version__standard__working_group",
    "thread__clause",
    "thread__ballot__working_group",
    "thread__working_group",
)


def followable(value: str):
    """The working group, standard or thread named "group:<id>", "standard:<id>" or
    "thread:<id>", or None."""
    kind, _sep, pk = value.partition(":")
    if kind not in FOLLOWABLE or not pk.isdigit():
        return None
    if kind == "group":
        return WorkingGroup.objects.filter(pk=pk).first()
    if kind == "standard":
        return Standard.objects.select_related("working_group").filter(pk=pk).first()
    return (
        Thread.objects.select_related(*(r.removeprefix("thread__") for r in THREAD_RELATED))
        .filter(pk=pk)
        .first()
    )


def target_key(target) -> str:
    """The "group:<id>" … name of a followable object (the inverse of `followable`)."""
    if isinstance(target, Standard):
        return f"standard:{target.pk}"
    if isinstance(target, Thread):
        return f"thread:{target.pk}"
    return f"group:{target.pk}"


def subscriptions_of(person) -> list:
    """What the person follows, with everything each row shows: one query."""
    rows = list(
        Subscription.objects.filter(person=person)
        .select_related("working_group", "standard__working_group", *THREAD_RELATED)
        .order_by("-created_at", "-pk")
    )
    for row in rows:
        row.key = target_key(row.target)
    return rows


def subscription_of(person, value: str):
    kind, _sep, pk = value.partition(":")
    if kind not in FOLLOWABLE or not pk.isdigit():
        return None
    field = {"group": "working_group", "standard": "standard", "thread": "thread"}[kind]
    return (
        Subscription.objects.filter(person=person, **{f"{field}_id": pk})
        .select_related("working_group", "standard__working_group", *THREAD_RELATED)
        .first()
    )
