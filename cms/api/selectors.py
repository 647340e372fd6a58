"""The public part of the record: what the API, the feeds, the calendars and the
exports may show, with the joins each of them needs, in one place (ballots and
decisions: results.py).

Every function here answers for anonymous readers, whoever asks: the open-data
outputs are cached as "public", so they never depend on the reader.

- Working groups: every group but a closed one (as the CMS lists them); ballots
  and decisions follow their group.
- Versions: those anyone may read (consultations.visibility: adopted, or put out to
  a public round); drafts and members-only drafts never appear; clauses follow them.
- Comment periods: the public ones only. Members-only periods, their comments and
  dispositions never appear. Withdrawn comments do not either; dispositions only
  once the period's report is published.
- People appear by their public name only, never by their email address.
"""

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation

from consultations import visibility
from consultations.models import (
    Audience,
    Comment,
    Consultation,
    PeriodState,
    Standard,
)
from governance.models import (
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
from governance.models.assignments import today
from governance.models.users import displayable_name


def language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def public_name(name: str) -> str:
    """A person's name as published: never an email address."""
    return displayable_name(name)


def person_name(user) -> str:
    return public_name(user.public_name) if user is not None else ""


# --- Paths of the public pages (language-neutral: the default language has no prefix) ---


def _path(name: str, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def ballot_path(ballot_id: int) -> str:
    return _path("ballots:detail", ballot_id)


def consultation_path(consultation_id: int) -> str:
    return _path("consultations:detail", consultation_id)


def standard_path(slug: str) -> str:
    return _path("consultations:standard", slug)


def groups_index_path() -> str:
    """Where the working-group pages live ("" when the site has no such page)."""
    from cms.models import WorkingGroupIndexPage

    index = WorkingGroupIndexPage.objects.live().first()
    return (index.url or "") if index else ""


# --- Registry ------------------------------------------------------------------------


def working_groups():
    """Public groups with their active seats (by chamber, current holder and alternate)
    and current chairs, in a fixed number of queries whatever the number of groups."""
    on = today()
    current = SeatAssignment.objects.current(on).select_related("person", "organisation")
    seats = (
        Seat.objects.filter(is_active=True)
        .select_related("chamber__parent")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("chamber__parent__sort_order", "chamber__sort_order", "sort_order", "label")
    )
    chairs = (
        WorkingGroupRole.objects.current(on)
        .filter(role=GroupRole.CHAIR)
        .select_related("person__organisation")
        .order_by("start", "id")
    )
    return (
        WorkingGroup.objects.public()
        .prefetch_related(
            Prefetch("seats", queryset=seats, to_attr="public_seats"),
            Prefetch("roles", queryset=chairs, to_attr="current_chairs"),
        )
        .order_by("name")
    )


def seats_by_chamber(group: WorkingGroup) -> list[dict]:
    """A group from `working_groups()` as chamber rows, the way `governance.selectors.
    seat_table` groups them: top-level chambers, each seat with holder and alternate."""
    chambers: dict[int, dict] = {}
    for seat in group.public_seats:
        top = seat.chamber.top_level
        holder = next((a for a in seat.current_assignments if a.role == SeatRole.HOLDER), None)
        alternate = next(
            (a for a in seat.current_assignments if a.role == SeatRole.ALTERNATE), None
        )
        row = chambers.setdefault(top.pk, {"chamber": top, "seats": []})
        row["seats"].append(
            {
                "id": seat.pk,
                "label": seat.label,
                "sub_chamber": seat.chamber.name if seat.chamber.parent_id else None,
                "vacant": holder is None,
                "organisation": holder.organisation if holder else None,
                "holder": person_name(holder.person) if holder else None,
                "alternate": {
                    "name": person_name(alternate.person),
                    "organisation": alternate.organisation,
                }
                if alternate
                else None,
            }
        )
    ordered = sorted(chambers.values(), key=lambda c: (c["chamber"].sort_order, c["chamber"].name))
    for row in ordered:
        row["vacancies"] = sum(seat["vacant"] for seat in row["seats"])
    return ordered


def chambers():
    return Chamber.objects.select_related("parent").order_by("sort_order", "name")


def organisations():
    """Members, suspended and former members; an application is not public until accepted."""
    return (
        Organisation.objects.exclude(membership_status=MembershipStatus.APPLICANT)
        .select_related("chamber")
        .order_by("name")
    )


# --- Standards -----------------------------------------------------------------------


def versions():
    return (
        visibility.public_versions()
        .select_related("standard", "based_on")
        .annotate(clause_count=Count("clauses"))
        .prefetch_related(
            Prefetch(
                "consultations",
                queryset=Consultation.objects.filter(audience=Audience.PUBLIC).order_by(
                    "round_number"
                ),
                to_attr="public_consultations",
            )
        )
        .order_by("standard__title", "created_at", "id")
    )


def standards():
    shown = visibility.public_versions().order_by("created_at", "id")
    return (
        Standard.objects.select_related("working_group")
        .prefetch_related(Prefetch("versions", queryset=shown, to_attr="public_versions"))
        .order_by("title")
    )


def clauses():
    return (
        visibility.public_clauses()
        .select_related("version__standard")
        .order_by("version__standard__title", "version__created_at", "version_id", "order", "id")
    )


# --- Comment periods -----------------------------------------------------------------


def consultations():
    """Public comment periods only, newest first, with their active comment counts."""
    return (
        Consultation.objects.filter(audience=Audience.PUBLIC)
        .select_related("version__standard__working_group")
        .annotate(comment_count=Count("comments", filter=Q(comments__withdrawn_at__isnull=True)))
        .order_by("-opens_at", "-id")
    )


def consultations_in_state(queryset, state: str, at=None):
    """Filter by the state `Consultation.state()` derives from the instants."""
    at = at or timezone.now()
    published = Q(report_published_at__isnull=False)
    return {
        PeriodState.REPORT_PUBLISHED: queryset.filter(published),
        PeriodState.SCHEDULED: queryset.exclude(published).filter(opens_at__gt=at),
        PeriodState.OPEN: queryset.exclude(published).filter(opens_at__lte=at, closes_at__gt=at),
        PeriodState.CLOSED: queryset.exclude(published).filter(closes_at__lte=at),
    }[state]


def comments(consultation: Consultation):
    """The period's active comments, general ones first, then in clause order; their
    dispositions come along only once the report is published."""
    queryset = (
        Comment.objects.active()
        .filter(consultation=consultation, consultation__audience=Audience.PUBLIC)
        .select_related("consultation", "author", "chamber", "clause")
        .order_by(F("clause__order").asc(nulls_first=True), "created_at", "id")
    )
    if consultation.report_published_at:
        queryset = queryset.select_related("disposition")
    return queryset


def disposition(comment: Comment):
    """The working group's answer, once the period's report is published."""
    if comment.consultation.audience != Audience.PUBLIC:
        return None
    if not comment.consultation.report_published_at:
        return None
    return getattr(comment, "disposition", None)
