"""Reads shared by the public member pages and the home page, with their joins, so
each page runs a fixed number of queries whatever the number of members."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from governance.models import (
    CHAIN_STAGES,
    SUPPORTING_LINKS,
    ChainLink,
    Chamber,
    MembershipStatus,
    Organisation,
    SeatAssignment,
    SeatRole,
    WorkingGroup,
    WorkingGroupRole,
)
from governance.models.assignments import today

from .models import Contribution


def members():
    return Organisation.objects.filter(membership_status=MembershipStatus.MEMBER)


@dataclass(frozen=True)
class DirectoryFilters:
    link: str = ""
    country: str = ""
    chamber: str = ""  # a top-level chamber's slug: its sub-chambers match too

    @classmethod
    def from_query(cls, query) -> "DirectoryFilters":
        link = query.get("link", "")
        return cls(
            link=link if link in ChainLink.values else "",
            country=(query.get("country", "") or "").upper()[:2],
            chamber=(query.get("chamber", "") or "")[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.link or self.country or self.chamber)


def member_directory(filters: DirectoryFilters):
    """Member organisations, by name, filtered by link, country and chamber. One query."""
    rows = members().select_related("chamber__parent").order_by("name")
    if filters.link:
        rows = rows.filter(chain_link=filters.link)
    if filters.country:
        rows = rows.filter(country=filters.country)
    if filters.chamber:
        rows = rows.filter(
            Q(chamber__slug=filters.chamber) | Q(chamber__parent__slug=filters.chamber)
        )
    return rows


def member_countries() -> list[tuple[str, str]]:
    """(code, name) of the countries members come from, by name. One query."""
    codes = set(members().values_list("country", flat=True).distinct())
    from django_countries import countries

    return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])


def top_level_chambers():
    return Chamber.objects.filter(parent__isnull=True).order_by("sort_order", "name")


# --- The chain map ------------------------------------------------------------------


@dataclass
class MapLink:
    value: str
    label: str
    organisations: list = field(default_factory=list)


@dataclass
class ChainMap:
    stages: list[list[MapLink]]
    supporting: list[MapLink]

    @property
    def count(self) -> int:
        return sum(len(link.organisations) for stage in self.stages for link in stage) + sum(
            len(link.organisations) for link in self.supporting
        )


def chain_map(country: str = "") -> ChainMap:
    """Every member at its link: the chain's stages in order from the pit to the
    product, and the supporting actors alongside. One query."""
    rows = members().only("name", "slug", "chain_link", "country").order_by("name")
    if country:
        rows = rows.filter(country=country)
    links = {value: MapLink(value, str(label)) for value, label in ChainLink.choices}
    for organisation in rows:
        links[organisation.chain_link].organisations.append(organisation)
    return ChainMap(
        stages=[[links[value] for value in stage] for stage in CHAIN_STAGES],
        supporting=[links[value] for value in SUPPORTING_LINKS],
    )


# --- A member's public profile ----------------------------------------------------


@dataclass
class ProfileSeat:
    group: WorkingGroup
    label: str
    chamber: str
    holder: str
    role: str


@dataclass
class Profile:
    organisation: Organisation
    seats: list[ProfileSeat]
    groups: list[WorkingGroup]
    published: list[Contribution]


def member_profile(slug: str) -> Profile | None:
    """A member's public profile: its seats now (in public working groups) and who
    holds them, the groups it takes part in (seats, and roles of its people), and its
    contributions when it opted in. Five queries whatever its size."""
    organisation = (
        members().select_related("chamber__parent", "membership").filter(slug=slug).first()
    )
    if organisation is None:
        return None
    on = today()
    public_groups = WorkingGroup.objects.public()
    assignments = (
        SeatAssignment.objects.current(on)
        .filter(
            organisation=organisation, seat__is_active=True, seat__working_group__in=public_groups
        )
        .select_related("seat__working_group", "seat__chamber__parent", "person")
        .order_by("seat__working_group__name", "seat__sort_order", "seat__label", "role")
    )
    seats = [
        ProfileSeat(
            group=a.seat.working_group,
            label=a.seat.label,
            chamber=str(a.seat.chamber),
            holder=a.person.public_name,
            role=SeatRole(a.role).label,
        )
        for a in assignments
    ]
    groups = {seat.group.pk: seat.group for seat in seats}
    for role in (
        WorkingGroupRole.objects.current(on)
        .filter(person__organisation=organisation, working_group__in=public_groups)
        .select_related("working_group")
    ):
        groups.setdefault(role.working_group_id, role.working_group)
    membership = getattr(organisation, "membership", None)
    published = (
        list(Contribution.objects.filter(organisation=organisation).order_by("-year"))
        if membership is not None and membership.publish_contribution
        else []
    )
    return Profile(
        organisation=organisation,
        seats=seats,
        groups=sorted(groups.values(), key=lambda g: g.name),
        published=published,
    )


def own_contributions(organisation: Organisation):
    """A member's contributions with their payments and invoices, for its own people
    and the secretariat. Three queries."""
    return (
        Contribution.objects.filter(organisation=organisation)
        .prefetch_related("payments", Prefetch("invoices"))
        .order_by("-year")
    )
