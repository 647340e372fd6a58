"""Reads that pages and the API share, with their joins, so N+1 is fixed once."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from .models import (
    ChainLink,
    Chamber,
    GroupRole,
    MembershipStatus,
    Organisation,
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


def member_count_by_chain_link() -> list[tuple[str, int]]:
    counts = dict(
        Organisation.objects.filter(membership_status=MembershipStatus.MEMBER)
        .values_list("chain_link")
        .annotate(n=Count("id"))
    )
    return [(label, counts.get(value, 0)) for value, label in ChainLink.choices]


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


def ballot_turnout_by_chamber(ballot_id: int) -> list[dict]:
    """Seats on the roll and seats that voted, per chamber (counts only)."""
    from .models import Participation, RollEntry

    voted = set(Participation.objects.filter(ballot_id=ballot_id).values_list("seat_id", flat=True))
    rows: dict[str, dict] = {}
    for chamber, seat_id in (
        RollEntry.objects.filter(ballot_id=ballot_id)
        .order_by("chamber__sort_order", "chamber__name")
        .values_list("chamber__name", "seat_id")
    ):
        row = rows.setdefault(chamber, {"chamber": chamber, "eligible": 0, "voted": 0})
        row["eligible"] += 1
        row["voted"] += seat_id in voted
    return list(rows.values())
