"""Listing columns for seats. They read `seat.current_terms`, the current assignments
prefetched by `seats_for_listing()`, so a page of seats costs the same few queries
however many rows it shows."""

from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from ..models import Seat, SeatAssignment, SeatRole


def seats_for_listing(seats: QuerySet[Seat]) -> QuerySet[Seat]:
    current = SeatAssignment.objects.current().select_related("person", "organisation")
    return seats.select_related("working_group", "chamber", "chamber__parent").prefetch_related(
        Prefetch("assignments", queryset=current.order_by("start"), to_attr="current_terms")
    )


def _current(seat: Seat, role: str) -> SeatAssignment | None:
    return next((a for a in getattr(seat, "current_terms", ()) if a.role == role), None)


def _who(assignment: SeatAssignment) -> str:
    return f"{assignment.person.public_name} ({assignment.organisation.name})"


def holder(seat: Seat) -> str:
    if not seat.is_active:
        return _("Retired")
    current = _current(seat, SeatRole.HOLDER)
    return _who(current) if current else _("Vacant")


def alternate(seat: Seat) -> str:
    current = _current(seat, SeatRole.ALTERNATE)
    return _who(current) if current else "—"


def term(seat: Seat) -> str:
    current = _current(seat, SeatRole.HOLDER)
    if current is None:
        return "—"
    end = date_format(current.end) if current.end else _("open-ended")
    return f"{date_format(current.start)} – {end}"


SEAT_COLUMNS = [
    Column("holder", label=_("Current holder"), accessor=holder),
    Column("alternate", label=_("Current alternate"), accessor=alternate),
    Column("term", label=_("Term"), accessor=term),
]
