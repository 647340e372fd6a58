"""Reads that pages and the API share, with their joins, so N+1 is fixed once."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Ballot,
    BallotStatus,
    Chamber,
    Decision,
    GroupRole,
    Participation,
    RollEntry,
    Seat,
    SeatAssignment,
    SeatRole,
    WorkingGroup,
    WorkingGroupRole,
)
from .models.assignments import today


def public_working_groups():
    return WorkingGroup.objects.public().annotate(
        seat_count=Count("seats", filter=Q(seats__is_active=True))
    )


@dataclass
class SeatRow:
    seat: Seat
    holder: SeatAssignment | None
    alternate: SeatAssignment | None

    @property
    def vacant(self) -> bool:
        return self.holder is None


@dataclass
class ChamberRows:
    chamber: Chamber
    rows: list[SeatRow] = field(default_factory=list)

    @property
    def vacancies(self) -> int:
        return sum(row.vacant for row in self.rows)


@dataclass
class SeatTable:
    chairs: list[WorkingGroupRole]
    chambers: list[ChamberRows]

    @property
    def vacancies(self) -> int:
        return sum(c.vacancies for c in self.chambers)


def seat_table(group: WorkingGroup) -> SeatTable:
    """The group's active seats grouped by top-level chamber, each with its current
    holder and alternate, in a fixed number of queries whatever the group's size."""
    on = today()
    current = SeatAssignment.objects.current(on).select_related("person", "organisation")
    seats = (
        Seat.objects.filter(working_group=group, is_active=True)
        .select_related("chamber__parent")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("chamber__parent__sort_order", "chamber__sort_order", "sort_order", "label")
    )
    by_chamber: dict[int, ChamberRows] = {}
    for seat in seats:
        top = seat.chamber.top_level
        holder = next((a for a in seat.current_assignments if a.role == SeatRole.HOLDER), None)
        alternate = next(
            (a for a in seat.current_assignments if a.role == SeatRole.ALTERNATE), None
        )
        by_chamber.setdefault(top.pk, ChamberRows(top)).rows.append(
            SeatRow(seat, holder, alternate)
        )
    chambers = sorted(by_chamber.values(), key=lambda c: (c.chamber.sort_order, c.chamber.name))
    chairs = list(
        WorkingGroupRole.objects.current(on)
        .filter(working_group=group, role=GroupRole.CHAIR)
        .select_related("person__organisation")
    )
    return SeatTable(chairs=chairs, chambers=chambers)


def ballot_turnout_by_chamber(ballot_id: int, *, colours: bool = False) -> list[dict]:
    """Seats on the roll and seats that voted, per chamber (counts only), in one
    aggregate query: a vote surge recounts this once per interval, not per vote.
    `colours` adds each chamber's colour class, for the page (live events carry counts
    only)."""
    from .models import Participation, RollEntry

    has_voted = Exists(
        Participation.objects.filter(ballot_id=OuterRef("ballot_id"), seat_id=OuterRef("seat_id"))
    )
    rows = (
        RollEntry.objects.filter(ballot_id=ballot_id)
        .values(
            "chamber_id",
            "chamber__name",
            "chamber__sort_order",
            "chamber__slug",
            "chamber__parent__slug",
        )
        .annotate(eligible=Count("pk"), voted=Count("pk", filter=Q(has_voted)))
        .order_by("chamber__sort_order", "chamber__name")
    )
    found = [
        {
            "chamber": row["chamber__name"],
            "chamber_id": row["chamber_id"],
            "eligible": row["eligible"],
            "voted": row["voted"],
        }
        for row in rows
    ]
    if colours:
        for row, shown in zip(rows, found, strict=True):
            shown["colour"] = f"chamber-{row['chamber__parent__slug'] or row['chamber__slug']}"
    return found


# --- The public record of a working group (added with the transparency pages) ---------

ARTISANAL_MINERS_SLUG = "artisanal-miners"


def chambers_named(names) -> dict[str, Chamber]:
    """Chambers by the names a stored result gives them (in one query). A result keeps
    the name it was counted under, in whichever language was active then, so all three
    columns are matched; pages show the chamber's name in the reader's language and its
    colour."""
    names = {name for name in names if name}
    if not names:
        return {}
    found = {}
    query = Q(name_en__in=names) | Q(name_fr__in=names) | Q(name_sw__in=names)
    for chamber in Chamber.objects.filter(query).select_related("parent"):
        for stored in (chamber.name_en, chamber.name_fr, chamber.name_sw):
            if stored in names:
                found.setdefault(stored, chamber)
    return found


def chamber_colour_class(chamber: Chamber | None) -> str:
    """The CSS class that gives a chamber its colour in every chart, badge and table; a
    sub-chamber takes its parent's."""
    if chamber is None:
        return "chamber-other"
    top = chamber.parent if chamber.parent_id else chamber
    return f"chamber-{top.slug}"


def is_artisanal_miners(chamber: Chamber) -> bool:
    """The chamber of artisanal miners, whose participation the public pages always
    state explicitly: known by its slug, or by its name where the slug differs."""
    return (
        chamber.slug == ARTISANAL_MINERS_SLUG or chamber.name.strip().lower() == "artisanal miners"
    )


def group_open_ballots(group: WorkingGroup):
    """The group's ballots open now (their pages are public), closing soonest first."""
    return Ballot.objects.filter(working_group=group, status=BallotStatus.OPEN).order_by(
        "closes_at", "id"
    )


PAST_BALLOTS_SHOWN = 10


@dataclass
class GroupBallots:
    """A working group's ballots for its page: open now, opened ahead of their voting
    time, the newest past ones (closed, certified, cancelled) and, for those who run
    ballots, the drafts."""

    open: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    past: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    more_past: bool = False


def group_ballots_by_state(group: WorkingGroup, *, drafts: bool = False, at=None) -> GroupBallots:
    """Two queries whatever the number of ballots. Drafts only when `drafts` (the caller
    asked `permissions.can_run_ballots`)."""
    at = at or timezone.now()
    found = GroupBallots()
    current = [BallotStatus.OPEN, *([BallotStatus.DRAFT] if drafts else [])]
    for ballot in Ballot.objects.filter(working_group=group, status__in=current).order_by(
        "closes_at", "id"
    ):
        if ballot.status == BallotStatus.DRAFT:
            found.drafts.append(ballot)
        elif ballot.opens_at > at:
            found.upcoming.append(ballot)
        else:
            found.open.append(ballot)
    past = list(
        Ballot.objects.filter(
            working_group=group,
            status__in=(BallotStatus.CLOSED, BallotStatus.CERTIFIED, BallotStatus.CANCELLED),
        ).order_by("-closes_at", "-id")[: PAST_BALLOTS_SHOWN + 1]
    )
    found.past, found.more_past = past[:PAST_BALLOTS_SHOWN], len(past) > PAST_BALLOTS_SHOWN
    return found


def group_decisions(group: WorkingGroup):
    """What the group decided: decisions of certified ballots, and consensus reached
    without a ballot; newest first."""
    return (
        Decision.objects.filter(working_group=group)
        .filter(
            Q(kind=Decision.Kind.CONSENSUS, ballot__isnull=True)
            | Q(ballot__status=BallotStatus.CERTIFIED)
        )
        .order_by("-decided_at", "-id")
    )


@dataclass
class ChamberTurnout:
    """Seats of one chamber on a ballot's roll, and how many of them voted (counts
    only: never a choice)."""

    chamber: Chamber
    eligible: int
    voted: int

    @property
    def is_artisanal_miners(self) -> bool:
        return is_artisanal_miners(self.chamber)


@dataclass
class SeatBalance:
    rows: list[ChamberTurnout]

    @property
    def eligible(self) -> int:
        return sum(row.eligible for row in self.rows)

    @property
    def voted(self) -> int:
        return sum(row.voted for row in self.rows)

    @property
    def artisanal_miners(self) -> ChamberTurnout | None:
        return next((row for row in self.rows if row.is_artisanal_miners), None)


def ballot_seat_balance(ballot) -> SeatBalance:
    """Seats on the roll and seats that voted, per top-level chamber of the roll's
    snapshot. Reads `Participation` (that a seat voted), never a choice. Two queries
    whatever the size of the roll: the counts and the chambers."""
    voted = Exists(
        Participation.objects.filter(ballot_id=OuterRef("ballot_id"), seat_id=OuterRef("seat_id"))
    )
    counts = {
        row["top"]: row
        for row in RollEntry.objects.filter(ballot=ballot)
        .annotate(top=Coalesce("chamber__parent_id", "chamber_id"))
        .values("top")
        .annotate(eligible=Count("id"), voted=Count("id", filter=Q(voted)))
        .order_by()
    }
    chambers = Chamber.objects.filter(pk__in=counts).order_by("sort_order", "name")
    return SeatBalance(
        [
            ChamberTurnout(chamber, counts[chamber.pk]["eligible"], counts[chamber.pk]["voted"])
            for chamber in chambers
        ]
    )
