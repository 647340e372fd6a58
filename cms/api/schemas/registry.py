"""Working groups with their seats, chambers, organisations. No field holds an email."""

from ninja import Schema

from .. import selectors
from .refs import ChamberRef, OrganisationRef


class PersonOut(Schema):
    name: str
    organisation: OrganisationRef | None


class SeatOut(Schema):
    id: int
    label: str
    sub_chamber: str | None
    vacant: bool
    organisation: OrganisationRef | None  # the organisation the holder represents
    holder: str | None  # public name
    alternate: PersonOut | None


class ChamberSeatsOut(Schema):
    chamber: ChamberRef
    vacancies: int
    seats: list[SeatOut]


class WorkingGroupOut(Schema):
    id: int
    slug: str
    name: str
    status: str
    status_label: str
    mandate_html: str
    chairs: list[PersonOut]
    chambers: list[ChamberSeatsOut]
    seat_count: int
    vacancies: int

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_mandate_html(obj) -> str:
        from wagtail.rich_text import expand_db_html

        return expand_db_html(obj.mandate or "")

    @staticmethod
    def resolve_chairs(obj) -> list[dict]:
        return [
            {"name": selectors.person_name(role.person), "organisation": role.person.organisation}
            for role in obj.current_chairs
        ]

    @staticmethod
    def resolve_chambers(obj) -> list[dict]:
        return _seat_rows(obj)

    @staticmethod
    def resolve_seat_count(obj) -> int:
        return len(obj.public_seats)

    @staticmethod
    def resolve_vacancies(obj) -> int:
        return sum(row["vacancies"] for row in _seat_rows(obj))


def _seat_rows(group) -> list[dict]:
    if not hasattr(group, "_seat_rows"):
        group._seat_rows = selectors.seats_by_chamber(group)
    return group._seat_rows


class ChamberOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    parent: ChamberRef | None
    sort_order: int


class OrganisationOut(Schema):
    id: int
    slug: str
    name: str
    chain_link: str
    chain_link_label: str
    country: str
    country_name: str
    membership_status: str
    membership_status_label: str
    chamber: ChamberRef | None

    @staticmethod
    def resolve_chain_link_label(obj) -> str:
        return str(obj.get_chain_link_display())

    @staticmethod
    def resolve_country(obj) -> str:
        return obj.country.code or ""

    @staticmethod
    def resolve_country_name(obj) -> str:
        return str(obj.country.name or "")

    @staticmethod
    def resolve_membership_status_label(obj) -> str:
        return str(obj.get_membership_status_display())
