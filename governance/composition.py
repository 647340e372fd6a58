"""Composition rules of a working group, checked as pure arithmetic.

A rule's *shortfall* is how far the group is from meeting it (0 = met). A change
is refused when it makes any rule's shortfall worse, so a new group can be
filled seat by seat while no change ever breaks a rule it already met.

Reserved seats work as reservations: with at most 9 seats and "at least 3
non-profit", a seventh for-profit holder is refused because only 2 places would
remain open (vacant seats, or seats not yet created under the maximum).
"""

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _


class OrganisationLike(Protocol):
    is_non_profit: bool
    represents_artisanal_miners: bool
    country: str
    chain_link: str


class ReservationLike(Protocol):
    label: str
    min_seats: int

    def matches(self, organisation: OrganisationLike | None) -> bool: ...


@dataclass(frozen=True)
class SeatState:
    seat_id: int
    chamber_ids: frozenset[int]  # the seat's chamber and, for a sub-chamber, its parent
    holder_organisation: OrganisationLike | None  # None: vacant


@dataclass(frozen=True)
class Rules:
    max_seats: int | None
    chamber_minimums: tuple[tuple[str, int, int], ...]  # (label, chamber_id, min_seats)
    reservations: tuple[ReservationLike, ...]


def shortfalls(seats: list[SeatState], rules: Rules) -> dict[str, int]:
    """Rule label → how many seats the group is short of meeting it."""
    result: dict[str, int] = {}
    if rules.max_seats is not None:
        result[_max_label(rules.max_seats)] = max(0, len(seats) - rules.max_seats)
    for label, chamber_id, minimum in rules.chamber_minimums:
        in_chamber = sum(1 for s in seats if chamber_id in s.chamber_ids)
        result[label] = max(0, minimum - in_chamber)
    # Places still open: vacant seats, plus seats the group may still create under its maximum.
    held = sum(1 for s in seats if s.holder_organisation is not None)
    vacant = max(rules.max_seats or 0, len(seats)) - held
    for rule in rules.reservations:
        matching = sum(1 for s in seats if rule.matches(s.holder_organisation))
        result[rule.label] = max(0, rule.min_seats - matching - vacant)
    return result


def broken_rules(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Labels of the rules a change would break (or break further)."""
    return [label for label, short in after.items() if short > before.get(label, 0)]


def _max_label(n: int) -> str:
    return _("at most %(n)s seats") % {"n": n}
